// Decision store benchmark: 100,000 decisions, then 1,000,000 with retention on. Prints a Markdown section.
// Targets (issue 3): stats() ≤ 30 ms, a save ≤ 150 ms, inserts ≥ 20,000 rows/s at 100k; within 2× of those at 1M.
// Issue 15: no single block of the event loop longer than 50 ms from the store during a burst of 200 routed requests
// at 100k decisions, seen by perf_hooks.monitorEventLoopDelay (saves on their own debounce, as in use).
// Run: node test/bench/run.mjs store   (or: node --expose-gc test/bench/store.bench.mjs [--quick] [--burst-only])
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';

const { openStore } = await tsImport('../../src/core/store/index.ts', import.meta.url);

/**
 * The store as it ships (bundled, its save worker and sql.js's WebAssembly beside it), for the event-loop figures:
 * from source, the worker would first load the TypeScript loader.
 */
async function bundledStore() {
  const { build } = await import('esbuild');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-bench-bundle-'));
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };
  await build({ ...common, entryPoints: ['src/core/store/index.ts'], outfile: path.join(out, 'store.js') });
  await build({
    ...common,
    entryPoints: ['src/core/store/background-worker.ts'],
    outfile: path.join(out, 'store-saver.js'),
  });
  fs.copyFileSync(path.join('node_modules', 'sql.js', 'dist', 'sql-wasm.wasm'), path.join(out, 'sql-wasm.wasm'));
  const { createRequire } = await import('node:module');
  return { openStore: createRequire(import.meta.url)(path.join(out, 'store.js')).openStore, dir: out };
}
const quick = process.argv.includes('--quick');
const burstOnly = process.argv.includes('--burst-only');
const N1 = quick ? 20_000 : 100_000;
const N2 = quick ? 200_000 : 1_000_000;
const DAY = 86_400_000;
const MODELS = ['claude-haiku-4-5', 'claude-sonnet-4-6', 'claude-opus-4-6'];
const PRICES = [
  [1, 5],
  [3, 15],
  [5, 25],
];
const now = Date.now();
const load0 = os.loadavg()[0];
const tick = () => new Promise((r) => setImmediate(r));
const gc = () => globalThis.gc?.();
const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
const ms = (v) => `${v.toFixed(1)} ms`;
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function record(i, n, spanDays) {
  const tier = i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2;
  const inTok = 200 + ((i * 37) % 3000);
  const outTok = 100 + ((i * 53) % 1500);
  const [pi, po] = PRICES[tier];
  const unpriced = i % 997 === 0;
  return {
    id: `bench-${i}`,
    time: now - Math.floor(((n - i) / n) * spanDays * DAY),
    tier,
    tierId: ['haiku', 'sonnet', 'opus'][tier],
    model: MODELS[tier],
    score: (i % 100) / 100,
    complexity: ['simple', 'medium', 'complex'][tier],
    category: ['factual', 'code', 'reasoning', 'creative'][i % 4],
    confidence: 0.5 + (i % 50) / 100,
    reasons: ['asks for a short fact', `score ${((i % 100) / 100).toFixed(2)} → ${['Haiku', 'Sonnet', 'Opus'][tier]}`],
    estInputTokens: inTok,
    estCostUsd: (inTok * pi + 500 * po) / 1e6,
    baselineEstCostUsd: (inTok * 5 + 500 * 25) / 1e6,
    override: null,
    adjustments: [],
    highStakes: false,
    blocked: false,
    strategy: 'learned',
    source: ['chat', 'command', 'cli', 'model-provider'][i % 4],
    prompt: `Prompt number ${i}: how do I reverse a linked list in place without extra memory, and what is the complexity?`,
    answeredModel: unpriced ? 'some-unpriced-model' : MODELS[tier],
    usage: {
      inputTokens: inTok,
      outputTokens: outTok,
      cacheWriteTokens: i % 5 ? 0 : 1000,
      cacheReadTokens: i % 3 ? 0 : 2000,
    },
    costUsd: unpriced ? null : (inTok * pi + outTok * po) / 1e6,
    baselineCostUsd: (inTok * 5 + outTok * 25) / 1e6,
    latencyMs: 500 + (i % 2000),
    ttftMs: 100 + (i % 400),
    status: i % 50 === 0 ? 'error' : 'ok',
    error: i % 50 === 0 ? 'overloaded' : null,
    parentId: null,
  };
}

