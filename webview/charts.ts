// The panel's two charts (chart.js, tree-shaken: only the bar controller and what it needs are registered).
// Colours are read from VS Code's theme variables at run time, so the charts follow light, dark and high-contrast
// themes; redraw() is called again when the theme changes. chart.js is set up on the first draw, not when the page
// starts: the headline figures and the budget are on screen before it runs.
import type { Chart, ChartConfiguration } from 'chart.js';
import type { ViewModel } from './protocol';
import { usd, usdTick, int } from './format';

let chartJs: Promise<typeof Chart> | undefined;
function loadChartJs(): Promise<typeof Chart> {
  chartJs ??= import('./chartLib').then((m) => m.Chart);
  return chartJs;
}

const TIER_VARS = [
  '--vscode-charts-green',
  '--vscode-charts-blue',
  '--vscode-charts-purple',
  '--vscode-charts-orange',
  '--vscode-charts-yellow',
  '--vscode-charts-red',
];
const TIER_FALLBACK = ['#388a34', '#1a85ff', '#b180d7', '#d18616', '#cca700', '#e51400'];

function cssVar(name: string, fallback: string): string {
  const v =
    getComputedStyle(document.documentElement).getPropertyValue(name).trim() ||
    getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

interface Palette {
  text: string;
  grid: string;
  tiers: string[];
  border: string | null;
  font: string;
}

function palette(): Palette {
  const hc =
    document.body.classList.contains('vscode-high-contrast') ||
    document.body.classList.contains('vscode-high-contrast-light');
  const contrast = cssVar('--vscode-contrastBorder', '');
  return {
    text: cssVar('--vscode-foreground', '#888'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    tiers: TIER_VARS.map((v, i) => cssVar(v, TIER_FALLBACK[i])),
    border: hc && contrast ? contrast : null,
    font: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

export class Charts {
  private tierChart: Chart | undefined;
  private dayChart: Chart | undefined;
  private last: ViewModel | undefined;

  constructor(
    private readonly tierCanvas: HTMLCanvasElement,
    private readonly dayCanvas: HTMLCanvasElement,
  ) {}

  /** Resolves once chart.js is set up (the first call starts it). */
  async ready(): Promise<void> {
    await loadChartJs();
  }

  async update(vm: ViewModel): Promise<void> {
    this.last = vm;
    const Chart = await loadChartJs();
    if (this.last !== vm) return; // a newer state came while chart.js was being set up: that one is drawn
    const p = palette();
    // Chart.js draws text in its own default font (a Helvetica stack) unless told: use the editor's UI font, which
    // also spares the browser a font-fallback search on first draw.
    Chart.defaults.font.family = p.font;
    Chart.defaults.color = p.text;
    const tierCfg = this.tierConfig(vm, p);
    const dayCfg = this.dayConfig(vm, p);
    if (this.tierChart) {
      this.tierChart.data = tierCfg.data;
      this.tierChart.options = tierCfg.options!;
      this.tierChart.update('none');
    } else this.tierChart = new Chart(this.tierCanvas, tierCfg);
    if (this.dayChart) {
      this.dayChart.data = dayCfg.data;
      this.dayChart.options = dayCfg.options!;
      this.dayChart.update('none');
    } else this.dayChart = new Chart(this.dayCanvas, dayCfg);
    this.tierCanvas.setAttribute(
      'aria-label',
      'Decisions and spend per tier: ' +
        vm.tierDist.map((t) => `${t.label} ${int(t.decisions)} decisions, ${usd(t.spendUsd)}`).join('; '),
    );
    const total = vm.days.spendByTier.reduce((s, a) => s + a.reduce((x, y) => x + y, 0), 0);
    const n = vm.days.labels.length;
    this.dayCanvas.setAttribute(
      'aria-label',
      `Spend per ${vm.days.unit} over ${n} ${vm.days.unit}${n === 1 ? '' : 's'}, ${usd(total)} in all, split by tier`,
    );
  }

  /** Theme changed: rebuild with the new colours. */
  redraw(): void {
    this.tierChart?.destroy();
    this.tierChart = undefined;
    this.dayChart?.destroy();
    this.dayChart = undefined;
    if (this.last) void this.update(this.last);
  }

  /** The colours the charts currently use (for tests: they must follow the theme). */
  colours(): string[] {
    return (this.dayChart?.data.datasets ?? []).map((d) => String(d.backgroundColor));
  }

  private common(p: Palette) {
    return {
      animation: false as const,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { labels: { color: p.text, boxWidth: 12 } }, tooltip: { enabled: true } },
    };
  }

  private tierConfig(vm: ViewModel, p: Palette): ChartConfiguration<'bar'> {
    const c = this.common(p);
    return {
      type: 'bar',
      data: {
        labels: vm.tierDist.map((t) => t.label),
        datasets: [
          {
            label: 'Decisions',
            data: vm.tierDist.map((t) => t.decisions),
            yAxisID: 'y',
            backgroundColor: vm.tierDist.map((t) => p.tiers[t.tier % p.tiers.length]),
            borderColor: p.border ?? undefined,
            borderWidth: p.border ? 1 : 0,
          },
          {
            label: 'Spend ($)',
            data: vm.tierDist.map((t) => t.spendUsd),
            yAxisID: 'y1',
            backgroundColor: p.grid,
            borderColor: p.border ?? p.text,
            borderWidth: 1,
          },
        ],
      },
      options: {
        ...c,
        plugins: {
          ...c.plugins,
          tooltip: {
            callbacks: {
              label: (ctx) =>
                ctx.datasetIndex === 1 ? `Spend ${usd(Number(ctx.raw))}` : `${int(Number(ctx.raw))} decisions`,
            },
          },
        },
        scales: {
          x: {
            ticks: { color: p.text, autoSkip: false, maxRotation: 0 },
            grid: { display: false },
            border: { color: p.grid },
          },
          y: {
            position: 'left',
            beginAtZero: true,
            ticks: { color: p.text, precision: 0, callback: (v) => int(Number(v)) },
            grid: { color: p.grid },
            title: { display: true, text: 'Decisions', color: p.text },
          },
          y1: {
            position: 'right',
            beginAtZero: true,
            ticks: { color: p.text, callback: (v) => usdTick(Number(v)) },
            grid: { display: false },
            title: { display: true, text: 'Spend', color: p.text },
          },
        },
      },
    };
  }

  private dayConfig(vm: ViewModel, p: Palette): ChartConfiguration<'bar'> {
    const c = this.common(p);
    return {
      type: 'bar',
      data: {
        labels: vm.days.labels.map((d) => d.slice(5)),
        datasets: vm.days.spendByTier.map((series, i) => ({
          label: vm.tiers[i]?.label ?? `Tier ${i + 1}`,
          data: series,
          backgroundColor: p.tiers[i % p.tiers.length],
          borderColor: p.border ?? undefined,
          borderWidth: p.border ? 1 : 0,
          stack: 'spend',
        })),
      },
      options: {
        ...c,
        plugins: {
          ...c.plugins,
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${usd(Number(ctx.raw))}` } },
        },
        scales: {
          x: {
            stacked: true,
            ticks: { color: p.text, maxRotation: 0, autoSkip: true },
            grid: { display: false },
            border: { color: p.grid },
          },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: { color: p.text, callback: (v) => usdTick(Number(v)) },
            grid: { color: p.grid },
          },
        },
      },
    };
  }
}
