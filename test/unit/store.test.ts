// The decision store through its public API, on real files in the temp folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';

describe('decision store', () => {
  const tmp = useTempStores('llmr-store-', path.join('nested', 'router.sqlite'));
  const openHere = tmp.open;

  it('creates the file (and its folder) and keeps every field of a decision across a reopen', async () => {
    const s = await openHere();
    assert.ok(fs.existsSync(tmp.file));
    const rec = makeRecord('a1', {
      tier: 1,
      override: 'sonnet',
      adjustments: ['adj-1'],
      highStakes: true,
      blocked: false,
      source: 'chat',
      usage: { inputTokens: 11, outputTokens: 22, cacheWriteTokens: 33, cacheReadTokens: 44 },
      parentId: 'p0',
      status: 'error',
      error: 'overloaded',
      reasons: ['contains code', 'code prompts never go below Sonnet'],
    });
    s.insertDecision(rec);
    await s.close();
    const again = await openHere();
    assert.deepEqual(again.getDecision('a1'), rec);
  });

  it('keeps only a preview of the prompt by default, none or all when asked', async () => {
    const long = 'Explain the difference between processes and threads. '.repeat(10);
    const s = await openHere({ previewChars: 20 });
    s.insertDecision(makeRecord('p', { prompt: long }));
    const kept = s.getDecision('p')!.prompt!;
    assert.equal(kept, `${long.slice(0, 20)}…`);
    await s.close();
    const none = await openHere({ promptStorage: 'none' });
    none.insertDecision(makeRecord('n', { prompt: long }));
    none.updateDecision('n', { prompt: long });
    assert.equal(none.getDecision('n')!.prompt, null);
    const full = tmp.closeAfter(await openStore({ path: path.join(tmp.dir, 'full.sqlite'), promptStorage: 'full' }));
    full.insertDecision(makeRecord('f', { prompt: long }));
    assert.equal(full.getDecision('f')!.prompt, long);
  });

  it('updates a decision when its call finishes, and rejects bad input with a clear message', async () => {
    const s = await openHere();
    s.insertDecision(
      makeRecord('u', { status: 'pending', usage: null, costUsd: null, baselineCostUsd: null, answeredModel: null }),
    );
    assert.equal(s.stats().requests, 0);
    s.updateDecision('u', {
      status: 'ok',
      usage: { inputTokens: 1000, outputTokens: 100, cacheWriteTokens: 0, cacheReadTokens: 0 },
      costUsd: 0.0015,
      baselineCostUsd: 0.0075,
      answeredModel: 'claude-haiku-4-5',
      latencyMs: 900,
    });
    const d = s.getDecision('u')!;
    assert.equal(d.status, 'ok');
    assert.equal(d.usage!.inputTokens, 1000);
    assert.equal(s.stats().requests, 1);
    assert.equal(s.stats().spendUsd, 0.0015);
    assert.throws(() => s.updateDecision('u', { status: 'done' as never }), /unknown status "done"/);
    assert.throws(() => s.insertDecision(makeRecord('', {})), /non-empty string id/);
    assert.throws(() => s.insertDecision(makeRecord('t', { tier: -1 })), /tier/);
    assert.throws(
      () => s.addFeedback({ decisionId: 'missing', thumb: 'up', autoQuality: null, signals: null }),
      /no decision with id missing/,
    );
    assert.throws(
      () => s.addFeedback({ decisionId: 'u', thumb: 'meh' as never, autoQuality: null, signals: null }),
      /thumb must be/,
    );
    assert.throws(() => s.addFeedback({ decisionId: 'u', thumb: null, autoQuality: 3, signals: null }), /autoQuality/);
    assert.throws(
      () => s.setBudget({ dailyLimitUsd: -1, monthlyLimitUsd: null, onExhausted: 'block' }),
      /dailyLimitUsd/,
    );
    assert.equal(s.listDecisions().total, 1, 'nothing was half-written by the rejected calls');
  });

  it('lists decisions newest first with paging and filters', async () => {
    const s = await openHere();
    const t0 = Date.UTC(2026, 10, 1, 12);
    for (let i = 0; i < 25; i++) {
      s.insertDecision(
        makeRecord(`d${String(i).padStart(2, '0')}`, {
          time: t0 + i * 60_000,
          tier: i % 3,
          source: i % 2 ? 'chat' : 'cli',
          status: i === 7 ? 'error' : 'ok',
        }),
      );
    }
    const page1 = s.listDecisions({ limit: 10 });
    assert.equal(page1.total, 25);
    assert.deepEqual(
      page1.rows.map((r) => r.id),
      ['d24', 'd23', 'd22', 'd21', 'd20', 'd19', 'd18', 'd17', 'd16', 'd15'],
    );
    const page3 = s.listDecisions({ limit: 10, offset: 20 });
    assert.deepEqual(
      page3.rows.map((r) => r.id),
      ['d04', 'd03', 'd02', 'd01', 'd00'],
    );
    assert.equal(s.listDecisions({ tier: 2 }).total, 8);
    assert.equal(s.listDecisions({ source: 'chat', tier: 1 }).total, 4);
    assert.deepEqual(
      s.listDecisions({ status: 'error' }).rows.map((r) => r.id),
      ['d07'],
    );
    assert.equal(s.listDecisions({ since: t0 + 10 * 60_000, until: t0 + 20 * 60_000 }).total, 10);
    assert.equal(s.listDecisions({ model: 'opus' }).total, 8);
  });

  it('statistics: tiers, spend, baseline, savings; an unpriced model is counted, never summed as $0', async () => {
    const s = await openHere();
    const now = Date.now();
    s.insertDecision(makeRecord('h', { tier: 0, time: now }));
    s.insertDecision(makeRecord('s', { tier: 1, time: now }));
    s.insertDecision(makeRecord('o', { tier: 2, time: now }));
    s.insertDecision(
      makeRecord('x', {
        tier: 1,
        time: now,
        model: 'mystery-model',
        answeredModel: 'mystery-model',
        costUsd: null,
        baselineCostUsd: 0.0095,
      }),
    );
    s.insertDecision(
      makeRecord('dry', {
        tier: 0,
        time: now,
        status: 'dry-run',
        usage: null,
        costUsd: null,
        baselineCostUsd: null,
        answeredModel: null,
      }),
    );
    const st = s.stats({ now });
    const cost = (i: number, o: number) => (400 * i + 300 * o) / 1e6;
    assert.equal(st.decisions, 5);
    assert.equal(st.requests, 4);
    assert.deepEqual(st.byTier, { 0: 2, 1: 2, 2: 1 });
    assert.equal(st.unpriced, 1);
    const spend = cost(1, 5) + cost(3, 15) + cost(5, 25);
    assert.ok(Math.abs(st.spendUsd - spend) < 1e-9, `${st.spendUsd} vs ${spend}`);
    // the unpriced request's baseline is left out too, or the savings would be inflated
    assert.ok(Math.abs(st.baselineUsd - 3 * cost(5, 25)) < 1e-9);
    assert.ok(Math.abs(st.savedUsd - (3 * cost(5, 25) - spend)) < 1e-9);
    assert.ok(st.savedPct > 0 && st.savedPct < 1);
    assert.ok(Math.abs(st.avgCostUsd - spend / 3) < 1e-9);
    assert.equal(st.spentTodayUsd, st.spendUsd);
    assert.ok(st.byModel.some((m) => m.key === 'mystery-model' && m.spendUsd === 0 && m.requests === 1));
    assert.deepEqual(
      st.byDay.map((d) => d.tier),
      [0, 1, 2],
    );
  });

  it('statistics over a period; today and this month in local time; spendSince', async () => {
    const s = await openHere();
    const now = new Date(2026, 5, 15, 15, 30).getTime(); // 15 June, 15:30 local
    const at = (d: number, h: number) => new Date(2026, 5, d, h, 0).getTime();
    s.insertDecision(
      makeRecord('may', { time: new Date(2026, 4, 31, 23, 0).getTime(), costUsd: 1, baselineCostUsd: 2 }),
    );
    s.insertDecision(makeRecord('jun1', { time: at(1, 0), costUsd: 2, baselineCostUsd: 4 }));
    s.insertDecision(makeRecord('jun14', { time: at(14, 23), costUsd: 4, baselineCostUsd: 8 }));
    s.insertDecision(makeRecord('jun15a', { time: at(15, 0), costUsd: 8, baselineCostUsd: 16 }));
    s.insertDecision(makeRecord('jun15b', { time: at(15, 12), costUsd: 16, baselineCostUsd: 32 }));
    const st = s.stats({ now });
    assert.equal(st.spendUsd, 31);
    assert.equal(st.spentTodayUsd, 24);
    assert.equal(st.spentMonthUsd, 30);
    assert.equal(s.spendSince(at(14, 22)), 28);
    assert.equal(s.spendSince(at(15, 6)), 16);
    // periods cut inside days use the detailed rows
    assert.equal(s.stats({ since: at(14, 12), now }).spendUsd, 28);
    assert.equal(s.stats({ since: at(1, 0), until: at(15, 6), now }).spendUsd, 14);
    assert.equal(s.stats({ since: at(15, 1), until: at(15, 13), now }).decisions, 1);
    assert.deepEqual(
      s.stats({ since: at(14, 0), now }).byDay.map((d) => d.day),
      ['2026-06-14', '2026-06-15'],
    );
  });

  it('feedback: the latest thumb counts, quality by tier, quality samples for retraining', async () => {
    const s = await openHere();
    for (const [id, tier] of [
      ['a', 0],
      ['b', 0],
      ['c', 1],
      ['d', 2],
    ] as const)
      s.insertDecision(makeRecord(id, { tier }));
    s.addFeedback({ decisionId: 'a', thumb: 'down', autoQuality: null, signals: null });
    s.addFeedback({ decisionId: 'a', thumb: 'up', autoQuality: null, signals: null }); // changed their mind
    s.addFeedback({ decisionId: 'b', thumb: 'down', autoQuality: 0.4, signals: { hedging: 0.6 } });
    s.addFeedback({ decisionId: 'c', thumb: null, autoQuality: 0.9, signals: { refusal: 0 } });
    const st = s.stats();
    assert.deepEqual(st.feedback, { up: 1, down: 1 });
    const q0 = st.qualityByTier.find((q) => q.tier === 0)!;
    assert.equal(q0.upRate, 0.5);
    assert.equal(q0.autoQuality, 0.4);
    assert.equal(q0.autoCount, 1);
    const q1 = st.qualityByTier.find((q) => q.tier === 1)!;
    assert.equal(q1.upRate, null);
    assert.equal(q1.autoQuality, 0.9);
    assert.equal(s.feedbackFor('a').length, 2);
    assert.deepEqual(s.feedbackFor('b')[0].signals, { hedging: 0.6 });
    const samples = Object.fromEntries(s.qualitySamples().map((x) => [x.decisionId, x]));
    assert.deepEqual(Object.keys(samples).sort(), ['a', 'b', 'c']);
    assert.equal(samples.a.quality, 1);
    assert.equal(samples.c.quality, 0.9);
    assert.ok(samples.b.quality < 0.4 && samples.b.quality >= 0, 'a thumbs-down outweighs a middling automatic score');
  });

  it('budget, adjustments (revertible), meta and reset survive a reopen', async () => {
    const s = await openHere();
    assert.deepEqual(s.getBudget(), { dailyLimitUsd: null, monthlyLimitUsd: null, onExhausted: 'block' });
    s.setBudget({ dailyLimitUsd: 2, monthlyLimitUsd: 40, onExhausted: 'block' });
    const adj = {
      id: 'adj1',
      complexity: 'medium',
      category: 'code',
      kind: 'raise',
      tier: 2,
      reason: '5 of 6 rated bad',
      evidence: { samples: 6, meanQuality: 0.2, fromTier: 1 },
      createdAt: 1000,
      revertedAt: null,
    } as const;
    s.addAdjustment(adj);
    s.addAdjustment({ ...adj, id: 'adj2', createdAt: 2000 });
    assert.equal(s.revertAdjustment('adj1', 5000), true);
    assert.equal(s.revertAdjustment('adj1', 6000), false, 'already reverted');
    assert.equal(s.revertAdjustment('nope'), false);
    s.setMeta('lastRetrain', '12345');
    s.insertDecision(makeRecord('r'));
    await s.close();
    const t = await openHere();
    assert.deepEqual(t.getBudget(), { dailyLimitUsd: 2, monthlyLimitUsd: 40, onExhausted: 'block' });
    assert.deepEqual(
      t.listAdjustments().map((a) => a.id),
      ['adj2'],
    );
    assert.deepEqual(
      t.listAdjustments(true).find((a) => a.id === 'adj1'),
      { ...adj, revertedAt: 5000 },
    );
    assert.equal(t.getMeta('lastRetrain'), '12345');
    assert.equal(t.getMeta('missing'), null);
    let changes = 0;
    t.onDidChange(() => changes++);
    t.reset();
    await t.flush();
    assert.ok(changes >= 1);
    assert.equal(t.listDecisions().total, 0);
    assert.equal(t.stats().decisions, 0);
    assert.equal(t.listAdjustments(true).length, 0);
    assert.deepEqual(
      t.getBudget(),
      { dailyLimitUsd: 2, monthlyLimitUsd: 40, onExhausted: 'block' },
      'settings are not statistics',
    );
  });

  it('batches writes: many inserts in a burst become one save, flushed on demand', async () => {
    const s = await openHere({ debounceMs: 60_000 });
    const before = fs.statSync(tmp.file).mtimeMs;
    for (let i = 0; i < 500; i++) s.insertDecision(makeRecord(`b${i}`));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fs.statSync(tmp.file).mtimeMs, before, 'not written yet: the debounce has not elapsed');
    await s.flush();
    const other = tmp.closeAfter(await openStore({ path: tmp.file }));
    assert.equal(other.listDecisions().total, 500);
  });

  it("another process's rows appear after refresh(), with a change event", async () => {
    const a = await openHere();
    const b = await openHere();
    let changed = 0;
    a.onDidChange(() => changed++);
    b.insertDecision(makeRecord('from-b'));
    await b.flush();
    assert.equal(a.getDecision('from-b'), undefined);
    assert.equal(await a.refresh(), true);
    await new Promise((r) => setImmediate(r));
    assert.ok(a.getDecision('from-b'));
    assert.ok(changed >= 1);
    assert.equal(await a.refresh(), false, 'nothing new');
    // a's own unsaved row survives a refresh and both end up in the file
    a.insertDecision(makeRecord('from-a'));
    b.insertDecision(makeRecord('from-b2'));
    await b.flush();
    await a.refresh();
    assert.ok(a.getDecision('from-a') && a.getDecision('from-b2'));
    await a.flush();
    await b.refresh();
    assert.equal(b.listDecisions().total, 3);
    assert.equal(b.stats().decisions, 3);
  });
});
