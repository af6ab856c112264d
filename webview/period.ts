// The period chooser: a compact segmented control (native buttons: light, and they fit one line of a narrow
// sidebar). Remembers the choice in the webview state and tells the host.
import { h } from './dom';
import type { PanelContext } from './context';
import { PERIODS, PERIOD_LABELS, SetPeriod, isPeriod, type Period } from './protocol';

export class PeriodBar {
  readonly el = h('div', { class: 'period hide-when-empty', role: 'group', 'aria-label': 'Period' });
  private current: Period;
  /** The period of the state last drawn. */
  private drawn: Period | undefined;

  constructor(
    private readonly ctx: PanelContext,
    private readonly onChoose: () => void,
  ) {
    const saved = ctx.saved.period;
    this.current = isPeriod(saved) ? saved : '7d';
  }

  get period(): Period {
    return this.current;
  }

  /** A state arrived for `p`: it is what the panel shows now. */
  shown(p: Period): void {
    this.drawn = p;
    if (p !== this.current) {
      this.current = p;
      this.ctx.remember({ period: p });
    }
  }

  render(): void {
    this.el.replaceChildren(
      ...PERIODS.map((p) => {
        const b = h(
          'button',
          { type: 'button', class: 'seg', 'aria-pressed': String(p === this.current), 'data-testid': `period-${p}` },
          PERIOD_LABELS[p],
        );
        b.addEventListener('click', () => this.choose(p));
        return b;
      }),
    );
  }

  private choose(p: Period): void {
    if (p === this.current && this.drawn === p) return;
    this.current = p;
    this.ctx.remember({ period: p });
    this.render();
    this.onChoose();
    this.ctx.endpoint.send(SetPeriod, { period: p });
  }
}
