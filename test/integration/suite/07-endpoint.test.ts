// "LLM Router: Start Local Endpoint" in the real extension host: the command starts the endpoint on the extension's
// database and key, a program with the token gets a routed answer (recorded, source 'endpoint'), the status bar says
// it runs, and "Stop Local Endpoint" stops it.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { EndpointInfo } from '../../../src/vscode/endpoint';
import { api, mockServer, TEST_KEY, until } from './helpers';

suite('local endpoint', () => {
  test('starts by command, answers a request with the token (routed, recorded, priced), shows in the status bar, stops by command', async () => {
    const a = await api();
    await mockServer();
    await a.commands.setApiKey(TEST_KEY);
    const info = await vscode.commands.executeCommand<EndpointInfo | undefined>('llm-router.startEndpoint', {
      port: 0,
    });
    assert.ok(info, 'the command returned no endpoint (see the LLM Router log)');
    try {
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      if (process.platform !== 'win32') assert.strictEqual(fs.statSync(info.tokenFile).mode & 0o777, 0o600);
      const token = fs.readFileSync(info.tokenFile, 'utf8').trim();
      await until('the status bar shows the endpoint', () => a.statusBar.text.includes(`${info.port}`));

      const refused = await fetch(`${info.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.strictEqual(refused.status, 401);

      const prompt = 'What is the capital of Portugal?';
      const res = await fetch(`${info.url}/v1/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': token,
          'anthropic-version': '2023-06-01',
          'user-agent': 'claude-cli/2.0.14 (external, cli)',
        },
        body: JSON.stringify({ model: 'llm-router', max_tokens: 200, messages: [{ role: 'user', content: prompt }] }),
      });
      const text = await res.text();
      assert.strictEqual(res.status, 200, text);
      assert.ok(!text.includes(TEST_KEY));
      const body = JSON.parse(text) as { content: { type: string; text: string }[]; model: string };
      assert.match(body.content[0].text, /capital of Portugal/);
      const id = res.headers.get('x-llm-router-decision');
      assert.ok(id);
      assert.strictEqual(res.headers.get('x-llm-router-model'), body.model);
      const rec = await until("the decision in the extension's database", () => a.runtime.store.getDecision(id));
      assert.strictEqual(rec.source, 'endpoint');
      assert.strictEqual(rec.status, 'ok');
      assert.ok(rec.costUsd !== null && rec.costUsd > 0);
      assert.ok(rec.reasons.includes('client: Claude Code 2.0.14'), rec.reasons.join('; '));
    } finally {
      assert.strictEqual(await vscode.commands.executeCommand('llm-router.stopEndpoint'), true);
    }
    await until('the status bar drops the endpoint', () => !a.statusBar.text.includes('$(radio-tower)'));
    await assert.rejects(fetch(`${info.url}/v1/models`), 'the stopped endpoint still answers');
  });
});
