// Tool calls through the endpoint, with the official SDKs: the client's tools reach the model, the model's tool calls
// come back in each API's own form (Anthropic tool_use blocks with input_json_delta, OpenAI tool_calls deltas), and
// the next request of the agent loop, bringing the tool's result, stays on the tier the user turn was routed to.
import type OpenAI from 'openai';
import * as assert from 'node:assert';
import { bodyOf, curl, parseSse, startHarness, type Harness } from './serve-harness';

const WEATHER = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};
const ASK = 'What is the weather in Paris right now? [[mock:tool]]';

describe('serve: tool calls and agent loops', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.settle();
    await h.close();
  });
  beforeEach(() => h.mock.reset());

  it("Anthropic SDK, streaming: a tool_use block with its input; the loop's next request (the tool result) stays on the same tier", async () => {
    const s = h.anthropic.messages.stream({
      model: 'llm-router',
      max_tokens: 300,
      tools: [WEATHER],
      messages: [{ role: 'user', content: ASK }],
    });
    const { response } = await s.withResponse();
    const first = await s.finalMessage();
    const tier = response.headers.get('x-llm-router-tier')!;
    assert.strictEqual(first.stop_reason, 'tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use');
    assert.strictEqual(use.name, 'get_weather');
    assert.strictEqual(typeof (use.input as { city: unknown }).city, 'string');
    const up = h.mock.messageRequests().at(-1)!.body;
    assert.deepStrictEqual(
      up.tools.map((t: { name: string; input_schema: unknown }) => [t.name, t.input_schema]),
      [['get_weather', WEATHER.input_schema]],
    );

    const second = await h.anthropic.messages
      .create({
        model: 'llm-router',
        max_tokens: 300,
        tools: [WEATHER],
        messages: [
          { role: 'user', content: ASK },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny and 21 degrees' }] },
        ],
      })
      .withResponse();
    assert.strictEqual(second.response.headers.get('x-llm-router-tier'), tier);
    assert.strictEqual(second.data.stop_reason, 'end_turn');
    const text = second.data.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    assert.match(text, /Sunny and 21 degrees/, 'the model saw the tool result');
    // one decision for the whole loop: the second request's usage and cost are added to the first's
    const id = response.headers.get('x-llm-router-decision')!;
    assert.strictEqual(second.response.headers.get('x-llm-router-decision'), id);
    const rec = h.store.getDecision(id)!;
    assert.ok(rec.reasons.includes('agent loop: 2 requests on one decision'), rec.reasons.join('; '));
    assert.strictEqual(rec.usage!.outputTokens, first.usage.output_tokens + second.data.usage.output_tokens);
    assert.strictEqual(rec.source, 'endpoint');
    assert.ok(rec.reasons.some((r) => r.startsWith('client: Anthropic SDK (JS)')));
  });

  it('curl, Anthropic streaming with a tool: the tool_use block streams its input as input_json_delta, then message_delta says tool_use', async () => {
    const { out } = await curl(h, [
      '-N',
      `${h.ep.url}/v1/messages`,
      '-H',
      `x-api-key: ${h.token}`,
      '-H',
      'content-type: application/json',
      '-d',
      JSON.stringify({
        model: 'haiku',
        max_tokens: 200,
        stream: true,
        tools: [WEATHER],
        tool_choice: { type: 'any' },
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      }),
    ]);
    const events = parseSse(bodyOf(`\n\n${out}`)).map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
    const start = events.find((e) => e.event === 'content_block_start' && e.data.content_block.type === 'tool_use');
    assert.ok(start, events.map((e) => e.event).join(','));
    const starts = events
      .filter((e) => e.event === 'content_block_start')
      .map((e) => [e.data.index, e.data.content_block.type]);
    assert.deepStrictEqual(
      starts,
      [
        [0, 'text'],
        [1, 'tool_use'],
      ],
      'the text block, then the tool call once',
    );
    const stops = events.filter((e) => e.event === 'content_block_stop').map((e) => e.data.index);
    assert.deepStrictEqual(stops, [0, 1]);
    const json = events
      .filter((e) => e.event === 'content_block_delta' && e.data.index === start.data.index)
      .map((e) => e.data.delta);
    assert.ok(json.every((d) => d.type === 'input_json_delta'));
    assert.strictEqual(typeof JSON.parse(json.map((d) => d.partial_json).join('')).city, 'string');
    const delta = events.find((e) => e.event === 'message_delta')!;
    assert.strictEqual(delta.data.delta.stop_reason, 'tool_use');
    assert.strictEqual(events.at(-1)!.event, 'message_stop');
    assert.strictEqual(h.mock.messageRequests().at(-1)!.body.tool_choice.type, 'any');
  });

  it('a Claude Code-shaped request: routed on the question inside its scaffolding, server tools and thinking left out, the client named', async () => {
    const question = 'what does git stash do?';
    const scaffold = `<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# claudeMd\n${'Codebase and user instructions are shown below. Be sure to adhere to these instructions. '.repeat(40)}\n</system-reminder>\n`;
    const res = await h.fetch(`${h.ep.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${h.token}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219',
        'user-agent': 'claude-cli/2.0.14 (external, cli)',
      },
      body: JSON.stringify({
        model: 'llm-router',
        max_tokens: 32000,
        stream: false,
        metadata: { user_id: 'u' },
        thinking: { type: 'enabled', budget_tokens: 1024 },
        system: [
          { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Use the tools.' },
        ],
        tools: [
          { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
          {
            name: 'Bash',
            description: 'Run a shell command',
            input_schema: { type: 'object', properties: { command: { type: 'string' } } },
          },
        ],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: scaffold },
              { type: 'text', text: question, cache_control: { type: 'ephemeral' } },
            ],
          },
        ],
      }),
    });
    assert.strictEqual(res.status, 200, await res.clone().text());
    assert.strictEqual(res.headers.get('x-llm-router-tier'), 'haiku', 'routed on the question, not the scaffolding');
    const rec = h.store.getDecision(res.headers.get('x-llm-router-decision')!)!;
    assert.ok(rec.reasons.includes('client: Claude Code 2.0.14'), rec.reasons.join('; '));
    const up = h.mock.messageRequests().at(-1)!.body;
    assert.deepStrictEqual(
      up.tools.map((t: { name: string }) => t.name),
      ['Bash'],
    );
    assert.strictEqual(up.thinking, undefined);
    assert.match(JSON.stringify(up.system), /You are Claude Code\.[\s\S]*Use the tools\./);
    assert.match(
      JSON.stringify(up.messages[0].content),
      /system-reminder[\s\S]*what does git stash do/,
      'the model got the whole message',
    );
  });

  it('OpenAI SDK, streaming and not: tool_calls with JSON arguments and finish_reason tool_calls; the tool message continues on the same tier', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: { name: 'get_weather', description: WEATHER.description, parameters: WEATHER.input_schema },
      },
    ];
    const { data: stream, response } = await h.openai.chat.completions
      .create({ model: 'llm-router', stream: true, tools, messages: [{ role: 'user', content: ASK }] })
      .withResponse();
    const calls: { id?: string; name?: string; args: string }[] = [];
    let finish: string | null = null;
    for await (const c of stream) {
      for (const t of c.choices[0]?.delta?.tool_calls ?? []) {
        calls[t.index] ??= { args: '' };
        if (t.id) calls[t.index].id = t.id;
        if (t.function?.name) calls[t.index].name = t.function.name;
        calls[t.index].args += t.function?.arguments ?? '';
      }
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.strictEqual(finish, 'tool_calls');
    assert.strictEqual(calls.length, 1);
    assert.strictEqual(calls[0].name, 'get_weather');
    assert.strictEqual(typeof JSON.parse(calls[0].args).city, 'string');
    const tier = response.headers.get('x-llm-router-tier');

    const next = await h.openai.chat.completions
      .create({
        model: 'llm-router',
        tools,
        messages: [
          { role: 'user', content: ASK },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: calls[0].id!, type: 'function', function: { name: 'get_weather', arguments: calls[0].args } },
            ],
          },
          { role: 'tool', tool_call_id: calls[0].id!, content: 'Rain, 9 degrees' },
        ],
      })
      .withResponse();
    assert.strictEqual(next.response.headers.get('x-llm-router-tier'), tier);
    assert.match(next.data.choices[0].message.content ?? '', /Rain, 9 degrees/);
    assert.strictEqual(next.data.choices[0].finish_reason, 'stop');

    const forced = await h.openai.chat.completions.create({
      model: 'sonnet',
      tools,
      tool_choice: 'required',
      messages: [{ role: 'user', content: 'Weather in Rome?' }],
    });
    assert.strictEqual(forced.choices[0].finish_reason, 'tool_calls');
    const tc = forced.choices[0].message.tool_calls![0];
    assert.ok(
      tc.type === 'function' &&
        tc.function.name === 'get_weather' &&
        typeof JSON.parse(tc.function.arguments).city === 'string',
    );
  });
});
