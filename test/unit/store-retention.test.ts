// Retention: old detailed rows are folded into daily aggregates; statistics over the history do not change.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { makeRecord } from './fixtures/store-records';

describe('decision store retention', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-retention-'));
    file = path.join(dir, 'router.sqlite');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** 1,200 decisions over 60 days (mixed tiers, an unpriced model, dry runs, feedback). */
  async function fill(now: number): Promise<void> {
    const s = await openStore({ path: file, promptStorage: 'full' });
    for (let i = 0; i < 1200; i++) {
      const time = now - Math.floor((i / 1200) * 60 * 86_400_000) - 1000;
      const tier = i % 3;
      const rec =
        i % 50 === 7
          ? makeRecord(`r${i}`, { time, tier, model: 'mystery', answeredModel: 'mystery', costUsd: null })
          : i % 9 === 0
            ? makeRecord(`r${i}`, {
                time,
                tier,
                status: 'dry-run',
                usage: null,
                costUsd: null,
                baselineCostUsd: null,
                answeredModel: null,
              })
            : makeRecord(`r${i}`, {
                time,
                tier,
                costUsd: 0.001 * (1 + (i % 7)),
                prompt: `prompt ${i} ${'text '.repeat(60)}`,
              });
      s.insertDecision(rec);
      if (i % 5 === 0)
        s.addFeedback({
          decisionId: rec.id,
          thumb: i % 10 === 0 ? 'up' : 'down',
          autoQuality: (i % 11) / 10,
          signals: { n: i },
        });
    }
    await s.close();
  }

  it('folds rows beyond maxRows; whole-history statistics are identical and the file is smaller', async () => {
    const now = Date.now();
    await fill(now);
    const before = await openStore({ path: file });
    const statsBefore = before.stats({ now });
    const dayBoundary = new Date(now - 30 * 86_400_000).setHours(0, 0, 0, 0);
    const periodBefore = before.stats({ since: dayBoundary, now });
    const sizeBefore = fs.statSync(file).size;
    const midday = dayBoundary + 13 * 3_600_000;
    const inDetail = before.stats({ since: midday, now });
    await before.close();

    const after = await openStore({ path: file, retention: { maxRows: 200 } });
    assert.equal(after.listDecisions().total, 200);
    assert.deepEqual(after.stats({ now }), statsBefore);
    assert.deepEqual(
      after.stats({ since: dayBoundary, now }),
      periodBefore,
      'a period starting at midnight is exact too',
    );
    // a period starting mid-day in folded history takes in that whole day (only days are known there)
    const folded = after.stats({ since: midday, now });
    assert.deepEqual(folded, periodBefore);
    assert.ok(inDetail.decisions < folded.decisions);
    // the newest rows are the ones kept, with their feedback
    const kept = after.listDecisions({ limit: 1000 }).rows;
    assert.equal(kept[0].id, 'r0');
    assert.ok(after.feedbackFor('r0').length === 1);
    assert.ok(after.qualitySamples().every((q) => kept.some((k) => k.id === q.decisionId)));
    await after.close();
    assert.ok(fs.statSync(file).size < sizeBefore / 2, `${fs.statSync(file).size} vs ${sizeBefore}`);

    // new rows after folding still add up
    const more = await openStore({ path: file, retention: { maxRows: 200 } });
    more.insertDecision(makeRecord('new', { time: now, costUsd: 1, baselineCostUsd: 3 }));
    const st = more.stats({ now });
    assert.equal(st.decisions, statsBefore.decisions + 1);
    assert.ok(Math.abs(st.spendUsd - (statsBefore.spendUsd + 1)) < 1e-9);
    await more.close();
  });

  it('folds rows older than maxDays', async () => {
    const now = Date.now();
    await fill(now);
    const before = await openStore({ path: file });
    const all = before.stats({ now });
    const recent = before.listDecisions({ since: now - 10 * 86_400_000 }).total;
    await before.close();
    const after = await openStore({ path: file, retention: { maxDays: 10 } });
    const total = after.listDecisions().total;
    assert.ok(total <= recent && total >= recent - 25, `${total} rows kept, ${recent} in the last 10 days`);
    assert.deepEqual(after.stats({ now }), all);
    await after.close();
  });

  it('keeps exactly maxRows rows even when many share one timestamp (a bulk import)', async () => {
    const now = Date.now();
    const s = await openStore({ path: file });
    for (let i = 0; i < 500; i++) s.insertDecision(makeRecord(`same${i}`, { time: now - 5000, tier: i % 3 }));
    const before = s.stats({ now });
    await s.close();
    const after = await openStore({ path: file, retention: { maxRows: 100 } });
    assert.equal(after.listDecisions().total, 100);
    assert.ok(after.getDecision('same499'), 'the last inserted rows are kept');
    assert.equal(after.getDecision('same0'), undefined);
    assert.deepEqual(after.stats({ now }), before);
    await after.close();
  });
});
