// Runs a checked workflow through the routing service: each step starts as soon as the steps it uses have answered
// (independent branches run at the same time), is routed on its own unless it pins a tier, and every model call it
// makes is recorded as a decision of this workflow run (workflow id + step id). After a failure no new step starts;
// steps already under way finish and are recorded.
import type { ModelClient } from '../provider/api';
import type { RouteOutcome, RouterService } from '../service-api';
import { RouteError } from '../service-api';
import type { Decision, Source } from '../types';
import { render, type ValidWorkflow } from './definition';

export type StepStatus = 'ok' | 'error' | 'skipped' | 'cancelled' | 'blocked' | 'no-key';

export interface StepResult {
  id: string;
  status: StepStatus;
  /** True when the step pinned its tier. */
  pinned: boolean;
  tierId: string | null;
  model: string | null;
  /** Every decision (model call) the step made, primary first. */
  decisionIds: string[];
  costUsd: number | null;
  baselineCostUsd: number | null;
  text: string;
  error: string | null;
  /** ms from the step's start to its end. */
  ms: number;
}

export interface WorkflowRun {
  runId: string;
  name: string;
  status: 'ok' | 'failed' | 'cancelled';
  steps: StepResult[];
  /** Sum over all steps' calls; null if a call was unpriced. */
  totalCostUsd: number | null;
  /** The same answers on the top tier. */
  baselineCostUsd: number | null;
  /** The output step's answer ('' when it did not run). */
  output: string;
  ms: number;
}

export interface RunWorkflowOptions {
  service: RouterService;
  client: ModelClient | null;
  inputs: Record<string, string>;
  source: Source;
  signal?: AbortSignal;
  /** Tags a recorded decision as part of this run (the store keeps workflow id and step). */
  tag?: (decisionId: string, runId: string, stepId: string) => void;
  onStepStart?(stepId: string, d: Decision): void;
  onStepDone?(step: StepResult): void;
  onText?(stepId: string, delta: string): void;
  onNotice?(stepId: string, message: string): void;
  /** Run id (default: a fresh UUID). */
  runId?: string;
  now?: () => number;
}

const sum = (xs: (number | null)[]) =>
  xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + (x as number), 0);

