// With no client for any tier, the person is told what their tiers lack: the Anthropic key only when a tier is served
// by Anthropic, an endpoint's key by the endpoint's name, the editor's models by their tier labels.
import * as assert from 'node:assert';
import { defaultConfig } from '../../src/core/config';
import { missingKeys } from '../../src/core/missingKeys';
import type { RouterConfig, TierConfig } from '../../src/core/types';
import { routeError, useMessagesApi } from './fixtures/service';

const PROMPT = 'Write a SQL query that counts orders per customer.';

function withTiers(map: (t: TierConfig, i: number) => Partial<TierConfig>): RouterConfig {
  const c = defaultConfig();
  return { ...c, tiers: c.tiers.map((t, i) => ({ ...t, ...map(t, i) })) };
}

describe('no client for any tier: what the message asks for', () => {
  const api = useMessagesApi({ store: 'llmr-missing-keys-' });

  it('Anthropic tiers (the default): the Anthropic key, with the Set API Key fix', () => {
    const m = missingKeys(defaultConfig());
    assert.match(m.message, /^No Anthropic API key: set one with “LLM Router: Set API Key” or the ANTHROPIC_API_KEY/);
    assert.match(m.message, /Nothing was sent\.$/);
    assert.deepStrictEqual([m.fix, m.fixTitle], ['llm-router.setApiKey', 'Set API Key']);
  });

  it('only OpenAI-compatible tiers: the endpoints by name and their variables, never the Anthropic key', async () => {
    const config = withTiers((_, i) => ({ provider: 'openai', endpoint: i === 2 ? 'team-proxy' : 'openrouter' }));
    const m = missingKeys(config);
    assert.doesNotMatch(m.message, /Anthropic/);
    assert.match(m.message, /No key for the endpoints “openrouter”, “team-proxy”/);
    assert.match(m.message, /LLM_ROUTER_KEY_OPENROUTER, LLM_ROUTER_KEY_TEAM_PROXY/);
    assert.deepStrictEqual([m.fix, m.fixTitle], ['llm-router.setEndpointKey', 'Set Endpoint Key']);
    // what `route` and the endpoint show: the service's no-key error carries the same words, and nothing is sent
    const e = await routeError(api.service(config).run({ prompt: PROMPT, source: 'cli' }, () => null));
    assert.strictEqual(e.kind, 'no-key');
    assert.strictEqual(e.message, m.message);
    assert.strictEqual(api.server.messageRequests().length, 0);
  });

  it("VS Code-model tiers: the tiers' labels and Set Up; a mix names each provider, cheapest tier's first", () => {
    const editor = missingKeys(withTiers(() => ({ provider: 'vscode', selector: { vendor: 'copilot' } })));
    assert.match(
      editor.message,
      /^The VS Code models for Haiku, Sonnet, Opus are not available: sign in to GitHub Copilot/,
    );
    assert.strictEqual(editor.fix, 'llm-router.setUp');
    const mixed = missingKeys(withTiers((_, i) => (i === 0 ? { provider: 'openai', endpoint: 'ollama' } : {})));
    assert.match(mixed.message, /^No key for the endpoint “ollama”: .* No Anthropic API key: .* Nothing was sent\.$/);
    assert.strictEqual(mixed.fix, 'llm-router.setEndpointKey');
  });
});
