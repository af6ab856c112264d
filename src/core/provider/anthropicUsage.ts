// The Anthropic API's usage counts as ours.
import { ZERO_USAGE } from '../pricing';
import type { Usage } from '../types';

/** The API's usage counts (any of them may be missing or null in a delta) as ours; a missing count keeps `prev`'s. */
export function toUsage(
  u: {
    input_tokens?: number | null;
    output_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
    cache_read_input_tokens?: number | null;
    cache_creation?: { ephemeral_1h_input_tokens?: number | null } | null;
  },
  prev: Usage = ZERO_USAGE,
): Usage {
  // 1-hour cache writes are kept apart: they cost 2 × input, 5-minute ones 1.25 ×
  const w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? prev.cacheWrite1hTokens ?? 0;
  return {
    inputTokens: u.input_tokens ?? prev.inputTokens,
    outputTokens: u.output_tokens ?? prev.outputTokens,
    cacheWriteTokens: u.cache_creation_input_tokens ?? prev.cacheWriteTokens,
    cacheReadTokens: u.cache_read_input_tokens ?? prev.cacheReadTokens,
    ...(w1h ? { cacheWrite1hTokens: w1h } : {}),
  };
}
