// Issue 13's features in the real extension host: `@router /workflow` runs a workflow step by step against the local
// Messages API, records every step under one run, and refuses a broken workflow before anything is sent; a running
// A/B experiment routes chat by arm and its status command compares the arms.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assignArm, conversationKey, createExperiment, stopExperiment } from '../../../src/core/experiments/definition';
import type { WorkflowMeta } from '../../../src/vscode/chatWorkflow';
import { api, chat, mockServer, TEST_KEY } from './helpers';

const meta = (h: { result: vscode.ChatResult }) => (h.result.metadata ?? {}) as WorkflowMeta;

suite('features: workflows in chat', () => {
  suiteSetup(async () => {
    await mockServer();
    await vscode.commands.executeCommand('workbench.action.chat.newChat');
  });

  test('@router /workflow draft-critique-refine runs three steps, each routed, all recorded under one run with its total', async () => {
    const a = await api();
    const mock = await mockServer();
    assert.strictEqual(await a.commands.setApiKey(TEST_KEY), true);
    const before = mock.messageRequests().length;
    const h = await chat('@router /workflow draft-critique-refine why unit tests should be fast', 60_000);
    const m = meta(h);
    assert.strictEqual(m.status, 'ok', JSON.stringify(h.result));
    assert.ok(m.workflowRunId);
    const sent = mock.messageRequests().slice(before);
    assert.strictEqual(sent.length, 3);
    assert.match(JSON.stringify(sent[0].body.messages), /why unit tests should be fast/);
    const steps = a.runtime.store.listDecisions({}).rows.filter((r) => r.workflowId === m.workflowRunId);
    assert.deepStrictEqual(steps.map((r) => r.workflowStep).sort(), ['critique', 'draft', 'refine']);
    assert.ok(steps.every((r) => r.source === 'chat' && r.status === 'ok' && (r.costUsd ?? 0) > 0));
    assert.ok(m.answer && m.answer.length > 0, 'the output step answered');
  });

  test('a cyclic workflow in the workspace is refused in words and sends nothing', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test window has a workspace folder');
    const dir = path.join(folder, '.llm-router', 'workflows');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'loop.yaml'),
      'steps:\n  - id: a\n    prompt: "{{steps.b}}"\n  - id: b\n    prompt: "{{steps.a}}"\n',
    );
    const mock = await mockServer();
    const before = mock.messageRequests().length;
    const a = await api();
    const decisions = a.runtime.store.listDecisions({}).total;
    const h = await chat('@router /workflow loop anything');
    assert.strictEqual(meta(h).status, 'error');
    assert.match(meta(h).error ?? '', /the steps form a cycle: (a → b → a|b → a → b)/);
    assert.strictEqual(mock.messageRequests().length, before);
    assert.strictEqual(a.runtime.store.listDecisions({}).total, decisions);
  });
});

suite('features: A/B experiments in the editor', () => {
  test('a running experiment routes @router by arm, tags the decision, and Show A/B Experiment Status compares the arms', async () => {
    const a = await api();
    await mockServer();
    assert.strictEqual(await a.commands.setApiKey(TEST_KEY), true);
    const store = a.runtime.store;
    const exp = createExperiment(store, a.runtime.service.config, {
      name: 'editor-test',
      a: { preset: 'quality' },
      b: { preset: 'economy' },
    });
    try {
      const prompt = 'Write a SQL query that counts orders per customer.';
      const arm = assignArm(exp, conversationKey(prompt));
      await vscode.commands.executeCommand('workbench.action.chat.newChat');
      const h = await chat(`@router ${prompt}`);
      const id = (h.result.metadata as { decisionId?: string }).decisionId!;
      const rec = store.getDecision(id)!;
      assert.strictEqual(rec.experimentId, exp.id);
      assert.strictEqual(rec.experimentArm, arm);
      const md = await vscode.commands.executeCommand<string | null>('llm-router.experimentStatus');
      assert.ok(md, 'a status document');
      assert.match(md, /Experiment "editor-test"/);
      assert.match(md, new RegExp(`requests\\s+${arm === 'a' ? 1 : 0}\\s+${arm === 'b' ? 1 : 0}`));
      assert.match(md, /not yet meaningful/);
    } finally {
      stopExperiment(store, exp.id);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});

suite('features: alerts in the editor', () => {
  test('a malformed webhook is refused; a budget threshold alerts once, to the notification and the local webhook', async () => {
    const a = await api();
    await mockServer();
    assert.strictEqual(await a.commands.setApiKey(TEST_KEY), true);
    const bodies: unknown[] = [];
    const server = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c) => {
        b += c;
      });
      req.on('end', () => {
        bodies.push(JSON.parse(b));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T1/B1/integration-secret`;
    const store = a.runtime.store;
    const budget = store.getBudget();
    try {
      assert.strictEqual(
        await vscode.commands.executeCommand('llm-router.setAlertWebhook', 'hooks.example.com/x'),
        false,
      );
      assert.match(await vscode.commands.executeCommand<string>('llm-router.alertsStatus'), /Webhook: none/);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      assert.strictEqual(await vscode.commands.executeCommand('llm-router.setAlertWebhook', url), true);
      await chat('@router What is the capital of Portugal?');
      const now = new Date();
      const spent = store.spendSince(new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime());
      assert.ok(spent > 0, 'something was spent today');
      store.setBudget({ dailyLimitUsd: spent / 0.95, monthlyLimitUsd: null, onExhausted: 'block' });
      const sent = await vscode.commands.executeCommand<string[]>('llm-router.checkAlerts');
      assert.ok(
        sent.some((m) => /^Daily budget 90 % used: \$/.test(m)),
        JSON.stringify(sent),
      );
      assert.ok(
        bodies.some((b) => /LLM Router: Daily budget 90 % used/.test((b as { text: string }).text)),
        JSON.stringify(bodies),
      );
      const n = bodies.length;
      assert.deepStrictEqual(await vscode.commands.executeCommand('llm-router.checkAlerts'), [], 'the cool-down holds');
      assert.strictEqual(bodies.length, n);
      const md = await vscode.commands.executeCommand<string>('llm-router.alertsStatus');
      assert.match(md, /Webhook: 127\.0\.0\.1:\d+ /);
      assert.ok(!md.includes('integration-secret'), 'the secret part of the URL is never shown');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      store.setBudget(budget);
      await vscode.commands.executeCommand('llm-router.clearAlertWebhook');
      server.close();
    }
  });
});

suite('features: per-project spend in the editor', () => {
  test('a chat request is recorded with the workspace folder name and a stable id, never its path; stats split by it', async () => {
    const a = await api();
    await mockServer();
    assert.strictEqual(await a.commands.setApiKey(TEST_KEY), true);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    await vscode.commands.executeCommand('workbench.action.chat.newChat');
    const h = await chat('@router What is the capital of Norway?');
    const rec = a.runtime.store.getDecision((h.result.metadata as { decisionId: string }).decisionId)!;
    assert.strictEqual(rec.source, 'chat');
    assert.strictEqual(rec.workspaceName, path.basename(folder));
    assert.match(rec.workspaceId ?? '', /^[0-9a-f]{16}$/);
    assert.ok(!JSON.stringify(rec).includes(folder), 'no full path in the record');
    const row = a.runtime.store.breakdown({ by: 'workspace' }).find((r) => r.key === rec.workspaceId);
    assert.ok(row && row.requests >= 1 && row.spendUsd > 0, JSON.stringify(row));
  });
});
