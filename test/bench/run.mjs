// `npm run bench`: runs every test/bench/*.bench.mjs in turn (one at a time: the machine has 2 cores) and prints
// their reports. Each bench prints a Markdown section; the whole report is also written to test/bench/results.md.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs') && (!only.length || only.some((o) => f.includes(o))))
  .sort();
const sections = [
  `# Benchmarks (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${process.platform}/${process.arch})`,
];
let failed = 0;
for (const f of files) {
  process.stderr.write(`[bench] ${f}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, f)], {
    cwd: join(dir, '..', '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  process.stdout.write(r.stdout);
  sections.push(r.stdout.trim());
  if (r.status !== 0) {
    failed++;
    sections.push(`(${f} exited ${r.status})`);
  }
}
writeFileSync(join(dir, 'results.md'), sections.join('\n\n') + '\n');
if (failed) process.exitCode = 1;
