// Budgets: the state a limit puts routing in, the worst-case check, and a real service that downgrades, then blocks,
// and refuses a fallback to a dearer tier when its worst case would pass the limit.
import * as assert from 'node:assert';
import { budgetState, checkWorstCase, parseUsd, worstCaseCost } from '../../src/core/budget';
import { defaultConfig } from '../../src/core/config';
import { RouteError } from '../../src/core/service-api';
import { useMessagesApi } from './fixtures/service';

const settings = (d: number | null, m: number | null, onExhausted: 'block' | 'cheapest' = 'block') => ({
  dailyLimitUsd: d,
  monthlyLimitUsd: m,
  onExhausted,
});

describe('budget state and worst case', () => {
  it('no limit → no state; below 75 % normal, 75–90 % warning, 90–100 % downgrading, 100 % blocked', () => {
    assert.strictEqual(budgetState(settings(null, null), 5, 5), null);
    const st = (today: number) => budgetState(settings(1, null), today, today)!.state;
    assert.deepStrictEqual([0, 0.74, 0.75, 0.89, 0.9, 0.99, 1, 3].map(st), [
      'normal',
      'normal',
      'warning',
      'warning',
      'downgrading',
      'downgrading',
      'blocked',
      'blocked',
    ]);
    // the tighter of the two limits decides
    const b = budgetState(settings(10, 2), 1, 1.9)!;
    assert.strictEqual(b.state, 'downgrading');
    assert.ok(Math.abs(b.usedFraction - 0.95) < 1e-9);
    assert.strictEqual(budgetState(settings(0, null, 'cheapest'), 0, 0)!.state, 'blocked');
    assert.strictEqual(budgetState(settings(0, null, 'cheapest'), 0, 0)!.onExhausted, 'cheapest');
  });

  it('worst case = input + max_tokens of output on the model; it fits or says which limit it would pass', () => {
    const cfg = defaultConfig();
    assert.strictEqual(worstCaseCost(cfg, 'claude-opus-4-6', 1000, 1000), (1000 * 5 + 1000 * 25) / 1e6);
    assert.strictEqual(worstCaseCost(cfg, 'some-unknown-model', 1000, 1000), null);
    const b = budgetState(settings(0.1, 5), 0.08, 1)!;
    assert.strictEqual(checkWorstCase(b, 0.02).fits, true);
    const no = checkWorstCase(b, 0.03);
    assert.strictEqual(no.fits, false);
    assert.strictEqual(no.limit, 'daily');
    assert.match(no.message!, /worst case \$0\.0300 would pass the daily limit \(\$0\.0200 left of \$0\.1000\)/);
    assert.strictEqual(checkWorstCase(null, 99).fits, true);
    assert.strictEqual(checkWorstCase(b, null).fits, false, 'an unpriced model cannot be checked against a limit');
  });

  it('reads amounts typed by a person, and says what is wrong with a bad one', () => {
    assert.strictEqual(parseUsd('$2.50', 'daily'), 2.5);
    assert.strictEqual(parseUsd('off', 'daily'), null);
    assert.throws(() => parseUsd('ten', 'daily'), /daily: "ten" is not an amount in dollars/);
    assert.throws(() => parseUsd('-1', 'monthly'), /monthly/);
  });
});

