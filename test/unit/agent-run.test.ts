// Agent loops through the routing service, against the local Messages API server: the first request is routed on
// what the person asked, the requests that bring tool results stay on its tier and add to its one decision.
import * as assert from 'node:assert';
import { AgentRouter, type AgentRequest } from '../../src/core/agentRun';
import { defaultConfig } from '../../src/core/config';
import type { ChatMessage } from '../../src/core/provider/api';
import { RouteError } from '../../src/core/service-api';
import { SCAFFOLD_SYSTEM, SCAFFOLD_TOOLS, scaffoldUserText } from '../integration/fixtures/agentScaffold';
import { useMessagesApi } from './fixtures/service';

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
  const api = useMessagesApi({ store: 'llmr-agent-' });

  const first = (question = QUESTION): AgentRequest => ({
    messages: [{ role: 'user', content: scaffoldUserText(question) }],
    system: SCAFFOLD_SYSTEM,
    tools: SCAFFOLD_TOOLS,
    source: 'model-provider',
  });

  it('request with tools → tool call → result → answer: one tier, one decision with the summed tokens and cost', async () => {
    const svc = api.service();
    const router = new AgentRouter();
    const alone = svc.decide({ prompt: QUESTION });
    api.server.queue('tool');
    const seen: string[] = [];
    const r1 = await router.run(svc, { ...first(), onToolCall: (c) => seen.push(c.name) }, () => api.client());
    assert.strictEqual(r1.continued, false);
    assert.strictEqual(r1.tierId, alone.tierId, 'the scaffolded question routes like the question alone');
    assert.deepStrictEqual(seen, ['read_file']);
    assert.ok(r1.toolCalls[0].input && typeof r1.toolCalls[0].input === 'object');
    assert.strictEqual(r1.routed?.quality, null, 'a turn that only calls tools is not scored as an answer');

    const r2 = await router.run(svc, withResults(first(), r1.toolCalls), () => api.client());
    assert.strictEqual(r2.continued, true);
    assert.strictEqual(r2.decisionId, r1.decisionId);
    assert.strictEqual(r2.model, r1.model);
    assert.match(r2.text, /Saved working directory/);
    const sent = api.server.messageRequests();
    assert.deepStrictEqual(
      sent.map((r) => r.model),
      [r1.model, r1.model],
    );
    assert.strictEqual(sent[1].body.messages.at(-1).content[0].type, 'tool_result');
    assert.strictEqual(sent[1].body.tools.length, SCAFFOLD_TOOLS.length);

    const rows = api.store().listDecisions({ limit: 10 }).rows;
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
    const svc = api.service();
    const router = new AgentRouter();
    api.server.queue('tool');
    const r1 = await router.run(
      svc,
      { ...first('Design a lock-free queue in Rust and prove it linearizable'), override: 'opus' },
      () => api.client(),
    );
    assert.strictEqual(r1.tierId, 'opus');
    api.store().setBudget({ dailyLimitUsd: (r1.costUsd ?? 0) + 0.04, monthlyLimitUsd: null, onExhausted: 'block' });
    const notices: string[] = [];
    const r2 = await router.run(
      svc,
      {
        ...withResults(first('Design a lock-free queue in Rust and prove it linearizable'), r1.toolCalls),
        onNotice: (m) => notices.push(m),
      },
      () => api.client(),
    );
    assert.strictEqual(r2.decisionId, r1.decisionId);
    assert.notStrictEqual(r2.tierId, 'opus');
    assert.match(notices.join(' '), /budget: the agent loop moves from Opus/);
  });

  it("a loop's later request holds its worst case like any call: money another window has in flight refuses it", async () => {
    const svc = api.service();
    const router = new AgentRouter();
    api.server.queue('tool');
    const r1 = await router.run(svc, first(), () => api.client());
    api.store().setBudget({ dailyLimitUsd: (r1.costUsd ?? 0) + 0.04, monthlyLimitUsd: null, onExhausted: 'block' });
    // Another window's call in flight holds nearly all that is left (through the same shared reservations).
    const other = api.service();
    const elsewhere = { ...r1.record!, id: 'other-window-call' };
    const held = await other.holdCall(elsewhere, 0.039);
    assert.ok(!('refused' in held), 'the other window got its hold');
    await assert.rejects(
      router.run(svc, withResults(first(), r1.toolCalls), () => api.client()),
      (e: unknown) =>
        e instanceof RouteError &&
        e.kind === 'blocked' &&
        /agent loop/.test(e.message) &&
        /daily limit/.test(e.message),
    );
    assert.strictEqual(api.server.messageRequests().length, 1, 'the refused step never reached the model');
    held.release();
  });

  it('results of tool calls this router never made start a routed request of their own', async () => {
    const svc = api.service();
    const router = new AgentRouter();
    const r = await router.run(
      svc,
      withResults(first(), [{ id: 'toolu_elsewhere', name: 'read_file', input: {} }]),
      () => api.client(),
    );
    assert.strictEqual(r.continued, false);
    assert.strictEqual(api.store().listDecisions({ limit: 10 }).rows.length, 1);
  });

  it('a loop whose tier was removed from the settings meanwhile is routed afresh, not run on some other tier', async () => {
    const router = new AgentRouter();
    api.server.queue('tool');
    const svc = api.service();
    const r1 = await router.run(svc, { ...first(), override: 'opus' }, () => api.client());
    const cfg = defaultConfig();
    const fewer = api.service({ tiers: cfg.tiers.slice(0, 2), thresholds: cfg.thresholds.slice(0, 1) });
    const r2 = await router.run(fewer, withResults(first(), r1.toolCalls), () => api.client());
    assert.strictEqual(r2.continued, false);
    assert.notStrictEqual(r2.decisionId, r1.decisionId);
  });

  it("the whole agent request counts when a tier's window is too small for it: it goes to a tier it fits", async () => {
    const cfg = defaultConfig();
    cfg.tiers = cfg.tiers.map((t, i) => (i === 0 ? { ...t, contextWindow: 5000 } : t));
    const svc = api.service(cfg);
    assert.strictEqual(svc.decide({ prompt: QUESTION }).tierId, 'haiku', 'the question alone would go to Haiku');
    const r = await new AgentRouter().run(svc, first(), () => api.client()); // ~1,600 tokens + 4,096 of output > 5,000
    assert.notStrictEqual(r.tierId, 'haiku');
  });

  it('a request with no words from the person is refused plainly', async () => {
    const svc = api.service();
    await assert.rejects(
      new AgentRouter().run(
        svc,
        { messages: [{ role: 'user', content: '<context>only context</context>' }], source: 'model-provider' },
        () => api.client(),
      ),
      RouteError,
    );
  });
});
