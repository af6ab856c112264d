// Every "LLM Router" command: those that take arguments get them (as a keybinding or a button does); Set API Key, Export
// and Reset are driven through the test-mode hooks (the commands themselves always ask).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RouteOutcome } from '../../../src/core/service-api';
import type { Decision } from '../../../src/core/types';
import { api, mockServer, seedDecision, TEST_KEY, until, useKey } from './helpers';

const tmp = process.env.LLM_ROUTER_IT_TMP ?? require('node:os').tmpdir();

suite('commands', () => {
  suiteSetup(async () => {
    await mockServer();
  });

  test('Set API Key refuses something that is not a key and stores a real-looking one in SecretStorage', async () => {
    const a = await api();
    await vscode.commands.executeCommand('llm-router.clearApiKey');
    assert.strictEqual(await a.commands.setApiKey('sk ant with spaces'), false);
    assert.strictEqual(await a.runtime.keys.get(), null);
    assert.strictEqual(await a.commands.setApiKey(`  ${TEST_KEY}\n`), true);
    assert.deepStrictEqual(await a.runtime.keys.get(), { key: TEST_KEY, source: 'secret-storage' });
  });

  test('Classify Prompt shows the decision with its reasons and records nothing', async () => {
    const a = await api();
    const before = a.runtime.store.stats().decisions;
    const d = await vscode.commands.executeCommand<Decision>(
      'llm-router.classifyPrompt',
      'Write a TypeScript function that merges two sorted arrays.',
    );
    assert.ok(d, 'no decision returned');
    assert.ok(d.reasons.length > 0);
    assert.ok(['haiku', 'sonnet', 'opus'].includes(d.tierId));
    assert.ok(d.confidence >= 0 && d.confidence <= 1);
    assert.strictEqual(a.runtime.store.stats().decisions, before);
  });

  test('Classify Prompt uses the editor selection when no text is given', async () => {
    const doc = await vscode.workspace.openTextDocument({
      language: 'markdown',
      content: 'intro\nWhat is the capital of Italy?\n',
    });
    const ed = await vscode.window.showTextDocument(doc);
    ed.selection = new vscode.Selection(1, 0, 1, 30);
    const d = await vscode.commands.executeCommand<Decision>('llm-router.classifyPrompt');
    assert.ok(d);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Route Prompt streams the answer into an untitled Markdown document and records it', async () => {
    const a = await api();
    await useKey();
    const mock = await mockServer();
    const before = mock.messageRequests().length;
    const o = await vscode.commands.executeCommand<RouteOutcome>(
      'llm-router.routePrompt',
      'Summarise the plot of Hamlet in two sentences.',
    );
    assert.ok(o, 'no outcome');
    assert.strictEqual(mock.messageRequests().length, before + 1);
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && doc.isUntitled && doc.languageId === 'markdown');
    const text = doc.getText();
    assert.ok(text.includes(o.text), `document lacks the answer:\n${text}`);
    assert.match(text, /Routed to (Haiku|Sonnet|Opus)/);
    assert.match(text, /cost \$/);
    const rec = a.runtime.store.getDecision(o.record.id)!;
    assert.strictEqual(rec.source, 'command');
    assert.strictEqual(rec.status, 'ok');
    assert.ok(rec.usage && rec.usage.outputTokens > 0);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Explain Routing Decision shows the recorded decision with its reasons', async () => {
    const a = await api();
    const rec = a.runtime.store.getDecision((await seedDecision('Prove that there are infinitely many primes.')).id);
    assert.ok(rec);
    const text = await vscode.commands.executeCommand<string>('llm-router.explainDecision', rec.id);
    assert.ok(text);
    for (const r of rec.reasons) assert.ok(text.includes(r), `missing reason "${r}"`);
    assert.match(text, /Estimated cost/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Export Decisions writes CSV and JSON with every decision', async () => {
    const a = await api();
    await seedDecision();
    const n = a.runtime.store.listDecisions({ limit: 1 }).total;
    assert.ok(n > 0);
    const csv = path.join(tmp, 'export.csv');
    const json = path.join(tmp, 'export.json');
    await a.commands.exportDecisions(vscode.Uri.file(csv));
    await a.commands.exportDecisions(json);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    assert.match(lines[0], /^id,time,source,status,tier/);
    assert.strictEqual(lines.length, n + 1);
    const rows = JSON.parse(fs.readFileSync(json, 'utf8')) as { id: string; usage: unknown }[];
    assert.strictEqual(rows.length, n);
    const ids = new Set(a.runtime.store.listDecisions({ limit: 1000 }).rows.map((r) => r.id));
    assert.deepStrictEqual(new Set(rows.map((r) => r.id)), ids);
  });

  test('Show Cost Panel opens the panel, which draws the recorded figures', async () => {
    const a = await api();
    const seeded = await seedDecision('Which planet is closest to the Sun?');
    await vscode.commands.executeCommand('llm-router.showCostPanel');
    const r = await a.panel.whenRendered((x) => x.decisionIds.includes(seeded.id));
    assert.ok(r.decisionIds.includes(seeded.id), JSON.stringify(r));
  });

  test('The cost panel, hidden and shown again, keeps its page and draws what was recorded meanwhile', async () => {
    const a = await api();
    await vscode.commands.executeCommand('llm-router.showCostPanel');
    const page = (await a.panel.whenRendered((x) => x.stage === 'full')).marks?.navigationStart;
    assert.ok(page);
    await vscode.commands.executeCommand('workbench.view.explorer');
    const seeded = await seedDecision('Which planet has the most moons?');
    const since = Date.now();
    const head = a.panel.whenRendered((x) => x.stage === 'headline' && x.generatedAt >= since);
    await a.panel.reveal();
    const r = await a.panel.whenRendered((x) => x.stage === 'full' && x.decisionIds.includes(seeded.id));
    assert.deepStrictEqual((await head).figures, r.figures);
    assert.strictEqual(r.marks?.navigationStart, page, 'the page was loaded again');
  });

  test('Reset Statistics deletes everything once confirmed', async () => {
    const a = await api();
    await seedDecision();
    assert.ok(a.runtime.store.stats().decisions > 0);
    assert.strictEqual(await a.commands.resetStatistics(), true);
    assert.strictEqual(a.runtime.store.stats().decisions, 0);
    assert.strictEqual(a.runtime.store.listDecisions().total, 0);
    await until('the status bar to show $0.00', () => /\$0\.00 today/.test(a.statusBar.text));
  });

  test('Clear API Key removes it from SecretStorage', async () => {
    const a = await api();
    await useKey();
    await vscode.commands.executeCommand('llm-router.clearApiKey');
    assert.strictEqual(await a.runtime.keys.get(), null);
  });
});
