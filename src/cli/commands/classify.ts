// `llm-router classify`: classify one prompt (readable or --json), or a JSONL stream (a stable contract: one output
// line per input line, with exactly id, score, tier, model, complexity, category, confidence, reasons).
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { createClassifier } from '../../core/classifier';
import { defaultConfig } from '../../core/config';
import { PRESET_NAMES, isPresetName } from '../../core/presets';
import { decide } from '../../core/policy';
import { storeClassifier } from '../../core/classifier/finetune';
import { createRouterService } from '../../core/service';
import type { DecisionStore } from '../../core/store/api';
import type { Classification, Classifier, Decision, RouterConfig, Turn } from '../../core/types';
import { MAX_LINE_BYTES, out, readLines, stdin, stdoutClosed, withStore, write, writeErr } from '../io';

/** Prompt (and earlier turns) → its classification and the decision the router would make, recording nothing. */
type Router = (prompt: string, history?: Turn[]) => { cls: Classification; d: Decision };

function plainRouter(classifier: Classifier, config: RouterConfig): Router {
  return (prompt, history) => {
    const cls = classifier.classify(prompt, history);
    return { cls, d: decide(cls, config, { id: 'cli', now: 0 }) };
  };
}

interface ClassifyOpts {
  jsonl?: string;
  json?: boolean;
  strategy?: string;
  model?: string;
  db?: string;
  preset?: string;
}

/** The routing configuration for a command's --preset (economy, balanced, quality; default balanced). */
export function configFromOptions(opts: { preset?: string }): RouterConfig {
  if (opts.preset === undefined) return defaultConfig();
  if (!isPresetName(opts.preset))
    throw new Error(`--preset must be one of ${PRESET_NAMES.join(', ')}, not "${opts.preset}"`);
  return defaultConfig(opts.preset);
}

export const PRESET_HELP = `routing preset: ${PRESET_NAMES.join(', ')} (default balanced)`;

