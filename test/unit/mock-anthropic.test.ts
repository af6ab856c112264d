// The local Messages API stand-in is faithful: the official SDK, unchanged, parses every event and answer it sends
// (the SDK's own finalMessage()), and raw HTTP shows the wire shapes. Errors, checks and scenarios:
// mock-anthropic-errors.test.ts; running it by hand (main.ts): test/process/mock-anthropic-main.test.ts.
import Anthropic from '@anthropic-ai/sdk';
import * as assert from 'node:assert';
import {
  chunkText,
  mockAnswer,
  mockInputTokens,
  mockTokens,
  REFUSAL_TEXT,
  startMockAnthropic,
} from '../mock-anthropic';
import { KEY, MODEL, parseSse, post, user, useMockSdk } from './fixtures/mock-sdk';

describe('local Messages API stand-in (mock-anthropic)', () => {
  const standIn = useMockSdk();

  it('listens on 127.0.0.1 only, on a free port', () => {
    assert.match(standIn.mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(standIn.mock.port > 0);
  });

  it("streams events in the real order and shape; the SDK's finalMessage() parses them", async () => {
    const prompt = 'What is the capital of France?';
    const stream = standIn.sdk.messages.stream({ model: MODEL, max_tokens: 500, messages: user(prompt) });
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
    standIn.mock.setScenario({ kind: 'cache', cacheReadTokens: 5, cacheWriteTokens: 3 });
    const body = { model: MODEL, max_tokens: 1000, stream: true, messages: user('x'.repeat(80)) };
    const res = await post(`${standIn.mock.url}/v1/messages`, body);
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
    const msg = await standIn.sdk.messages.create({
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
    const m = await standIn.sdk.messages.create({ model: MODEL, max_tokens: 3, messages: user('Tell me a story') });
    assert.strictEqual(m.stop_reason, 'max_tokens');
    assert.strictEqual((m.content[0] as Anthropic.TextBlock).text, mockAnswer(MODEL, 'Tell me a story').slice(0, 12));
    assert.strictEqual(m.usage.output_tokens, 3);
    standIn.mock.setScenario('max_tokens');
    const s = await standIn.sdk.messages
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
    standIn.mock.setScenario('refusal');
    const s = await standIn.sdk.messages
      .stream({ model: MODEL, max_tokens: 100, messages: user('something') })
      .finalMessage();
    assert.strictEqual(s.stop_reason, 'refusal');
    assert.strictEqual((s.content[0] as Anthropic.TextBlock).text, REFUSAL_TEXT);
  });

  it('count_tokens and models.list answer like the API', async () => {
    const r = await standIn.sdk.messages.countTokens({ model: MODEL, system: 'sys', messages: user('count me') });
    assert.deepStrictEqual(r, { input_tokens: mockInputTokens({ system: 'sys', messages: user('count me') }) });
    const models = [];
    for await (const m of standIn.sdk.models.list()) models.push(m.id);
    assert.ok(models.includes(MODEL));
  });

  it('records every request: path, body, headers without the key, and whether the key matched', async () => {
    await standIn.sdk.messages.create({ model: MODEL, max_tokens: 42, messages: user('record me') });
    const [r] = standIn.mock.requests;
    assert.strictEqual(r.path, '/v1/messages');
    assert.strictEqual(r.method, 'POST');
    assert.strictEqual(r.body.max_tokens, 42);
    assert.deepStrictEqual(r.body.messages, user('record me'));
    assert.strictEqual(r.headers['x-api-key'], undefined);
    assert.strictEqual(r.headers.authorization, undefined);
    assert.match(r.headers['anthropic-version'], /^\d{4}-\d{2}-\d{2}$/);
    assert.strictEqual(r.apiKey, 'present');
    assert.ok(standIn.mock.keyMatches(r, KEY));
    assert.ok(!standIn.mock.keyMatches(r, KEY + 'x'));
    assert.ok(!JSON.stringify(standIn.mock.requests).includes(KEY));
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
});
