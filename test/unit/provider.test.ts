// AnthropicClient against the project's local Messages API server: what a user of the router sees for answers,
// retries, stalls, cuts, cancels and each API error.
import * as assert from 'node:assert';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { ProviderError } from '../../src/core/provider/api';
import type { ChatRequest } from '../../src/core/provider/api';
import { mockAnswer, mockInputTokens, mockTokens, startMockAnthropic } from '../mock-anthropic';
import { providerError as rejects, useMessagesApi } from './fixtures/service';

const MODEL = 'claude-haiku-4-5';

function req(prompt: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: MODEL, messages: [{ role: 'user', content: prompt }], maxTokens: 1024, ...extra };
}

const until = async (what: string, f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('AnthropicClient against the local Messages API server', () => {
  const api = useMessagesApi({ store: false, client: { maxRetries: 2, idleTimeoutMs: 2000 } });
  const KEY = api.key;

  it("streams the server's answer as several deltas, with usage, stop reason, model and one attempt", async () => {
    const prompt = 'Explain what a closure is in JavaScript.';
    const deltas: string[] = [];
    const r = await api.client().stream(req(prompt, { system: 'Be brief.' }), (d) => deltas.push(d));
    const expected = mockAnswer(MODEL, prompt);
    assert.strictEqual(r.text, expected);
    assert.ok(deltas.length > 5, `only ${deltas.length} deltas`);
    assert.strictEqual(deltas.join(''), expected);
    assert.deepStrictEqual(r.usage, {
      inputTokens: mockInputTokens({ system: 'Be brief.', messages: [{ content: prompt }] }),
      outputTokens: mockTokens(expected),
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
    });
    assert.strictEqual(r.stopReason, 'end_turn');
    assert.strictEqual(r.model, MODEL);
    assert.strictEqual(r.attempts, 1);
    assert.ok(r.ttftMs !== null && r.ttftMs <= r.latencyMs);
    const sent = api.server.messageRequests();
    assert.strictEqual(sent.length, 1);
    assert.strictEqual(sent[0].body.model, MODEL);
    assert.strictEqual(sent[0].body.max_tokens, 1024);
    assert.strictEqual(sent[0].body.system, 'Be brief.');
    assert.strictEqual(sent[0].body.stream, true);
    assert.strictEqual(sent[0].apiKey, 'matched');
    assert.ok(api.server.keyMatches(sent[0], KEY));
    assert.ok(!JSON.stringify(sent).includes(KEY), 'the record holds the key');
  });

  it('sends the whole history in order', async () => {
    const history: ChatRequest['messages'] = [
      { role: 'user', content: 'What is a closure?' },
      { role: 'assistant', content: 'A function with its scope.' },
      { role: 'user', content: 'And in Python?' },
    ];
    const r = await api.client().stream({ model: MODEL, messages: history, maxTokens: 300 });
    assert.strictEqual(r.text, mockAnswer(MODEL, 'And in Python?'));
    assert.deepStrictEqual(api.server.messageRequests()[0].body.messages, history);
    assert.strictEqual(api.server.messageRequests()[0].body.max_tokens, 300);
  });

  it('reports cache write and cache read tokens from the usage', async () => {
    api.server.setScenario({ kind: 'cache', cacheReadTokens: 30, cacheWriteTokens: 10 });
    const prompt = 'x'.repeat(400); // 100 input tokens in all
    const r = await api.client().stream(req(prompt));
    assert.deepStrictEqual(r.usage, {
      inputTokens: 60,
      outputTokens: mockTokens(r.text),
      cacheWriteTokens: 10,
      cacheReadTokens: 30,
    });
  });

  it('a max_tokens stop keeps the truncated answer and says so', async () => {
    const r = await api.client().stream(req('Write a long story.', { maxTokens: 8 }));
    assert.strictEqual(r.stopReason, 'max_tokens');
    assert.strictEqual(r.usage.outputTokens, 8);
    assert.strictEqual(r.text, mockAnswer(MODEL, 'Write a long story.').slice(0, 32));
  });

  it('a refusal comes back with stop reason refusal', async () => {
    const r = await api.client().stream(req('[[mock:refusal]] something'));
    assert.strictEqual(r.stopReason, 'refusal');
    assert.ok(r.text.length > 0);
  });

  it('429 with retry-after, then success: two attempts, the second after the first, and the answer', async () => {
    api.server.queue({ kind: '429', retryAfterS: 0.2 });
    const r = await api.client().stream(req('Hello'));
    assert.strictEqual(r.attempts, 2);
    assert.strictEqual(r.text, mockAnswer(MODEL, 'Hello'));
    const sent = api.server.messageRequests();
    assert.deepStrictEqual(
      sent.map((s) => [s.status, s.retryCount]),
      [
        [429, 0],
        [200, 1],
      ],
    );
    // the SDK waited what retry-after said (0.2 s), not its default backoff: the retry came after it
    assert.ok(sent[1].time - sent[0].time >= 150, `retried after ${sent[1].time - sent[0].time} ms`);
  });

  it('retry-after-ms is honoured too, and two one-shot 529s then OK take three attempts', async () => {
    api.server.queue({ kind: '529', retryAfterMs: 20 }, { times: 2 });
    const r = await api.client().stream(req('Hi'));
    assert.strictEqual(r.attempts, 3);
    assert.deepStrictEqual(
      api.server.messageRequests().map((s) => s.status),
      [529, 529, 200],
    );
  });

  it('a tier that stays overloaded: ProviderError overloaded, tierUnavailable, after 1 + maxRetries attempts', async () => {
    api.server.setScenario({ kind: '529', retryAfterMs: 10 }, { model: 'claude-sonnet-4-6' });
    const e = await rejects(api.client().stream(req('Hi', { model: 'claude-sonnet-4-6' })));
    assert.strictEqual(e.kind, 'overloaded');
    assert.strictEqual(e.status, 529);
    assert.ok(e.tierUnavailable);
    assert.match(e.message, /overloaded/);
    assert.match(e.message, /3 attempts/);
    assert.strictEqual(api.server.messageRequests().length, 3);
    // another model on the same server still answers (what a fallback relies on)
    const r = await api.client().stream(req('Hi', { model: 'claude-opus-4-6' }));
    assert.strictEqual(r.model, 'claude-opus-4-6');
  });

  it('persistent 500 → server, persistent 429 → rate-limit', async () => {
    api.server.setScenario({ kind: '500', retryAfterMs: 5 });
    const s = await rejects(api.client().stream(req('Hi')));
    assert.strictEqual(s.kind, 'server');
    assert.ok(s.tierUnavailable);
    api.server.setScenario({ kind: '429', retryAfterMs: 5 });
    const r = await rejects(api.client().stream(req('Hi')));
    assert.strictEqual(r.kind, 'rate-limit');
    assert.match(r.message, /rate limit/);
  });

  it('401: auth, one attempt, a message that names the fix and never the key', async () => {
    const bad = 'sk-ant-WRONG-key-0123456789';
    const c = api.client({ apiKey: bad, maxRetries: 2 });
    const e = await rejects(c.stream(req('Hi')));
    assert.strictEqual(e.kind, 'auth');
    assert.strictEqual(e.status, 401);
    assert.strictEqual(
      e.message,
      'Anthropic rejected the API key (401). Set a valid key with “LLM Router: Set API Key” or ANTHROPIC_API_KEY.',
    );
    assert.ok(!e.message.includes(bad) && !String(e.stack).includes(bad));
    assert.ok(!e.tierUnavailable);
    assert.strictEqual(api.server.messageRequests().length, 1, '401 must not be retried');
    assert.strictEqual(api.server.messageRequests()[0].apiKey, 'mismatched');
  });

  it('an empty key is refused before any request, with the fix', () => {
    assert.throws(
      () => new AnthropicClient({ apiKey: ' ' }),
      (e: unknown) => e instanceof ProviderError && e.kind === 'auth' && /Set API Key/.test(e.message),
    );
  });

  it('400 prompt too long: bad-request that says to shorten or start a new chat', async () => {
    const e = await rejects(api.client().stream(req('[[mock:prompt-too-long]] hi')));
    assert.strictEqual(e.kind, 'bad-request');
    assert.strictEqual(e.status, 400);
    assert.match(e.message, /too long/);
    assert.match(e.message, /start a new chat/);
    assert.strictEqual(api.server.messageRequests().length, 1);
  });

  it("404 unknown model: not-found that points at the tier's model id setting", async () => {
    const e = await rejects(api.client().stream(req('Hi', { model: 'claude-nonexistent-9' })));
    assert.strictEqual(e.kind, 'not-found');
    assert.match(e.message, /claude-nonexistent-9/);
    assert.match(e.message, /llmRouter\.tiers/);
    assert.ok(e.tierUnavailable);
  });

  it('a stream that stalls is stopped after idleTimeoutMs: timeout, with the text so far', async () => {
    const c = api.client({ maxRetries: 0, idleTimeoutMs: 150 });
    api.server.setScenario({ kind: 'stall', afterDeltas: 2 });
    const e = await rejects(c.stream(req('Tell me something')));
    assert.strictEqual(e.kind, 'timeout');
    assert.strictEqual(
      e.partialText,
      mockAnswer(MODEL, 'Tell me something')
        .split(/(?<=\s)/)
        .slice(0, 6)
        .join(''),
    );
    assert.ok(e.partialUsage && e.partialUsage.inputTokens > 0);
    await until('the server to see the connection closed', () => api.server.messageRequests()[0].aborted);
  });

  it('a server that never starts answering is stopped by the same watchdog', async () => {
    const c = api.client({ maxRetries: 0, idleTimeoutMs: 150 });
    // Never, for a 150 ms watchdog; and over before the suite ends, so its timer does not hold the process open.
    api.server.setScenario({ kind: 'ok', firstByteDelayMs: 2000 });
    const e = await rejects(c.stream(req('Hi')));
    assert.strictEqual(e.kind, 'timeout');
    assert.strictEqual(e.partialText, '');
  });

  it('waiting out a retry-after longer than the idle timeout is not a stall', async () => {
    const c = api.client({ maxRetries: 2, idleTimeoutMs: 100 });
    api.server.queue({ kind: '529', retryAfterMs: 300 });
    const r = await c.stream(req('Hi'));
    assert.strictEqual(r.attempts, 2);
    assert.strictEqual(r.text, mockAnswer(MODEL, 'Hi'));
  });

  it('a stream cut halfway: network, with the partial text and the input tokens already billed', async () => {
    api.server.setScenario({ kind: 'cut', afterDeltas: 3 });
    const prompt = 'Describe the sea';
    const e = await rejects(api.client().stream(req(prompt)));
    assert.strictEqual(e.kind, 'network');
    assert.strictEqual(
      e.partialText,
      mockAnswer(MODEL, prompt)
        .split(/(?<=\s)/)
        .slice(0, 9)
        .join(''),
    );
    assert.strictEqual(e.partialUsage?.inputTokens, mockInputTokens({ messages: [{ content: prompt }] }));
    assert.match(e.message, /cut/);
    assert.strictEqual(api.server.messageRequests().length, 1, 'a stream that already answered is not retried');
  });

  it('an error event in the middle of a 200 stream (overloaded) maps to overloaded with the partial text', async () => {
    const e = await rejects(api.client().stream(req('[[mock:stream-error after=2]] Hi')));
    assert.strictEqual(e.kind, 'overloaded');
    assert.ok(e.partialText.length > 0);
  });

  it('cancelling mid-stream aborts at once: cancelled, partial text and usage, and the server sees the connection closed', async () => {
    api.server.setScenario({ kind: 'slow', delayMs: 100 });
    const ac = new AbortController();
    let got = '';
    const p = api.client().stream(req('A long essay, please', { signal: ac.signal }), (d) => {
      got += d;
      if (got.split(' ').length > 4) ac.abort();
    });
    const e = await rejects(p);
    assert.strictEqual(e.kind, 'cancelled');
    assert.strictEqual(e.partialText, got);
    assert.ok(e.partialUsage && e.partialUsage.inputTokens > 0);
    const rec = api.server.messageRequests()[0];
    await until('the server to see the connection closed', () => rec.aborted);
    assert.ok(rec.deltasSent < 10, `server kept sending: ${rec.deltasSent} deltas`);
  });

  it('a caller whose onText throws gets its own error back and the stream is stopped', async () => {
    api.server.setScenario({ kind: 'slow', delayMs: 50 });
    const boom = new Error('the chat view went away');
    await assert.rejects(
      api.client().stream(req('Hi'), () => {
        throw boom;
      }),
      (e) => e === boom,
    );
    const rec = api.server.messageRequests()[0];
    await until('the server to see the connection closed', () => rec.aborted);
  });

  it('an already-aborted signal sends nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const e = await rejects(api.client().stream(req('Hi', { signal: ac.signal })));
    assert.strictEqual(e.kind, 'cancelled');
    assert.strictEqual(api.server.requests.length, 0);
  });

  it('cancelling while the SDK waits out a retry-after stops at once', async () => {
    api.server.setScenario({ kind: '429', retryAfterS: 30 });
    const ac = new AbortController();
    const p = api.client().stream(req('Hi', { signal: ac.signal }));
    await until(
      'the first attempt',
      () => api.server.messageRequests().length === 1 && api.server.messageRequests()[0].finished,
    );
    ac.abort();
    const e = await rejects(p);
    assert.strictEqual(e.kind, 'cancelled');
    assert.strictEqual(api.server.messageRequests().length, 1);
  });

  it('a base URL where nothing listens: network, naming the base URL setting', async () => {
    const dead = await startMockAnthropic();
    const url = dead.url;
    await dead.close();
    const c = new AnthropicClient({ apiKey: KEY, baseURL: url, maxRetries: 0 });
    const e = await rejects(c.stream(req('Hi')));
    assert.strictEqual(e.kind, 'network');
    assert.match(e.message, /llmRouter\.baseUrl/);
    assert.ok(e.message.includes(url));
  });

  it('no base URL: the SDK default, ANTHROPIC_BASE_URL from the environment, is honoured', async () => {
    const saved = process.env.ANTHROPIC_BASE_URL;
    process.env.ANTHROPIC_BASE_URL = api.server.url;
    try {
      const c = new AnthropicClient({ apiKey: KEY, maxRetries: 0 });
      const r = await c.stream(req('Hi'));
      assert.strictEqual(r.text, mockAnswer(MODEL, 'Hi'));
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_BASE_URL;
      else process.env.ANTHROPIC_BASE_URL = saved;
    }
  });

  it('a proxy password in the base URL never shows in a message', async () => {
    const dead = await startMockAnthropic();
    const port = dead.port;
    await dead.close();
    const c = new AnthropicClient({
      apiKey: KEY,
      baseURL: `http://bob:hunter2secret@127.0.0.1:${port}`,
      maxRetries: 0,
    });
    const e = await rejects(c.stream(req('Hi')));
    assert.strictEqual(e.kind, 'network');
    assert.ok(!e.message.includes('hunter2secret'), e.message);
    assert.ok(e.message.includes(`127.0.0.1:${port}`));
  });

  it("countTokens returns the API's count_tokens number", async () => {
    const n = await api
      .client()
      .countTokens({ model: MODEL, system: 'sys', messages: [{ role: 'user', content: 'count these words please' }] });
    assert.strictEqual(n, mockInputTokens({ system: 'sys', messages: [{ content: 'count these words please' }] }));
    const sent = api.server.requests.filter((r) => r.path === '/v1/messages/count_tokens');
    assert.strictEqual(sent.length, 1);
    assert.strictEqual(sent[0].body.model, MODEL);
  });
});
