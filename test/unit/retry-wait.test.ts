// A server asking for a long wait (retry-after) before a retry: the wait is capped (llmRouter.maxRetryWaitSeconds),
// a wait within the cap is shown to the person while it runs, a longer one is not made (another tier answers), and
// the stall watchdog stays on during a wait. Real client, real store, the local Messages API server.
import * as assert from 'node:assert';
import type { ChatRequest, RetryWait } from '../../src/core/provider/api';
import { askedWaitMs, plannedRetry } from '../../src/core/provider/retryWait';
import type { NoticeKind } from '../../src/core/service-api';
import { mockAnswer } from '../mock-anthropic';
import { providerError, useMessagesApi } from './fixtures/service';

const SONNET = 'claude-sonnet-4-6';
const CODE = 'Write a SQL query that counts orders per customer.';
const req = (prompt: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: SONNET,
  messages: [{ role: 'user', content: prompt }],
  maxTokens: 512,
  ...extra,
});

describe('retry waits: capped, shown, and a fallback instead of a long wait', function () {
  this.timeout(15_000);
  const api = useMessagesApi({ store: 'llmr-retry-wait-' });

  it('reads the wait as the SDK does: retry-after-ms, seconds, an HTTP date; none → its backoff; no retries left → none', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    assert.strictEqual(askedWaitMs(h({ 'retry-after-ms': '250', 'retry-after': '9' })), 250);
    assert.strictEqual(askedWaitMs(h({ 'retry-after': '3600' })), 3_600_000);
    const at = Date.now();
    assert.ok(Math.abs(askedWaitMs(h({ 'retry-after': new Date(at + 120_000).toUTCString() }), at)! - 120_000) <= 1000);
    assert.strictEqual(askedWaitMs(h({ 'retry-after': 'soon' })), null);
    assert.deepStrictEqual(plannedRetry({ status: 429, headers: h({}) }, 1, 2), { waitMs: 500, asked: false });
    assert.deepStrictEqual(plannedRetry({ status: 529, headers: h({ 'retry-after': '2' }) }, 2, 2), {
      waitMs: 2000,
      asked: true,
    });
    assert.strictEqual(
      plannedRetry({ status: 429, headers: h({ 'retry-after': '2' }) }, 3, 2),
      null,
      'no retries left',
    );
    assert.strictEqual(plannedRetry({ status: 400, headers: h({}) }, 1, 2), null, 'not retryable');
  });

  it('a retry-after of an hour is not waited out: rate-limit at once, saying what it asked for and the limit', async () => {
    const c = api.client({ maxRetries: 2, maxRetryWaitMs: 1000 });
    api.server.queue({ kind: '429', retryAfterS: 3600 });
    const t0 = Date.now();
    const e = await providerError(c.stream(req('Hi')));
    assert.ok(Date.now() - t0 < 5000, 'it did not wait');
    assert.strictEqual(e.kind, 'rate-limit');
    assert.strictEqual(e.refusedWaitMs, 3_600_000);
    assert.match(
      e.message,
      /It asked to wait 1 h, longer than the 1 s LLM Router waits \(llmRouter\.maxRetryWaitSeconds\), so it did not retry\./,
    );
    assert.strictEqual(api.server.messageRequests().length, 1);
  });

  it('a wait within the cap is announced before it is made, and the retry answers', async () => {
    const c = api.client({ maxRetries: 2, maxRetryWaitMs: 1000 });
    api.server.queue({ kind: '529', retryAfterS: 0.1 });
    const waits: RetryWait[] = [];
    const r = await c.stream(req('Hi', { onRetryWait: (w) => waits.push(w) }));
    assert.deepStrictEqual(waits, [{ waitMs: 100, status: 529, retry: 1, maxRetries: 2 }]);
    assert.strictEqual(r.attempts, 2);
    assert.strictEqual(r.text, mockAnswer(SONNET, 'Hi'));
  });

  it('the stall watchdog stays on during a wait: a retry that then sends nothing is stopped as stalled', async () => {
    const c = api.client({ maxRetries: 2, idleTimeoutMs: 150, maxRetryWaitMs: 1000 });
    api.server.queue({ kind: '429', retryAfterMs: 300 });
    // Never, for a 150 ms watchdog; and over before the suite ends, so its timer does not hold the process open.
    api.server.queue({ kind: 'ok', firstByteDelayMs: 2000 });
    const t0 = Date.now();
    const e = await providerError(c.stream(req('Hi')));
    assert.strictEqual(e.kind, 'timeout');
    assert.ok(Date.now() - t0 >= 450, 'the wait itself was not taken for a stall');
    assert.strictEqual(api.server.messageRequests().length, 2);
  });

  it('the service: Sonnet asks for an hour → Opus answers now; the person sees why; a short wait is shown as a wait', async () => {
    const c = api.client({ maxRetries: 2, maxRetryWaitMs: 1000 });
    const svc = api.service();
    api.server.queue({ kind: '429', retryAfterS: 3600 }, { model: SONNET });
    const notices: [string, NoticeKind | undefined][] = [];
    const o = await svc.run({ prompt: CODE, source: 'cli', onNotice: (m, k) => notices.push([m, k]) }, c);
    assert.deepStrictEqual(
      o.calls.map((x) => [x.role, x.model, x.status]),
      [
        ['primary', SONNET, 'error'],
        ['fallback', 'claude-opus-4-6', 'ok'],
      ],
    );
    assert.deepStrictEqual(notices, [
      [
        'Sonnet is unavailable (rate-limit; a retry would wait 1 h, longer than llmRouter.maxRetryWaitSeconds allows): falling back to Opus.',
        undefined,
      ],
    ]);
    assert.match(api.store().getDecision(o.calls[0].decisionId)!.error!, /asked to wait 1 h/);

    notices.length = 0;
    api.server.queue({ kind: '429', retryAfterS: 0.2 }, { model: SONNET });
    const o2 = await svc.run({ prompt: CODE, source: 'cli', onNotice: (m, k) => notices.push([m, k]) }, c);
    assert.strictEqual(o2.record.answeredModel, SONNET);
    assert.deepStrictEqual(notices, [['Sonnet hit a rate limit (429): retrying in 200 ms (retry 1 of 2).', 'wait']]);
  });
});
