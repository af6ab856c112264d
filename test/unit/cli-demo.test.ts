// `llm-router demo` as a newcomer runs it: a table of 30 routed prompts and the saving, with no API call; with
// --db the same decisions land in the database and `stats` shows them.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    // No key and an unreachable base URL: if demo ever tried to call a model, it would fail loudly.
    env: { ...process.env, LLM_ROUTER_DB: '', ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('CLI demo', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-demo-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints one row per shipped prompt, the tier counts and the saving against the top tier', () => {
    const r = cli('demo');
    assert.equal(r.code, 0, r.err);
    const rows = r.out.split('\n').filter((l) => /\s(Haiku|Sonnet|Opus)\s/.test(l) && /\$/.test(l));
    assert.equal(rows.length, 30);
    const counts = /30 prompts → Haiku (\d+) · Sonnet (\d+) · Opus (\d+)/.exec(r.out);
    assert.ok(counts, r.out);
    const [h, s, o] = counts.slice(1).map(Number);
    assert.equal(h + s + o, 30);
    assert.ok(h > 0 && s > 0 && o > 0, 'a realistic mix uses every tier');
    // The greeting goes to the cheapest tier, the proof to the top one.
    assert.match(rows.find((l) => l.startsWith('hi there'))!, /\sHaiku\s/);
    assert.match(rows.find((l) => l.startsWith('Prove that'))!, /\sOpus\s/);
    const saving = /routed vs \$([\d.]+) all on Opus: saved \$([\d.]+) \((\d+)%\)/.exec(r.out);
    assert.ok(saving, r.out);
    assert.ok(Number(saving[2]) > 0 && Number(saving[2]) < Number(saving[1]));
    assert.match(r.out, /no model was called/);
  });

  it('--json gives the decisions with their prompt ids, costs and baselines', () => {
    const r = cli('demo', '--json');
    assert.equal(r.code, 0, r.err);
    const ds = JSON.parse(r.out) as Array<{ promptId: string; id: string; tier: number; estCostUsd: number; baselineEstCostUsd: number; reasons: string[] }>;
    assert.equal(ds.length, 30);
    assert.equal(new Set(ds.map((d) => d.promptId)).size, 30);
    for (const d of ds) {
      assert.ok(d.reasons.length > 0);
      assert.ok(d.estCostUsd > 0 && d.estCostUsd <= d.baselineEstCostUsd + 1e-12);
    }
  });

  it('--db records the decisions, and stats reads them back', () => {
    const db = path.join(dir, 'demo.sqlite');
    const r = cli('demo', '--db', db);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /recorded in /);
    const s = cli('stats', '--json', '--db', db);
    assert.equal(s.code, 0, s.err);
    const st = JSON.parse(s.out) as { decisions: number; byTier: Record<string, number> };
    assert.equal(st.decisions, 30);
    const table = /Haiku (\d+) · Sonnet (\d+) · Opus (\d+)/.exec(r.out)!.slice(1).map(Number);
    assert.deepEqual([st.byTier['0'] ?? 0, st.byTier['1'] ?? 0, st.byTier['2'] ?? 0], table);
  });

  it('a reader that goes away early (| head) does not crash the command or lose its database write', async () => {
    const db = path.join(dir, 'piped.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'demo', '--db', db], { env: { ...process.env, LLM_ROUTER_DB: '' } });
    let err = '';
    child.stderr.on('data', (b) => { err += String(b); });
    child.stdout.destroy(); // the reader is gone before the table is written (as `| head` is once it has its lines)
    const code = await new Promise<number | null>((res) => child.on('close', res));
    assert.equal(code, 0, err);
    assert.doesNotMatch(err, /EPIPE|Error/);
    const s = cli('stats', '--json', '--db', db);
    assert.equal((JSON.parse(s.out) as { decisions: number }).decisions, 30);
  });
});
