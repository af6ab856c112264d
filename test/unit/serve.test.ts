// `llm-router serve` with real clients: the official Anthropic and OpenAI SDKs and curl against the endpoint started
// in-process, the local Messages API server upstream, a real database. What a client sees (events in the real order,
// answers, headers, errors in each API's shape) and what the cost panel sees (one record per request, source
// 'endpoint', the client's name, real cost, the same budget).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import * as assert from 'node:assert';
import { usageCost } from '../../src/core/pricing';
import { defaultConfig } from '../../src/core/config';
import { mockAnswer } from '../mock-anthropic';
import { bodyOf, curl, headerOf, parseSse, startHarness, UPSTREAM_KEY, type Harness } from './serve-harness';

const cfg = defaultConfig();
const HAIKU = 'claude-haiku-4-5';
const SONNET = 'claude-sonnet-4-6';
const SIMPLE = 'What is the capital of France?';
const CODE = 'Write a Python function that parses a CSV file and returns the rows as dictionaries.';

describe('serve: the local endpoint with real clients', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    // The upstream key was never in anything a client received or the log held, whatever the test did.
    await h.assertKeyNeverSeen();
    assert.ok(h.seen.join('\n').length > 1000, 'the tests recorded what the endpoint sent');
    await h.close();
  });
  beforeEach(() => {
    h.mock.reset();
    h.store.setBudget({ dailyLimitUsd: null, monthlyLimitUsd: null, onExhausted: 'block' });
  });

  it('Anthropic SDK, streaming: the router chooses, text arrives in deltas, decision headers, one record with cost and client', async () => {
    const deltas: string[] = [];
    const s = h.anthropic.messages.stream({
      model: 'llm-router',
      max_tokens: 300,
      messages: [{ role: 'user', content: SIMPLE }],
    });
    s.on('text', (t) => deltas.push(t));
    const { response } = await s.withResponse();
    const msg = await s.finalMessage();
    assert.strictEqual(response.headers.get('x-llm-router-tier'), 'haiku');
    assert.strictEqual(response.headers.get('x-llm-router-model'), HAIKU);
    assert.match(response.headers.get('x-llm-router-score') ?? '', /^0\.\d{3}$/);
    const id = response.headers.get('x-llm-router-decision')!;
    const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    assert.strictEqual(text, mockAnswer(HAIKU, SIMPLE));
    assert.ok(deltas.length > 3, 'streamed in several deltas');
    assert.strictEqual(deltas.join(''), text);
    assert.strictEqual(msg.model, HAIKU);
    assert.strictEqual(msg.stop_reason, 'end_turn');
    const rec = h.store.getDecision(id)!;
    assert.strictEqual(rec.source, 'endpoint');
    assert.strictEqual(rec.status, 'ok');
    assert.ok(
      rec.reasons.some((r) => /^client: Anthropic SDK \(JS\) \d/.test(r)),
      rec.reasons.join('; '),
    );
    assert.deepStrictEqual(rec.usage!.outputTokens, msg.usage.output_tokens);
    assert.strictEqual(rec.costUsd, usageCost(cfg, HAIKU, rec.usage!));
    assert.ok(rec.costUsd! > 0);
    // what went upstream: the client's conversation on the chosen model, with the router's key
    const up = h.mock.messageRequests().at(-1)!;
    assert.strictEqual(up.model, HAIKU);
    assert.ok(h.mock.keyMatches(up, UPSTREAM_KEY));
  });

  it('Anthropic SDK, non-streaming: a tier by name answers on that tier; a real model id passes through and is priced as itself', async () => {
    const r = await h.anthropic.messages
      .create({ model: 'opus', max_tokens: 200, messages: [{ role: 'user', content: 'hi there' }] })
      .withResponse();
    assert.strictEqual(r.response.headers.get('x-llm-router-tier'), 'opus');
    assert.strictEqual(r.data.model, 'claude-opus-4-6');
    assert.strictEqual(
      r.data.content[0].type === 'text' && r.data.content[0].text,
      mockAnswer('claude-opus-4-6', 'hi there'),
    );
    assert.ok(r.data.usage.input_tokens > 0 && r.data.usage.output_tokens > 0);

    const real = 'claude-opus-4-1-20250805';
    const p = await h.anthropic.messages
      .create({ model: real, max_tokens: 200, messages: [{ role: 'user', content: SIMPLE }] })
      .withResponse();
    assert.strictEqual(p.data.model, real, 'the model the client named answered');
    assert.strictEqual(h.mock.messageRequests().at(-1)!.model, real);
    const rec = h.store.getDecision(p.response.headers.get('x-llm-router-decision')!)!;
    assert.strictEqual(rec.tierId, 'opus', 'recorded on the tier of its family');
    assert.strictEqual(rec.answeredModel, real);
    assert.strictEqual(rec.override, 'opus');
    assert.strictEqual(rec.costUsd, usageCost(cfg, 'claude-opus-4-1', rec.usage!), 'priced as the model that answered');
    assert.ok(rec.costUsd! > usageCost(cfg, 'claude-opus-4-6', rec.usage!)!, "not at the tier model's lower price");
  });

  it('a preset name routes with that preset: the same prompt goes to a stronger tier on quality than on economy', async () => {
    const prompt = 'Explain why the sum of two odd numbers is always even, step by step.';
    const tiers: string[] = [];
    for (const model of ['economy', 'quality']) {
      const r = await h.anthropic.messages
        .create({ model, max_tokens: 100, messages: [{ role: 'user', content: prompt }] })
        .withResponse();
      tiers.push(r.response.headers.get('x-llm-router-tier')!);
    }
    const idx = tiers.map((t) => cfg.tiers.findIndex((x) => x.id === t));
    assert.ok(idx[1] > idx[0], `economy → ${tiers[0]}, quality → ${tiers[1]}`);
  });

  it('Anthropic SDK errors: an unknown model is a 404 not_found_error, an upstream 400 a 400, an overloaded upstream on every tier a 529', async () => {
    const e404 = await h.anthropic.messages
      .create({ model: 'gpt-nope', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    assert.ok(e404 instanceof Anthropic.NotFoundError, String(e404));
    assert.match(e404.message, /not served here.*llm-router/);
    h.mock.setScenario('400');
    const e400 = await h.anthropic.messages
      .create({ model: 'llm-router', max_tokens: 10, messages: [{ role: 'user', content: SIMPLE }] })
      .catch((e: unknown) => e);
    assert.ok(e400 instanceof Anthropic.BadRequestError, String(e400));
    assert.strictEqual((e400.error as { error: { type: string } }).error.type, 'invalid_request_error');
    h.mock.setScenario('529');
    const e529 = await h.anthropic.messages
      .create({ model: 'llm-router', max_tokens: 10, messages: [{ role: 'user', content: SIMPLE }] })
      .catch((e: unknown) => e);
    assert.ok(e529 instanceof Anthropic.APIError && e529.status === 529, String(e529));
    assert.strictEqual((e529.error as { error: { type: string } }).error.type, 'overloaded_error');
    const recs = h.store.listDecisions({ source: 'endpoint', status: 'error', limit: 10 }).rows;
    assert.ok(recs.length >= 3, 'each failed call recorded (the fallbacks too)');
  });

  it("an upstream failure mid-stream reaches the client as the API's own error event", async () => {
    h.mock.setScenario({ kind: 'stream-error', afterDeltas: 2 });
    const s = h.anthropic.messages.stream({
      model: 'haiku',
      max_tokens: 100,
      messages: [{ role: 'user', content: SIMPLE }],
    });
    let got = '';
    s.on('text', (t) => {
      got += t;
    });
    const e = await s.finalMessage().catch((x: unknown) => x);
    assert.ok(e instanceof Anthropic.APIError, String(e));
    assert.ok(got.length > 0, 'the first deltas arrived before the error');
  });

  it('a client that goes away mid-stream: the upstream call is stopped and the record says cancelled', async () => {
    h.mock.setScenario({ kind: 'slow', delayMs: 100, words: 200 });
    const ac = new AbortController();
    const s = h.anthropic.messages.stream(
      { model: 'haiku', max_tokens: 500, messages: [{ role: 'user', content: SIMPLE }] },
      { signal: ac.signal },
    );
    const { response } = await s.withResponse();
    const id = response.headers.get('x-llm-router-decision')!;
    await new Promise<void>((r) => s.once('text', () => r()));
    ac.abort();
    await s.finalMessage().catch(() => undefined);
    const up = h.mock.messageRequests().at(-1)!;
    for (let i = 0; i < 50 && (!up.closed || h.store.getDecision(id)?.status !== 'cancelled'); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.strictEqual(up.aborted, true, 'the upstream request was cut');
    assert.ok(up.deltasSent < 60, `the upstream kept streaming (${up.deltasSent} deltas)`);
    assert.strictEqual(h.store.getDecision(id)!.status, 'cancelled');
  });

  it('a used-up budget: the Anthropic SDK gets a 402 billing_error and the OpenAI SDK insufficient_quota; both recorded as blocked', async () => {
    await h.anthropic.messages.create({
      model: 'haiku',
      max_tokens: 50,
      messages: [{ role: 'user', content: SIMPLE }],
    });
    h.store.setBudget({ dailyLimitUsd: 0.0000001, monthlyLimitUsd: null, onExhausted: 'block' });
    const a = await h.anthropic.messages
      .create({ model: 'llm-router', max_tokens: 50, messages: [{ role: 'user', content: SIMPLE }] })
      .catch((e: unknown) => e);
    assert.ok(a instanceof Anthropic.APIError && a.status === 402, String(a));
    assert.deepStrictEqual(Object.keys(a.error as object).sort(), ['error', 'type']);
    assert.strictEqual((a.error as { error: { type: string } }).error.type, 'billing_error');
    assert.match(a.message, /budget is used up/);
    const o = await h.openai.chat.completions
      .create({ model: 'llm-router', messages: [{ role: 'user', content: SIMPLE }], stream: true })
      .catch((e: unknown) => e);
    assert.ok(o instanceof OpenAI.APIError && o.status === 402, String(o));
    assert.strictEqual(o.code, 'insufficient_quota');
    assert.strictEqual(o.type, 'insufficient_quota');
    const blocked = h.store.listDecisions({ source: 'endpoint', status: 'blocked', limit: 5 }).rows;
    assert.strictEqual(blocked.length, 2);
    assert.ok(
      blocked.every((r) => r.reasons.some((x) => x.startsWith('client: '))),
      'the blocked records name their client',
    );
    assert.strictEqual(h.mock.messageRequests().length, 1, 'nothing was sent upstream once the budget was used up');
  });

  it('OpenAI SDK, streaming with include_usage: content chunks, finish_reason, a usage chunk, recorded on the routed tier', async () => {
    const { data: stream, response } = await h.openai.chat.completions
      .create({
        model: 'llm-router',
        stream: true,
        stream_options: { include_usage: true },
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: CODE },
        ],
      })
      .withResponse();
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    assert.strictEqual(response.headers.get('x-llm-router-tier'), 'sonnet');
    assert.strictEqual(text, mockAnswer(SONNET, CODE));
    assert.ok(chunks > 4);
    assert.strictEqual(finish, 'stop');
    assert.ok(
      usage &&
        usage.prompt_tokens > 0 &&
        usage.completion_tokens > 0 &&
        usage.total_tokens === usage.prompt_tokens + usage.completion_tokens,
    );
    const up = h.mock.messageRequests().at(-1)!;
    assert.strictEqual(up.body.system, 'Be brief.', 'the system message went upstream as the system prompt');
    const rec = h.store.getDecision(response.headers.get('x-llm-router-decision')!)!;
    assert.ok(rec.reasons.some((r) => /^client: OpenAI SDK \(JS\)/.test(r)));
    assert.strictEqual(rec.usage!.outputTokens, usage!.completion_tokens);
  });

  it('OpenAI SDK, non-streaming, a conversation with an earlier tool call and its result: sent upstream as tool_use / tool_result', async () => {
    const r = await h.openai.chat.completions.create({
      model: 'llm-router',
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21 °C' },
      ],
    });
    assert.strictEqual(r.object, 'chat.completion');
    assert.strictEqual(r.choices[0].finish_reason, 'stop');
    assert.ok((r.choices[0].message.content ?? '').startsWith('['), 'an answer came back');
    const up = h.mock.messageRequests().at(-1)!.body;
    assert.deepStrictEqual(
      up.messages.map((m: { role: string }) => m.role),
      ['user', 'assistant', 'user'],
    );
    assert.deepStrictEqual(up.messages[1].content, [
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    assert.deepStrictEqual(up.messages[2].content, [
      { type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny, 21 °C' },
    ]);
  });

  it("OpenAI SDK errors: bad input is a 400 in OpenAI's shape; the models list names the router, the presets and the tiers", async () => {
    const e = await h.openai.chat.completions
      .create({ model: 'llm-router', messages: [{ role: 'wizard' as 'user', content: 'x' }] })
      .catch((x: unknown) => x);
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.match(e.message, /messages\[0\]\.role/);
    assert.strictEqual(e.code, 'invalid_request');
    const ids = (await h.openai.models.list()).data.map((m) => m.id);
    assert.deepStrictEqual(ids, [
      'llm-router',
      'auto',
      'economy',
      'balanced',
      'quality',
      ...cfg.tiers.map((t) => t.model),
    ]);
    const am = await h.anthropic.models.list();
    assert.strictEqual(am.data[0].id, 'llm-router');
  });

  it('count_tokens counts on the model the router would choose, and records nothing', async () => {
    const before = h.store.listDecisions({}).total;
    const r = await h.anthropic.messages.countTokens({
      model: 'llm-router',
      messages: [{ role: 'user', content: SIMPLE }],
    });
    assert.strictEqual(r.input_tokens, Math.ceil(SIMPLE.length / 4));
    assert.strictEqual(h.store.listDecisions({}).total, before);
    assert.strictEqual(h.mock.requests.at(-1)!.path, '/v1/messages/count_tokens');
    assert.strictEqual(h.mock.requests.at(-1)!.model, HAIKU);
    h.mock.setScenario('401');
    const e = await h.anthropic.messages
      .countTokens({ model: 'llm-router', messages: [{ role: 'user', content: SIMPLE }] })
      .catch((x: unknown) => x);
    assert.ok(e instanceof Anthropic.APIError && e.status === 502, String(e));
    assert.match(e.message, /upstream key was refused/);
  });

  it('curl, Anthropic streaming: raw events in the real order (message_start, content_block_start, ping, deltas, stop, message_delta, message_stop)', async () => {
    const { code, out } = await curl(h, [
      '-i',
      '-N',
      `${h.ep.url}/v1/messages`,
      '-H',
      `x-api-key: ${h.token}`,
      '-H',
      'anthropic-version: 2023-06-01',
      '-H',
      'content-type: application/json',
      '-d',
      JSON.stringify({
        model: 'llm-router',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: SIMPLE }],
      }),
    ]);
    assert.strictEqual(code, 0);
    assert.match(out, /^HTTP\/1\.1 200/);
    assert.strictEqual(headerOf(out, 'x-llm-router-tier'), 'haiku');
    assert.match(headerOf(out, 'content-type') ?? '', /^text\/event-stream/);
    const events = parseSse(bodyOf(out)).map((e) => e.event);
    const squeezed = events.filter((e, i) => !(e === 'content_block_delta' && events[i - 1] === 'content_block_delta'));
    assert.deepStrictEqual(squeezed, [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const text = parseSse(bodyOf(out))
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => JSON.parse(e.data).delta.text)
      .join('');
    assert.strictEqual(text, mockAnswer(HAIKU, SIMPLE));
  });

  it('curl, OpenAI streaming: data-only chunks ending with data: [DONE]; non-streaming JSON with the decision headers', async () => {
    const s = await curl(h, [
      '-i',
      '-N',
      `${h.ep.url}/v1/chat/completions`,
      '-H',
      `Authorization: Bearer ${h.token}`,
      '-H',
      'content-type: application/json',
      '-d',
      JSON.stringify({ model: 'auto', stream: true, messages: [{ role: 'user', content: SIMPLE }] }),
    ]);
    const chunks = parseSse(bodyOf(s.out));
    assert.ok(chunks.every((c) => c.event === ''));
    assert.strictEqual(chunks.at(-1)!.data, '[DONE]');
    const parsed = chunks.slice(0, -1).map((c) => JSON.parse(c.data));
    assert.strictEqual(parsed[0].choices[0].delta.role, 'assistant');
    assert.strictEqual(parsed.at(-1).choices[0].finish_reason, 'stop');
    assert.strictEqual(parsed.map((p) => p.choices[0].delta.content ?? '').join(''), mockAnswer(HAIKU, SIMPLE));
    const j = await curl(h, [
      '-i',
      `${h.ep.url}/v1/chat/completions`,
      '-H',
      `Authorization: Bearer ${h.token}`,
      '-H',
      'content-type: application/json',
      '-d',
      JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hello' }] }),
    ]);
    assert.strictEqual(headerOf(j.out, 'x-llm-router-tier'), 'sonnet');
    assert.strictEqual(headerOf(j.out, 'x-llm-router-model'), SONNET);
    assert.ok(h.store.getDecision(headerOf(j.out, 'x-llm-router-decision')!));
    const body = JSON.parse(bodyOf(j.out));
    assert.strictEqual(body.choices[0].message.content, mockAnswer(SONNET, 'hello'));
    const rec = h.store.getDecision(headerOf(j.out, 'x-llm-router-decision')!)!;
    assert.ok(rec.reasons.includes('client: curl 7.88.1') || rec.reasons.some((r) => r.startsWith('client: curl')));
  });
});
