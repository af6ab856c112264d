// Agent loops through the routing service, against the local Messages API server: the first request is routed on
// what the person asked, the requests that bring tool results stay on its tier and add to its one decision.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentRouter, type AgentRequest } from '../../src/core/agentRun';
import { defaultConfig } from '../../src/core/config';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import type { ChatMessage } from '../../src/core/provider/api';
import { createRouterService } from '../../src/core/service';
import { RouteError } from '../../src/core/service-api';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { SCAFFOLD_SYSTEM, SCAFFOLD_TOOLS, scaffoldUserText } from '../integration/fixtures/agentScaffold';

const KEY = 'sk-ant-agent-run-77a4';
const QUESTION = 'what does git stash do?';

/** The request after the model's tool calls were run: the calls as an assistant message, the results as a user one. */
function withResults(
  req: AgentRequest,
  calls: { id: string; name: string; input: unknown }[],
  result = 'Saved working directory and index state WIP on main',
): AgentRequest {
  const messages: ChatMessage[] = [
    ...req.messages,
    { role: 'assistant', content: calls.map((c) => ({ type: 'tool_use' as const, ...c })) },
    { role: 'user', content: calls.map((c) => ({ type: 'tool_result' as const, toolUseId: c.id, content: result })) },
  ];
  return { ...req, messages };
}

describe('agent loops through the routing service', () => {
  let mock: MockAnthropic;
  let client: AnthropicClient;
  let dir: string;
  let store: DecisionStore;
  before(async () => {
    mock = await startMockAnthropic({ apiKey: KEY });
    client = new AnthropicClient({ apiKey: KEY, baseURL: mock.url, maxRetries: 0, idleTimeoutMs: 3000 });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(async () => {
    mock.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-agent-'));
    store = await openStore({ path: path.join(dir, 'router.sqlite'), debounceMs: 20 });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const first = (question = QUESTION): AgentRequest => ({
    messages: [{ role: 'user', content: scaffoldUserText(question) }],
    system: SCAFFOLD_SYSTEM,
    tools: SCAFFOLD_TOOLS,
    source: 'model-provider',
  });

  it('request with tools → tool call → result → answer: one tier, one decision with the summed tokens and cost', async () => {
    const svc = createRouterService({ config: defaultConfig(), store });
    const router = new AgentRouter();
    const alone = svc.decide({ prompt: QUESTION });
    mock.queue('tool');
    const seen: string[] = [];
    const r1 = await router.run(svc, { ...first(), onToolCall: (c) => seen.push(c.name) }, () => client);
    assert.strictEqual(r1.continued, false);
    assert.strictEqual(r1.tierId, alone.tierId, 'the scaffolded question routes like the question alone');
    assert.deepStrictEqual(seen, ['read_file']);
    assert.ok(r1.toolCalls[0].input && typeof r1.toolCalls[0].input === 'object');
    assert.strictEqual(r1.routed?.quality, null, 'a turn that only calls tools is not scored as an answer');

    const r2 = await router.run(svc, withResults(first(), r1.toolCalls), () => client);
    assert.strictEqual(r2.continued, true);
    assert.strictEqual(r2.decisionId, r1.decisionId);
    assert.strictEqual(r2.model, r1.model);
    assert.match(r2.text, /Saved working directory/);
    const sent = mock.messageRequests();
    assert.deepStrictEqual(
      sent.map((r) => r.model),
      [r1.model, r1.model],
    );
    assert.strictEqual(sent[1].body.messages.at(-1).content[0].type, 'tool_result');
    assert.strictEqual(sent[1].body.tools.length, SCAFFOLD_TOOLS.length);

    const rows = store.listDecisions({ limit: 10 }).rows;
    assert.strictEqual(rows.length, 1, 'one decision for the whole loop');
    const rec = rows[0];
    assert.ok(r1.costUsd !== null && r2.costUsd !== null);
    assert.ok(
      Math.abs(rec.costUsd! - (r1.costUsd! + r2.costUsd!)) < 1e-12,
      `${rec.costUsd} vs ${r1.costUsd} + ${r2.costUsd}`,
    );
    const u1 = r1.record!.usage!;
    assert.strictEqual(rec.usage!.outputTokens > u1.outputTokens, true);
    assert.ok(rec.estInputTokens > 1400, `the decision's estimate counts the scaffolding (${rec.estInputTokens})`);
    assert.ok(
      rec.reasons.some((x) => /agent loop: 2 requests/.test(x)),
      rec.reasons.join('; '),
    );
  });

  it("a loop's later request moves to a cheaper tier only when the budget forces it, and says so", async () => {
    const svc = createRouterService({ config: defaultConfig(), store });
    const router = new AgentRouter();
    mock.queue('tool');
    const r1 = await router.run(
      svc,
      { ...first('Design a lock-free queue in Rust and prove it linearizable'), override: 'opus' },
      () => client,
    );
    assert.strictEqual(r1.tierId, 'opus');
    store.setBudget({ dailyLimitUsd: (r1.costUsd ?? 0) + 0.04, monthlyLimitUsd: null, onExhausted: 'block' });
    const notices: string[] = [];
    const r2 = await router.run(
      svc,
      {
        ...withResults(first('Design a lock-free queue in Rust and prove it linearizable'), r1.toolCalls),
        onNotice: (m) => notices.push(m),
      },
      () => client,
    );
    assert.strictEqual(r2.decisionId, r1.decisionId);
    assert.notStrictEqual(r2.tierId, 'opus');
    assert.match(notices.join(' '), /budget: the agent loop moves from Opus/);
  });

  it('results of tool calls this router never made start a routed request of their own', async () => {
    const svc = createRouterService({ config: defaultConfig(), store });
    const router = new AgentRouter();
    const r = await router.run(
      svc,
      withResults(first(), [{ id: 'toolu_elsewhere', name: 'read_file', input: {} }]),
      () => client,
    );
    assert.strictEqual(r.continued, false);
    assert.strictEqual(store.listDecisions({ limit: 10 }).rows.length, 1);
  });

  it('a request with no words from the person is refused plainly', async () => {
    const svc = createRouterService({ config: defaultConfig(), store });
    await assert.rejects(
      new AgentRouter().run(
        svc,
        { messages: [{ role: 'user', content: '<context>only context</context>' }], source: 'model-provider' },
        () => client,
      ),
      RouteError,
    );
  });
});
