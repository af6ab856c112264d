// The panel page: its skeleton, and drawing one ViewModel into it section by section. In test mode (the page says so:
// <body data-test-mode>) what it drew is reported to the host (Rendered) and exposed as window.__panel for the
// Chromium tests, the tests in the real editor and the benchmarks; otherwise neither exists.
import { BudgetSection } from './budget';
import { Charts } from './charts';
import type { PanelContext } from './context';
import { Decisions } from './decisions';
import { renderExperiment, renderWorkspaces } from './features';
import { h } from './dom';
import { PeriodBar } from './period';
import { Rendered, type RenderedInfo, type Summary, type ViewModel } from './protocol';
import { renderRetrain } from './retrain';
import { renderFigures, renderQuality, renderWelcome, shownFigures } from './sections';

/** What the panel exposes about its own drawing, for the Chromium tests and the benchmark. */
export interface PanelProbe {
  renders: number;
  lastState?: ViewModel;
  /** Time spent drawing the last state, and per section. */
  lastRenderMs?: number;
  timings?: Record<string, number>;
  /** Date.now() when the last state arrived and when it was drawn. */
  receivedAt?: number;
  renderedAt?: number;
  /** Date.now() when the last headline (figures and budget) was drawn, and the time it took. */
  headlineAt?: number;
  headlineMs?: number;
  charts: Charts;
}
declare global {
  interface Window {
    __panel?: PanelProbe;
  }
}

/** Set by the host's page (src/panel/html.ts) only when the extension or the harness runs tests. */
const testMode = (): boolean => document.body.dataset.testMode !== undefined;

export class Panel {
  readonly periodBar: PeriodBar;
  readonly probe: PanelProbe;
  private readonly welcome = h('section', {
    class: 'welcome',
    'aria-labelledby': 'welcome-h',
    hidden: true,
    'data-testid': 'welcome',
  });
  private readonly figures = h('section', {
    class: 'figures hide-when-empty',
    'aria-label': 'Headline figures',
    'data-testid': 'figures',
  });
  private readonly tierCanvas = h('canvas', { role: 'img', 'aria-label': 'Decisions and spend per tier' });
  private readonly dayCanvas = h('canvas', { role: 'img', 'aria-label': 'Spend per day by tier' });
  private readonly charts = new Charts(this.tierCanvas, this.dayCanvas);
  private readonly daysTitle = h('h2', { id: 'days-h' }, 'Spend per day');
  private readonly quality = h('div', { 'data-testid': 'quality' });
  private readonly retrain = h('div', { 'data-testid': 'retrain' });
  private readonly experiment = h('div', { 'data-testid': 'experiment' });
  private readonly workspaces = h('div', { 'data-testid': 'workspaces' });
  private readonly budget: BudgetSection;
  private readonly decisions: Decisions;
  private readonly main: HTMLElement;
  /** Work that can wait until the first state is on screen (or, if none comes, a moment after start-up). */
  private readonly deferred: (() => void)[] = [];
  private readonly deferredFallback = setTimeout(() => this.runDeferred(), 1000);

  constructor(
    private readonly ctx: PanelContext,
    app: HTMLElement,
    status: HTMLElement,
  ) {
    this.periodBar = new PeriodBar(ctx, () => this.main.setAttribute('aria-busy', 'true'));
    this.budget = new BudgetSection(ctx);
    this.decisions = new Decisions(ctx);
    const card = (id: string, title: string | HTMLElement, body: HTMLElement, always = false) =>
      h(
        'section',
        { 'aria-labelledby': id, class: always ? 'card' : 'card hide-when-empty' },
        typeof title === 'string' ? h('h2', { id }, title) : title,
        body,
      );
    this.main = h(
      'main',
      { 'aria-busy': 'true' },
      h('header', { class: 'top' }, h('h1', { class: 'sr-only' }, 'LLM Router: cost'), this.periodBar.el),
      status,
      this.welcome,
      this.figures,
      card('tiers-h', 'Tiers', h('div', { class: 'chart chart-small' }, this.tierCanvas)),
      card('days-h', this.daysTitle, h('div', { class: 'chart' }, this.dayCanvas)),
      card('quality-h', 'Quality by tier', this.quality),
      card('budget-h', 'Budget', this.budget.el, true),
      card('retrain-h', 'Retraining', this.retrain),
      card('experiment-h', 'A/B experiment', this.experiment),
      card('workspaces-h', 'Spend by workspace', this.workspaces),
      card('recent-h', 'Recent decisions', this.decisions.el),
    );
    app.replaceChildren(this.main, this.decisions.dialog);
    this.deferred.push(() => this.budget.attachForm());
    this.probe = { renders: 0, charts: this.charts };
    if (testMode()) window.__panel = this.probe;
    this.periodBar.render();
  }

