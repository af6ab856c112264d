// Workflows: multi-step prompts as a small DAG, written in YAML or JSON (YAML is a superset of JSON; one parser, the
// `yaml` package, reads both). A step's prompt refers to the workflow's inputs as {{inputs.NAME}} and to an earlier
// step's answer as {{steps.ID}}; those references (and an optional `needs: [...]`) are its dependencies, so steps
// that do not depend on each other form parallel branches. Everything is checked before anything runs: the shape,
// duplicate ids, references to unknown steps or undeclared inputs, tiers that do not exist, and cycles.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { tierIndex } from '../config';
import type { RouterConfig } from '../types';

export interface WorkflowInput {
  description?: string;
  /** Used when the input is not given; an input without a default is required. */
  default?: string;
}

export interface WorkflowStep {
  id: string;
  prompt: string;
  /** Pins the step to a tier (id or label); otherwise the step is routed on its own. */
  tier?: string;
  /** Extra dependencies besides the steps the prompt refers to. */
  needs: string[];
  system?: string;
  maxTokens?: number;
}

export interface Workflow {
  name: string;
  description: string;
  inputs: Record<string, WorkflowInput>;
  steps: WorkflowStep[];
  /** The step whose answer is the workflow's result (default: the last step). */
  output: string;
}

/** A checked workflow: its steps in an order that runs every dependency first, and each step's dependencies. */
export interface ValidWorkflow extends Workflow {
  order: string[];
  deps: Record<string, string[]>;
}

const ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
const REF = /\{\{\s*([^}]*?)\s*\}\}/g;

const stepSchema = z
  .object({
    id: z.string().regex(ID, 'a step id is a letter followed by letters, digits, "-" or "_"'),
    prompt: z.string().trim().min(1, 'the prompt is empty'),
    tier: z.string().trim().min(1).optional(),
    needs: z.array(z.string()).optional(),
    system: z.string().optional(),
    maxTokens: z.number().int().min(1).optional(),
  })
  .strict();

const inputSchema = z.union([
  z
    .object({
      description: z.string().optional(),
      default: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
    })
    .strict(),
  z.string().transform((description) => ({ description })),
  z.null().transform(() => ({})),
]);

const workflowSchema = z
  .object({
    name: z.string().trim().min(1).optional(),
    description: z.string().optional(),
    inputs: z
      .union([
        z.record(
          z.string().regex(ID, 'an input name is a letter followed by letters, digits, "-" or "_"'),
          inputSchema,
        ),
        z.array(z.string().regex(ID)),
      ])
      .optional(),
    steps: z.array(stepSchema).min(1, 'a workflow needs at least one step'),
    output: z.string().optional(),
  })
  .strict();

