// Where the key goes and what other extensions can make the router do (issue 14 items 11 and 13), in the real host.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RouteOutcome } from '../../../src/core/service-api';
import { startMockAnthropic } from '../../mock-anthropic';
import { api, mockServer, seedDecision, sleep, TEST_KEY, until } from './helpers';

suite('trust', () => {
  test('a workspace .vscode/settings.json baseUrl does not change where the request with the key goes', async () => {
    const a = await api();
    const mock = await mockServer(); // the user's base URL (user settings)
    const other = await startMockAnthropic({});
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the integration run opens no workspace folder');
    const file = path.join(folder, '.vscode', 'settings.json');
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // maxRetries (a setting a workspace may set) shows that the file was read and the router reloaded.
      fs.writeFileSync(file, JSON.stringify({ 'llmRouter.baseUrl': other.url, 'llmRouter.maxRetries': 3 }, null, 2));
      await until('the router to read the workspace settings', () => a.runtime.settings.maxRetries === 3);
      assert.strictEqual(a.runtime.settings.baseUrl, mock.url.replace(/\/+$/, ''));
      await a.commands.setApiKey(TEST_KEY);
      const before = mock.messageRequests().length;
      const o = await vscode.commands.executeCommand<RouteOutcome>(
        'llm-router.routePrompt',
        'What is the capital of Portugal?',
      );
      assert.ok(o, 'the routed prompt got no answer');
      assert.ok(mock.messageRequests().length > before, "the user's base URL got no request");
      assert.ok(
        mock
          .messageRequests()
          .slice(before)
          .every((r) => r.apiKey === 'present'),
        "the request to the user's server carried no key",
      );
      assert.strictEqual(other.requests.length, 0, "the workspace's server got a request (and the key)");
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      await until('the workspace settings gone', () => a.runtime.settings.maxRetries === 2);
      await other.close();
    }
  });

  test('Set API Key and Export Decisions ignore arguments and ask the person (cancelled here: nothing stored or written)', async () => {
    const a = await api();
    await vscode.commands.executeCommand('llm-router.clearApiKey');
    const stored = vscode.commands.executeCommand<boolean>(
      'llm-router.setApiKey',
      'sk-ant-from-another-extension-0000',
    );
    await sleep(1000);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.strictEqual(await stored, false);
    assert.strictEqual(await a.runtime.keys.get(), null, 'a key passed as an argument was stored without asking');

    const target = path.join(process.env.LLM_ROUTER_IT_TMP ?? '/tmp', 'exported-by-another-extension.csv');
    const written = vscode.commands.executeCommand<vscode.Uri | undefined>('llm-router.exportDecisions', target);
    await sleep(1000);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.strictEqual(await written, undefined);
    assert.ok(!fs.existsSync(target), 'the export was written to a path passed as an argument without asking');
  });

  test('Reset Statistics asks even when called with { confirmed: true }', async () => {
    const a = await api();
    await seedDecision('What is 2 + 2?');
    const n = a.runtime.store.stats().decisions;
    assert.ok(n > 0);
    // The test workbench refuses every dialog (as if the person said no): the command must have asked, and kept all.
    let asked = false;
    try {
      assert.strictEqual(
        await vscode.commands.executeCommand('llm-router.resetStatistics', { confirmed: true }),
        false,
      );
    } catch (e) {
      asked = /refused to show dialog/.test((e as Error).message);
      if (!asked) throw e;
    }
    assert.strictEqual(
      a.runtime.store.stats().decisions,
      n,
      `the statistics were reset without a confirmation (asked: ${asked})`,
    );
  });
});
