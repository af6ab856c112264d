// The panel's HTML page: a strict content-security policy with a nonce; the entry module and its stylesheet carried
// in the page (nonced, when the host could read them: src/panel/assets.ts) or else loaded from dist/. Pure (no DOM,
// no `vscode`): used by src/vscode/panel.ts and by the Chromium harness (so the tests run under the very same policy).

export interface PanelHtmlOptions {
  /** webview.cspSource in VS Code; the harness's own origin in tests. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** Scripts to load (with the nonce) before the bundle: the harness's acquireVsCodeApi stand-in. */
  preScripts?: string[];
  /** Extra connect-src sources (only the harness needs one, to relay messages over HTTP). */
  connectSrc?: string;
  /** The extension runs its tests (or the harness its own): the page reports what it drew (Rendered) and exposes
   *  window.__panel. Otherwise it does neither. */
  testMode?: boolean;
  /** The entry module and the stylesheet themselves (src/panel/assets.ts), carried in the page instead of linked,
   *  and `base`: the folder scriptUri is in (the module's chunks are imported relative to it). */
  inline?: { script: string; style: string; base: string };
  /** The headline figures and the budget, carried in the page (a JSON data block, not a script) so it draws them
   *  as soon as it runs, before its first message to the host. */
  summary?: unknown;
}

/** JSON that can sit inside <script type="application/json">: no "<" (so no "</script>"), no line separators. */
export function jsonForHtml(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function makeNonce(random: (n: number) => Uint8Array): string {
  return Array.from(random(18), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function contentSecurityPolicy(o: Pick<PanelHtmlOptions, 'cspSource' | 'nonce' | 'connectSrc'>): string {
  return [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
    o.connectSrc ? `connect-src ${o.connectSrc}` : null,
  ]
    .filter(Boolean)
    .join('; ');
}

/** Text that can sit inside <script> or <style>: no closing tag, no comment opener (inside a string or a regular
 *  expression, "<\/" reads as "</" and "<\!" as "<!"; the panel's code and CSS have neither outside one). */
export function rawTextForHtml(s: string): string {
  return s.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(o: PanelHtmlOptions): string {
  const n = attr(o.nonce);
  const inl = o.inline;
  // The codicons are for icons only: loaded without holding up the first paint (media="print" neither blocks
  // rendering nor the script), switched on by the page once the headline is drawn (webview/main.ts).
  const head = inl
    ? `<base href="${attr(inl.base)}">
<link rel="stylesheet" href="${attr(o.codiconUri)}" nonce="${n}" id="vscode-codicon-stylesheet" media="print">
<style nonce="${n}">${rawTextForHtml(inl.style)}</style>`
    : `<link rel="stylesheet" href="${attr(o.codiconUri)}" nonce="${n}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${attr(o.styleUri)}" nonce="${n}">`;
  const script = inl
    ? `<script type="module" nonce="${n}">${rawTextForHtml(inl.script)}</script>`
    : `<script type="module" nonce="${n}" src="${attr(o.scriptUri)}"></script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${head}
<title>LLM Router: cost</title>
</head>
<body${o.testMode ? ' data-test-mode=""' : ''}>
<div id="app"><p>Loading…</p></div>
${o.summary === undefined ? '' : `<script type="application/json" id="summary">${jsonForHtml(o.summary)}</script>\n`}${(o.preScripts ?? []).map((s) => `<script nonce="${n}" src="${attr(s)}"></script>`).join('\n')}
${script}
</body>
</html>`;
}
