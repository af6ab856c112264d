// What the latency benchmarks share (agent.bench.mjs, ttft.bench.mjs): the local Messages API stand-in in its own
// process, the timing loop that runs variants interleaved in a shuffled order each round, and the paired-difference
// statistics (median with a 95 % bootstrap interval). Not a benchmark itself: run.mjs runs only *.bench.mjs.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The command line every latency benchmark takes: `--quick`, `--runs N` (default `runs.quick` / `runs.full`),
 * `--first-byte MS` (default 0); the warm-up rounds (`warmup.quick` / `warmup.full`); `num(name, dflt)` reads others.
 */
export function benchOptions({ runs, warmup }) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const num = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  return {
    quick,
    num,
    runs: num('--runs', quick ? runs.quick : runs.full),
    warmup: quick ? warmup.quick : warmup.full,
    firstByte: num('--first-byte', 0),
  };
}

/** The stand-in (test/mock-anthropic/main.ts) in its own process, answering after `firstByteMs`; its URL and a stop. */
export async function startMockServer(firstByteMs) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/mock-anthropic/main.ts', '--port', '0', '--first-byte', String(firstByteMs), '--quiet'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (c) => reject(new Error(`mock server exited ${c}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** A seeded pseudo-random number generator in [0, 1) (a linear congruential one: the same sequence every run). */
export function seeded(seed) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

export const pct = (a, q) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
export const fmt = (v) => `${v.toFixed(3)} ms`;
export const signed = (v, d = 1) => `${v >= 0 ? '+' : ''}${v.toFixed(d)}`;

/** Median of paired differences and its 95 % bootstrap interval. */
export function pairedMedian(diffs, rnd) {
  const med = pct(diffs, 0.5);
  const boots = [];
  for (let b = 0; b < 1000; b++) {
    const s = new Array(diffs.length);
    for (let j = 0; j < diffs.length; j++) s[j] = diffs[Math.floor(rnd() * diffs.length)];
    boots.push(pct(s, 0.5));
  }
  return { med, lo: pct(boots, 0.025), hi: pct(boots, 0.975) };
}

/** The paired overhead of variant k against variant 0 in the same rounds (`samples[variant][round]`). */
export const overOfFirst = (samples, k, rnd) =>
  pairedMedian(
    samples[k].map((x, i) => x - samples[0][i]),
    rnd,
  );

/**
 * The timing loop. `time(k, i)` runs variant k (of `variants`) once as round i and returns its measures (e.g. [TTFT,
 * total]); each variant is first run `opts.warmup` times in order, then `opts.runs` rounds run every variant once in
 * a shuffled order (so drift in the machine's load hits all alike; round i is passed as `firstRound + i`). Returns the
 * samples as `out[measure][variant][round]`.
 */
export async function interleaved(opts, { variants, rnd, time, firstRound = 0 }) {
  for (let i = 0; i < opts.warmup; i++) for (let k = 0; k < variants; k++) await time(k, i);
  const out = [];
  for (let i = 0; i < opts.runs; i++) {
    const order = Array.from({ length: variants }, (_, k) => k).sort(() => rnd() - 0.5);
    for (const k of order) {
      const m = await time(k, firstRound + i);
      m.forEach((v, j) => (out[j] ??= Array.from({ length: variants }, () => []))[k].push(v));
    }
  }
  return out;
}
