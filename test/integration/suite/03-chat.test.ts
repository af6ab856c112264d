// @router in the real chat view, answered by the local Messages API stand-in; what lands in the database.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { openStore } from '../../../src/core/store';
import { mockInputTokens, mockTokens } from '../../mock-anthropic';
import type { RouterResultMeta } from '../../../src/vscode/chat';
import { api, chat, mockServer, TEST_KEY, until, useKey } from './helpers';

const meta = (h: { result: vscode.ChatResult }) => (h.result.metadata ?? {}) as RouterResultMeta;

suite('@router chat', () => {
  suiteSetup(async () => {
    await mockServer();
    await vscode.commands.executeCommand('workbench.action.chat.newChat');
  });

  test('without an API key it answers with the routing decision and the estimated cost, and calls no model', async () => {
    const a = await api();
    const mock = await mockServer();
    await vscode.commands.executeCommand('llm-router.clearApiKey');
    assert.strictEqual(await a.runtime.keys.get(), null);
    const before = mock.requests.length;
    const h = await chat('@router What is the capital of France?');
    assert.strictEqual(meta(h).status, 'no-key');
    assert.strictEqual(h.prompt, 'What is the capital of France?');
    assert.strictEqual(mock.requests.length, before, 'a model was called without a key');
  });

  test('a request streams the answer from the server and its decision lands in the database file with real token counts', async () => {
    const a = await api();
    const mock = await mockServer();
    await useKey();
    const before = mock.messageRequests().length;
    const h = await chat('@router Explain what a closure is in JavaScript, with a short example.');
    const m = meta(h);
    assert.strictEqual(m.status, 'ok', JSON.stringify(h.result));
    assert.ok(m.decisionId);
    assert.ok(h.outcome && h.outcome.text.length > 0, 'no text streamed');
    const sent = mock.messageRequests().slice(before);
    assert.strictEqual(sent.length, 1, `requests: ${JSON.stringify(sent.map((r) => [r.path, r.status, r.scenario]))}`);
    const rec = a.runtime.store.getDecision(m.decisionId!)!;
    assert.strictEqual(rec.source, 'chat');
    assert.strictEqual(rec.status, 'ok');
    assert.strictEqual(sent[0].body.model, rec.model, 'the routed model is the one sent to the API');
    assert.strictEqual(sent[0].stream, true);
    assert.ok(mock.keyMatches(sent[0], TEST_KEY), 'the key from SecretStorage is sent');
    // Real token counts: what the server reported for this very request (it counts a token per 4 characters).
    assert.ok(rec.usage, 'no usage recorded');
    assert.strictEqual(
      rec.usage.inputTokens + rec.usage.cacheReadTokens + rec.usage.cacheWriteTokens,
      mockInputTokens(sent[0].body),
    );
    assert.strictEqual(rec.usage.outputTokens, mockTokens(h.outcome!.text));
    assert.ok(rec.costUsd !== null && rec.costUsd > 0);
    assert.strictEqual(m.answer, h.outcome!.text);

    // The file on disk (what the CLI and the next session read) has it too.
    await a.runtime.flush();
    const other = await openStore({ path: a.runtime.dbPath });
    try {
      const onDisk = other.getDecision(m.decisionId!);
      assert.ok(onDisk, 'decision not in the database file');
      assert.deepStrictEqual(onDisk.usage, rec.usage);
      assert.strictEqual(onDisk.status, 'ok');
    } finally {
      await other.close();
    }
  });

  test('the next turn sends the earlier @router turns as history', async () => {
    const a = await api();
    const mock = await mockServer();
    await useKey();
    // Its own conversation: a first turn, then the follow-up.
    await vscode.commands.executeCommand('workbench.action.chat.newChat');
    assert.strictEqual(
      meta(await chat('@router Explain what a closure is in JavaScript, with a short example.')).status,
      'ok',
    );
    const before = mock.messageRequests().length;
    const h = await chat('@router And how would the same look in Python?');
    assert.strictEqual(meta(h).status, 'ok', JSON.stringify(h.result));
    const reqs = mock.messageRequests();
    assert.strictEqual(reqs.length, before + 1);
    const body = reqs[reqs.length - 1].body;
    const msgs = body.messages as { role: string; content: unknown }[];
    const text = (c: unknown) => (typeof c === 'string' ? c : JSON.stringify(c));
    assert.ok(msgs.length >= 3, JSON.stringify(msgs));
    assert.strictEqual(msgs[0].role, 'user');
    assert.match(text(msgs[0].content), /closure/);
    assert.strictEqual(msgs[1].role, 'assistant');
    const previous = a.runtime.store.listDecisions({ source: 'chat', status: 'ok', limit: 2 }).rows;
    assert.ok(previous.length === 2);
    assert.match(text(msgs[msgs.length - 1].content), /Python/);
  });

  test('/explain shows the decision and its reasons without calling a model', async () => {
    const mock = await mockServer();
    const before = mock.requests.length;
    const h = await chat('@router /explain Prove that there are infinitely many primes.');
    assert.strictEqual(meta(h).status, 'explain');
    assert.strictEqual(h.command, 'explain');
    assert.strictEqual(mock.requests.length, before);
  });

  test('/stats answers with spend and savings, without calling a model', async () => {
    const mock = await mockServer();
    const before = mock.requests.length;
    const h = await chat('@router /stats');
    assert.strictEqual(meta(h).status, 'stats');
    assert.strictEqual(mock.requests.length, before);
  });

  test('/haiku forces the cheapest tier even for a prompt routed higher', async () => {
    const a = await api();
    await useKey();
    const h = await chat('@router /haiku Prove that the square root of 2 is irrational, step by step.');
    const m = meta(h);
    assert.strictEqual(m.status, 'ok', JSON.stringify(h.result));
    const rec = a.runtime.store.getDecision(m.decisionId!)!;
    assert.strictEqual(rec.override, 'haiku');
    assert.strictEqual(rec.tier, 0);
    assert.ok(
      rec.reasons.some((r) => /you chose Haiku/.test(r)),
      rec.reasons.join('; '),
    );
  });

  test('/opus forces the top tier', async () => {
    const a = await api();
    const mock = await mockServer();
    await useKey();
    const h = await chat('@router /opus What is 2 + 2?');
    const m = meta(h);
    assert.strictEqual(m.status, 'ok', JSON.stringify(h.result));
    const rec = a.runtime.store.getDecision(m.decisionId!)!;
    assert.strictEqual(rec.override, 'opus');
    assert.strictEqual(rec.model, a.runtime.service.config.tiers[2].model);
    assert.strictEqual(mock.messageRequests().slice(-1)[0].body.model, rec.model);
  });

  test('"Good answer" / "Bad answer", clicked under a response in the workbench, land on that response\'s decision', async () => {
    const a = await api();
    await useKey();
    const h1 = await chat('@router What is the chemical symbol for gold?');
    const id1 = meta(h1).decisionId!;
    assert.ok(id1);
    // The runner (outside the extension host) clicks the last such button in the chat view, as a person would.
    console.log(
      `[[llm-router:click .interactive-response:has-text("${id1.slice(0, 8)}") .monaco-button:has-text("Good answer")]]`,
    );
    await until('the click to be recorded', () => a.runtime.store.feedbackFor(id1).some((f) => f.thumb === 'up'));
    const h2 = await chat('@router What is the chemical symbol for silver?');
    const id2 = meta(h2).decisionId!;
    console.log(
      `[[llm-router:click .interactive-response:has-text("${id2.slice(0, 8)}") .monaco-button:has-text("Bad answer")]]`,
    );
    await until('the click to be recorded', () => a.runtime.store.feedbackFor(id2).some((f) => f.thumb === 'down'));
    assert.deepStrictEqual(
      a.runtime.store
        .feedbackFor(id1)
        .filter((f) => f.thumb)
        .map((f) => f.thumb),
      ['up'],
    );
  });

  test("thumbs up and down land on the right decision (through the participant's onDidReceiveFeedback handler)", async () => {
    const a = await api();
    await useKey();
    const h1 = await chat('@router Name three primary colours.');
    const h2 = await chat('@router Write a haiku about autumn rain.');
    const id1 = meta(h1).decisionId!;
    const id2 = meta(h2).decisionId!;
    assert.ok(id1 && id2 && id1 !== id2);
    // VS Code shows its own thumbs (and calls onDidReceiveFeedback) only when a default chat agent such as Copilot is
    // installed, which this offline VS Code has not: the test hands the handler exactly what VS Code would, the
    // ChatResult of that response and the kind.
    a.chat.handleFeedback({ result: h1.result, kind: vscode.ChatResultFeedbackKind.Helpful });
    a.chat.handleFeedback({ result: h2.result, kind: vscode.ChatResultFeedbackKind.Unhelpful });
    const f1 = a.runtime.store.feedbackFor(id1).filter((f) => f.thumb);
    const f2 = a.runtime.store.feedbackFor(id2).filter((f) => f.thumb);
    assert.deepStrictEqual(
      f1.map((f) => f.thumb),
      ['up'],
    );
    assert.deepStrictEqual(
      f2.map((f) => f.thumb),
      ['down'],
    );
  });

  test('cancelling stops the stream: the server sees the connection closed and the record says cancelled', async () => {
    const a = await api();
    const mock = await mockServer();
    await useKey();
    mock.setScenario({ kind: 'slow', delayMs: 200, words: 400 });
    try {
      const before = mock.messageRequests().length;
      const pending = chat('@router Write a long essay about the history of computing.', 60_000);
      await until('the slow request to reach the server', () => mock.messageRequests().length > before);
      const req = mock.messageRequests()[before];
      await until('some text to stream', () => req.deltasSent >= 2);
      const decisionId = await until(
        'the decision to be recorded',
        () => a.runtime.store.listDecisions({ source: 'chat', limit: 1 }).rows.find((r) => r.status === 'pending')?.id,
      );
      await vscode.commands.executeCommand('workbench.action.chat.cancel');
      const h = await pending;
      assert.strictEqual(meta(h).status, 'cancelled');
      const rec = await until('the cancelled record', () => {
        const r = a.runtime.store.getDecision(decisionId);
        return r && r.status !== 'pending' ? r : undefined;
      });
      assert.strictEqual(rec.status, 'cancelled');
      await until('the server to see the client go away', () => req.aborted);
      assert.strictEqual(req.finished, false);
      assert.ok(req.deltasSent < 400 / 2, `the stream ran on: ${req.deltasSent} deltas sent`);
    } finally {
      mock.setScenario('ok');
    }
  });

  test('"LLM Router" in the model picker answers through the router and is recorded', async () => {
    const a = await api();
    await useKey();
    const [model] = await until('the LLM Router model', async () =>
      vscode.lm.selectChatModels({ vendor: 'llm-router', id: 'router' }).then((m) => (m.length ? m : null)),
    );
    assert.ok(model);
    const cts = new vscode.CancellationTokenSource();
    const res = await model.sendRequest(
      [vscode.LanguageModelChatMessage.User('What is the boiling point of water at sea level?')],
      {},
      cts.token,
    );
    let text = '';
    for await (const t of res.text) text += t;
    assert.ok(text.length > 0);
    const rec = a.runtime.store.listDecisions({ source: 'model-provider', limit: 1 }).rows[0];
    assert.ok(rec, 'no model-provider decision recorded');
    assert.strictEqual(rec.status, 'ok');
    assert.ok(rec.usage && rec.usage.outputTokens > 0);
  });

  test('a rejected key is explained in plain words with the fix, and the key is not in the message', async () => {
    const a = await api();
    const mock = await mockServer();
    await useKey();
    mock.queue('401', { times: 3 });
    try {
      const h = await chat('@router What is the speed of light?');
      const m = meta(h);
      assert.strictEqual(m.status, 'error', JSON.stringify(h.result));
      const msg = h.result.errorDetails?.message ?? '';
      assert.match(msg, /key/i);
      assert.match(msg, /Set API Key/);
      assert.ok(!msg.includes(TEST_KEY));
      if (m.decisionId) assert.strictEqual(a.runtime.store.getDecision(m.decisionId)?.status, 'error');
    } finally {
      mock.reset();
    }
  });

  test('when the routed tier is overloaded, the answer comes from another tier and both calls are recorded', async () => {
    const a = await api();
    const mock = await mockServer();
    await useKey();
    const sonnet = a.runtime.service.config.tiers[1].model;
    mock.setScenario('529', { model: sonnet });
    try {
      const h = await chat('@router /sonnet Explain the difference between TCP and UDP.');
      const m = meta(h);
      assert.strictEqual(m.status, 'ok', JSON.stringify(h.result));
      const o = h.outcome!;
      assert.ok(o.calls.length >= 2, JSON.stringify(o.calls));
      assert.notStrictEqual(o.record.answeredModel ?? o.record.model, sonnet);
      for (const c of o.calls) assert.ok(a.runtime.store.getDecision(c.decisionId), `call ${c.role} not recorded`);
      assert.ok(mock.messageRequests().some((r) => r.model === sonnet && r.status === 529));
    } finally {
      mock.reset();
    }
  });
});
