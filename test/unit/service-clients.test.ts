// A client per tier (`run(req, clientFor)`): tiers served by different providers, here two local Messages API
// servers with their own keys. What the user sees: which server answered, the notices when a tier has no client,
// and the no-key error when none has.
import * as assert from 'node:assert';
import type { ClientFor } from '../../src/core/provider/api';
import { mockAnswer } from '../mock-anthropic';
import { routeError, useMessagesApi } from './fixtures/service';

const CODE = 'Write a Python function that parses a CSV file and returns the rows as dictionaries.';

describe('routing service with a client per tier', () => {
  // two providers: two servers with their own keys (the store is A's, one per test)
  const a = useMessagesApi({ store: 'llmr-clients-' });
  const b = useMessagesApi({ store: false });

  it('Haiku and Sonnet on one provider, Opus on another: Sonnet overloaded falls back to Opus on the other server', async () => {
    a.server.setScenario('529', { model: 'claude-sonnet-4-6' });
    const asked: string[] = [];
    const clientFor: ClientFor = (t) => {
      asked.push(t.id);
      return t.id === 'opus' ? b.client() : a.client();
    };
    const svc = a.service();
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
      a.server.messageRequests().map((r) => r.model),
      ['claude-sonnet-4-6'],
    );
    assert.deepStrictEqual(
      b.server.messageRequests().map((r) => r.model),
      ['claude-opus-4-6'],
    );
    assert.ok(b.server.keyMatches(b.server.messageRequests()[0], b.key), 'the other provider got its own key');
    assert.match(notices.join('\n'), /Sonnet is unavailable \(overloaded\): falling back to Opus\.$/);
    assert.ok(asked.includes('sonnet') && asked.includes('opus'));
    assert.strictEqual(new Set(asked).size, asked.length, 'each tier is asked for its client once per request');
  });

  it('a fallback passes over a tier with no client and says so', async () => {
    a.server.setScenario('529', { model: 'claude-sonnet-4-6' });
    const svc = a.service();
    const notices: string[] = [];
    const o = await svc.run({ prompt: CODE, source: 'cli', onNotice: (m) => notices.push(m) }, (t) =>
      t.id === 'opus' ? null : a.client(),
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
    assert.strictEqual(b.server.messageRequests().length, 0);
  });

  it('the chosen tier has no client: the nearest tier that has one answers, with a notice and the reason recorded', async () => {
    const svc = a.service();
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
      (t) => (t.id === 'sonnet' ? null : b.client()),
    );
    assert.strictEqual(shown, 'opus');
    assert.strictEqual(o.record.answeredModel, 'claude-opus-4-6');
    assert.deepStrictEqual(notices, [
      "Sonnet can't be reached (no API key or client for its provider): answering on Opus instead.",
    ]);
    assert.ok(
      a
        .store()
        .getDecision(o.record.id)!
        .reasons.some((r) => /Sonnet has no client .* → Opus/.test(r)),
    );
  });

  it('no tier has a client: the no-key error with the decision, nothing sent', async () => {
    const svc = a.service();
    const e = await routeError(svc.run({ prompt: CODE, source: 'cli' }, () => null));
    assert.strictEqual(e.kind, 'no-key');
    assert.match(e.message, /API key/);
    assert.strictEqual(e.decision!.tierId, 'sonnet');
    assert.strictEqual(a.server.messageRequests().length + b.server.messageRequests().length, 0);
  });
});
