// The display helpers every layer shares (core/format.ts).
import { strict as assert } from 'node:assert';
import { defaultConfig } from '../../src/core/config';
import { formatUsd, pct, routedLine, tierLabel } from '../../src/core/format';
import { formatUsd as fromPricing } from '../../src/core/pricing';
import { usd as panelUsd } from '../../webview/format';

describe('display helpers (core/format)', () => {
  it('money: unpriced, $0.00, sub-cent, cents, dollars with thousands; the panel writes it with the same function', () => {
    assert.deepEqual([null, 0, 0.00077, 0.0523, 1.23456, 1234.567, -2.5].map(formatUsd), [
      'unpriced',
      '$0.00',
      '$0.000770',
      '$0.0523',
      '$1.23',
      '$1,234.57',
      '-$2.50',
    ]);
    assert.equal(panelUsd, formatUsd, 'webview/format.ts must hand out the same formatter, not a copy');
    assert.equal(fromPricing, formatUsd, 'pricing.ts must hand out the same formatter, not a copy');
  });
  it('percentages: whole from 10 %, one decimal below, or as asked; a dash when unknown', () => {
    assert.deepEqual(
      [0.413, 0.035, 0, 1, null, NaN].map((f) => pct(f)),
      ['41%', '3.5%', '0%', '100%', '—', '—'],
    );
    assert.equal(pct(0.4134, 1), '41.3%');
  });
  it('tier labels and the routed line', () => {
    const c = defaultConfig();
    assert.equal(tierLabel(c, 1), 'Sonnet');
    assert.equal(tierLabel(c.tiers, 0), 'Haiku');
    assert.equal(tierLabel(c, 7), 'tier 8');
    const d = {
      tier: 1,
      complexity: 'medium',
      category: 'code',
      confidence: 0.816,
      override: null,
    } as unknown as Parameters<typeof routedLine>[1];
    assert.equal(routedLine(c, d), 'Routed to Sonnet · medium / code · confidence 0.82');
    assert.equal(
      routedLine(c, { ...d, override: 'sonnet' }),
      'Routed to Sonnet · medium / code · confidence 0.82 · your choice',
    );
  });
});
