// An experiment's status in words and a small table (the CLI prints it, VS Code shows it as Markdown).
import type { ArmStats, ExperimentStatus } from './analysis';
import { describeArm, type Experiment } from './definition';
import type { Estimate } from './stats';

const when = (t: number) => `${new Date(t).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
const range = (e: Estimate, f: (x: number) => string) =>
  e.value === null ? '–' : `${f(e.value)}${e.lo !== null && e.hi !== null ? ` (${f(e.lo)}–${f(e.hi)})` : ''}`;
const usd = (x: number) => (x === 0 ? '$0' : `$${x.toFixed(x < 0.01 ? 5 : 4)}`);
const pc = (x: number) => `${(x * 100).toFixed(1)}%`;

export function experimentHeader(e: Experiment): string[] {
  return [
    `Experiment "${e.name}" (${e.id.slice(0, 8)}) · ${e.stoppedAt === null ? `running since ${when(e.createdAt)}` : `${when(e.createdAt)} – ${when(e.stoppedAt)}, stopped`} · a ${pc(1 - e.splitB)} / b ${pc(e.splitB)} of conversations`,
    `  a: ${describeArm(e.arms.a)}`,
    `  b: ${describeArm(e.arms.b)}`,
  ];
}

export function statusLines(s: ExperimentStatus): string[] {
  const rows: [string, (a: ArmStats) => string][] = [
    ['requests', (a) => String(a.requests)],
    ['cost / request', (a) => range(a.costPerRequestUsd, usd) + (a.unpriced ? ` · ${a.unpriced} unpriced` : '')],
    [
      'thumbs-up rate',
      (a) => (a.thumbsUpRate.n ? `${range(a.thumbsUpRate, pc)} of ${a.thumbsUpRate.n}` : 'no ratings'),
    ],
    [
      'auto quality',
      (a) => (a.autoQuality.n ? `${range(a.autoQuality, (x) => x.toFixed(3))} of ${a.autoQuality.n}` : '–'),
    ],
    ['latency', (a) => range(a.latencyMs, (x) => `${Math.round(x)} ms`)],
    ['error rate', (a) => range(a.errorRate, pc)],
    ['total spend', (a) => usd(a.totalCostUsd)],
  ];
  const lines = [...experimentHeader(s.experiment), '', `${''.padEnd(16)} ${'a'.padEnd(34)} b`];
  for (const [label, f] of rows) lines.push(`${label.padEnd(16)} ${f(s.arms.a).padEnd(34)} ${f(s.arms.b)}`);
  lines.push('', 'b against a (95 % confidence intervals):');
  for (const c of s.comparisons) lines.push(`  ${c.meaningful ? '●' : '○'} ${c.verdict}`);
  return lines;
}