describe('budget in the routing service (real store, local Messages API)', () => {
  const api = useMessagesApi({ store: 'llmr-budget-' });

  const PROMPT = 'Write a SQL query that counts orders per customer.';

  it('with a tiny daily limit, requests downgrade, then are blocked; spend never passes the limit', async () => {
    const limit = 0.004;
    api.store().setBudget(settings(limit, null));
    const svc = api.service();
    const tiers: string[] = [];
    let blocked: RouteError | null = null;
    for (let i = 0; i < 30 && !blocked; i++) {
      try {
        const o = await svc.run({ prompt: PROMPT, source: 'cli', maxTokens: 100 }, api.client());
        tiers.push(o.record.tierId);
      } catch (e) {
        if (!(e instanceof RouteError)) throw e;
        blocked = e;
      }
    }
    assert.ok(blocked, `never blocked: ${tiers.join(',')}`);
    assert.strictEqual(blocked.kind, 'blocked');
    assert.match(blocked.message, /not sent/i);
    assert.strictEqual(tiers[0], 'sonnet');
    assert.ok(tiers.includes('haiku'), `never downgraded: ${tiers.join(',')}`);
    assert.deepStrictEqual(
      tiers,
      [...tiers].sort((a, b) => (a === b ? 0 : a === 'sonnet' ? -1 : 1)),
      'once down, it stays down',
    );
    const downgraded = api
      .store()
      .listDecisions({ status: 'ok', limit: 100 })
      .rows.find((r) => r.tierId === 'haiku')!;
    assert.ok(
      downgraded.reasons.some((r) => r.startsWith('budget')),
      downgraded.reasons.join(' | '),
    );
    const b = svc.budgetState()!;
    assert.ok(b.spentTodayUsd <= limit, `spent ${b.spentTodayUsd} > ${limit}`);
    assert.ok(['downgrading', 'warning', 'blocked'].includes(b.state));
    // the refused request is recorded as blocked, and never reached the API
    const rows = api.store().listDecisions({ limit: 100 }).rows;
    assert.strictEqual(rows.filter((r) => r.status === 'blocked').length, 1);
    assert.strictEqual(api.server.messageRequests().length, tiers.length);
  });

  it('cheapest-only: at 100 % requests still go, on the cheapest tier', async () => {
    api.store().setBudget(settings(0, null, 'cheapest'));
    const svc = api.service();
    const o = await svc.run({ prompt: PROMPT, source: 'cli', maxTokens: 100 }, api.client());
    assert.strictEqual(o.record.tierId, 'haiku');
    assert.ok(o.decision.reasons.some((r) => /cheapest/.test(r)));
  });

  it('a 529 fallback to a dearer tier is refused when its worst case would pass the limit', async () => {
    // Sonnet's worst case (100 out tokens at $15/M ≈ $0.0015) fits in $0.002; Opus's ($25/M ≈ $0.0025) does not.
    api.store().setBudget(settings(0.002, null));
    api.server.setScenario('529', { model: 'claude-sonnet-4-6' });
    api.server.setScenario('529', { model: 'claude-haiku-4-5' });
    const svc = api.service();
    const e = await (async () => {
      try {
        await svc.run({ prompt: PROMPT, source: 'chat', maxTokens: 100 }, api.client());
      } catch (x) {
        return x as RouteError;
      }
      assert.fail('expected a refusal');
    })();
    assert.ok(e instanceof RouteError);
    assert.strictEqual(e.kind, 'blocked');
    assert.match(
      e.message,
      /Sonnet is unavailable .* falling back to Opus was refused: its worst case .* would pass the daily limit.* Haiku was unavailable too\./,
    );
    const models = api.server.messageRequests().map((r) => r.body.model);
    assert.ok(!models.includes('claude-opus-4-6'), `Opus was called: ${models.join(',')}`);
    const rows = api.store().listDecisions({ limit: 10 }).rows;
    const opus = rows.find((r) => r.tierId === 'opus')!;
    assert.strictEqual(opus.status, 'blocked');
    assert.ok(opus.parentId, 'the refused fallback is linked to the failed call');
    assert.ok(svc.budgetState()!.spentTodayUsd <= 0.002);
  });

  it("two requests at once cannot together pass the limit: the second sees the first one's worst case in flight", async () => {
    // One Sonnet worst case (≈ $0.0015) fits in $0.0025; two do not, so the second goes to Haiku (≈ $0.0005).
    api.store().setBudget(settings(0.0025, null));
    api.server.setScenario({ kind: 'slow', delayMs: 5 });
    const svc = api.service();
    const [a, b] = await Promise.all([
      svc.run({ prompt: PROMPT, source: 'chat', maxTokens: 100 }, api.client()),
      svc.run({ prompt: PROMPT, source: 'chat', maxTokens: 100 }, api.client()),
    ]);
    assert.deepStrictEqual([a.record.tierId, b.record.tierId], ['sonnet', 'haiku']);
    assert.ok(
      b.decision.reasons.some((r) => r.startsWith('budget: on Sonnet')),
      b.decision.reasons.join(' | '),
    );
    assert.ok(svc.budgetState()!.spentTodayUsd <= 0.0025);
  });

  it('the same 529 with room in the budget falls back to Opus and the fallback is counted in spend', async () => {
    api.store().setBudget(settings(1, null));
    api.server.setScenario('529', { model: 'claude-sonnet-4-6' });
    const svc = api.service();
    const o = await svc.run({ prompt: PROMPT, source: 'chat', maxTokens: 100 }, api.client());
    assert.strictEqual(o.record.answeredModel, 'claude-opus-4-6');
    assert.ok(Math.abs(svc.budgetState()!.spentTodayUsd - o.totalCostUsd!) < 1e-9);
  });
});