/** Builds the classifier a command asked for: strategy and optionally a model file from `llm-router train`. */
export function classifierFromOptions(config: RouterConfig, opts: { strategy?: string; model?: string }): Classifier {
  const strategy = opts.strategy ?? (opts.model ? 'learned' : config.strategy);
  if (strategy !== 'rules' && strategy !== 'learned')
    throw new Error(`--strategy must be rules or learned, not "${strategy}"`);
  let model: unknown;
  if (opts.model) {
    if (strategy !== 'learned') throw new Error('--model only applies to the learned strategy');
    let text: string;
    try {
      text = fs.readFileSync(opts.model, 'utf8');
    } catch (e) {
      throw new Error(
        `cannot read model file ${opts.model}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    try {
      model = JSON.parse(text);
    } catch {
      throw new Error(`model file ${opts.model} is not JSON`);
    }
  }
  try {
    return createClassifier(strategy, { highStakesTerms: config.highStakesTerms, model });
  } catch (e) {
    throw new Error(opts.model ? `${opts.model}: ${(e as Error).message}` : (e as Error).message);
  }
}

function validHistory(h: unknown): Turn[] | string {
  if (!Array.isArray(h)) return '"history" must be an array of {role, content} turns';
  for (const t of h) {
    if (!t || typeof t !== 'object' || (t.role !== 'user' && t.role !== 'assistant') || typeof t.content !== 'string') {
      return '"history" turns need role "user" or "assistant" and a string content';
    }
  }
  return h as Turn[];
}

/** Classifies one JSONL line into its output line (the contract), or an error line. Exported for tests and benches. */
export function classifyLine(line: string, lineNo: number, route: Router): string {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    return JSON.stringify({ line: lineNo, error: `not valid JSON: ${(e as Error).message}` });
  }
  const r = o as Record<string, unknown>;
  if (!r || typeof r !== 'object' || Array.isArray(r))
    return JSON.stringify({ line: lineNo, error: 'expected a JSON object {"id", "prompt", "history"?}' });
  const id = r.id;
  const err = (error: string) =>
    JSON.stringify(id === undefined ? { line: lineNo, error } : { line: lineNo, id, error });
  if (typeof r.prompt !== 'string') return err('"prompt" must be a string');
  if (!r.prompt.trim()) return err('"prompt" is empty: nothing to classify');
  let history: Turn[] | undefined;
  if (r.history !== undefined && r.history !== null) {
    const h = validHistory(r.history);
    if (typeof h === 'string') return err(h);
    history = h;
  }
  const { d } = route(r.prompt, history);
  return JSON.stringify({
    id: id ?? null,
    score: d.score,
    tier: d.tierId,
    model: d.model,
    complexity: d.complexity,
    category: d.category,
    confidence: d.confidence,
    reasons: d.reasons,
  });
}

async function streamJsonl(src: string, route: Router): Promise<{ ok: number; bad: number }> {
  let input: AsyncIterable<Buffer | string>;
  if (src === '-') input = stdin();
  else {
    if (!fs.existsSync(src)) throw new Error(`no such file: ${src}`);
    input = fs.createReadStream(src);
  }
  let lineNo = 0;
  let ok = 0;
  let bad = 0;
  let pending = '';
  const flush = async () => {
    const chunk = pending;
    pending = '';
    await write(chunk);
  };
  for await (const read of readLines(input)) {
    // `llm-router classify --jsonl big.jsonl | head`: a reader that goes away ends the run quietly.
    if (stdoutClosed()) break;
    lineNo++;
    const line = 'line' in read ? read.line.trim() : '';
    if ('line' in read && !line) continue;
    const res =
      'line' in read
        ? classifyLine(line, lineNo, route)
        : JSON.stringify({
            line: lineNo,
            error: `line is ${read.tooLongBytes} bytes, over the ${MAX_LINE_BYTES / 1024 / 1024} MB limit: skipped`,
          });
    if (res.startsWith('{"line"')) bad++;
    else ok++;
    pending += `${res}\n`;
    if (pending.length > 65536) await flush();
  }
  await flush();
  return { ok, bad };
}

export function register(program: Command): void {
  program
    .command('classify [text...]')
    .description('classify a prompt and show the tier it would go to and why; --jsonl classifies a JSONL stream')
    .option(
      '--jsonl <file>',
      'read JSONL {"id","prompt","history"?} from a file or - (stdin); writes one JSON line per input',
    )
    .option('--json', 'print the single classification as JSON')
    .option('--preset <name>', PRESET_HELP)
    .option('--strategy <name>', 'classifier strategy: rules or learned (default: the configured one)')
    .option('--model <file>', 'use a model file written by `llm-router train` (learned strategy)')
    .option(
      '--db <path>',
      "decide as this database's router would: its fine-tuned model, calibrated thresholds and retraining adjustments (nothing is recorded)",
    )
    .addHelpText(
      'after',
      `
JSONL output (one line per input line, same order):
  {"id", "score", "tier", "model", "complexity", "category", "confidence", "reasons"}
A line that cannot be classified gives {"line": N, "id"?, "error": "..."} and the rest still run.

Examples:
  llm-router classify "Prove that there are infinitely many primes"
  llm-router classify --preset economy "Why does this regex not match?"
  echo '{"id":"1","prompt":"hi"}' | llm-router classify --jsonl -`,
    )
    .action(async (text: string[], opts: ClassifyOpts) => {
      const config = configFromOptions(opts);
      if (opts.db && (opts.model || opts.strategy))
        throw new Error("--db decides with the database's own model; leave out --model and --strategy");
      if (!opts.db) {
        await classifyWith(plainRouter(classifierFromOptions(config, opts), config), text, opts, config);
        return;
      }
      if (!fs.existsSync(opts.db)) throw new Error(`no database at ${opts.db}`);
      await withStore(opts.db, (store) => classifyWith(storeRouter(store, config), text, opts, config));
    });
}

/** Decides as the database's router would (its fine-tuned model, calibrated thresholds, adjustments), recording
 *  nothing: the service's own classifier, seen through, gives the classification its decision came from. */
function storeRouter(store: DecisionStore, config: RouterConfig): Router {
  const inner = storeClassifier(store, config);
  let last: Classification | undefined;
  const classifier: Classifier = { name: inner.name, classify: (p, h) => (last = inner.classify(p, h)) };
  const service = createRouterService({ config, store, classifier });
  return (prompt, history) => {
    const d = service.decide({ prompt, history });
    return { cls: last!, d };
  };
}

async function classifyWith(route: Router, text: string[], opts: ClassifyOpts, config: RouterConfig): Promise<void> {
  if (opts.jsonl === undefined) {
    printOne(text.join(' '), route, config, opts.json);
    return;
  }
  if (text.length) throw new Error('give either a prompt or --jsonl, not both');
  const { bad } = await streamJsonl(opts.jsonl, route);
  if (bad && !stdoutClosed())
    writeErr(`llm-router classify: ${bad} line(s) could not be classified (see their "error")\n`);
}

function printOne(prompt: string, route: Router, config: RouterConfig, json?: boolean): void {
  if (!prompt.trim())
    throw new Error('nothing to classify: give a prompt, e.g. llm-router classify "What is 2+2?", or --jsonl FILE|-');
  const { cls, d } = route(prompt);
  if (json) {
    out(JSON.stringify({ ...cls, tier: d.tierId, model: d.model, decisionReasons: d.reasons }, null, 2));
    return;
  }
  out(
    `${config.tiers[d.tier].label} (${d.model})  score ${cls.score.toFixed(2)}  ${cls.complexity} ${cls.category}  confidence ${cls.confidence.toFixed(2)}  [${cls.strategy}, ${config.preset ?? 'custom'}]`,
  );
  if (cls.highStakes) out(`high-stakes: ${cls.highStakesDomain}`);
  out('why:');
  for (const r of d.reasons) out(`  - ${r}`);
}
