// AnthropicClient in an agent loop, against the local Messages API server: tools and tool choice go out, tool_use
// streams back as input_json_delta and arrives as whole tool calls, tool results and images go as the API's own
// blocks, the system prompt goes as the system prompt, and long prefixes are cached (and the cache tokens priced).
import * as assert from 'node:assert';
import { CACHE_MIN_TOKENS } from '../../src/core/provider/anthropic';
import type { ChatRequest, ToolCall, ToolSpec } from '../../src/core/provider/api';
import { costOf } from '../../src/core/pricing';
import { mockToolInput } from '../mock-anthropic';
import { useMessagesApi } from './fixtures/service';

const MODEL = 'claude-sonnet-4-6';
const READ_FILE: ToolSpec = {
  name: 'read_file',
  description: 'Read a file of the workspace',
  inputSchema: {
    type: 'object',
    properties: { path: { type: 'string' }, startLine: { type: 'integer' } },
    required: ['path'],
  },
};
const RUN: ToolSpec = {
  name: 'run_in_terminal',
  description: 'Run a command',
  inputSchema: { type: 'object', properties: { command: { type: 'string' } } },
};

describe('AnthropicClient: tools, images, system prompt and prompt caching', () => {
  const api = useMessagesApi({ store: false, client: { idleTimeoutMs: 2000 } });

  it('sends the tools, streams the tool call as JSON pieces and returns it whole, in order, to onToolCall too', async () => {
    const seen: ToolCall[] = [];
    const r = await api.client().stream(
      {
        model: MODEL,
        system: 'You are an agent.',
        messages: [{ role: 'user', content: 'Look at README.md [[mock:tool name=read_file]]' }],
        tools: [RUN, READ_FILE],
        maxTokens: 500,
      },
      undefined,
      (c) => seen.push(c),
    );
    assert.strictEqual(r.stopReason, 'tool_use');
    assert.deepStrictEqual(
      r.toolCalls?.map((c) => [c.name, c.input]),
      [['read_file', mockToolInput(READ_FILE.inputSchema)]],
    );
    assert.deepStrictEqual(seen, r.toolCalls);
    assert.match(r.toolCalls![0].id, /^toolu_mock_/);
    const body = api.server.messageRequests()[0].body;
    assert.deepStrictEqual(
      body.tools.map((t: { name: string }) => t.name),
      ['run_in_terminal', 'read_file'],
    );
    assert.deepStrictEqual(body.tools[1].input_schema, READ_FILE.inputSchema);
    assert.strictEqual(body.tool_choice, undefined, 'auto is the API default');
    assert.strictEqual(
      body.system,
      'You are an agent.',
      'the system prompt goes as the system prompt, not in the user turn',
    );
  });

  it('tool mode required becomes tool_choice any, and the model then must call a tool', async () => {
    const r = await api.client().stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'Run the tests' }],
      tools: [RUN],
      toolMode: 'required',
      maxTokens: 500,
    });
    assert.deepStrictEqual(api.server.messageRequests()[0].body.tool_choice, { type: 'any' });
    assert.strictEqual(r.toolCalls?.[0]?.name, 'run_in_terminal');
  });

  it("the history carries tool_use, tool_result and images in the API's own blocks; the answer follows the result", async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
    const messages: ChatRequest['messages'] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture, and in README.md?' },
          { type: 'image', mediaType: 'image/png', data: png },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reading it.' },
          { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'README.md' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 'toolu_1', content: '# Hello project' }] },
    ];
    const r = await api.client().stream({ model: MODEL, messages, tools: [READ_FILE], maxTokens: 500 });
    assert.strictEqual(r.stopReason, 'end_turn');
    assert.deepStrictEqual(r.toolCalls, []);
    assert.match(r.text, /# Hello project/);
    const sent = api.server.messageRequests()[0].body.messages;
    assert.deepStrictEqual(sent[0].content[1], {
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: png },
    });
    assert.deepStrictEqual(sent[1].content[1], {
      type: 'tool_use',
      id: 'toolu_1',
      name: 'read_file',
      input: { path: 'README.md' },
    });
    assert.deepStrictEqual(sent[2].content[0], {
      type: 'tool_result',
      tool_use_id: 'toolu_1',
      content: '# Hello project',
    });
  });

  it('a long agent prompt is cached: the first turn writes the prefix, the next turn of the loop reads it, and both are priced', async () => {
    const system = 'You are a coding agent. '.repeat(CACHE_MIN_TOKENS / 4);
    const first: ChatRequest = {
      model: MODEL,
      system,
      messages: [{ role: 'user', content: 'Fix the bug [[mock:tool]]' }],
      tools: [READ_FILE],
      maxTokens: 500,
    };
    const a = await api.client().stream(first);
    const body = api.server.messageRequests()[0].body;
    assert.deepStrictEqual(body.system, [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }]);
    assert.deepStrictEqual(body.tools[0].cache_control, { type: 'ephemeral' });
    assert.deepStrictEqual(body.messages[0].content.at(-1).cache_control, { type: 'ephemeral' });
    assert.ok(a.usage.cacheWriteTokens > CACHE_MIN_TOKENS, `wrote ${a.usage.cacheWriteTokens}`);
    assert.strictEqual(a.usage.cacheReadTokens, 0);

    const call = a.toolCalls![0];
    const b = await api.client().stream({
      ...first,
      messages: [
        ...first.messages,
        { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }] },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: call.id, content: 'line 1: bug' }] },
      ],
    });
    assert.ok(
      b.usage.cacheReadTokens >= a.usage.cacheWriteTokens,
      `read ${b.usage.cacheReadTokens} of ${a.usage.cacheWriteTokens}`,
    );
    const price = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
    const uncached = costOf(price, {
      ...b.usage,
      inputTokens: b.usage.inputTokens + b.usage.cacheReadTokens + b.usage.cacheWriteTokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    assert.ok(costOf(price, b.usage) < uncached / 3, 'the cached turn costs far less than the same turn uncached');
  });

  it('a short chat has no breakpoints (nothing the API would cache): its body is as before', async () => {
    await api
      .client()
      .stream({ model: MODEL, system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }], maxTokens: 50 });
    const body = api.server.messageRequests()[0].body;
    assert.strictEqual(body.system, 'Be brief.');
    assert.strictEqual(body.messages[0].content, 'hi');
  });

  it('1-hour cache writes are priced at their own rate (2 × input unless the price says otherwise)', () => {
    const price = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
    const u = { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 1_000_000, cacheReadTokens: 0 };
    assert.strictEqual(costOf(price, u), 3.75);
    assert.strictEqual(costOf(price, { ...u, cacheWrite1hTokens: 1_000_000 }), 6);
    assert.ok(
      Math.abs(costOf({ ...price, cacheWrite1h: 7 }, { ...u, cacheWrite1hTokens: 400_000 }) - (0.6 * 3.75 + 0.4 * 7)) <
        1e-12,
    );
  });

  it('countTokens counts the tools too', async () => {
    const bare = await api.client().countTokens({ model: MODEL, messages: [{ role: 'user', content: 'hello there' }] });
    const withTools = await api
      .client()
      .countTokens({ model: MODEL, messages: [{ role: 'user', content: 'hello there' }], tools: [READ_FILE, RUN] });
    assert.ok(withTools > bare + 20, `${withTools} vs ${bare}`);
  });
});
