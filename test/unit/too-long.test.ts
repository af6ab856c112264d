// A prompt known to be too long for a tier's context window is never sent there: it goes to a tier whose window fits,
// or it is refused before any call with the sizes in the message, recorded as an error with no cost (issue 14
// item 10). Real client and store; the local Messages API server stands in for a provider with larger windows.
import * as assert from 'node:assert';
import { defaultConfig } from '../../src/core/config';
import { routeError, useMessagesApi } from './fixtures/service';

/** About 240,000 tokens by the router's estimate (4 characters a token). */
const LONG = `Summarize the errors in this log.\n${'2026-12-03 12:00:01 INFO request served in 12 ms from cache\n'.repeat(16_000)}`;

describe('a prompt longer than a context window', function () {
  this.timeout(20_000);
  const api = useMessagesApi({
    store: 'llmr-too-long-',
    server: { contextWindow: 2_000_000 },
    client: { idleTimeoutMs: 5000 },
  });

  it('no tier fits (all 200,000 tokens): refused before the call with the sizes, recorded as an error with no cost', async () => {
    const svc = api.service();
    let decided = false;
    const e = await routeError(
      svc.run(
        {
          prompt: LONG,
          source: 'cli',
          onDecision: () => {
            decided = true;
          },
        },
        api.client(),
      ),
    );
    assert.strictEqual(e.kind, 'too-long');
    assert.match(
      e.message,
      /^Not sent: the prompt \(about 240,0\d\d tokens, estimated\) does not fit Opus's 200,000-token context window with 4,096 tokens of output, and no other tier's window is larger\. Shorten the prompt or start a new chat\.$/,
    );
    assert.strictEqual(api.server.messageRequests().length, 0, 'nothing was sent');
    assert.strictEqual(decided, false, 'no routing line for a request that was not routed');
    const rows = api.store().listDecisions().rows;
    assert.deepStrictEqual(
      rows.map((r) => [r.status, r.costUsd, r.usage]),
      [['error', null, null]],
    );
    assert.strictEqual(rows[0].error, e.message);
  });

  it('Sonnet is too small but Opus has 1,000,000 tokens: Opus answers, the notice and the reason say why', async () => {
    const config = defaultConfig();
    config.tiers[2].contextWindow = 1_000_000;
    const svc = api.service(config);
    const notices: string[] = [];
    const o = await svc.run(
      { prompt: LONG, source: 'cli', override: 'sonnet', onNotice: (m) => notices.push(m) },
      api.client(),
    );
    assert.deepStrictEqual(
      api.server.messageRequests().map((r) => r.model),
      ['claude-opus-4-6'],
    );
    assert.strictEqual(o.record.answeredModel, 'claude-opus-4-6');
    assert.strictEqual(notices.length, 1);
    assert.match(
      notices[0],
      /^The prompt \(about 240,0\d\d tokens, estimated\) does not fit Sonnet's 200,000-token context window with 4,096 tokens of output: answering on Opus \(1,000,000-token window\) instead\.$/,
    );
    assert.ok(
      o.decision.reasons.some((r) => /^context: .* → Opus \(1,000,000-token window\)$/.test(r)),
      o.decision.reasons.join(' | '),
    );
  });

  it('a fallback does not go to a tier whose window is too small', async () => {
    const config = defaultConfig();
    config.tiers[1].contextWindow = 1_000_000;
    api.server.setScenario('529', { model: 'claude-sonnet-4-6' });
    const svc = api.service(config);
    const e = await routeError(svc.run({ prompt: LONG, source: 'cli', override: 'sonnet' }, api.client()));
    assert.strictEqual(e.kind, 'provider');
    assert.match(
      e.message,
      /no other tier could answer either: Opus's context window is too small for the prompt; Haiku's context window is too small for the prompt\)$/,
    );
    assert.deepStrictEqual(
      api.server.messageRequests().map((r) => r.model),
      ['claude-sonnet-4-6'],
    );
  });
});
