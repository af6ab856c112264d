// The local Messages API stand-in fails as the API does: real statuses, error bodies and request ids that the
// official SDK turns into its own error classes and retries; the checks the API makes; per-model and in-prompt
// scenarios; a stream that errors, is cut or stalls.
import Anthropic from '@anthropic-ai/sdk';
import * as assert from 'node:assert';
import { chunkText, mockAnswer, startMockAnthropic } from '../mock-anthropic';
import { KEY, MODEL, post, sdkError, user, useMockSdk } from './fixtures/mock-sdk';

describe('local Messages API stand-in (mock-anthropic): errors and scenarios', () => {
  const standIn = useMockSdk();

  it("errors: real status, body shape, request-id, and the SDK's own error classes", async () => {
    const cases: [string, number, string, new (...a: any[]) => Error][] = [
      ['400', 400, 'invalid_request_error', Anthropic.BadRequestError],
      ['401', 401, 'authentication_error', Anthropic.AuthenticationError],
      ['403', 403, 'permission_error', Anthropic.PermissionDeniedError],
      ['404', 404, 'not_found_error', Anthropic.NotFoundError],
      ['429', 429, 'rate_limit_error', Anthropic.RateLimitError],
      ['500', 500, 'api_error', Anthropic.InternalServerError],
      ['529', 529, 'overloaded_error', Anthropic.InternalServerError],
    ];
    for (const [kind, status, type, cls] of cases) {
      standIn.mock.setScenario({ kind: kind as '400', retryAfterS: 7 });
      const res = await post(`${standIn.mock.url}/v1/messages`, { model: MODEL, max_tokens: 10, messages: user('hi') });
      assert.strictEqual(res.status, status);
      const body = (await res.json()) as any;
      assert.strictEqual(body.type, 'error');
      assert.strictEqual(body.error.type, type);
      assert.ok(typeof body.error.message === 'string' && body.error.message.length > 0);
      assert.strictEqual(body.request_id, res.headers.get('request-id'));
      assert.strictEqual(res.headers.get('retry-after'), '7');
      const e = await sdkError(standIn.sdk.messages.create({ model: MODEL, max_tokens: 10, messages: user('hi') }));
      assert.ok(e instanceof cls, `${kind}: ${e.constructor.name}`);
      assert.strictEqual(e.status, status);
      assert.strictEqual((e.error as any).error.type, type);
      assert.match(e.requestID ?? '', /^req_/);
    }
  });

  it('real checks: missing key → 401, wrong expected key → 401, no anthropic-version → 400, bad body → 400, unknown model → 404', async () => {
    let res = await post(
      `${standIn.mock.url}/v1/messages`,
      { model: MODEL, max_tokens: 10, messages: user('hi') },
      { 'x-api-key': '' },
    );
    assert.strictEqual(res.status, 401);
    res = await post(
      `${standIn.mock.url}/v1/messages`,
      { model: MODEL, max_tokens: 10, messages: user('hi') },
      { 'anthropic-version': '' },
    );
    assert.strictEqual(res.status, 400);
    assert.match(((await res.json()) as any).error.message, /anthropic-version/);
    const noMax = await sdkError(standIn.sdk.messages.create({ model: MODEL, messages: user('hi') } as any));
    assert.strictEqual(noMax.status, 400);
    assert.match((noMax.error as any).error.message, /max_tokens/);
    const badRole = await sdkError(
      standIn.sdk.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'system', content: 'x' }] } as any),
    );
    assert.strictEqual(badRole.status, 400);
    const nf = await sdkError(
      standIn.sdk.messages.create({ model: 'claude-nope-1', max_tokens: 5, messages: user('hi') }),
    );
    assert.ok(nf instanceof Anthropic.NotFoundError);
    assert.match((nf.error as any).error.message, /claude-nope-1/);
    standIn.mock.setExpectedKey('sk-ant-the-right-one');
    try {
      const wrong = await sdkError(standIn.sdk.messages.create({ model: MODEL, max_tokens: 5, messages: user('hi') }));
      assert.ok(wrong instanceof Anthropic.AuthenticationError);
      assert.strictEqual(standIn.mock.requests[standIn.mock.requests.length - 1].apiKey, 'mismatched');
    } finally {
      standIn.mock.setExpectedKey(null);
    }
  });

  it('a prompt longer than the context window gets the real 400 "prompt is too long"', async () => {
    const small = await startMockAnthropic({ contextWindow: 10 });
    try {
      const c = new Anthropic({ apiKey: KEY, baseURL: small.url, maxRetries: 0 });
      const e = await sdkError(c.messages.create({ model: MODEL, max_tokens: 5, messages: user('x'.repeat(44)) }));
      assert.strictEqual(e.status, 400);
      assert.strictEqual((e.error as any).error.message, 'prompt is too long: 11 tokens > 10 maximum');
    } finally {
      await small.close();
    }
  });

  it("the SDK's own retry honours retry-after: a queued 429 then OK is two requests, the retry counted by the SDK", async () => {
    const c = new Anthropic({ apiKey: KEY, baseURL: standIn.mock.url, maxRetries: 2 });
    standIn.mock.queue({ kind: '429', retryAfterMs: 50 });
    const m = await c.messages.create({ model: MODEL, max_tokens: 50, messages: user('hi') });
    assert.strictEqual(m.type, 'message');
    const sent = standIn.mock.messageRequests();
    assert.deepStrictEqual(
      sent.map((r) => [r.status, r.retryCount, r.scenario]),
      [
        [429, 0, '429'],
        [200, 1, 'ok'],
      ],
    );
    assert.ok(sent[1].time - sent[0].time >= 40);
  });

  it('per-model scenarios and model-scoped one-shots leave other models alone', async () => {
    standIn.mock.setScenario('529', { model: MODEL });
    standIn.mock.queue('401', { model: 'claude-opus-4-6', times: 2 });
    assert.strictEqual(
      (await sdkError(standIn.sdk.messages.create({ model: MODEL, max_tokens: 5, messages: user('hi') }))).status,
      529,
    );
    const h = await standIn.sdk.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: user('hi') });
    assert.strictEqual(h.model, 'claude-haiku-4-5');
    assert.strictEqual(
      (await sdkError(standIn.sdk.messages.create({ model: 'claude-opus-4-6', max_tokens: 5, messages: user('hi') })))
        .status,
      401,
    );
    assert.strictEqual(
      (await sdkError(standIn.sdk.messages.create({ model: 'claude-opus-4-6', max_tokens: 5, messages: user('hi') })))
        .status,
      401,
    );
    const o = await standIn.sdk.messages.create({ model: 'claude-opus-4-6', max_tokens: 50, messages: user('hi') });
    assert.strictEqual(o.model, 'claude-opus-4-6');
    standIn.mock.setScenario(null, { model: MODEL });
    assert.strictEqual(
      (await standIn.sdk.messages.create({ model: MODEL, max_tokens: 50, messages: user('hi') })).model,
      MODEL,
    );
  });

  it('a marker in the prompt picks the scenario (for editor tests); times=N makes it one-shot per prompt', async () => {
    const e = await sdkError(
      standIn.sdk.messages.create({ model: MODEL, max_tokens: 5, messages: user('[[mock:529]] hello') }),
    );
    assert.strictEqual(e.status, 529);
    const c = new Anthropic({ apiKey: KEY, baseURL: standIn.mock.url, maxRetries: 2 });
    const m = await c.messages.create({
      model: MODEL,
      max_tokens: 200,
      messages: user('[[mock:429 retry-after-ms=10 times=1]] hello'),
    });
    assert.strictEqual((m.content[0] as Anthropic.TextBlock).text, mockAnswer(MODEL, 'hello'));
    assert.deepStrictEqual(
      standIn.mock
        .messageRequests()
        .slice(1)
        .map((r) => r.status),
      [429, 200],
    );
    const cached = await standIn.sdk.messages.create({
      model: MODEL,
      max_tokens: 200,
      messages: user('[[mock:cache read=2 write=1]] ' + 'y'.repeat(40)),
    });
    assert.strictEqual(cached.usage.cache_read_input_tokens, 2);
    assert.strictEqual(cached.usage.cache_creation_input_tokens, 1);
  });

  it("a stream error event after a 200 surfaces as the SDK's APIError with the overloaded_error type", async () => {
    standIn.mock.setScenario({ kind: 'stream-error', afterDeltas: 1 });
    const s = standIn.sdk.messages.stream({ model: MODEL, max_tokens: 100, messages: user('hi') });
    let got = '';
    s.on('text', (t) => {
      got += t;
    });
    const e = await sdkError(s.finalMessage());
    assert.strictEqual((e.error as any).error.type, 'overloaded_error');
    assert.strictEqual(got, chunkText(mockAnswer(MODEL, 'hi'))[0]);
  });

  it('a stream cut halfway: the SDK gets the first deltas then an error; the server records the connection closed', async () => {
    standIn.mock.setScenario({ kind: 'cut', afterDeltas: 2 });
    const s = await standIn.sdk.messages.create({ model: MODEL, max_tokens: 100, stream: true, messages: user('hi') });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const ev of s) seen.push(ev.type);
    });
    assert.deepStrictEqual(seen, [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
    ]);
    const rec = standIn.mock.messageRequests()[0];
    for (let i = 0; i < 200 && !rec.closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(rec.closed, true);
    assert.strictEqual(rec.finished, false);
    assert.strictEqual(rec.deltasSent, 2);
  });

  it('a stalled stream sends the first events then nothing; aborting it closes the connection on the server', async () => {
    standIn.mock.setScenario({ kind: 'stall', afterDeltas: 1 });
    const s = standIn.sdk.messages.stream({ model: MODEL, max_tokens: 100, messages: user('hi') });
    const first = await new Promise<string>((resolve) => s.on('text', resolve));
    assert.strictEqual(first, chunkText(mockAnswer(MODEL, 'hi'))[0]);
    const rec = standIn.mock.messageRequests()[0];
    assert.strictEqual(rec.finished, false);
    s.abort();
    await assert.rejects(s.finalMessage(), Anthropic.APIUserAbortError);
    for (let i = 0; i < 200 && !rec.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(rec.aborted, true);
    assert.strictEqual(rec.deltasSent, 1);
  });
});
