// What the latency benchmarks share (agent.bench.mjs, ttft.bench.mjs): the local Messages API stand-in in its own
// process, the timing loop that runs variants interleaved in a shuffled order each round, and the paired-difference
// statistics (median with a 95 % bootstrap interval). Not a benchmark itself: run.mjs runs only *.bench.mjs.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The number after `name` in `argv`, else `dflt`. */
export function numArg(argv, name, dflt) {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
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
 * The timing loop. `time(k, i)` runs variant k once as round i and returns its measures (e.g. [TTFT, total]); each
 * variant is first run `warmup` times in order, then `runs` rounds run every variant once in a shuffled order (so
 * drift in the machine's load hits all alike; round i is passed as `firstRound + i`). Returns the samples as
 * `out[measure][variant][round]`.
 */
export async function interleaved({ variants, measures, warmup, runs, firstRound = 0, rnd, time }) {
  for (let i = 0; i < warmup; i++) for (let k = 0; k < variants; k++) await time(k, i);
  const out = Array.from({ length: measures }, () => Array.from({ length: variants }, () => []));
  for (let i = 0; i < runs; i++) {
    const order = Array.from({ length: variants }, (_, k) => k).sort(() => rnd() - 0.5);
    for (const k of order) {
      const m = await time(k, firstRound + i);
      for (let j = 0; j < measures; j++) out[j][k].push(m[j]);
    }
  }
  return out;
}
