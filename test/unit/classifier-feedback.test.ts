import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { feedbackRows } from '../../src/core/classifier/feedback';
import { openStore } from '../../src/core/store';
import type { QualitySample } from '../../src/core/store/api';
import type { DecisionRecord } from '../../src/core/types';

import { runCli } from './fixtures/cli';

const cli = (args: string[], stdin?: string) => runCli(args, { stdin });

const sample = (id: string, tier: number, quality: number): QualitySample => ({
  decisionId: id,
  time: 0,
  tier,
  complexity: 'simple',
  category: 'factual',
  thumb: quality > 0.5 ? 'up' : 'down',
  autoQuality: null,
  quality,
});

describe('training from rated answers', function () {
  this.timeout(60_000);

  it('turns bad cheap answers into "needs a stronger model" and good Haiku answers into "enough", skipping what says nothing', async () => {
    const prompts: Record<string, string | null> = {
      a: 'prompt a',
      b: 'prompt b',
      c: 'prompt c',
      d: null,
      e: 'prompt e',
    };
    const r = feedbackRows(
      [
        sample('a', 0, 0),
        sample('b', 1, 0.2),
        sample('c', 0, 1),
        sample('d', 0, 0),
        sample('e', 2, 0),
        sample('a', 1, 0.55),
      ],
      (id) => prompts[id],
      2,
    );
    assert.deepEqual(
      r.rows.map((x) => [x.id, x.weak_score, x.strong_score]),
      [
        ['a', 0, 1],
        ['b', 0, 1],
        ['c', 1, 1],
      ],
    );
    assert.deepEqual(r.skipped, {
      'prompt not stored in full': 1,
      'answered by the top tier': 1,
      'quality neither clearly good nor bad': 1,
    });
  });

  it('train --from-db fine-tunes the shipped model on thumbs-down answers so similar prompts score higher', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-router-h1-fb-'));
    try {
      const db = path.join(dir, 'router.sqlite');
      const store = await openStore({ path: db, promptStorage: 'full', debounceMs: 0 });
      const topics = ['ledger', 'invoice', 'payroll', 'audit trail', 'refund', 'chargeback', 'receipt', 'statement'];
      let n = 0;
      const add = (prompt: string, tier: number, thumb: 'up' | 'down') => {
        const id = `d${n++}`;
        const rec: DecisionRecord = {
          id,
          time: Date.now() - 1000 + n,
          tier,
          tierId: ['haiku', 'sonnet', 'opus'][tier],
          model: ['claude-haiku-4-5', 'claude-sonnet-4-6', 'claude-opus-4-6'][tier],
          score: 0.2,
          complexity: 'simple',
          category: 'factual',
          confidence: 0.9,
          reasons: ['test'],
          estInputTokens: 20,
          estCostUsd: 0.001,
          baselineEstCostUsd: 0.005,
          override: null,
          adjustments: [],
          highStakes: false,
          blocked: false,
          strategy: 'learned',
          source: 'cli',
          prompt,
          answeredModel: null,
          usage: null,
          costUsd: null,
          baselineCostUsd: null,
          latencyMs: 100,
          ttftMs: 50,
          status: 'ok',
          error: null,
          parentId: null,
        };
        store.insertDecision(rec);
        store.addFeedback({ decisionId: id, thumb, autoQuality: null, signals: null });
      };
      for (const t of topics) {
        for (let k = 0; k < 3; k++) add(`reconcile the ${t} with the quarterly zentrix export`, 0, 'down');
        add(`what colour is a ${t} icon`, 0, 'up');
      }
      await store.close();
      const model = path.join(dir, 'tuned.json');
      const r = await cli(['train', '--from-db', '--db', db, '--out', model]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /database: 32 rated answer\(s\), 32 usable/);
      assert.match(r.stdout, /fine-tuned from the shipped model on 24 rows; 8 rated answer\(s\) held back/);
      const probe = `${JSON.stringify({ id: 'p', prompt: 'reconcile the bank balance with the quarterly zentrix export' })}\n`;
      const tuned = JSON.parse((await cli(['classify', '--jsonl', '-', '--model', model], probe)).stdout);
      const shipped = JSON.parse((await cli(['classify', '--jsonl', '-', '--strategy', 'learned'], probe)).stdout);
      assert.ok(tuned.score > shipped.score + 0.05, `tuned ${tuned.score} vs shipped ${shipped.score}`);
      const none = await cli(['train', '--from-db', '--db', path.join(dir, 'missing.sqlite'), '--out', model]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no database at .*missing\.sqlite/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
