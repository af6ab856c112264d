// Fine-tuning the classifier on a user's own ratings, on a real database file: held-back ratings measured before and
// after, the model kept only when it did not do worse, the routing service using it, and the CLI doing all of it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  fineTune,
  hasFineTunedModel,
  lastFineTune,
  ratedRows,
  resetFineTune,
  splitRows,
  FINETUNED_STAMP_META,
} from '../../src/core/classifier/finetune';
import { defaultConfig } from '../../src/core/config';
import { createRouterService } from '../../src/core/service';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { runCli } from './fixtures/cli';
import { makeRecord } from './fixtures/store-records';

const ROOT = path.resolve(__dirname, '../..');
const cli = async (args: string[]) => {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
};

const config = defaultConfig();
const TOPICS = [
  'ledger',
  'invoice',
  'payroll',
  'audit trail',
  'refund',
  'chargeback',
  'receipt',
  'statement',
  'budget',
  'forecast',
  'expense',
  'tax form',
];
const VERBS = ['reconcile the', 'merge the', 'tidy the'];
/** Needs a stronger model than Haiku (the user says so), though the shipped model scores most of them for Haiku. */
const hard = (verb: string, topic: string) => `${verb} ${topic} with the quarterly zentrix export`;
const easy = (topic: string) => `what colour is a ${topic} icon`;

function addRated(
  store: DecisionStore,
  id: string,
  prompt: string,
  tier: number,
  thumb: 'up' | 'down',
  time: number,
): void {
  store.insertDecision(
    makeRecord(id, {
      time,
      tier,
      prompt,
      source: 'chat',
      strategy: 'learned',
      complexity: 'simple',
      category: 'factual',
    }),
  );
  store.addFeedback({ decisionId: id, thumb, autoQuality: null, signals: null, time });
}

/** 36 Haiku answers to "zentrix export" prompts rated bad, 12 Haiku answers to trivial questions rated good. */
function fillRatings(store: DecisionStore): void {
  let n = 0;
  const t0 = Date.now() - 3_600_000;
  for (const topic of TOPICS) {
    for (const verb of VERBS) addRated(store, `fb-${n++}`, hard(verb, topic), 0, 'down', t0 + n);
    addRated(store, `fb-${n++}`, easy(topic), 0, 'up', t0 + n);
  }
}

