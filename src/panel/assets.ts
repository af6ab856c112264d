// The panel's own code and stylesheet, read from dist/ so the page can carry them (src/panel/html.ts): the page then
// draws the headline figures without fetching anything first. Each fetch from a webview goes through VS Code's
// service worker and the editor (tens of ms on a first open); chart.js and the web components are still fetched,
// as chunks, after the first paint.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PageAssets {
  /** dist/webview.js: the page's entry module. */
  script: string;
  /** dist/webview.css. */
  style: string;
}

/** Read on every call (a rebuilt bundle is picked up when the view loads again); undefined when either file cannot
 *  be read: the page links them instead. */
export function readPageAssets(distDir: string): PageAssets | undefined {
  try {
    return {
      script: fs.readFileSync(path.join(distDir, 'webview.js'), 'utf8'),
      style: fs.readFileSync(path.join(distDir, 'webview.css'), 'utf8'),
    };
  } catch {
    return undefined;
  }
}
