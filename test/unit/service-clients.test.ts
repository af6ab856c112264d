// A client per tier (`run(req, clientFor)`): tiers served by different providers, here two local Messages API
// servers with their own keys. What the user sees: which server answered, the notices when a tier has no client,
// and the no-key error when none has.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import type { ClientFor } from '../../src/core/provider/api';
import { createRouterService } from '../../src/core/service';
import { RouteError } from '../../src/core/service-api';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { mockAnswer, startMockAnthropic, type MockAnthropic } from '../mock-anthropic';

const KEY_A = 'sk-ant-clients-a-51c0';
const KEY_B = 'sk-ant-clients-b-9e2d';
const CODE = 'Write a Python function that parses a CSV file and returns the rows as dictionaries.';

async function routeError(p: Promise<unknown>): Promise<RouteError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RouteError, `not a RouteError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a RouteError');
}

describe('routing service with a client per tier', () => {
  let a: MockAnthropic;
  let b: MockAnthropic;
  let clientA: AnthropicClient;
  let clientB: AnthropicClient;
  let dir: string;
  let store: DecisionStore;
  before(async () => {
    a = await startMockAnthropic({ apiKey: KEY_A });
    b = await startMockAnthropic({ apiKey: KEY_B });
    clientA = new AnthropicClient({ apiKey: KEY_A, baseURL: a.url, maxRetries: 0, idleTimeoutMs: 3000 });
    clientB = new AnthropicClient({ apiKey: KEY_B, baseURL: b.url, maxRetries: 0, idleTimeoutMs: 3000 });
  });
  after(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(async () => {
    a.reset();
    b.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-clients-'));
    store = await openStore({ path: path.join(dir, 'router.sqlite'), debounceMs: 20 });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Haiku and Sonnet on one provider, Opus on another: Sonnet overloaded falls back to Opus on the other server', async () => {
    a.setScenario('529', { model: 'claude-sonnet-4-6' });
    const asked: string[] = [];
    const clientFor: ClientFor = (t) => {
      asked.push(t.id);
      return t.id === 'opus' ? clientB : clientA;
    };
    const svc = createRouterService({ config: defaultConfig(), store });
    const notices: string[] = [];
    const o = await svc.run({ prompt: CODE, source: 'cli', onNotice: (m) => notices.push(m) }, clientFor);
    assert.deepStrictEqual(
      o.calls.map((c) => [c.role, c.model, c.status]),
      [
        ['primary', 'claude-sonnet-4-6', 'error'],
        ['fallback', 'claude-opus-4-6', 'ok'],
      ],
    );
    assert.strictEqual(o.text, mockAnswer('claude-opus-4-6', CODE));
    assert.deepStrictEqual(
      a.messageRequests().map((r) => r.model),
      ['claude-sonnet-4-6'],
    );
    assert.deepStrictEqual(
      b.messageRequests().map((r) => r.model),
      ['claude-opus-4-6'],
    );
    assert.ok(b.keyMatches(b.messageRequests()[0], KEY_B), 'the other provider got its own key');
    assert.match(notices.join('\n'), /Sonnet is unavailable \(overloaded\): falling back to Opus\.$/);
    assert.ok(asked.includes('sonnet') && asked.includes('opus'));
    assert.strictEqual(new Set(asked).size, asked.length, 'each tier is asked for its client once per request');
  });

  it('a fallback passes over a tier with no client and says so', async () => {
    a.setScenario('529', { model: 'claude-sonnet-4-6' });
    const svc = createRouterService({ config: defaultConfig(), store });
    const notices: string[] = [];
    const o = await svc.run({ prompt: CODE, source: 'cli', onNotice: (m) => notices.push(m) }, (t) =>
      t.id === 'opus' ? null : clientA,
    );
    assert.deepStrictEqual(
      o.calls.map((c) => [c.role, c.model, c.status]),
      [
        ['primary', 'claude-sonnet-4-6', 'error'],
        ['fallback', 'claude-haiku-4-5', 'ok'],
      ],
    );
    assert.match(
      notices.join('\n'),
      /Sonnet is unavailable \(overloaded\): falling back to Haiku; Opus can't be reached \(no API key or client for its provider\)\./,
    );
    assert.strictEqual(b.messageRequests().length, 0);
  });

  it('the chosen tier has no client: the nearest tier that has one answers, with a notice and the reason recorded', async () => {
    const svc = createRouterService({ config: defaultConfig(), store });
    const notices: string[] = [];
    let shown = '';
    const o = await svc.run(
      {
        prompt: CODE,
        source: 'cli',
        onDecision: (d) => {
          shown = d.tierId;
        },
        onNotice: (m) => notices.push(m),
      },
      (t) => (t.id === 'sonnet' ? null : clientB),
    );
    assert.strictEqual(shown, 'opus');
    assert.strictEqual(o.record.answeredModel, 'claude-opus-4-6');
    assert.deepStrictEqual(notices, [
      "Sonnet can't be reached (no API key or client for its provider): answering on Opus instead.",
    ]);
    assert.ok(store.getDecision(o.record.id)!.reasons.some((r) => /Sonnet has no client .* → Opus/.test(r)));
  });

  it('no tier has a client: the no-key error with the decision, nothing sent', async () => {
    const svc = createRouterService({ config: defaultConfig(), store });
    const e = await routeError(svc.run({ prompt: CODE, source: 'cli' }, () => null));
    assert.strictEqual(e.kind, 'no-key');
    assert.match(e.message, /API key/);
    assert.strictEqual(e.decision!.tierId, 'sonnet');
    assert.strictEqual(a.messageRequests().length + b.messageRequests().length, 0);
  });
});
