// The resilient pool under injected faults (local OpenAI-compatible servers failing on purpose, a fake clock):
// breakers open on failures in a row or a failure rate, fail at once while open, let one probe through after the
// cool-down, fail over to the same tier elsewhere, and the routing service falls back along the tiers.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { createPool, healthLines, loadHealth, Pool } from '../../src/core/pool';
import { ProviderError, type ChatRequest, type ClientFor } from '../../src/core/provider/api';
import { createClientFor, type EndpointConfig } from '../../src/core/provider/endpoints';
import { createRouterService } from '../../src/core/service';
import { openStore } from '../../src/core/store';
import { buildViewModel } from '../../src/panel/viewModel';
import type { RouterConfig, TierConfig } from '../../src/core/types';
import { startMockOpenAI, type MockOpenAI } from '../mock-openai';

const req = (model = 'm1', extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: 'hello' }],
  maxTokens: 50,
  ...extra,
});
const tier = (id: string, endpoint: string, model = 'm1'): TierConfig => ({
  id,
  label: id.toUpperCase(),
  model,
  provider: 'openai',
  endpoint,
  price: { input: 1, output: 2, cacheWrite: 0, cacheRead: 0 },
  contextWindow: 8000,
  maxOutputTokens: 1000,
});

async function fails(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, String(e));
    return e;
  }
  assert.fail('expected a failure');
}

