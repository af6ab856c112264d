// Cascade: a prompt just above a threshold tries the cheaper tier first and escalates when its answer falls short;
// both calls are recorded with their costs (real store, real client, local Messages API).
import * as assert from 'node:assert';
import { cascadeTier, DEFAULT_CASCADE } from '../../src/core/cascade';
import { createClassifier } from '../../src/core/classifier';
import { defaultConfig } from '../../src/core/config';
import { decide } from '../../src/core/policy';
import type { RouterConfig } from '../../src/core/types';
import { useMessagesApi } from './fixtures/service';

const PROMPT = 'When did the Berlin wall fall?';
const ON = { ...DEFAULT_CASCADE, enabled: true, margin: 0.1 };

/** A config whose first threshold sits just below this prompt's score: the score alone puts it on Sonnet. */
function nearThreshold(): RouterConfig {
  const cfg = defaultConfig();
  const s = createClassifier(cfg.strategy).classify(PROMPT).score;
  cfg.thresholds = [Math.max(0, s - 0.01), 0.99];
  return cfg;
}

describe('cascade', () => {
  it('only for prompts whose score alone chose the tier, within the margin, and never below a floor', () => {
    const cfg = nearThreshold();
    const cls = createClassifier(cfg.strategy);
    const d = decide(cls.classify(PROMPT), cfg);
    assert.strictEqual(d.tierId, 'sonnet');
    assert.strictEqual(cascadeTier(d, cfg, ON)!.tier, 0);
    assert.strictEqual(cascadeTier(d, cfg, DEFAULT_CASCADE), null, 'off by default');
    assert.strictEqual(cascadeTier(d, cfg, { ...ON, margin: 0.001 }), null, 'outside the margin');
    assert.strictEqual(cascadeTier({ ...d, override: 'sonnet' }, cfg, ON), null, 'a forced tier is kept');
    const floored = { ...cfg, thresholds: [0, 0.99], categoryFloors: { code: 1 } };
    const code = decide(cls.classify('Write a SQL query that counts orders per customer.'), floored);
    assert.strictEqual(
      cascadeTier(code, floored, { ...ON, margin: 1 }),
      null,
      'a floor (here code → Sonnet) is never tried below',
    );
  });

  describe('in the service', () => {
    const api = useMessagesApi({ store: 'llmr-cascade-' });

    it('a good cheap answer is kept: one call, on Haiku, with the cascade reason', async () => {
      const svc = api.service(nearThreshold(), { cascade: ON });
      let text = '';
      const o = await svc.run(
        {
          prompt: PROMPT,
          source: 'cli',
          onText: (t) => {
            text += t;
          },
        },
        api.client(),
      );
      assert.deepStrictEqual(
        o.calls.map((c) => [c.role, c.model, c.status]),
        [['cascade-cheap', 'claude-haiku-4-5', 'ok']],
      );
      assert.strictEqual(text, o.text);
      assert.ok(o.decision.reasons.some((r) => r.startsWith('cascade: ')));
      assert.strictEqual(api.server.messageRequests().length, 1);
    });

    it('a refusal from Haiku escalates to Sonnet: both calls recorded and linked, both costs counted', async () => {
      api.server.setScenario('refusal', { model: 'claude-haiku-4-5' });
      const svc = api.service(nearThreshold(), { cascade: ON });
      const notices: string[] = [];
      let text = '';
      const o = await svc.run(
        {
          prompt: PROMPT,
          source: 'cli',
          onText: (t) => {
            text += t;
          },
          onNotice: (m) => notices.push(m),
        },
        api.client(),
      );
      assert.deepStrictEqual(
        o.calls.map((c) => [c.role, c.model, c.status]),
        [
          ['cascade-cheap', 'claude-haiku-4-5', 'ok'],
          ['cascade-escalated', 'claude-sonnet-4-6', 'ok'],
        ],
      );
      assert.match(
        notices.join('\n'),
        /Haiku's answer fell short \(quality 0\.\d+: refusal[^)]*\): escalating to Sonnet/,
      );
      assert.strictEqual(text, o.text, 'only the answer the user keeps is shown');
      const cheap = api.store().getDecision(o.calls[0].decisionId)!;
      const strong = api.store().getDecision(o.calls[1].decisionId)!;
      assert.strictEqual(strong.parentId, cheap.id);
      assert.ok(cheap.costUsd! > 0 && strong.costUsd! > 0);
      assert.ok(Math.abs(o.totalCostUsd! - (cheap.costUsd! + strong.costUsd!)) < 1e-12);
      assert.strictEqual(
        api.store().feedbackFor(cheap.id)[0].signals!.refusal,
        1,
        'the failed cheap answer is evidence for retraining',
      );
      await api.store().flush();
      assert.ok(Math.abs(api.store().stats().spendUsd - o.totalCostUsd!) < 1e-9);
    });
  });
});
