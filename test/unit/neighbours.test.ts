// Learning from similar past prompts: the local index (similar prompts are near, the size is bounded), the score
// moved by the neighbours' outcomes (named in the reasons), and the routing service with a store's history: thumbs
// down on Haiku for a kind of prompt send the next such prompt to Sonnet; nothing moves without stored prompts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { adjustByNeighbours, NeighbourIndex, vectorize } from '../../src/core/neighbours';
import { neighbourAdjuster } from '../../src/core/neighbours/fromStore';
import { createRouterService } from '../../src/core/service';
import { openStore } from '../../src/core/store';
import type { PromptStorage } from '../../src/core/types';
import type { Classification } from '../../src/core/types';

const cfg = defaultConfig('balanced');
const cls = (score: number): Classification => ({
  score,
  complexity: 'simple',
  category: 'factual',
  confidence: 0.9,
  reasons: ['short look-up'],
  highStakes: false,
  estInputTokens: 20,
  strategy: 'rules',
});
const cos = (a: string, b: string) => {
  const x = vectorize(a);
  const y = vectorize(b);
  return x.reduce((s, v, i) => s + v * y[i], 0);
};
const HISTORY = [
  'Convert this timestamp 1700000000 to a date in the Europe/Berlin time zone with daylight saving',
  'Convert this timestamp 1712345678 to a date in the Europe/Berlin time zone with daylight saving',
  'Convert this timestamp 1699999999 to a date in the Europe/Berlin time zone with daylight saving',
];
const NEW = 'Convert this timestamp 1722222222 to a date in the Europe/Berlin time zone with daylight saving';

describe('neighbours: the index', () => {
  it('similar prompts are near, unrelated ones far', () => {
    assert.ok(cos(HISTORY[0], NEW) > 0.7, String(cos(HISTORY[0], NEW)));
    assert.ok(cos(HISTORY[0], 'Write a haiku about autumn leaves falling on a quiet pond') < 0.3);
    assert.ok(Math.abs(cos(NEW, NEW) - 1) < 1e-5);
  });
  it('keeps at most its capacity, dropping the oldest', () => {
    const ix = new NeighbourIndex(3);
    for (let i = 0; i < 5; i++) ix.add({ id: `d${i}`, prompt: `${HISTORY[0]} number ${i}`, tier: 0, quality: 1 });
    assert.equal(ix.size, 3);
    assert.deepEqual(
      ix
        .nearest(HISTORY[0], 10, 0)
        .map((n) => n.id)
        .sort(),
      ['d2', 'd3', 'd4'],
    );
  });
});

describe('neighbours: moving the score', () => {
  const bad = new NeighbourIndex();
  HISTORY.forEach((p, i) => bad.add({ id: `b${i}`, prompt: p, tier: 0, quality: 0 }));
  it('similar prompts answered badly on the tier it would go to: one tier up, the neighbours named', () => {
    const c = adjustByNeighbours(cls(0.1), NEW, cfg, bad);
    assert.equal(c.score, cfg.thresholds[0]);
    assert.match(
      c.reasons.at(-1) ?? '',
      /^similar past prompts: “Convert this timestamp .*” \(0\.\d\d, Haiku, bad\).* → score 0\.10 → /,
    );
    assert.equal(c.reasons[0], 'short look-up');
  });
  it('similar prompts answered well on a cheaper tier: one tier down', () => {
    const good = new NeighbourIndex();
    HISTORY.forEach((p, i) => good.add({ id: `g${i}`, prompt: p, tier: 0, quality: 0.9 }));
    const start = (cfg.thresholds[0] + cfg.thresholds[1]) / 2;
    const c = adjustByNeighbours(cls(start), NEW, cfg, good);
    assert.ok(c.score < cfg.thresholds[0], String(c.score));
    assert.match(c.reasons.at(-1) ?? '', /Haiku, good/);
  });
  it('nothing moves for an unrelated prompt, one neighbour only, or outcomes that agree with the tier', () => {
    assert.equal(
      adjustByNeighbours(cls(0.1), 'Write a haiku about autumn leaves falling on a quiet pond', cfg, bad).score,
      0.1,
    );
    const one = new NeighbourIndex();
    one.add({ id: 'x', prompt: HISTORY[0], tier: 0, quality: 0 });
    assert.equal(adjustByNeighbours(cls(0.1), NEW, cfg, one).score, 0.1);
    const fine = new NeighbourIndex();
    HISTORY.forEach((p, i) => fine.add({ id: `f${i}`, prompt: p, tier: 0, quality: 1 }));
    assert.equal(adjustByNeighbours(cls(0.1), NEW, cfg, fine).score, 0.1);
  });
});

describe('neighbours: the routing service over a store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-nb-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const routeAfterHistory = async (promptStorage: PromptStorage) => {
    const store = await openStore({ path: path.join(dir, `${promptStorage}.sqlite`), promptStorage, debounceMs: 20 });
    const plain = createRouterService({ config: cfg, store, retrainEvery: 0 });
    for (const p of HISTORY) {
      const d = plain.dryRun({ prompt: p, source: 'cli', override: 'haiku' });
      plain.feedback(d.id, 'down');
    }
    const nb = neighbourAdjuster(store);
    const svc = createRouterService({ config: cfg, store, retrainEvery: 0, adjustScore: nb.adjust });
    const r = { without: plain.decide({ prompt: NEW }), with: svc.decide({ prompt: NEW }), size: nb.size() };
    nb.dispose();
    await store.close();
    return r;
  };
  it('thumbs down on Haiku for similar prompts send the next one a tier up, and the decision says why', async () => {
    const r = await routeAfterHistory('full');
    assert.equal(r.size, 3);
    assert.equal(r.without.tierId, 'haiku');
    assert.equal(r.with.tierId, 'sonnet');
    assert.ok(
      r.with.reasons.some((x) => /^similar past prompts: “Convert this timestamp/.test(x)),
      r.with.reasons.join(' | '),
    );
  });
  it('without stored prompts nothing moves', async () => {
    const r = await routeAfterHistory('none');
    assert.equal(r.size, 0);
    assert.equal(r.with.tierId, r.without.tierId);
    assert.ok(!r.with.reasons.some((x) => x.startsWith('similar past prompts')));
  });
});
