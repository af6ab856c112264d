// `llm-router demo` as a newcomer runs it: a table of the routed sample of the VS Code mix and the saving, with no API call; with
// --db the same decisions land in the database and `stats` shows them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import demoPrompts from '../../src/cli/demo/prompts.json';
import { runCli } from './fixtures/cli';

const cli = async (...args: string[]) => {
  // No key and an unreachable base URL: if demo ever tried to call a model, it would fail loudly.
  const r = await runCli(args, { env: { ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' } });
  return { code: r.code, out: r.stdout, err: r.stderr };
};

const N = demoPrompts.length;

describe('CLI demo', function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-demo-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints one row per prompt of the mix sample, and each preset's tier counts, cost and saving against the top tier", async () => {
    const r = await cli('demo');
    assert.equal(r.code, 0, r.err);
    const rows = r.out
      .split('\n')
      .filter((l) => /\s(Haiku|Sonnet|Opus)\s+(Haiku|Sonnet|Opus)\s/.test(l) && /\$/.test(l));
    assert.equal(rows.length, N);
    const preset = (name: string) => {
      const m = new RegExp(
        `^${name}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\$([\\d.]+)\\s+(\\d+)%\\s+(\\d+) of ${N}`,
        'm',
      ).exec(r.out);
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

  it('--json gives the decisions with their prompt ids, costs and baselines', async () => {
    const r = await cli('demo', '--json');
    assert.equal(r.code, 0, r.err);
    const ds = JSON.parse(r.out) as Array<{
      promptId: string;
      id: string;
      tier: number;
      estCostUsd: number;
      baselineEstCostUsd: number;
      reasons: string[];
    }>;
    assert.equal(ds.length, N);
    assert.equal(new Set(ds.map((d) => d.promptId)).size, N);
    for (const d of ds) {
      assert.ok(d.reasons.length > 0);
      assert.ok(d.estCostUsd > 0 && d.estCostUsd <= d.baselineEstCostUsd + 1e-12);
    }
  });

  it('--db records the decisions, and stats reads them back', async () => {
    const db = path.join(dir, 'demo.sqlite');
    const r = await cli('demo', '--db', db);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /recorded in /);
    const s = await cli('stats', '--json', '--db', db);
    assert.equal(s.code, 0, s.err);
    const st = JSON.parse(s.out) as { decisions: number; byTier: Record<string, number> };
    assert.equal(st.decisions, N);
    const line = /^balanced\s+(\d+)\s+(\d+)\s+(\d+)\s/m.exec(r.out);
    assert.ok(line, r.out);
    const table = line.slice(1).map(Number);
    assert.deepEqual([st.byTier['0'] ?? 0, st.byTier['1'] ?? 0, st.byTier['2'] ?? 0], table);
  });
});
