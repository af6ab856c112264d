// Small DOM helpers for the panel: strings always become text nodes (never HTML).

export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

export function icon(name: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

export interface ButtonOptions {
  icon?: string;
  secondary?: boolean;
  aria?: string;
  pressed?: boolean;
  testid?: string;
}

export function button(label: string, opts: ButtonOptions = {}, onClick?: (ev: Event) => void): HTMLElement {
  const b = h(
    'vscode-button',
    {
      icon: opts.icon,
      secondary: opts.secondary,
      'aria-label': opts.aria,
      'aria-pressed': opts.pressed === undefined ? undefined : String(opts.pressed),
      'data-testid': opts.testid,
    },
    label,
  );
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

/** A grid table: a caption for screen readers, a header row naming the columns, and the body's rows. */
export function gridTable(caption: string, columns: string[], rows: HTMLElement[]): HTMLTableElement {
  return h(
    'table',
    { class: 'grid' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
  );
}
