// The body of pool.bench.mjs, in TypeScript so that it loads as one module graph (see there).
import * as os from 'node:os';
import { Dedup } from '../../src/core/cache/dedup';
import { ResponseCache } from '../../src/core/cache/responseCache';
import { Pool } from '../../src/core/pool/pool';
import type { ChatRequest, ModelClient } from '../../src/core/provider/api';
import { createClientFor } from '../../src/core/provider/endpoints';
import type { TierConfig } from '../../src/core/types';
import { startMockOpenAI } from '../mock-openai/server';

export async function main(N: number): Promise<string> {
  const mock = await startMockOpenAI();
  const tier: TierConfig = {
    id: 't',
    label: 'T',
    model: 'gpt-4o-mini',
    provider: 'openai',
    endpoint: 'mock',
    price: { input: 0.15, output: 0.6, cacheWrite: 0, cacheRead: 0 },
    contextWindow: 16000,
    maxOutputTokens: 1000,
  };
  const base = createClientFor({
    endpoints: [{ name: 'mock', baseUrl: mock.baseURL }],
    anthropic: null,
    endpointKey: () => undefined,
    maxRetries: 0,
  });
  const direct = base(tier)!;
  const layered = new Dedup().wrap(new Pool().wrap(base))(tier)!;
  const req = (i: number | string): ChatRequest => ({
    model: tier.model,
    messages: [{ role: 'user', content: `question number ${i}` }],
    maxTokens: 200,
  });
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))];
  };

  async function timed(client: ModelClient, i: number) {
    const t0 = performance.now();
    let first: number | null = null;
    await client.stream(req(i), () => {
      first ??= performance.now() - t0;
    });
    return { ttft: first ?? 0, total: performance.now() - t0 };
  }

  // Warm up both (connection pools, JIT), then alternate so drift hits both alike.
  for (let i = 0; i < 20; i++) {
    await timed(direct, -i);
    await timed(layered, -i - 100);
  }
  const d = { ttft: [] as number[], total: [] as number[] };
  const l = { ttft: [] as number[], total: [] as number[] };
  for (let i = 0; i < N; i++) {
    const a = await timed(direct, i);
    const b = await timed(layered, i + N);
    d.ttft.push(a.ttft);
    d.total.push(a.total);
    l.ttft.push(b.ttft);
    l.total.push(b.total);
  }

  // A cache hit (exact), and a paused backend's refusal.
  const cached = new ResponseCache().wrap(base, 'bench')(tier)!;
  await cached.stream(req('hit'));
  const hits: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await cached.stream(req('hit'));
    hits.push(performance.now() - t0);
  }
  const pool = new Pool({ breaker: { failureThreshold: 1, cooldownMs: 600_000 } });
  const paused = pool.wrap(base)({ ...tier, model: 'm-down' })!;
  mock.setScenario('500', { model: 'm-down' });
  await paused.stream({ ...req(0), model: 'm-down' }).catch(() => undefined);
  const callsBefore = mock.completions().length;
  const refusals: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await paused.stream({ ...req(0), model: 'm-down' }).catch(() => undefined);
    refusals.push(performance.now() - t0);
  }

  const refusedCalls = mock.completions().length - callsBefore;

  // 20 identical requests at once.
  mock.reset();
  mock.setScenario({ kind: 'slow', delayMs: 10 });
  const shared = new Dedup().wrap(base)(tier)!;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 20 }, () => shared.stream(req('same'))));
  const sharedMs = performance.now() - t0;
  const upstream = mock.completions().length;
  await mock.close();

  const f = (x: number) => `${x.toFixed(2)} ms`;
  const out: string[] = [];
  out.push('## OpenAI-compatible tiers: pool, de-duplication, cache');
  out.push('');
  out.push(
    `Local Chat Completions server, ${N} requests each, sequential, alternating; load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores.`,
  );
  out.push('');
  out.push('| | p50 first token | p95 first token | p50 whole answer |');
  out.push('|---|---|---|---|');
  out.push(`| OpenAIClient alone | ${f(q(d.ttft, 0.5))} | ${f(q(d.ttft, 0.95))} | ${f(q(d.total, 0.5))} |`);
  out.push(`| through pool + de-duplication | ${f(q(l.ttft, 0.5))} | ${f(q(l.ttft, 0.95))} | ${f(q(l.total, 0.5))} |`);
  out.push('');
  out.push(
    `First-token ratio (layered / alone, p50): **${(q(l.ttft, 0.5) / q(d.ttft, 0.5)).toFixed(3)}**; whole answer: ${(q(l.total, 0.5) / q(d.total, 0.5)).toFixed(3)}.`,
  );
  out.push(
    `Cache hit: p50 ${f(q(hits, 0.5))}, p95 ${f(q(hits, 0.95))}. A paused backend refuses in p50 ${f(q(refusals, 0.5))} (${refusedCalls} network calls for ${N} refusals).`,
  );
  out.push(
    `20 identical concurrent requests: ${upstream} upstream call${upstream === 1 ? '' : 's'}, all 20 answered in ${f(sharedMs)}.`,
  );
  return `${out.join('\n')}\n`;
}
