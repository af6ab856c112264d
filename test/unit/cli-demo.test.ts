// `llm-router demo` as a newcomer runs it: a table of the routed sample of the VS Code mix and the saving, with no API call; with
// --db the same decisions land in the database and `stats` shows them.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import demoPrompts from '../../src/cli/demo/prompts.json';

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    // No key and an unreachable base URL: if demo ever tried to call a model, it would fail loudly.
    env: { ...process.env, LLM_ROUTER_DB: '', ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const N = demoPrompts.length;

describe('CLI demo', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-demo-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints one row per prompt of the mix sample, and each preset's tier counts, cost and saving against the top tier", () => {
    const r = cli('demo');
    assert.equal(r.code, 0, r.err);
    const rows = r.out.split('\n').filter((l) => /\s(Haiku|Sonnet|Opus)\s+(Haiku|Sonnet|Opus)\s/.test(l) && /\$/.test(l));
    assert.equal(rows.length, N);
    const preset = (name: string) => {
      const m = new RegExp(`^${name}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\$([\\d.]+)\\s+(\\d+)%\\s+(\\d+) of ${N}`, 'm').exec(r.out);
      assert.ok(m, `${name} line in:\n${r.out}`);
      const [h, s, o, cost, saved, below] = m.slice(1).map(Number);
      assert.equal(h + s + o, N);
      return { h, s, o, cost, saved, below };
    };
    const [eco, bal, q] = [preset('economy'), preset('balanced'), preset('quality')];
    assert.ok(bal.h > 0 && bal.s > 0 && bal.o > 0, 'a realistic mix uses every tier');
    assert.ok(bal.h > bal.s && bal.s >= bal.o, 'balanced sends most to Haiku and least to Opus');
    assert.ok(eco.h >= bal.h && eco.o <= bal.o && q.o >= bal.o, 'economy leans cheaper, quality dearer');
    assert.ok(eco.cost <= bal.cost && bal.cost <= q.cost, 'economy spends least, quality most');
    assert.ok(eco.below >= q.below, 'quality misses no more than economy');
    assert.ok(bal.saved > 0 && bal.saved < 100);
    assert.match(r.out, /balanced .*←/);
    assert.match(r.out, /no model was called/);
  });

  it('--json gives the decisions with their prompt ids, costs and baselines', () => {
    const r = cli('demo', '--json');
    assert.equal(r.code, 0, r.err);
    const ds = JSON.parse(r.out) as Array<{ promptId: string; id: string; tier: number; estCostUsd: number; baselineEstCostUsd: number; reasons: string[] }>;
    assert.equal(ds.length, N);
    assert.equal(new Set(ds.map((d) => d.promptId)).size, N);
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
    assert.equal(st.decisions, N);
    const line = /^balanced\s+(\d+)\s+(\d+)\s+(\d+)\s/m.exec(r.out);
    assert.ok(line, r.out);
    const table = line.slice(1).map(Number);
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
    assert.equal((JSON.parse(s.out) as { decisions: number }).decisions, N);
  });
});
