// The CLI's stats, feedback and export commands on a real database file, run as a user would.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { runCli } from './fixtures/cli';
import { makeRecord } from './fixtures/store-records';

const cli = async (...args: string[]) => {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
};

/** Minimal RFC 4180 parser, enough to read back what export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        f += '"';
        i++;
      } else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(f);
      f = '';
    } else if (c === '\n') {
      row.push(f);
      rows.push(row);
      row = [];
      f = '';
    } else f += c;
  }
  if (f || row.length) {
    row.push(f);
    rows.push(row);
  }
  return rows;
}

describe('CLI stats, feedback, export', function () {
  this.timeout(60_000);
  let dir: string;
  let db: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-cli-'));
    db = path.join(dir, 'router.sqlite');
    const s = await openStore({ path: db, promptStorage: 'full' });
    s.insertDecision(makeRecord('id-haiku', { tier: 0, prompt: 'He said "hi", then left\nsecond line' }));
    s.insertDecision(makeRecord('id-sonnet', { tier: 1, prompt: '=SUM(A1:A9)' }));
    s.insertDecision(makeRecord('id-opus', { tier: 2 }));
    s.insertDecision(makeRecord('id-old', { tier: 1, time: Date.now() - 40 * 86_400_000 }));
    await s.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('feedback records a thumb; an unknown id is a clear error with exit code 1', async () => {
    const ok = await cli('feedback', 'id-sonnet', 'down', '--db', db);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /thumbs down for id-sonnet/);
    const bad = await cli('feedback', 'no-such-id', 'up', '--db', db);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /no decision with id "no-such-id"/);
    const badRating = await cli('feedback', 'id-sonnet', 'sideways', '--db', db);
    assert.equal(badRating.code, 1);
    assert.match(badRating.err, /sideways/);
  });

  it('stats --json has the counts by tier, spend, baseline, savings and feedback', async () => {
    const r = await cli('stats', '--json', '--db', db);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.decisions, 4);
    assert.deepEqual(j.byTier, { 0: 1, 1: 2, 2: 1 });
    assert.deepEqual(j.feedback, { up: 0, down: 1 });
    const cost = (i: number, o: number) => (400 * i + 300 * o) / 1e6;
    assert.ok(Math.abs(j.spendUsd - (cost(1, 5) + 2 * cost(3, 15) + cost(5, 25))) < 1e-9);
    assert.ok(Math.abs(j.baselineUsd - 4 * cost(5, 25)) < 1e-9);
    assert.ok(Math.abs(j.savedUsd - (j.baselineUsd - j.spendUsd)) < 1e-9);
    const week = JSON.parse((await cli('stats', '--json', '--since', '7d', '--db', db)).out);
    assert.equal(week.decisions, 3, 'the 40-day-old decision is outside the last 7 days');
    const bad = await cli('stats', '--since', 'yesterdayish', '--db', db);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--since/);
  });

  it('stats prints a readable table', async () => {
    const r = await cli('stats', '--db', db);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Haiku\s+1\s+25%/);
    assert.match(r.out, /Sonnet\s+2\s+50%/);
    assert.match(r.out, /Saved\s+\$\S+ \(\d+%\)/);
  });

  it('export writes escaped CSV and JSON with feedback', async () => {
    const r = await cli('export', '--format', 'csv', '--db', db);
    assert.equal(r.code, 0, r.err);
    const rows = parseCsv(r.out);
    const head = rows[0];
    assert.equal(rows.length, 5);
    const get = (id: string, col: string) => rows.find((x) => x[0] === id)![head.indexOf(col)];
    assert.equal(get('id-haiku', 'prompt'), 'He said "hi", then left\nsecond line');
    assert.equal(get('id-sonnet', 'prompt'), "'=SUM(A1:A9)", 'a formula is not run by a spreadsheet');
    assert.equal(get('id-sonnet', 'thumb'), 'down');
    assert.equal(rows[1][0], 'id-old', 'oldest first');
    const outFile = path.join(dir, 'out.json');
    const j = await cli('export', '--format', 'json', '--out', outFile, '--db', db);
    assert.equal(j.code, 0, j.err);
    assert.match(j.out, /exported 4 decisions/);
    const data = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    assert.equal(data.length, 4);
    assert.equal(data.find((d: { id: string }) => d.id === 'id-sonnet').feedback[0].thumb, 'down');
    assert.equal((await cli('export', '--format', 'xml', '--db', db)).code, 1);
  });
});
