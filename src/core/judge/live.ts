// The judge's sampling of answers as they happen: a share of the answers of cheaper tiers (llmRouter.judge.sampleRate)
// is judged in the background, within the budget share; the user's request is never held back or failed by it.
import type { ClientFor, ModelClient } from '../provider/api';
import type { RouteOutcome, RouteRequest } from '../service-api';
import type { DecisionStore } from '../store/api';
import type { RouterConfig } from '../types';
import { drawSample, judgeAnswer, type JudgeResult, type JudgeSettings } from './run';

export interface LiveJudgeOptions {
  store: DecisionStore;
  settings: JudgeSettings;
  /** What happened to a judged answer (a log line), or why judging failed. */
  onJudged?(r: JudgeResult): void;
  onError?(e: unknown): void;
  random?: () => number;
}

/** A CreateServiceOptions.afterAnswer that judges a sample of answers. Returns the judging under way, for tests. */
export function liveJudge(
  o: LiveJudgeOptions,
): (
  out: RouteOutcome,
  req: RouteRequest,
  client: ModelClient | ClientFor | null | undefined,
  cfg: RouterConfig,
) => Promise<JudgeResult> | null {
  return (out, req, client, cfg) => {
    const rec = out.record;
    if (!client || rec.status !== 'ok' || rec.source === 'judge' || rec.tier >= cfg.tiers.length - 1) return null;
    if (!drawSample(o.settings.sampleRate, o.random)) return null;
    const p = judgeAnswer({ store: o.store, config: cfg, client, settings: o.settings }, rec, req.prompt, out.text);
    p.then(
      (r) => o.onJudged?.(r),
      (e: unknown) => o.onError?.(e),
    );
    return p;
  };
}