  /** The theme changed: the charts take the new colours. */
  themeChanged(): void {
    this.charts.redraw();
  }

  /** The headline figures and the budget, drawn as soon as they arrive (the charts and lists follow with the State). */
  renderSummary(s: Summary): void {
    const t0 = performance.now();
    this.periodBar.shown(s.period);
    this.periodBar.render();
    renderWelcome(this.welcome, s, this.ctx);
    renderFigures(this.figures, s);
    this.budget.render(s);
    this.main.classList.toggle('is-empty', s.empty);
    this.main.dataset.period = s.period;
    this.probe.headlineMs = performance.now() - t0;
    this.probe.headlineAt = Date.now();
    if (!performance.getEntriesByName('headline').length) {
      performance.mark('headline');
      performance.measure('open-to-headline', 'panel-start', 'headline');
    }
    if (testMode()) this.reportRendered('headline', s, []);
  }

  async render(v: ViewModel): Promise<void> {
    // chart.js is set up on the first draw: wait for it before anything, so the state is drawn in one go.
    await this.charts.ready();
    const t0 = performance.now();
    this.periodBar.shown(v.period);
    const timings: Record<string, number> = {};
    const step = (name: string, fn: () => void) => {
      const a = performance.now();
      fn();
      timings[name] = performance.now() - a;
    };
    step('period', () => this.periodBar.render());
    step('welcome', () => renderWelcome(this.welcome, v, this.ctx));
    step('figures', () => renderFigures(this.figures, v));
    this.daysTitle.textContent = v.days.unit === 'week' ? 'Spend per week' : 'Spend per day';
    step('charts', () => void this.charts.update(v));
    step('quality', () => renderQuality(this.quality, v));
    step('budget', () => this.budget.render(v));
    step('retrain', () => renderRetrain(this.retrain, v, this.ctx));
    step('recent', () => this.decisions.render(v));
    step('features', () => {
      renderExperiment(this.experiment, v);
      renderWorkspaces(this.workspaces, v);
    });
    this.probe.timings = timings;
    this.main.classList.toggle('is-empty', v.empty);
    this.main.setAttribute('aria-busy', 'false');
    this.main.dataset.period = v.period;
    document.body.dataset.rendered = String((this.probe.renders += 1));
    this.probe.lastState = v;
    this.probe.lastRenderMs = performance.now() - t0;
    this.probe.renderedAt = Date.now();
    if (this.probe.renders === 1) this.firstRender();
    if (testMode()) this.reportRendered('full', v, this.decisions.listedIds());
  }

  /** Tells the host what was drawn (test mode): the stage, the state's figures as shown, the decisions listed. */
  private reportRendered(stage: RenderedInfo['stage'], s: Summary, decisionIds: string[]): void {
    this.ctx.endpoint.send(Rendered, {
      stage,
      renders: this.probe.renders,
      period: s.period,
      generatedAt: s.generatedAt,
      figures: shownFigures(this.figures),
      empty: s.empty,
      decisionIds,
      marks: pageMarks(),
    });
  }

  private firstRender(): void {
    performance.mark('first-render');
    performance.measure('open-to-first-render', 'panel-start', 'first-render');
    clearTimeout(this.deferredFallback);
    requestAnimationFrame(() => setTimeout(() => this.runDeferred(), 0)); // after the frame that shows this state
  }

  private runDeferred(): void {
    for (const fn of this.deferred.splice(0)) fn();
  }
}

/** The page's own timeline on the Date.now() clock: navigation start, HTML received, then each performance mark. */
function pageMarks(): Record<string, number> {
  const o = performance.timeOrigin;
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const marks: Record<string, number> = { navigationStart: o };
  if (nav) {
    marks.responseEnd = o + nav.responseEnd;
    marks.domInteractive = o + nav.domInteractive;
  }
  for (const m of performance.getEntriesByType('mark')) marks[m.name] = o + m.startTime;
  return marks;
}