describe('fine-tuning the classifier on your feedback', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-finetune-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds back the same quarter of the ratings on every run, chosen by decision id', async () => {
    const store = await openStore({ path: path.join(dir, 'r.sqlite'), promptStorage: 'full', debounceMs: 0 });
    try {
      fillRatings(store);
      const rows = ratedRows(store, config).rows;
      assert.equal(rows.length, 48);
      const a = splitRows(rows);
      const b = splitRows([...rows].reverse());
      assert.deepEqual(
        a.heldBack.map((r) => r.row.id).sort(),
        b.heldBack.map((r) => r.row.id).sort(),
        'order does not matter',
      );
      assert.ok(a.heldBack.length >= 6 && a.heldBack.length <= 12, `about a quarter held back: ${a.heldBack.length}`);
      assert.equal(a.heldBack.length + a.train.length, 48);
      // With only 4 rows, one is still held back and three are trained on.
      const four = splitRows(rows.slice(0, 4));
      assert.equal(four.heldBack.length, 1);
      assert.equal(four.train.length, 3);
    } finally {
      await store.close();
    }
  });

  it('routes held-back prompts the way the ratings say after fine-tuning, keeps the model, and the service routes with it', async () => {
    const db = path.join(dir, 'r.sqlite');
    const store = await openStore({ path: db, promptStorage: 'full', debounceMs: 0 });
    try {
      fillRatings(store);
      const svc = createRouterService({ config, store });
      const probe = 'reconcile the bank balance with the quarterly zentrix export';
      assert.equal(svc.decide({ prompt: probe }).tierId, 'haiku', 'the shipped model sends it to Haiku');
      const { result, model } = fineTune(store, config, { now: 1_700_000_000_000 });
      assert.ok(model);
      assert.equal(result.usable, 48);
      assert.equal(result.trainRows + result.heldBack, 48);
      assert.ok(result.heldBack >= 6, `held back ${result.heldBack}`);
      assert.equal(result.before, 'shipped');
      // The shipped model sends some of the held-back "needs more than Haiku" prompts to Haiku; the fine-tuned one
      // routes every held-back rating consistently.
      assert.ok((result.rightBefore ?? 0) < result.heldBack, `before: ${result.rightBefore} of ${result.heldBack}`);
      assert.equal(result.accuracyAfter, 1);
      assert.equal(result.rightAfter, result.heldBack);
      assert.equal(result.kept, true);
      assert.match(
        result.message,
        /held-back answers routed consistently with their rating before .* after \(100 %\)\. Kept/,
      );
      // Stored, and the service (same store) routes with it at once: a new prompt of the kind rated bad goes up.
      assert.equal(hasFineTunedModel(store), true);
      assert.deepEqual(lastFineTune(store), result);
      assert.notEqual(svc.decide({ prompt: probe }).tierId, 'haiku', 'the fine-tuned model sends it above Haiku');
      assert.equal(
        svc.decide({ prompt: 'what colour is a folder icon' }).tierId,
        'haiku',
        'trivial questions stay on Haiku',
      );
      await store.flush();
      // Another process (the CLI, another window) opening the same file routes with it too.
      const other = await openStore({ path: db });
      try {
        assert.notEqual(createRouterService({ config, store: other }).decide({ prompt: probe }).tierId, 'haiku');
      } finally {
        await other.close();
      }

      // A worse model is not kept: rows from a file that say these prompts are fine on Haiku drown the feedback.
      const contrary = TOPICS.flatMap((t) =>
        VERBS.map((v, i) => ({
          kind: 'outcome' as const,
          id: `x-${t}-${i}`,
          prompt: hard(v, t),
          weak_score: 1,
          strong_score: 1,
          weak_cost: 0,
          strong_cost: 0,
        })),
      );
      const stamp = store.getMeta(FINETUNED_STAMP_META);
      const worse = fineTune(store, config, {
        extraRows: [...contrary, ...contrary, ...contrary],
        outcomeWeight: 1,
        epochs: 8,
        now: 1_700_000_100_000,
      });
      assert.equal(worse.result.before, 'fine-tuned', 'measured against the fine-tuned model in use');
      assert.equal(worse.result.accuracyBefore, 1);
      assert.ok(worse.result.accuracyAfter! < 1, `after ${worse.result.accuracyAfter}`);
      assert.equal(worse.result.kept, false);
      assert.match(worse.result.message, /Not kept: it did worse than the fine-tuned model in use, which stays in use/);
      assert.equal(store.getMeta(FINETUNED_STAMP_META), stamp, 'the model in use did not change');
      assert.notEqual(svc.decide({ prompt: probe }).tierId, 'haiku');
      assert.equal(lastFineTune(store)?.kept, false, 'the panel shows the last run, not kept');

      // Reset: back to the shipped model.
      assert.equal(resetFineTune(store, 1_700_000_200_000), true);
      assert.equal(hasFineTunedModel(store), false);
      assert.equal(svc.decide({ prompt: probe }).tierId, 'haiku');
      assert.equal(lastFineTune(store)?.removedAt, 1_700_000_200_000);
      assert.equal(resetFineTune(store), false, 'nothing left to remove');
    } finally {
      await store.close();
    }
  });

  it('with too little feedback it trains nothing and says so', async () => {
    const store = await openStore({ path: path.join(dir, 'r.sqlite'), promptStorage: 'full', debounceMs: 0 });
    try {
      const none = fineTune(store, config);
      assert.equal(none.result.trained, false);
      assert.match(none.result.message, /No usable rated answers yet: nothing was trained/);
      addRated(store, 'a', hard('merge the', 'ledger'), 0, 'down', Date.now());
      addRated(store, 'b', hard('tidy the', 'ledger'), 0, 'down', Date.now());
      addRated(store, 'c', hard('tidy the', 'refund'), 2, 'down', Date.now()); // top tier: says nothing about the score
      const few = fineTune(store, config);
      assert.equal(few.result.trained, false);
      assert.equal(few.model, null);
      assert.equal(few.result.usable, 2);
      assert.deepEqual(few.result.skipped, { 'answered by the top tier': 1 });
      assert.match(few.result.message, /Only 2 usable rated answers: fine-tuning needs at least 4/);
      assert.equal(hasFineTunedModel(store), false);
      assert.equal(lastFineTune(store), null, 'a run that trained nothing does not replace the last result');
    } finally {
      await store.close();
    }
  });

  const jsonlFile = (prompt: string) => {
    const f = path.join(dir, `in-${Date.now()}.jsonl`);
    fs.writeFileSync(f, `${JSON.stringify({ id: 'p', prompt })}\n`);
    return f;
  };

  it('llm-router train --from-db stores the model in the database, route uses it, --out writes a copy, --reset removes it', async () => {
    const db = path.join(dir, 'router.sqlite');
    const store = await openStore({ path: db, promptStorage: 'full', debounceMs: 0 });
    fillRatings(store);
    await store.close();
    const probe = 'reconcile the bank balance with the quarterly zentrix export';
    const routeTier = async () => {
      const r = await cli(['route', probe, '--dry-run', '--json', '--db', db]);
      assert.equal(r.code, 0, r.err);
      return (JSON.parse(r.out) as { tierId: string }).tierId;
    };
    assert.equal(await routeTier(), 'haiku', 'the shipped model routes it to Haiku');
    const tr = await cli(['train', '--from-db', '--db', db]);
    assert.equal(tr.code, 0, tr.err);
    assert.match(tr.out, /database: 48 rated answer\(s\), 48 usable/);
    const m = /fine-tuned from the shipped model on (\d+) rows; (\d+) rated answer\(s\) held back/.exec(tr.out);
    assert.ok(m, tr.out);
    assert.equal(Number(m[1]) + Number(m[2]), 48);
    const acc = /held-back accuracy: (\d+)% before \(shipped model\) → 100% after \((\d+) → (\d+) of (\d+)\)/.exec(
      tr.out,
    );
    assert.ok(acc, tr.out);
    assert.ok(Number(acc[1]) < 100, `before ${acc[1]}%`);
    assert.equal(acc[3], acc[4]);
    assert.match(tr.out, /kept: routing with the learned strategy uses it now/);
    assert.doesNotMatch(tr.out, /wrote /, 'no file without --out');
    assert.notEqual(
      await routeTier(),
      'haiku',
      'route (opening the database afresh) uses the fine-tuned model from the database',
    );
    // classify decides like the database's router with --db (nothing recorded), like the shipped model without it.
    const cj = await cli(['classify', '--json', '--db', db, probe]);
    assert.equal(cj.code, 0, cj.err);
    assert.notEqual((JSON.parse(cj.out) as { tier: string }).tier, 'haiku');
    assert.equal((JSON.parse((await cli(['classify', '--json', probe])).out) as { tier: string }).tier, 'haiku');
    const lines = await cli(['classify', '--jsonl', jsonlFile(probe), '--db', db]);
    assert.equal(lines.code, 0, lines.err);
    assert.notEqual((JSON.parse(lines.out.trim()) as { id: string; tier: string }).tier, 'haiku');
    const dryRuns = async () => {
      const s = await openStore({ path: db });
      try {
        return s.stats().decisions;
      } finally {
        await s.close();
      }
    };
    const n = await dryRuns();
    await cli(['classify', '--db', db, probe]);
    assert.equal(await dryRuns(), n, 'classify --db records nothing');

    const file = path.join(dir, 'tuned.json');
    const withOut = await cli(['train', '--from-db', '--db', db, '--out', file, '--json']);
    assert.equal(withOut.code, 0, withOut.err);
    const res = JSON.parse(withOut.out) as { before: string; kept: boolean; heldBack: number; accuracyAfter: number };
    assert.equal(res.before, 'fine-tuned');
    assert.equal(res.kept, true);
    assert.equal(res.accuracyAfter, 1);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).format, 'llm-router-logreg');

    const rs = await cli(['train', '--from-db', '--reset', '--db', db]);
    assert.equal(rs.code, 0, rs.err);
    assert.match(rs.out, /fine-tuned model removed: routing uses the shipped model/);
    assert.equal(await routeTier(), 'haiku');
    assert.match((await cli(['train', '--from-db', '--reset', '--db', db])).out, /no fine-tuned model in the database/);

    const empty = path.join(dir, 'empty.sqlite');
    const s2 = await openStore({ path: empty, promptStorage: 'full', debounceMs: 0 });
    await s2.close();
    const none = await cli(['train', '--from-db', '--db', empty]);
    assert.equal(none.code, 1);
    assert.match(none.err, /No usable rated answers yet: nothing was trained/);
    const noOut = await cli(['train', '--data', path.join(ROOT, 'src/core/classifier/data/labeled_own.jsonl')]);
    assert.equal(noOut.code, 1);
    assert.match(noOut.err, /--out FILE is needed/);
  });
});