async function scenario(label, n, opts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-bench-'));
  const file = path.join(dir, 'router.sqlite');
  try {
    const store = await openStore({ path: file, ...opts });
    // inserts: synchronous bursts of 2,000 (as a busy window would), the event loop turning between them so
    // debounced saves (and retention) happen during the run exactly as in use
    const batch = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i += batch) {
      const end = Math.min(n, i + batch);
      for (let j = i; j < end; j++) {
        const r = record(j, n, 365);
        store.insertDecision(r);
        if (j % 10 === 0)
          store.addFeedback({
            decisionId: r.id,
            thumb: j % 20 ? 'up' : 'down',
            autoQuality: (j % 10) / 10,
            signals: { hedging: 0.1 },
          });
      }
      await tick();
    }
    const insertMs = performance.now() - t0;
    const f0 = performance.now();
    await store.flush();
    const firstSave = performance.now() - f0;
    // a save of a few new rows into the full database
    const saves = [];
    for (let k = 0; k < 7; k++) {
      store.insertDecision(record(n + k, n, 0));
      const s0 = performance.now();
      await store.flush();
      saves.push(performance.now() - s0);
    }
    for (let k = 0; k < 3; k++) store.stats({ now }); // warm up
    const whole = [];
    const month = [];
    const spend = [];
    for (let k = 0; k < 15; k++) {
      let s0 = performance.now();
      store.stats({ now });
      whole.push(performance.now() - s0);
      s0 = performance.now();
      store.stats({ since: now - 30 * DAY - 12 * 3_600_000, now });
      month.push(performance.now() - s0);
      s0 = performance.now();
      store.spendSince(now - 3_600_000);
      spend.push(performance.now() - s0);
    }
    const l0 = performance.now();
    store.listDecisions({ limit: 50, tier: 1 });
    const listMs = performance.now() - l0;
    const st = store.stats({ now });
    const rows = store.listDecisions({ limit: 0 }).total;
    gc();
    const mem = process.memoryUsage();
    await store.close();
    const o0 = performance.now();
    const reopened = await openStore({ path: file, ...opts });
    const openMs = performance.now() - o0;
    await reopened.close();
    return {
      label,
      n,
      rows,
      decisions: st.decisions,
      insertRate: (n / insertMs) * 1000,
      insertMs,
      firstSave,
      save: median(saves),
      saveMax: Math.max(...saves),
      stats: median(whole),
      statsMonth: median(month),
      spendSince: median(spend),
      listMs,
      openMs,
      size: fs.statSync(file).size,
      rss: mem.rss,
      heap: mem.heapUsed,
      external: mem.external + mem.arrayBuffers,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A burst of 200 routed requests on a database of `n` decisions, recorded as the service does: a pending decision
 * when the call leaves, its usage and cost when it ends 20 ms later, a request every 5 ms. Saves happen on their own
 * debounce, as in use. `open` null: the same loop without the store, the event-loop delay the machine itself causes
 * (a shared machine is noisy). `rssMb`: the process's resident memory at the end of the burst, the store still open.
 * `stalls`: when (ms into the burst) and how long the loop was late by more than 50 ms, seen between requests.
 */
async function burst(n, opts, open = openStore) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-bench-'));
  const file = path.join(dir, 'router.sqlite');
  try {
    let s = null;
    if (open) {
      const fill = await openStore({ path: file, debounceMs: 3_600_000 });
      for (let i = 0; i < n; i += 2000) {
        for (let j = i; j < Math.min(n, i + 2000); j++) fill.insertDecision(record(j, n, 365));
        await tick();
      }
      await fill.close();
      gc();
      s = await open({ path: file, ...opts });
      await new Promise((r) => setTimeout(r, 2000)); // the store opens at activation; requests come later
    }
    const sleep = (t) => new Promise((r) => setTimeout(r, t));
    const h = monitorEventLoopDelay({ resolution: 5 });
    const since = Date.now();
    const t0 = performance.now();
    h.enable();
    const calls = [];
    const stalls = [];
    for (let k = 0; k < 200; k++) {
      const r = { ...record(n + k, n, 0), status: 'pending', usage: null, costUsd: null, time: Date.now() };
      s?.insertDecision(r);
      calls.push(
        sleep(20).then(() =>
          s?.updateDecision(r.id, { status: 'ok', usage: record(k, n, 0).usage, costUsd: 0.001, latencyMs: 20 }),
        ),
      );
      const due = performance.now() + 5;
      await sleep(5);
      const late = performance.now() - due;
      if (late > 50) stalls.push(`${Math.round(due - t0)}+${Math.round(late)}`);
    }
    await Promise.all(calls);
    await s?.flush();
    h.disable();
    const wall = performance.now() - t0;
    gc();
    const rssMb = process.memoryUsage().rss / 1048576;
    let saved = 0;
    if (s) {
      await s.close();
      const check = await openStore({ path: file });
      saved = check.listDecisions({ limit: 0, status: 'ok', since }).total;
      await check.close();
    }
    return { n, maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, meanMs: h.mean / 1e6, wall, saved, rssMb, stalls };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// As the extension host saves (in a worker thread), as the CLI does (on its one thread), and the loop without the store.
// `--burst-only --mode=worker|main|none` runs one of them alone (its own process: the RSS figure is then its own).
const mode = process.argv.find((a) => a.startsWith('--mode='))?.slice(7);
const none = { n: N1, maxMs: NaN, p99Ms: NaN, meanMs: NaN, wall: NaN, saved: 0, rssMb: NaN, stalls: [] };
const shipped = await bundledStore();
// Retention as the extension's defaults (365 days, 100,000 rows): at 100k decisions every save folds the overflow.
const asInUse = { retention: { maxDays: 365, maxRows: 100_000 } };
const bu =
  !mode || mode === 'worker' ? await burst(N1, { ...asInUse, saveInBackground: true }, shipped.openStore) : none;
gc();
const bt = !mode || mode === 'main' ? await burst(N1, asInUse, shipped.openStore) : none;
fs.rmSync(shipped.dir, { recursive: true, force: true });
gc();
const noise = !mode || mode === 'none' ? await burst(N1, {}, null) : none;
if (burstOnly) {
  const runs = [
    ['saves in a worker thread', bu],
    ['saves on the main thread', bt],
    ['no store (control)', noise],
  ];
  for (const [what, r] of runs.filter(([, r]) => r !== none)) {
    process.stdout.write(
      `burst of 200 requests at ${r.n}, ${what}: longest block ${ms(r.maxMs)}, p99 ${ms(r.p99Ms)}, mean ${ms(r.meanMs)}, wall ${ms(r.wall)}, rss ${r.rssMb.toFixed(0)} MB, saved ${r.saved} of 200; stalls (at+ms) ${r.stalls.join(' ') || 'none'}\n`,
    );
  }
  process.exit(0);
}

// 100k: no save during the inserts (measures inserting); the 1M run saves (and folds) as it goes, as in use.
const a = await scenario(`${N1.toLocaleString('en-US')} decisions`, N1, { debounceMs: 3_600_000 });
gc();
const b = await scenario(`${N2.toLocaleString('en-US')} decisions, retention ${N1.toLocaleString('en-US')} rows`, N2, {
  retention: { maxRows: N1 },
});

const mark = (ok) => (ok ? '✅' : '❌');
const lines = [
  `## Decision store (sql.js)${quick ? ' — quick run' : ''}`,
  '',
  `Each decision has a 120-character prompt preview, reasons, usage and cost; one in ten has feedback. Spread over 365 days. Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${load0.toFixed(1)} at the start (timings are noisy on a shared machine).`,
  '',
  '| | target | ' + [a, b].map((r) => r.label).join(' | ') + ' |',
  '|---|---|---|---|',
  `| inserts, rows/s (+ 1 feedback per 10 rows; 1M: with the saves and folding during the run) | ≥ 20,000 (1M: ≥ 10,000) | ${[a, b].map((r) => `${Math.round(r.insertRate).toLocaleString('en-US')} ${mark(r.insertRate >= (r === a ? 20_000 : 10_000))}`).join(' | ')} |`,
  `| first save of everything inserted | | ${[a, b].map((r) => ms(r.firstSave)).join(' | ')} |`,
  `| save after a new row (median of 7; max) | ≤ 150 ms (1M: ≤ 300 ms) | ${[a, b].map((r) => `${ms(r.save)} (max ${ms(r.saveMax)}) ${mark(r.save <= (r === a ? 150 : 300))}`).join(' | ')} |`,
  `| stats(), whole history (median of 15) | ≤ 30 ms (1M: ≤ 60 ms) | ${[a, b].map((r) => `${ms(r.stats)} ${mark(r.stats <= (r === a ? 30 : 60))}`).join(' | ')} |`,
  `| stats(), last 30½ days | | ${[a, b].map((r) => ms(r.statsMonth)).join(' | ')} |`,
  `| spendSince(1 h ago) (budget check) | | ${[a, b].map((r) => ms(r.spendSince)).join(' | ')} |`,
  `| listDecisions(tier, 50) | | ${[a, b].map((r) => ms(r.listMs)).join(' | ')} |`,
  `| open (read + check + load) | | ${[a, b].map((r) => ms(r.openMs)).join(' | ')} |`,
  `| detailed rows kept / decisions counted | | ${[a, b].map((r) => `${r.rows.toLocaleString('en-US')} / ${r.decisions.toLocaleString('en-US')}`).join(' | ')} |`,
  `| file size | | ${[a, b].map((r) => mb(r.size)).join(' | ')} |`,
  `| memory: RSS / JS heap / external (WASM) | | ${[a, b].map((r) => `${mb(r.rss)} / ${mb(r.heap)} / ${mb(r.external)}`).join(' | ')} |`,
];
lines.push(
  '',
  `Burst of 200 routed requests at ${bu.n.toLocaleString('en-US')} decisions (a pending decision when the call leaves, usage and cost 20 ms later, a request every 5 ms; saves on their own debounce), event-loop delay seen by \`monitorEventLoopDelay\`:`,
  '',
  '| | target | saves in a worker thread (extension host) | saves on the main thread (CLI) | the same loop without the store (machine noise) |',
  '|---|---|---|---|---|',
  `| longest block of the event loop | ≤ 50 ms | ${ms(bu.maxMs)} ${mark(bu.maxMs <= 50)} | ${ms(bt.maxMs)} | ${ms(noise.maxMs)} |`,
  `| p99 / mean event-loop delay | | ${ms(bu.p99Ms)} / ${ms(bu.meanMs)} | ${ms(bt.p99Ms)} / ${ms(bt.meanMs)} | ${ms(noise.p99Ms)} / ${ms(noise.meanMs)} |`,
  `| burst wall time; requests saved as ok | | ${ms(bu.wall)}; ${bu.saved} of 200 | ${ms(bt.wall)}; ${bt.saved} of 200 | ${ms(noise.wall)} |`,
  `| process RSS after the burst (store open) | | ${bu.rssMb.toFixed(0)} MB | ${bt.rssMb.toFixed(0)} MB | ${noise.rssMb.toFixed(0)} MB |`,
);
process.stdout.write(`${lines.join('\n')}\n`);
