// OpenAIClient against the local OpenAI-compatible server: answers, tool calls, usage with cached tokens, the
// endpoint's own cost, retries, stalls, cuts, cancels and each error a user can meet, never showing the key.
import * as assert from 'node:assert';
import { ProviderError, type ChatRequest, type ToolCall } from '../../src/core/provider/api';
import { envKeyName, OpenAIClient, toOpenAIMessages } from '../../src/core/provider/openai';
import { mockAnswer, mockTokens } from '../mock-anthropic';
import { mockPromptTokens, mockToolArgs, startMockOpenAI, type MockOpenAI } from '../mock-openai';

const KEY = 'sk-or-v1-unit9f3b2c71d04e5a6b8c9d0e1f2a3b4c5d';
const MODEL = 'meta-llama/llama-3.3-70b-instruct';

const req = (prompt: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: MODEL,
  messages: [{ role: 'user', content: prompt }],
  maxTokens: 512,
  ...extra,
});

async function rejects(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, `not a ProviderError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a ProviderError');
}

describe('OpenAIClient against the local OpenAI-compatible server', () => {
  let mock: MockOpenAI;
  let client: OpenAIClient;
  before(async () => {
    mock = await startMockOpenAI({ apiKey: KEY });
    client = new OpenAIClient({
      endpoint: 'openrouter',
      baseURL: mock.baseURL,
      apiKey: KEY,
      maxRetries: 2,
      idleTimeoutMs: 1500,
    });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it('streams the answer in deltas with usage, stop reason, model and one attempt; the key goes as a bearer token', async () => {
    const prompt = 'What does a load balancer do?';
    const deltas: string[] = [];
    const r = await client.stream(req(prompt, { system: 'Be brief.' }), (d) => deltas.push(d));
    const expected = mockAnswer(MODEL, prompt);
    assert.strictEqual(r.text, expected);
    assert.ok(deltas.length > 5, `only ${deltas.length} deltas`);
    assert.strictEqual(deltas.join(''), expected);
    const sent = mock.completions()[0];
    assert.strictEqual(sent.apiKey, 'matched');
    assert.deepStrictEqual(sent.body.messages[0], { role: 'system', content: 'Be brief.' });
    assert.strictEqual(sent.body.stream_options.include_usage, true);
    assert.strictEqual(sent.body.max_tokens, 512);
    assert.deepStrictEqual(r.usage, {
      inputTokens: mockPromptTokens(sent.body),
      outputTokens: mockTokens(expected),
      cacheWriteTokens: 0,
      cacheReadTokens: 0,
    });
    assert.strictEqual(r.stopReason, 'end_turn');
    assert.strictEqual(r.model, MODEL);
    assert.strictEqual(r.attempts, 1);
    assert.ok(r.ttftMs !== null && r.ttftMs <= r.latencyMs);
    assert.strictEqual(r.costUsd, undefined, 'no cost reported: none invented');
  });

  it('assembles a tool call from its streamed pieces and hands it over parsed', async () => {
    mock.queue('tools');
    const seen: ToolCall[] = [];
    const tools = [
      {
        name: 'read_file',
        description: 'Read a file',
        inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
    ];
    const r = await client.stream(req('Open the README', { tools, toolMode: 'required' }), undefined, (c) =>
      seen.push(c),
    );
    const body = mock.completions()[0].body;
    assert.strictEqual(body.tool_choice, 'required');
    assert.deepStrictEqual(body.tools[0].function.parameters, tools[0].inputSchema);
    assert.strictEqual(r.stopReason, 'tool_use');
    assert.strictEqual(r.toolCalls?.length, 1);
    assert.strictEqual(r.toolCalls![0].name, 'read_file');
    assert.deepStrictEqual(r.toolCalls![0].input, mockToolArgs(body.tools[0]));
    assert.match(r.toolCalls![0].id, /^call_/);
    assert.deepStrictEqual(seen, r.toolCalls);
  });

  it("sends an agent loop's tool call and its result in Chat Completions form", async () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'Open the README' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reading it.' },
          { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'README.md' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_1', content: '# Title' },
          { type: 'text', text: 'Summarise it.' },
        ],
      },
    ];
    await client.stream(req('', { messages }));
    assert.deepStrictEqual(mock.completions()[0].body.messages, toOpenAIMessages(messages));
    assert.deepStrictEqual(toOpenAIMessages(messages).slice(1), [
      {
        role: 'assistant',
        content: 'Reading it.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"README.md"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '# Title' },
      { role: 'user', content: 'Summarise it.' },
    ]);
  });

  it("reports cached prompt tokens apart from the rest, and the endpoint's own cost when it gives one", async () => {
    mock.queue({ kind: 'cache', cachedTokens: 6, cost: 0.000123 });
    const r = await client.stream(req('A prompt long enough to have a cached prefix of several tokens in it.'));
    const total = mockPromptTokens(mock.completions()[0].body);
    assert.strictEqual(r.usage.cacheReadTokens, 6);
    assert.strictEqual(r.usage.inputTokens, total - 6);
    assert.strictEqual(r.costUsd, 0.000123);
  });

  it('retries a 429 as the server asks and counts the attempts', async () => {
    mock.queue({ kind: '429', retryAfterS: 0.05 });
    const r = await client.stream(req('hello there'));
    assert.strictEqual(r.attempts, 2);
    assert.strictEqual(mock.completions().length, 2);
  });

  it("a 429 that persists is a rate limit with the server's retry-after", async () => {
    const once = new OpenAIClient({ endpoint: 'openrouter', baseURL: mock.baseURL, apiKey: KEY, maxRetries: 0 });
    mock.queue({ kind: '429', retryAfterS: 7 });
    const e = await rejects(once.stream(req('hello')));
    assert.strictEqual(e.kind, 'rate-limit');
    assert.strictEqual(e.status, 429);
    assert.strictEqual(e.retryAfterMs, 7000);
    assert.match(e.message, /openrouter.*rate limit.*wait 7 s/);
    assert.ok(e.tierUnavailable);
  });

  it('5xx after the retries is a server error that names the endpoint and the attempts', async () => {
    mock.setScenario({ kind: '500', retryAfterS: 0.01 });
    const e = await rejects(client.stream(req('hello')));
    assert.strictEqual(e.kind, 'server');
    assert.strictEqual(mock.completions().length, 3);
    assert.match(e.message, /“openrouter”.*\(500\) after 3 attempts/);
    mock.setScenario({ kind: '503', retryAfterS: 0.01 });
    assert.strictEqual((await rejects(client.stream(req('hello')))).kind, 'overloaded');
  });

  it('a rejected key says where to set it and never shows the key', async () => {
    const bad = new OpenAIClient({ endpoint: 'team-gateway', baseURL: mock.baseURL, apiKey: `${KEY}x` });
    const e = await rejects(bad.stream(req('hello')));
    assert.strictEqual(e.kind, 'auth');
    assert.match(e.message, /Set Endpoint Key.*LLM_ROUTER_KEY_TEAM_GATEWAY/);
    assert.ok(!e.message.includes(KEY.slice(8, 30)), e.message);
    assert.strictEqual(envKeyName('my.gateway-2'), 'LLM_ROUTER_KEY_MY_GATEWAY_2');
  });

  it('an unknown model is not-found (another tier may answer)', async () => {
    const e = await rejects(client.stream(req('hi', { model: 'nope-model' })));
    assert.strictEqual(e.kind, 'not-found');
    assert.match(e.message, /nope-model/);
  });

  it('a stream that stalls is stopped as a timeout and keeps the partial text', async () => {
    mock.queue({ kind: 'stall', afterDeltas: 2 });
    // Its own client with a short watchdog: the stall is certain, so the test need not wait the shared 1.5 s.
    const quick = new OpenAIClient({
      endpoint: 'openrouter',
      baseURL: mock.baseURL,
      apiKey: KEY,
      maxRetries: 2,
      idleTimeoutMs: 300,
    });
    const got: string[] = [];
    const e = await rejects(quick.stream(req('tell me a story'), (d) => got.push(d)));
    assert.strictEqual(e.kind, 'timeout');
    assert.strictEqual(e.partialText, got.join(''));
    assert.ok(e.partialText.length > 0);
    assert.match(e.message, /sent nothing for 300 ms/);
  });

  it('a cut connection is a network error; an error inside the stream is a server error', async () => {
    mock.queue({ kind: 'cut', afterDeltas: 2 });
    assert.strictEqual((await rejects(client.stream(req('one')))).kind, 'network');
    mock.queue({ kind: 'stream-error', afterDeltas: 1 });
    const e = await rejects(client.stream(req('two')));
    assert.strictEqual(e.kind, 'server');
    assert.match(e.message, /during the answer/);
  });

  it('cancelling stops the stream at once', async () => {
    mock.queue({ kind: 'slow', delayMs: 100 });
    const ac = new AbortController();
    const p = client.stream(req('slowly please', { signal: ac.signal }), () => ac.abort());
    const e = await rejects(p);
    assert.strictEqual(e.kind, 'cancelled');
    const until = Date.now() + 2000;
    while (!mock.completions()[0].closed && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.ok(mock.completions()[0].aborted, 'the server saw the connection go');
  });

  it('an endpoint nobody listens on is a network error that points at the base URL setting', async () => {
    const off = new OpenAIClient({ endpoint: 'ollama', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
    const e = await rejects(off.stream(req('hi')));
    assert.strictEqual(e.kind, 'network');
    assert.match(e.message, /“ollama”.*llmRouter\.endpoints/);
  });

  it("an endpoint without a key (a local server) sends no key of the user's", async () => {
    const open = await startMockOpenAI();
    try {
      const local = new OpenAIClient({ endpoint: 'ollama', baseURL: open.baseURL });
      const r = await local.stream(req('hi', { model: 'llama3.2' }));
      assert.ok(r.text.startsWith('[llama3.2]'));
      assert.ok(!open.keyMatches(open.completions()[0], KEY));
    } finally {
      await open.close();
    }
  });
});
