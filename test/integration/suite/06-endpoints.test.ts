// An OpenAI-compatible tier in the editor: the endpoint comes from the user's settings, its key from Set Endpoint Key
// (SecretStorage), and @router answers through it, recorded with its price ($0 for a local model). The key is sent
// only to that endpoint and lands in no settings file.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startMockOpenAI } from '../../mock-openai';
import { api, chat, setSetting, until } from './helpers';

const KEY = 'sk-gw-INTEGRATION-4d2b8e6f1a9c';

suite('OpenAI-compatible tiers', () => {
  test('@router answers through a user-defined endpoint with its key from secret storage', async () => {
    const a = await api();
    const gw = await startMockOpenAI({ apiKey: KEY });
    try {
      await setSetting('endpoints', [{ name: 'gw', baseUrl: gw.baseURL, keyName: 'gw' }]);
      await setSetting('tiers', [
        {
          id: 'local',
          label: 'Local',
          model: 'llama3.2',
          provider: 'openai',
          endpoint: 'gw',
          price: { input: 0, output: 0 },
        },
        { id: 'opus', label: 'Opus', model: 'claude-opus-4-6', price: { input: 5, output: 25 } },
      ]);
      await until(
        'the endpoint setting',
        () => a.runtime.settings.endpoints.length === 1 && a.runtime.settings.config.tiers[0].provider === 'openai',
      );
      assert.strictEqual(await a.commands.setEndpointKey('gw', KEY), true);
      const h = await chat('@router What is the capital of France?');
      assert.strictEqual((h.result.metadata as { status?: string }).status, 'ok', JSON.stringify(h.result));
      assert.strictEqual(gw.completions().length, 1);
      assert.ok(gw.keyMatches(gw.completions()[0], KEY), 'the endpoint got its key');
      const rec = a.runtime.store.listDecisions({ limit: 1 }).rows[0];
      assert.strictEqual(rec.tierId, 'local');
      assert.strictEqual(rec.answeredModel, 'llama3.2');
      assert.strictEqual(rec.costUsd, 0, 'priced at $0 explicitly: free, not unpriced');
      const root = process.env.LLM_ROUTER_IT_TMP!;
      const settings = fs.readFileSync(path.join(root, 'user-data', 'User', 'settings.json'), 'utf8');
      assert.ok(!settings.includes(KEY), 'the key is not in settings.json');
    } finally {
      await setSetting('tiers', undefined);
      await setSetting('endpoints', undefined);
      await until(
        'the default tiers again',
        () =>
          a.runtime.settings.endpoints.length === 0 &&
          (a.runtime.settings.config.tiers[0].provider ?? 'anthropic') === 'anthropic',
      );
      await gw.close();
    }
  });
});