export class WorkflowError extends Error {
  constructor(
    readonly problems: string[],
    readonly source?: string,
  ) {
    super(
      `${source ? `${source}: ` : ''}${problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`}`,
    );
    this.name = 'WorkflowError';
  }
}

const where = (path: PropertyKey[]) =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');

/** Parses YAML or JSON text into a workflow (shape only). Throws WorkflowError with every problem found. */
export function parseWorkflow(text: string, source?: string): Workflow {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0] : (e as Error).message;
    throw new WorkflowError([`not valid YAML or JSON: ${msg}`], source);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new WorkflowError(
      ['a workflow is a mapping with `steps` (and optionally name, description, inputs, output)'],
      source,
    );
  const r = workflowSchema.safeParse(raw);
  if (!r.success)
    throw new WorkflowError(
      r.error.issues.map((i) => `${where(i.path) || 'workflow'}: ${i.message}`),
      source,
    );
  const w = r.data;
  const inputs: Record<string, WorkflowInput> = Array.isArray(w.inputs)
    ? Object.fromEntries(w.inputs.map((n) => [n, {}]))
    : { ...(w.inputs ?? {}) };
  const steps = w.steps.map((s) => ({ ...s, needs: s.needs ?? [] }));
  const fallbackName = source ? source.replace(/^.*[\\/]/, '').replace(/\.(ya?ml|json)$/i, '') : 'workflow';
  return {
    name: w.name ?? fallbackName,
    description: w.description ?? '',
    inputs,
    steps,
    output: w.output ?? steps[steps.length - 1].id,
  };
}

/** The references in a prompt, as written: [{ kind: 'inputs' | 'steps', name }] or a problem for one it cannot read. */
export function references(prompt: string): { kind: 'inputs' | 'steps'; name: string; raw: string }[] | string {
  const refs: { kind: 'inputs' | 'steps'; name: string; raw: string }[] = [];
  for (const m of prompt.matchAll(REF)) {
    const parts = m[1].split('.');
    if (parts.length !== 2 || (parts[0] !== 'inputs' && parts[0] !== 'steps') || !ID.test(parts[1])) {
      return `{{${m[1]}}} is not a reference: write {{inputs.NAME}} or {{steps.ID}}`;
    }
    refs.push({ kind: parts[0], name: parts[1], raw: m[0] });
  }
  return refs;
}

/** Finds one cycle in a dependency graph (as a path that ends where it starts), or null. */
function findCycle(ids: string[], deps: Record<string, string[]>): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, 1);
    stack.push(id);
    for (const d of deps[id] ?? []) {
      if (state.get(d) === 1) return [...stack.slice(stack.indexOf(d)), d];
      if (!state.has(d)) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(id, 2);
    return null;
  };
  for (const id of ids) {
    if (state.has(id)) continue;
    const c = visit(id);
    if (c) return c;
  }
  return null;
}

/** Checks a parsed workflow against the routing configuration (tiers). Throws WorkflowError listing every problem. */
export function validateWorkflow(w: Workflow, config: RouterConfig, source?: string): ValidWorkflow {
  const problems: string[] = [];
  const ids = w.steps.map((s) => s.id);
  const known = new Set(ids);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) problems.push(`two steps have the id "${id}": each step needs its own`);
    seen.add(id);
  }
  const declared = Object.keys(w.inputs);
  const deps: Record<string, string[]> = {};
  for (const s of w.steps) {
    if (s.tier !== undefined && tierIndex(config, s.tier) < 0) {
      problems.push(
        `step "${s.id}": unknown tier "${s.tier}" (use one of ${config.tiers.map((t) => t.id).join(', ')}, or leave it out to route the step)`,
      );
    }
    const refs = references(`${s.prompt}\n${s.system ?? ''}`);
    if (typeof refs === 'string') {
      problems.push(`step "${s.id}": ${refs}`);
      continue;
    }
    const d = new Set<string>();
    for (const r of refs) {
      if (r.kind === 'inputs' && !w.inputs[r.name]) {
        problems.push(
          `step "${s.id}" uses ${r.raw}, but no input "${r.name}" is declared under inputs${declared.length ? ` (declared: ${declared.join(', ')})` : ''}`,
        );
      }
      if (r.kind === 'steps') {
        if (!known.has(r.name)) problems.push(`step "${s.id}" uses ${r.raw}, but no step has the id "${r.name}"`);
        else if (r.name === s.id) problems.push(`step "${s.id}" uses its own answer (${r.raw})`);
        else d.add(r.name);
      }
    }
    for (const n of s.needs) {
      if (!known.has(n)) problems.push(`step "${s.id}" needs "${n}", but no step has that id`);
      else if (n === s.id) problems.push(`step "${s.id}" needs itself`);
      else d.add(n);
    }
    deps[s.id] = [...d];
  }
  if (!known.has(w.output)) problems.push(`output: no step has the id "${w.output}"`);
  if (!problems.length) {
    const cycle = findCycle(ids, deps);
    if (cycle)
      problems.push(
        `the steps form a cycle: ${cycle.reverse().join(' → ')} (a step can only use steps that finish before it)`,
      );
  }
  if (problems.length) throw new WorkflowError(problems, source);
  // Topological order, keeping the file's order among steps that are ready together.
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < ids.length) {
    for (const id of ids) {
      if (!done.has(id) && deps[id].every((d) => done.has(d))) {
        order.push(id);
        done.add(id);
      }
    }
  }
  return { ...w, order, deps };
}

/** Parses and validates in one go. */
export function loadWorkflow(text: string, config: RouterConfig, source?: string): ValidWorkflow {
  return validateWorkflow(parseWorkflow(text, source), config, source);
}

/**
 * The values of the inputs for a run: given ones, then defaults. Throws WorkflowError for a required input not given
 * or a given name the workflow does not declare (a typo must not silently run with a default).
 */
export function resolveInputs(w: Workflow, given: Record<string, string>): Record<string, string> {
  const problems: string[] = [];
  const names = Object.keys(w.inputs);
  for (const k of Object.keys(given)) {
    if (!w.inputs[k])
      problems.push(
        `unknown input "${k}": ${names.length ? `this workflow takes ${names.join(', ')}` : 'this workflow takes no inputs'}`,
      );
  }
  const out: Record<string, string> = {};
  for (const [k, def] of Object.entries(w.inputs)) {
    const v = given[k] ?? def.default;
    if (v === undefined || !String(v).trim())
      problems.push(`missing input "${k}"${def.description ? ` (${def.description})` : ''}: give it as --input ${k}=…`);
    else out[k] = String(v);
  }
  if (problems.length) throw new WorkflowError(problems, w.name);
  return out;
}

/** A step's prompt with its references filled in (`answer(id)` gives a step's answer). */
export function render(template: string, inputs: Record<string, string>, answer: (id: string) => string): string {
  return template.replace(REF, (_m, ref: string) => {
    const [kind, name] = ref.split('.');
    return kind === 'inputs' ? (inputs[name] ?? '') : answer(name);
  });
}

/** Parses `k=v` pairs from the command line ("topic=Rust lifetimes"); throws on a pair without "=". */
export function parseInputPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new WorkflowError([`--input "${p}": write it as name=value`]);
    out[p.slice(0, i).trim()] = p.slice(i + 1);
  }
  return out;
}