export async function runWorkflow(w: ValidWorkflow, opts: RunWorkflowOptions): Promise<WorkflowRun> {
  const now = opts.now ?? (() => Date.now());
  const runId = opts.runId ?? globalThis.crypto.randomUUID();
  const t0 = now();
  const results = new Map<string, StepResult>();
  const running = new Map<string, Promise<StepResult>>();
  let stopped: StepStatus | null = null;
  const byId = new Map(w.steps.map((s) => [s.id, s]));

  const runStep = async (id: string): Promise<StepResult> => {
    const step = byId.get(id)!;
    const deps = await Promise.all(w.deps[id].map((d) => running.get(d)!));
    const start = now();
    const base: StepResult = {
      id,
      status: 'skipped',
      pinned: step.tier !== undefined,
      tierId: null,
      model: null,
      decisionIds: [],
      costUsd: 0,
      baselineCostUsd: 0,
      text: '',
      error: null,
      ms: 0,
    };
    const failedDep = deps.find((d) => d.status !== 'ok');
    if (stopped || failedDep || opts.signal?.aborted) {
      base.error = failedDep ? `not run: step "${failedDep.id}" did not answer` : 'not run: the workflow stopped';
      results.set(id, base);
      opts.onStepDone?.(base);
      return base;
    }
    const answers = new Map(deps.map((d) => [d.id, d.text]));
    const prompt = render(step.prompt, opts.inputs, (sid) => answers.get(sid) ?? '');
    const system =
      step.system === undefined ? undefined : render(step.system, opts.inputs, (sid) => answers.get(sid) ?? '');
    let r: StepResult;
    try {
      const o: RouteOutcome = await opts.service.run(
        {
          prompt,
          system,
          source: opts.source,
          override: step.tier ?? null,
          maxTokens: step.maxTokens,
          signal: opts.signal,
          onDecision: (d) => opts.onStepStart?.(id, d),
          onText: (t) => opts.onText?.(id, t),
          onNotice: (m) => opts.onNotice?.(id, m),
        },
        opts.client,
      );
      const ids = o.calls.map((c) => c.decisionId);
      for (const did of ids) opts.tag?.(did, runId, id);
      r = {
        ...base,
        status: 'ok',
        tierId: o.record.tierId,
        model: o.record.answeredModel ?? o.record.model,
        decisionIds: ids,
        costUsd: o.totalCostUsd,
        baselineCostUsd: o.baselineCostUsd,
        text: o.text,
      };
    } catch (e) {
      const re = e instanceof RouteError ? e : null;
      const status: StepStatus =
        re?.kind === 'cancelled'
          ? 'cancelled'
          : re?.kind === 'blocked'
            ? 'blocked'
            : re?.kind === 'no-key'
              ? 'no-key'
              : 'error';
      const ids = re?.decision && opts.service.store.getDecision(re.decision.id) ? [re.decision.id] : [];
      for (const did of ids) opts.tag?.(did, runId, id);
      const spent = ids.map((did) => opts.service.store.getDecision(did)?.costUsd ?? 0).reduce((s, x) => s + x, 0);
      r = {
        ...base,
        status,
        tierId: re?.decision?.tierId ?? null,
        model: re?.decision?.model ?? null,
        decisionIds: ids,
        costUsd: spent,
        baselineCostUsd: null,
        error: (e as Error).message,
      };
      stopped ??= status;
    }
    r.ms = now() - start;
    results.set(id, r);
    opts.onStepDone?.(r);
    return r;
  };

  // Every step's promise exists before any awaits it: a step waits on its dependencies' promises.
  for (const id of w.order) running.set(id, runStep(id));
  await Promise.all(running.values());
  const steps = w.order.map((id) => results.get(id)!);
  const cancelled = steps.some((s) => s.status === 'cancelled');
  const ok = steps.every((s) => s.status === 'ok');
  return {
    runId,
    name: w.name,
    status: ok ? 'ok' : cancelled ? 'cancelled' : 'failed',
    steps,
    totalCostUsd: sum(steps.map((s) => s.costUsd)),
    baselineCostUsd: ok ? sum(steps.map((s) => s.baselineCostUsd)) : null,
    output: results.get(w.output)?.status === 'ok' ? results.get(w.output)!.text : '',
    ms: now() - t0,
  };
}

export interface PlannedStep {
  id: string;
  /** The steps that must answer first. */
  after: string[];
  decision: Decision;
  pinned: boolean;
}

/**
 * What each step would be routed to, recording nothing and calling no model. A prompt that uses an earlier step's
 * answer is judged with a placeholder in its place, so the estimate for later steps is a lower bound.
 */
export function planWorkflow(w: ValidWorkflow, service: RouterService, inputs: Record<string, string>): PlannedStep[] {
  return w.order.map((id) => {
    const step = w.steps.find((s) => s.id === id)!;
    const prompt = render(step.prompt, inputs, (sid) => `[the answer of step "${sid}"]`);
    return {
      id,
      after: w.deps[id],
      decision: service.decide({ prompt, override: step.tier ?? null }),
      pinned: step.tier !== undefined,
    };
  });
}

/** Groups of steps that can run at the same time, in order (each group only uses earlier groups). */
export function stages(w: ValidWorkflow): string[][] {
  const level = new Map<string, number>();
  for (const id of w.order) level.set(id, Math.max(-1, ...w.deps[id].map((d) => level.get(d)!)) + 1);
  const out: string[][] = [];
  for (const id of w.order) (out[level.get(id)!] ??= []).push(id);
  return out;
}
