// The price table of VS Code's models (Copilot bills them at their API rates) and the tier set proposed from the
// models a person has.
import * as assert from 'node:assert';
import {
  normaliseModelName,
  proposeTiers,
  tierFromModel,
  vscodeModelPrice,
  type VscodeModelInfo,
} from '../../src/core/vscodePrices';
import { priceFor } from '../../src/core/pricing';
import { defaultConfig } from '../../src/core/config';
import { readSettings } from '../../src/core/settings';

const m = (vendor: string, family: string, id = family, name = family): VscodeModelInfo => ({
  vendor,
  family,
  id,
  name,
  maxInputTokens: 128_000,
});

describe('VS Code model prices', () => {
  it('finds a model by id, family or name, whatever the dots, case and date suffix', () => {
    assert.strictEqual(normaliseModelName('claude-sonnet-4.5-20250929'), 'claude-sonnet-4-5');
    assert.strictEqual(normaliseModelName('Claude Haiku 4.5'), 'claude-haiku-4-5');
    assert.strictEqual(vscodeModelPrice({ id: 'x', family: 'gpt-4.1' })?.input, 2);
    assert.strictEqual(vscodeModelPrice({ id: 'claude-haiku-4.5', family: '' })?.output, 5);
    assert.strictEqual(vscodeModelPrice({ id: 'opaque-1', family: 'opaque', name: 'Claude Opus 4.5' })?.input, 5);
  });

  it('an unknown model is unpriced: its tier has priced false and costs are null, never $0', () => {
    assert.strictEqual(vscodeModelPrice({ id: 'my-local-llm', family: 'llama' }), null);
    const tier = tierFromModel(m('ollama', 'llama', 'llama-3'));
    assert.strictEqual(tier.priced, false);
    const cfg = { ...defaultConfig(), tiers: [tier] };
    assert.strictEqual(priceFor(cfg, 'llama-3'), null);
  });

  it('a tier from a model: provider vscode, selector by vendor and id, context = input window + output', () => {
    const t = tierFromModel(m('copilot', 'claude-sonnet-4.5', 'claude-sonnet-4.5', 'Claude Sonnet 4.5'), 16_000);
    assert.deepStrictEqual(
      [t.provider, t.selector, t.model, t.label, t.contextWindow, t.maxOutputTokens],
      [
        'vscode',
        { vendor: 'copilot', id: 'claude-sonnet-4.5', family: 'claude-sonnet-4.5' },
        'claude-sonnet-4.5',
        'Claude Sonnet 4.5',
        144_000,
        16_000,
      ],
    );
    assert.strictEqual(t.price.input, 3);
  });
});

describe('proposing tiers from the models a person has', () => {
  it('Copilot with Claude Haiku, Sonnet and Opus: those three, cheapest first', () => {
    const have = [
      m('copilot', 'gpt-4.1'),
      m('copilot', 'claude-opus-4.5'),
      m('copilot', 'claude-haiku-4.5'),
      m('copilot', 'claude-sonnet-4.5'),
      m('copilot', 'gpt-5-mini'),
    ];
    assert.deepStrictEqual(
      proposeTiers(have, 'llm-router').map((t) => t.model),
      ['claude-haiku-4.5', 'claude-sonnet-4.5', 'claude-opus-4.5'],
    );
  });

  it('otherwise the cheapest, a middle one and the dearest priced model; never the router itself, never an unpriced one', () => {
    const have = [
      m('llm-router', 'llm-router', 'router'),
      m('copilot', 'gpt-5-mini'),
      m('copilot', 'gpt-4.1'),
      m('copilot', 'gpt-5'),
      m('copilot', 'gpt-4o'),
      m('local', 'llama'),
    ];
    const tiers = proposeTiers(have, 'llm-router');
    assert.deepStrictEqual(
      tiers.map((t) => t.model),
      ['gpt-5-mini', 'gpt-5', 'gpt-4o'],
    );
    assert.ok(tiers.every((t) => t.selector?.vendor !== 'llm-router'));
  });

  it('no priced model: no proposal', () => {
    assert.deepStrictEqual(proposeTiers([m('local', 'llama')], 'llm-router'), []);
  });
});

describe('the tiers setting with VS Code models', () => {
  it("a vscode tier without a price gets its model's API rate; an unknown one stays unpriced", () => {
    const tiers = [
      { id: 'fast', model: 'gpt-5-mini', provider: 'vscode', selector: { vendor: 'copilot', id: 'gpt-5-mini' } },
      { id: 'mine', model: 'llama-x', provider: 'vscode' },
      { id: 'top', model: 'claude-opus-4-6', price: { input: 5, output: 25 } },
    ];
    const s = readSettings({ inspect: (k) => (k === 'tiers' ? { globalValue: tiers } : undefined) });
    assert.deepStrictEqual(s.problems, []);
    assert.strictEqual(s.config.tiers[0].price.input, 0.25);
    assert.strictEqual(s.config.tiers[0].priced, undefined);
    assert.strictEqual(s.config.tiers[1].priced, false);
    assert.strictEqual(s.config.tiers[2].provider, undefined);
  });
});
