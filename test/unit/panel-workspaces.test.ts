// The cost panel's "Spend by workspace" over all time: the rows older than a cut come from a split read at most once
// a minute, the newer ones on every refresh, and the sum is what the store's own split says, at every step.
import assert from 'node:assert/strict';
import { workspaceSplit } from '../../src/panel/features';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';

const H = 3_600_000;
const A = { workspaceName: 'api-server', workspaceId: 'a'.repeat(16) };
const B = { workspaceName: 'docs-site', workspaceId: 'b'.repeat(16) };
/** Rows with their money rounded to a billionth of a cent (sums taken in another order differ in the last bits). */
const r9 = (rows: readonly object[]) =>
  rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? +v.toFixed(11) : v])),
  );

describe('cost panel: spend by workspace over all time', () => {
  const t = useTempStores('llmr-panel-ws-');

  it('new and changed decisions show at once; the older split is read again after a minute or when rows go', async () => {
    const store = await t.open();
    const now = Date.now();
    for (let i = 0; i < 6; i++)
      store.insertDecision(makeRecord(`old-${i}`, { ...(i % 2 ? A : B), time: now - 48 * H }));
    store.insertDecision(makeRecord('none', { time: now - 30 * H }));
    const full = () => store.breakdown({ by: 'workspace' });
    assert.deepEqual(r9(workspaceSplit(store, undefined, now)), r9(full()));
    // a new decision, and one that gets its cost a moment later: both in the next refresh, exactly
    store.insertDecision(makeRecord('new-1', { ...A, time: now + 1000 }));
    store.insertDecision(makeRecord('new-2', { ...B, time: now + 2000, costUsd: null, status: 'pending' }));
    assert.deepEqual(r9(workspaceSplit(store, undefined, now + 3000)), r9(full()));
    store.updateDecision('new-2', { costUsd: 0.5, status: 'ok' });
    const after = workspaceSplit(store, undefined, now + 4000);
    assert.deepEqual(r9(after), r9(full()));
    assert.equal(after[0].name, 'docs-site', 'the dearest workspace first');
    // an old row changed behind the split's back: the card has it within a minute, not before
    store.updateDecision('old-1', { costUsd: 2 });
    assert.notDeepEqual(r9(workspaceSplit(store, undefined, now + 5000)), r9(full()));
    assert.deepEqual(r9(workspaceSplit(store, undefined, now + 61_000)), r9(full()));
    // rows removed (here: reset): read again at once
    store.reset();
    assert.deepEqual(workspaceSplit(store, undefined, now + 62_000), []);
  });

  it('a period other than all time is the store split of its days', async () => {
    const store = await t.open();
    const now = Date.now();
    store.insertDecision(makeRecord('x', { ...A, time: now - 2 * H }));
    store.insertDecision(makeRecord('y', { ...B, time: now - 50 * H }));
    assert.deepEqual(
      workspaceSplit(store, now - 24 * H, now),
      store.breakdown({ by: 'workspace', since: now - 24 * H }),
    );
    assert.equal(workspaceSplit(store, now - 24 * H, now).length, 1);
  });
});
