// What every request reads before its call (budget, spend today / this month, thresholds, adjustments) is kept in
// memory by the store: these tests hold the in-memory figures to what the database says after every kind of change,
// this process's own and another process's.
import * as assert from 'node:assert/strict';
import type { SqlValue } from 'sql.js';
import type { DecisionStore } from '../../src/core/store/api';
import { SqlJsStore } from '../../src/core/store/sqlite';
import { spendSince } from '../../src/core/store/stats';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';

/** spendSince computed from the database now, bypassing the in-memory figure. */
function fromDb(s: DecisionStore, ms: number): number {
  const all = (sql: string, params?: SqlValue[]) =>
    (s as unknown as { all(q: string, p?: SqlValue[]): SqlValue[][] }).all(sql, params);
  return spendSince({ all }, ms);
}

describe('decision store: figures kept in memory for the pre-call path', () => {
  const tmp = useTempStores('llmr-hot-');
  const openHere = tmp.open;

  it('spend since a time follows inserts, cost and time updates, upserts and a reset, as a running figure', async () => {
    const s = await openHere();
    assert.ok(s instanceof SqlJsStore);
    const now = new Date(2026, 5, 15, 15, 30).getTime();
    const at = (d: number, h: number) => new Date(2026, 5, d, h, 0).getTime();
    const today = at(15, 0);
    const month = at(1, 0);
    const mid = at(14, 22); // a partial day
    s.insertDecision(makeRecord('old', { time: at(1, 12), costUsd: 1 }));
    const check = (what: string) => {
      for (const t of [today, month, mid])
        assert.equal(s.spendSince(t), fromDb(s, t), `${what}: since ${new Date(t).toISOString()}`);
    };
    check('first read');
    s.insertDecision(makeRecord('p', { time: now, costUsd: null, usage: null, status: 'pending' }));
    check('pending insert');
    s.updateDecision('p', { status: 'ok', costUsd: 0.25 });
    check('cost set');
    assert.equal(s.spendSince(today), 0.25);
    s.updateDecision('p', { time: at(14, 23) }); // moved to yesterday, after `mid`
    check('time moved');
    assert.equal(s.spendSince(today), 0);
    assert.equal(s.spendSince(mid), 0.25);
    s.insertDecision(makeRecord('p', { time: now, costUsd: 2 })); // an upsert replaces the row
    check('upsert');
    assert.equal(s.spendSince(today), 2);
    s.updateDecision('nobody', { costUsd: 5 }); // no such row: nothing changes
    check('update of a missing row');
    s.updateDecision('p', { costUsd: null });
    check('cost cleared');
    s.reset();
    check('reset');
    assert.equal(s.spendSince(month), 0);
  });

  it("budget, thresholds and adjustments are read once and follow this process's changes", async () => {
    const s = await openHere();
    assert.deepEqual(s.getBudget(), { dailyLimitUsd: null, monthlyLimitUsd: null, onExhausted: 'block' });
    s.setBudget({ dailyLimitUsd: 2, monthlyLimitUsd: null, onExhausted: 'cheapest' });
    assert.deepEqual(s.getBudget(), { dailyLimitUsd: 2, monthlyLimitUsd: null, onExhausted: 'cheapest' });
    const b = s.getBudget();
    b.dailyLimitUsd = 99; // a caller's copy
    assert.equal(s.getBudget().dailyLimitUsd, 2);
    assert.equal(s.getMeta('thresholds'), null);
    s.setMeta('thresholds', '[0.3,0.6]');
    assert.equal(s.getMeta('thresholds'), '[0.3,0.6]');
    assert.deepEqual(s.listAdjustments(), []);
    const adj = {
      id: 'a1',
      complexity: 'simple',
      category: 'factual',
      kind: 'raise',
      tier: 1,
      reason: 'r',
      evidence: { samples: 5, meanQuality: 0.4, fromTier: 0 },
      createdAt: 1,
      revertedAt: null,
    } as const;
    s.addAdjustment(adj);
    assert.deepEqual(
      s.listAdjustments().map((a) => a.id),
      ['a1'],
    );
    s.revertAdjustment('a1', 2);
    assert.deepEqual(s.listAdjustments(), []);
    assert.equal(s.listAdjustments(true).length, 1);
  });

  it("another process's rows, budget and thresholds count once they are merged in (refresh or save)", async () => {
    const a = await openHere({ debounceMs: 10_000 });
    const b = await openHere({ debounceMs: 10_000 });
    const today = new Date().setHours(0, 0, 0, 0);
    a.insertDecision(makeRecord('a1', { costUsd: 1 }));
    await a.flush();
    await b.refresh();
    // b reads its figures now, then a spends and changes settings
    assert.equal(b.spendSince(today), 1);
    assert.equal(b.getBudget().dailyLimitUsd, null);
    assert.equal(b.getMeta('thresholds'), null);
    a.insertDecision(makeRecord('a2', { costUsd: 2 }));
    a.setBudget({ dailyLimitUsd: 10, monthlyLimitUsd: 100, onExhausted: 'block' });
    a.setMeta('thresholds', '[0.2,0.5]');
    await a.flush();
    assert.equal(await b.refresh(), true);
    assert.equal(b.spendSince(today), 3);
    assert.equal(b.getBudget().dailyLimitUsd, 10);
    assert.equal(b.getMeta('thresholds'), '[0.2,0.5]');
    // b's own pending change merges onto a's file at its save and still counts
    b.insertDecision(makeRecord('b1', { costUsd: 4 }));
    assert.equal(b.spendSince(today), 7);
    a.insertDecision(makeRecord('a3', { costUsd: 8 }));
    await a.flush();
    await b.flush();
    assert.equal(b.spendSince(today), 15);
    assert.equal(b.spendSince(today), fromDb(b, today));
  });

  it('retention folding keeps spend right (whole days where rows were folded away)', async () => {
    const s = await openHere({ retention: { maxRows: 2 } });
    const day = 86_400_000;
    const today = new Date().setHours(0, 0, 0, 0);
    const since = today - 3 * day + 3600_000; // inside a day that will be folded
    for (let i = 0; i < 5; i++)
      s.insertDecision(makeRecord(`r${i}`, { time: today - (4 - i) * day + 7200_000, costUsd: 1 }));
    const before = s.spendSince(since);
    assert.equal(before, fromDb(s, since));
    await s.flush(); // folds r0..r2
    assert.equal(s.listDecisions().total, 2);
    assert.equal(s.spendSince(since), fromDb(s, since));
    s.insertDecision(makeRecord('new', { costUsd: 0.5 }));
    assert.equal(s.spendSince(since), fromDb(s, since));
  });
});
