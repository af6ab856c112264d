// High-stakes detection measured through the real classifier on the committed sets (test/fixtures/high-stakes).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createClassifier } from '../../src/core/classifier/index';

interface Row {
  prompt: string;
  domain: string | null;
}
const read = (f: string): Row[] =>
  fs
    .readFileSync(path.join(__dirname, '../fixtures/high-stakes', f), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
const negative = read('negative.jsonl');
const positive = read('positive.jsonl');

for (const s of ['rules', 'learned'] as const) {
  describe(`high-stakes detection (${s})`, () => {
    const c = createClassifier(s);

    it('has precision and recall at or above the measured level on the committed sets', () => {
      const fp = negative.filter((r) => c.classify(r.prompt).highStakes).map((r) => r.prompt);
      const tp = positive.filter((r) => c.classify(r.prompt).highStakes).length;
      const precision = tp / (tp + fp.length);
      const recall = tp / positive.length;
      assert.ok(precision >= 0.95, `precision ${precision.toFixed(3)}; false alarms: ${fp.join(' | ')}`);
      assert.ok(recall >= 0.95, `recall ${recall.toFixed(3)}`);
    });

    it('names the right domain for most flagged prompts', () => {
      const flagged = positive.map((r) => ({ r, k: c.classify(r.prompt) })).filter((x) => x.k.highStakes);
      const right = flagged.filter((x) => x.k.highStakesDomain === x.r.domain).length;
      assert.ok(right / flagged.length >= 0.93, `${right}/${flagged.length}`);
    });

    it('does not flag everyday and developer uses of trigger words', () => {
      for (const p of [
        'What will the weather be like tomorrow?',
        'How big is a regulation basketball court?',
        'Write a SQL query that lists products whose stock is below the reorder level.',
        'Explain dependency injection in Angular with an example.',
        'What are the legal moves for a knight in chess?',
      ]) {
        assert.equal(c.classify(p).highStakes, false, p);
      }
    });

    it('flags what a user would want sent to the careful tier, with its domain', () => {
      const will = c.classify('I need to write my will');
      assert.equal(will.highStakes, true);
      assert.equal(will.highStakesDomain, 'legal');
      assert.equal(c.classify('Can my landlord evict me?').highStakesDomain, 'legal');
      assert.equal(c.classify('What dosage of ibuprofen is safe for a child?').highStakesDomain, 'medical');
      assert.equal(c.classify('We found a CVE in our production auth service').highStakesDomain, 'security');
      assert.equal(c.classify('HIPAA requirements for storing patient records').highStakesDomain, 'compliance');
      assert.equal(c.classify('Should I put my savings in an index fund?').highStakesDomain, 'financial');
    });

    it("keeps the user's own terms (domain custom)", () => {
      const custom = createClassifier(s, { highStakesTerms: ['Project Falcon'] });
      assert.equal(custom.classify('Summarise the status of project falcon').highStakesDomain, 'custom');
      assert.equal(c.classify('Summarise the status of project falcon').highStakes, false);
    });
  });
}