describe('resilient pool', () => {
  let a: MockOpenAI;
  let b: MockOpenAI;
  let endpoints: EndpointConfig[];
  let base: ClientFor;
  let t: number;
  const clock = () => t;
  before(async () => {
    a = await startMockOpenAI();
    b = await startMockOpenAI();
    endpoints = [
      { name: 'a', baseUrl: a.baseURL },
      { name: 'b', baseUrl: b.baseURL },
    ];
    base = createClientFor({
      endpoints,
      anthropic: null,
      endpointKey: () => undefined,
      maxRetries: 0,
      idleTimeoutMs: 500,
    });
  });
  after(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    a.reset();
    b.reset();
    t = 1_000_000;
  });

  it('opens after 5 failures in a row, then fails at once without calling the backend', async () => {
    const pool = new Pool({ now: clock });
    const c = pool.wrap(base)(tier('x', 'a'))!;
    a.setScenario('500');
    for (let i = 0; i < 5; i++) assert.strictEqual((await fails(c.stream(req()))).kind, 'server');
    const e = await fails(c.stream(req()));
    assert.strictEqual(e.kind, 'overloaded');
    assert.ok(e.tierUnavailable, 'the service falls back to another tier');
    assert.match(e.message, /a\/m1 is paused \(5 failures in a row\); it is tried again in 30 s/);
    assert.strictEqual(a.completions().length, 5, 'the sixth call never reached the server');
    const h = pool.health().find((x) => x.id === 'a/m1')!;
    assert.strictEqual(h.state, 'open');
    assert.strictEqual(h.errorRate, 1);
  });

  it('after the cool-down one probe goes: its success closes the breaker, its failure doubles the cool-down', async () => {
    const pool = new Pool({ now: clock, breaker: { failureThreshold: 2, cooldownMs: 10_000 } });
    const c = pool.wrap(base)(tier('x', 'a'))!;
    a.setScenario({ kind: 'slow', delayMs: 5 });
    a.queue('500', { times: 2 });
    await fails(c.stream(req()));
    await fails(c.stream(req()));
    t += 10_000;
    const probe = c.stream(req());
    const second = await fails(c.stream(req()));
    assert.match(second.message, /a probe is under way/);
    await probe;
    assert.strictEqual(pool.health().find((x) => x.id === 'a/m1')!.state, 'closed');
    // Now a failed probe: open again for 20 s.
    a.queue('500', { times: 3 });
    await fails(c.stream(req()));
    await fails(c.stream(req()));
    t += 10_000;
    await fails(c.stream(req())); // the probe fails
    t += 10_000;
    assert.match((await fails(c.stream(req()))).message, /tried again in 10 s/);
    t += 10_000;
    const ok = await c.stream(req());
    assert.ok(ok.text.length > 0);
  });

  it('opens on a failure rate too, though failures never come five in a row', async () => {
    const pool = new Pool({ now: clock, breaker: { minCalls: 10, window: 10, failureRate: 0.5 } });
    const c = pool.wrap(base)(tier('x', 'a'))!;
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 1) a.queue('502');
      await c.stream(req()).catch(() => undefined);
    }
    const e = await fails(c.stream(req()));
    assert.match(e.message, /paused \(50% of the last 10 calls failed\)/);
  });

  it('a 429 keeps the model paused as long as the server asked; other models on the endpoint go on', async () => {
    const pool = new Pool({ now: clock, breaker: { failureThreshold: 1, cooldownMs: 5_000 } });
    const cf = pool.wrap(base);
    a.queue({ kind: '429', retryAfterS: 60 }, { model: 'm1' });
    assert.strictEqual((await fails(cf(tier('x', 'a', 'm1'))!.stream(req('m1')))).kind, 'rate-limit');
    assert.match((await fails(cf(tier('x', 'a', 'm1'))!.stream(req('m1')))).message, /tried again in 60 s/);
    const other = await cf(tier('y', 'a', 'm2'))!.stream(req('m2'));
    assert.strictEqual(other.model, 'm2');
    assert.strictEqual(
      pool.health().find((x) => x.id === 'a')!.state,
      'closed',
      "a rate limit is the model's, not the endpoint's",
    );
  });

  it('an endpoint that is down pauses all its models', async () => {
    const pool = new Pool({ now: clock, breaker: { failureThreshold: 2 } });
    const dead = createClientFor({
      endpoints: [{ name: 'down', baseUrl: 'http://127.0.0.1:9/v1' }],
      anthropic: null,
      endpointKey: () => undefined,
      maxRetries: 0,
    });
    const cf = pool.wrap(dead);
    await fails(cf(tier('x', 'down', 'm1'))!.stream(req('m1')));
    await fails(cf(tier('y', 'down', 'm2'))!.stream(req('m2')));
    const e = await fails(cf(tier('z', 'down', 'm3'))!.stream(req('m3')));
    assert.match(e.message, /^down is paused \(2 failures in a row\)/);
  });

  it('fails over to the same tier on another provider before any text was shown', async () => {
    const pool = new Pool({ now: clock, alternates: { x: [{ endpoint: 'b', model: 'vendor/m1' }] } });
    const c = pool.wrap(base)(tier('x', 'a'))!;
    a.setScenario('503');
    const r = await c.stream(req());
    assert.strictEqual(r.model, 'vendor/m1');
    assert.strictEqual(b.completions()[0].body.model, 'vendor/m1');
    assert.strictEqual(a.completions().length, 1);
    // A stream cut after text arrived is not started again elsewhere (the service decides).
    a.setScenario({ kind: 'cut', afterDeltas: 2 });
    const shown: string[] = [];
    const e = await fails(c.stream(req(), (d) => shown.push(d)));
    assert.strictEqual(e.kind, 'network');
    assert.ok(shown.length > 0);
    assert.strictEqual(b.completions().length, 1);
  });

  it('through the routing service: a paused tier falls back to the next one at once, and stats show the health', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-pool-'));
    const store = await openStore({ path: path.join(dir, 'd.sqlite') });
    try {
      const config: RouterConfig = {
        ...defaultConfig(),
        tiers: [tier('cheap', 'a', 'small'), tier('strong', 'b', 'big')],
        thresholds: [0.5],
        categoryFloors: {},
        complexityFloors: {},
        highStakesTier: 1,
      };
      const pool = createPool({ pool: { alternates: {}, failureThreshold: 2, cooldownMs: 30_000 } }, store);
      const svc = createRouterService({ config, store });
      const cf = pool.wrap(base);
      a.setScenario('500');
      for (let i = 0; i < 3; i++) {
        const o = await svc.run({ prompt: 'What is the capital of Peru?', source: 'cli' }, cf);
        assert.strictEqual(o.record.tierId, 'strong');
      }
      assert.strictEqual(a.completions().length, 2, 'the third request did not wait for the paused backend');
      const h = loadHealth(store);
      assert.deepStrictEqual(
        h.map((x) => [x.id, x.state]),
        [
          ['a/small', 'open'],
          ['b', 'closed'],
          ['b/big', 'closed'],
        ],
      );
      const lines = healthLines(h, h[0].updatedAt);
      assert.match(lines[0], /^a\/small\s+open\s+2 calls, 100% errors \(retry in 30 s\) — last error: .*\(500\)/);
      assert.match(lines[2], /^b\/big\s+closed\s+3 calls, 0% errors, p50 \d+ ms/);
      // The panel gets the same figures.
      assert.deepStrictEqual(
        buildViewModel({ store, period: 'all' }).backends?.map((x) => [x.id, x.state, x.calls]),
        [
          ['a/small', 'open', 2],
          ['b', 'closed', 3],
          ['b/big', 'closed', 3],
        ],
      );
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
