// The local Messages API stand-in is faithful: the official SDK, unchanged, parses every event, answer and error it
// sends (the SDK's own finalMessage(), error classes and retry logic), and raw HTTP shows the wire shapes.
import Anthropic from '@anthropic-ai/sdk';
import * as assert from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  chunkText,
  mockAnswer,
  mockInputTokens,
  mockTokens,
  REFUSAL_TEXT,
  startMockAnthropic,
} from '../mock-anthropic';
import type { MockAnthropic } from '../mock-anthropic';

const KEY = 'sk-ant-mock-test-88c2e1f0';
const MODEL = 'claude-sonnet-4-6';
const user = (content: string) => [{ role: 'user' as const, content }];

async function sdkError(p: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Anthropic.APIError, `not an APIError: ${String(e)}`);
    return e;
  }
  assert.fail('expected an API error');
}

/** A raw POST, as curl would send it. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });
}

/** SSE text → [{event, data}] */
function parseSse(text: string): { event: string; data: any }[] {
  return text
    .trim()
    .split('\n\n')
    .map((block) => {
      const ev = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
      return { event: ev, data: JSON.parse(data) };
    });
}

describe('local Messages API stand-in (mock-anthropic)', () => {
  let mock: MockAnthropic;
  let sdk: Anthropic;
  before(async () => {
    mock = await startMockAnthropic();
    sdk = new Anthropic({ apiKey: KEY, baseURL: mock.url, maxRetries: 0 });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it('listens on 127.0.0.1 only, on a free port', () => {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(mock.port > 0);
  });

  it("streams events in the real order and shape; the SDK's finalMessage() parses them", async () => {
    const prompt = 'What is the capital of France?';
    const stream = sdk.messages.stream({ model: MODEL, max_tokens: 500, messages: user(prompt) });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const msg = await stream.finalMessage();
    const answer = mockAnswer(MODEL, prompt);
    const n = chunkText(answer).length;
    assert.deepStrictEqual(types, [
      'message_start',
      'content_block_start',
      ...Array(n).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    assert.deepStrictEqual(texts, chunkText(answer));
    assert.strictEqual(msg.type, 'message');
    assert.strictEqual(msg.role, 'assistant');
    assert.strictEqual(msg.model, MODEL);
    assert.match(msg.id, /^msg_/);
    assert.deepStrictEqual(
      msg.content.map((b) => b.type),
      ['text'],
    );
    assert.strictEqual((msg.content[0] as Anthropic.TextBlock).text, answer);
    assert.strictEqual(msg.stop_reason, 'end_turn');
    assert.strictEqual(msg.usage.input_tokens, mockInputTokens({ messages: user(prompt) }));
    assert.strictEqual(msg.usage.output_tokens, mockTokens(answer));
    assert.strictEqual(msg.usage.cache_creation_input_tokens, 0);
    assert.strictEqual(msg.usage.cache_read_input_tokens, 0);
    assert.match(stream.request_id ?? '', /^req_/);
  });

  it('on the wire: text/event-stream, request-id, a ping after content_block_start, cumulative usage in message_delta', async () => {
    mock.setScenario({ kind: 'cache', cacheReadTokens: 5, cacheWriteTokens: 3 });
    const body = { model: MODEL, max_tokens: 1000, stream: true, messages: user('x'.repeat(80)) };
    const res = await post(`${mock.url}/v1/messages`, body);
    assert.strictEqual(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(res.headers.get('request-id') ?? '', /^req_/);
    const events = parseSse(await res.text());
    assert.deepStrictEqual(
      events.slice(0, 3).map((e) => e.event),
      ['message_start', 'content_block_start', 'ping'],
    );
    for (const e of events) assert.strictEqual(e.data.type, e.event, 'event name and data.type agree');
    const start = events[0].data.message;
    assert.deepStrictEqual(
      [start.usage.input_tokens, start.usage.cache_creation_input_tokens, start.usage.cache_read_input_tokens],
      [20 - 5 - 3, 3, 5],
    );
    assert.strictEqual(start.content.length, 0);
    assert.strictEqual(start.stop_reason, null);
    assert.deepStrictEqual(events[1].data.content_block, { type: 'text', text: '' });
    const delta = events.find((e) => e.event === 'message_delta')!.data;
    assert.strictEqual(delta.delta.stop_reason, 'end_turn');
    assert.strictEqual(delta.usage.cache_read_input_tokens, 5);
    const text = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => e.data.delta.text)
      .join('');
    assert.strictEqual(delta.usage.output_tokens, mockTokens(text));
    assert.strictEqual(events[events.length - 1].event, 'message_stop');
  });

  it('non-streaming create returns the same answer and usage as the stream', async () => {
    const prompt = 'Name three primary colours.';
    const msg = await sdk.messages.create({
      model: MODEL,
      max_tokens: 500,
      messages: user(prompt),
      system: 'Be short.',
    });
    assert.strictEqual((msg.content[0] as Anthropic.TextBlock).text, mockAnswer(MODEL, prompt));
    assert.strictEqual(msg.usage.input_tokens, mockInputTokens({ system: 'Be short.', messages: user(prompt) }));
    assert.strictEqual(msg._request_id?.startsWith('req_'), true);
  });

  it('max_tokens truncates the answer at max_tokens × 4 characters with stop_reason max_tokens; the scenario halves it', async () => {
    const m = await sdk.messages.create({ model: MODEL, max_tokens: 3, messages: user('Tell me a story') });
    assert.strictEqual(m.stop_reason, 'max_tokens');
    assert.strictEqual((m.content[0] as Anthropic.TextBlock).text, mockAnswer(MODEL, 'Tell me a story').slice(0, 12));
    assert.strictEqual(m.usage.output_tokens, 3);
    mock.setScenario('max_tokens');
    const s = await sdk.messages
      .stream({ model: MODEL, max_tokens: 1000, messages: user('Tell me a story') })
      .finalMessage();
    assert.strictEqual(s.stop_reason, 'max_tokens');
    const full = mockAnswer(MODEL, 'Tell me a story');
    assert.ok(
      full.startsWith((s.content[0] as Anthropic.TextBlock).text) &&
        (s.content[0] as Anthropic.TextBlock).text.length < full.length,
    );
  });

  it('refusal: stop_reason refusal', async () => {
    mock.setScenario('refusal');
    const s = await sdk.messages.stream({ model: MODEL, max_tokens: 100, messages: user('something') }).finalMessage();
    assert.strictEqual(s.stop_reason, 'refusal');
    assert.strictEqual((s.content[0] as Anthropic.TextBlock).text, REFUSAL_TEXT);
  });

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
      mock.setScenario({ kind: kind as '400', retryAfterS: 7 });
      const res = await post(`${mock.url}/v1/messages`, { model: MODEL, max_tokens: 10, messages: user('hi') });
      assert.strictEqual(res.status, status);
      const body = (await res.json()) as any;
      assert.strictEqual(body.type, 'error');
      assert.strictEqual(body.error.type, type);
      assert.ok(typeof body.error.message === 'string' && body.error.message.length > 0);
      assert.strictEqual(body.request_id, res.headers.get('request-id'));
      assert.strictEqual(res.headers.get('retry-after'), '7');
      const e = await sdkError(sdk.messages.create({ model: MODEL, max_tokens: 10, messages: user('hi') }));
      assert.ok(e instanceof cls, `${kind}: ${e.constructor.name}`);
      assert.strictEqual(e.status, status);
      assert.strictEqual((e.error as any).error.type, type);
      assert.match(e.requestID ?? '', /^req_/);
    }
  });

  it('real checks: missing key → 401, wrong expected key → 401, no anthropic-version → 400, bad body → 400, unknown model → 404', async () => {
    let res = await post(
      `${mock.url}/v1/messages`,
      { model: MODEL, max_tokens: 10, messages: user('hi') },
      { 'x-api-key': '' },
    );
    assert.strictEqual(res.status, 401);
    res = await post(
      `${mock.url}/v1/messages`,
      { model: MODEL, max_tokens: 10, messages: user('hi') },
      { 'anthropic-version': '' },
    );
    assert.strictEqual(res.status, 400);
    assert.match(((await res.json()) as any).error.message, /anthropic-version/);
    const noMax = await sdkError(sdk.messages.create({ model: MODEL, messages: user('hi') } as any));
    assert.strictEqual(noMax.status, 400);
    assert.match((noMax.error as any).error.message, /max_tokens/);
    const badRole = await sdkError(
      sdk.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'system', content: 'x' }] } as any),
    );
    assert.strictEqual(badRole.status, 400);
    const nf = await sdkError(sdk.messages.create({ model: 'claude-nope-1', max_tokens: 5, messages: user('hi') }));
    assert.ok(nf instanceof Anthropic.NotFoundError);
    assert.match((nf.error as any).error.message, /claude-nope-1/);
    mock.setExpectedKey('sk-ant-the-right-one');
    try {
      const wrong = await sdkError(sdk.messages.create({ model: MODEL, max_tokens: 5, messages: user('hi') }));
      assert.ok(wrong instanceof Anthropic.AuthenticationError);
      assert.strictEqual(mock.requests[mock.requests.length - 1].apiKey, 'mismatched');
    } finally {
      mock.setExpectedKey(null);
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
    const c = new Anthropic({ apiKey: KEY, baseURL: mock.url, maxRetries: 2 });
    mock.queue({ kind: '429', retryAfterMs: 50 });
    const m = await c.messages.create({ model: MODEL, max_tokens: 50, messages: user('hi') });
    assert.strictEqual(m.type, 'message');
    const sent = mock.messageRequests();
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
    mock.setScenario('529', { model: MODEL });
    mock.queue('401', { model: 'claude-opus-4-6', times: 2 });
    assert.strictEqual(
      (await sdkError(sdk.messages.create({ model: MODEL, max_tokens: 5, messages: user('hi') }))).status,
      529,
    );
    const h = await sdk.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: user('hi') });
    assert.strictEqual(h.model, 'claude-haiku-4-5');
    assert.strictEqual(
      (await sdkError(sdk.messages.create({ model: 'claude-opus-4-6', max_tokens: 5, messages: user('hi') }))).status,
      401,
    );
    assert.strictEqual(
      (await sdkError(sdk.messages.create({ model: 'claude-opus-4-6', max_tokens: 5, messages: user('hi') }))).status,
      401,
    );
    const o = await sdk.messages.create({ model: 'claude-opus-4-6', max_tokens: 50, messages: user('hi') });
    assert.strictEqual(o.model, 'claude-opus-4-6');
    mock.setScenario(null, { model: MODEL });
    assert.strictEqual(
      (await sdk.messages.create({ model: MODEL, max_tokens: 50, messages: user('hi') })).model,
      MODEL,
    );
  });

  it('a marker in the prompt picks the scenario (for editor tests); times=N makes it one-shot per prompt', async () => {
    const e = await sdkError(
      sdk.messages.create({ model: MODEL, max_tokens: 5, messages: user('[[mock:529]] hello') }),
    );
    assert.strictEqual(e.status, 529);
    const c = new Anthropic({ apiKey: KEY, baseURL: mock.url, maxRetries: 2 });
    const m = await c.messages.create({
      model: MODEL,
      max_tokens: 200,
      messages: user('[[mock:429 retry-after-ms=10 times=1]] hello'),
    });
    assert.strictEqual((m.content[0] as Anthropic.TextBlock).text, mockAnswer(MODEL, 'hello'));
    assert.deepStrictEqual(
      mock
        .messageRequests()
        .slice(1)
        .map((r) => r.status),
      [429, 200],
    );
    const cached = await sdk.messages.create({
      model: MODEL,
      max_tokens: 200,
      messages: user('[[mock:cache read=2 write=1]] ' + 'y'.repeat(40)),
    });
    assert.strictEqual(cached.usage.cache_read_input_tokens, 2);
    assert.strictEqual(cached.usage.cache_creation_input_tokens, 1);
  });

  it("a stream error event after a 200 surfaces as the SDK's APIError with the overloaded_error type", async () => {
    mock.setScenario({ kind: 'stream-error', afterDeltas: 1 });
    const s = sdk.messages.stream({ model: MODEL, max_tokens: 100, messages: user('hi') });
    let got = '';
    s.on('text', (t) => {
      got += t;
    });
    const e = await sdkError(s.finalMessage());
    assert.strictEqual((e.error as any).error.type, 'overloaded_error');
    assert.strictEqual(got, chunkText(mockAnswer(MODEL, 'hi'))[0]);
  });

  it('a stream cut halfway: the SDK gets the first deltas then an error; the server records the connection closed', async () => {
    mock.setScenario({ kind: 'cut', afterDeltas: 2 });
    const s = await sdk.messages.create({ model: MODEL, max_tokens: 100, stream: true, messages: user('hi') });
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
    const rec = mock.messageRequests()[0];
    for (let i = 0; i < 200 && !rec.closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(rec.closed, true);
    assert.strictEqual(rec.finished, false);
    assert.strictEqual(rec.deltasSent, 2);
  });

  it('a stalled stream sends the first events then nothing; aborting it closes the connection on the server', async () => {
    mock.setScenario({ kind: 'stall', afterDeltas: 1 });
    const s = sdk.messages.stream({ model: MODEL, max_tokens: 100, messages: user('hi') });
    const first = await new Promise<string>((resolve) => s.on('text', resolve));
    assert.strictEqual(first, chunkText(mockAnswer(MODEL, 'hi'))[0]);
    const rec = mock.messageRequests()[0];
    assert.strictEqual(rec.finished, false);
    s.abort();
    await assert.rejects(s.finalMessage(), Anthropic.APIUserAbortError);
    for (let i = 0; i < 200 && !rec.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    assert.strictEqual(rec.aborted, true);
    assert.strictEqual(rec.deltasSent, 1);
  });

  it('count_tokens and models.list answer like the API', async () => {
    const r = await sdk.messages.countTokens({ model: MODEL, system: 'sys', messages: user('count me') });
    assert.deepStrictEqual(r, { input_tokens: mockInputTokens({ system: 'sys', messages: user('count me') }) });
    const models = [];
    for await (const m of sdk.models.list()) models.push(m.id);
    assert.ok(models.includes(MODEL));
  });

  it('records every request: path, body, headers without the key, and whether the key matched', async () => {
    await sdk.messages.create({ model: MODEL, max_tokens: 42, messages: user('record me') });
    const [r] = mock.requests;
    assert.strictEqual(r.path, '/v1/messages');
    assert.strictEqual(r.method, 'POST');
    assert.strictEqual(r.body.max_tokens, 42);
    assert.deepStrictEqual(r.body.messages, user('record me'));
    assert.strictEqual(r.headers['x-api-key'], undefined);
    assert.strictEqual(r.headers.authorization, undefined);
    assert.match(r.headers['anthropic-version'], /^\d{4}-\d{2}-\d{2}$/);
    assert.strictEqual(r.apiKey, 'present');
    assert.ok(mock.keyMatches(r, KEY));
    assert.ok(!mock.keyMatches(r, KEY + 'x'));
    assert.ok(!JSON.stringify(mock.requests).includes(KEY));
  });

  it('close() ends stalled connections and frees the port', async () => {
    const m2 = await startMockAnthropic({ scenario: 'stall' });
    const c = new Anthropic({ apiKey: KEY, baseURL: m2.url, maxRetries: 0 });
    const s = c.messages.stream({ model: MODEL, max_tokens: 100, messages: user('hi') });
    await new Promise((resolve) => s.on('text', resolve));
    await m2.close();
    await assert.rejects(s.finalMessage());
    await assert.rejects(fetch(`${m2.url}/v1/models`));
  });

  it('main.ts runs it by hand and prints the URL', async () => {
    const root = join(__dirname, '..', '..');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/mock-anthropic/main.ts', '--port', '0', '--quiet'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.trim());
        });
        child.on('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const c = new Anthropic({ apiKey: KEY, baseURL: url, maxRetries: 0 });
      const m = await c.messages.create({ model: MODEL, max_tokens: 100, messages: user('ping') });
      assert.strictEqual((m.content[0] as Anthropic.TextBlock).text, mockAnswer(MODEL, 'ping'));
    } finally {
      child.kill('SIGTERM');
    }
  });
});
