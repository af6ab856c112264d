// The panel's HTML page: a strict content-security policy with a nonce, no inline script or style, the bundle and
// stylesheets loaded from dist/. Pure (no DOM, no `vscode`): used by src/vscode/panel.ts and by the Chromium harness (so the tests run
// under the very same policy).

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

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(o: PanelHtmlOptions): string {
  const n = attr(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.codiconUri)}" nonce="${n}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${attr(o.styleUri)}" nonce="${n}">
<title>LLM Router: cost</title>
</head>
<body${o.testMode ? ' data-test-mode=""' : ''}>
<div id="app"><p>Loading…</p></div>
${o.summary === undefined ? '' : `<script type="application/json" id="summary">${jsonForHtml(o.summary)}</script>\n`}${(o.preScripts ?? []).map((s) => `<script nonce="${n}" src="${attr(s)}"></script>`).join('\n')}
<script type="module" nonce="${n}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
