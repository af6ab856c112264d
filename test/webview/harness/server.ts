// The harness server: serves the real panel page (src/panel/html.ts, same CSP) with dist/webview.js, and plays the
// extension host over HTTP: each page session gets a real PanelController (src/panel/host.ts) on a real store and
// service. Webview → host messages arrive as POST /msg, host → webview messages leave as answers to a long poll.
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PanelController } from '../../../src/panel/host';
import { panelHtml, makeNonce } from '../../../src/panel/html';
import { readPageAssets } from '../../../src/panel/assets';
import type { Period, ViewModel, WireMessage, WireReply } from '../../../webview/protocol';
import type { RouterService } from '../../../src/core/service-api';

const ROOT = path.resolve(__dirname, '../../..');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.html': 'text/html',
};

export interface HarnessOptions {
  service: RouterService;
  throttleMs?: number;
  /** Called for each host message and each webview message (for tests that check what was sent). */
  onTraffic?(dir: 'to-host' | 'to-webview', session: string, msg: unknown): void;
  /** Called after each state the host sends, with the time it took to compute. */
  onPush?(session: string, vm: ViewModel, computeMs: number): void;
  log?(m: string): void;
  /** Where webview.js, webview.css and codicon.css are served from (default: dist/). */
  distDir?: string;
  /** Let the browser cache the bundle (as the editor does); default false. */
  cache?: boolean;
  /** Passed to the panel host: resolves when the database is open (the editor opens it in the background). */
  ready?: Promise<unknown>;
  /** Re-read the database for other processes' rows every this many ms, like the visible view does (default 5000). */
  pollMs?: number;
}

interface Session {
  controller: PanelController;
  /** The page's pending long poll (GET /poll), answered as soon as there is something to deliver. */
  waiting: http.ServerResponse | null;
  lastPoll: number;
  buffer: unknown[];
  /** The page instance (one per load of the page) the host is talking to. */
  pageId: string | null;
}

export interface Harness {
  url: string;
  /** Page URL for a session and a theme. */
  page(session: string, theme?: 'dark' | 'light' | 'high-contrast'): string;
  controller(session: string): PanelController | undefined;
  /** What "globalState" holds (the remembered period), shared by all sessions like VS Code's globalState. */
  globalState: Map<string, unknown>;
  /** Messages seen, in order. */
  traffic: { dir: 'to-host' | 'to-webview'; session: string; msg: WireMessage | WireReply }[];
  close(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const sessions = new Map<string, Session>();
  const globalState = new Map<string, unknown>();
  const traffic: Harness['traffic'] = [];

  const deliver = (s: Session) => {
    if (!s.waiting || !s.buffer.length) return;
    const res = s.waiting;
    s.waiting = null;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(s.buffer.splice(0)));
  };

  const sessionFor = (id: string): Session => {
    let s = sessions.get(id);
    if (s) return s;
    const post = (msg: WireMessage | WireReply) => {
      traffic.push({ dir: 'to-webview', session: id, msg });
      opts.onTraffic?.('to-webview', id, msg);
      const cur = sessions.get(id)!;
      cur.buffer.push(msg);
      deliver(cur);
      return true;
    };
    const controller = new PanelController(
      {
        service: opts.service,
        ready: opts.ready,
        throttleMs: opts.throttleMs,
        onSetApiKey: () => {
          globalState.set('setApiKeyClicks', ((globalState.get('setApiKeyClicks') as number) ?? 0) + 1);
        },
        onOpenChat: () => {
          globalState.set('openChatClicks', ((globalState.get('openChatClicks') as number) ?? 0) + 1);
        },
        hasApiKey: () => globalState.get('hasKey') === true,
        loadPeriod: () => globalState.get('period') as Period | undefined,
        savePeriod: (p) => {
          globalState.set('period', p);
        },
        log: opts.log,
      },
      post,
    );
    controller.onDidPush = (vm, ms) => opts.onPush?.(id, vm, ms);
    controller.setPolling(true, opts.pollMs ?? 5000); // the page is visible
    s = { controller, waiting: null, lastPoll: Date.now(), buffer: [], pageId: null };
    sessions.set(id, s);
    return s;
  };

  const inlineAssets = () => {
    const a = readPageAssets(opts.distDir ?? path.join(ROOT, 'dist'));
    return a && { ...a, base: '/dist/' };
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const session = u.searchParams.get('session') ?? 'default';
    const origin = `http://${req.headers.host}`;
    try {
      if (u.pathname === '/' || u.pathname === '/index.html') {
        sessionFor(session); // like resolveWebviewView: the host side exists (and starts computing) before the page loads
        const nonce = makeNonce((n) => crypto.randomBytes(n));
        const q = u.search;
        const html = panelHtml({
          cspSource: origin,
          nonce,
          connectSrc: origin,
          scriptUri: '/dist/webview.js',
          styleUri: '/dist/webview.css',
          codiconUri: '/dist/codicon.css',
          // As in the editor: the page carries its entry module and stylesheet; the chunks come from /dist/.
          inline: inlineAssets(),
          preScripts: [`/harness/stub.js${q}`],
          testMode: true,
          summary: sessionFor(session).controller.summaryNow(),
        });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(html);
        return;
      }
      if (u.pathname === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      const pageId = u.searchParams.get('page');
      /** A message or a poll from a new page (first load or reload): hold messages until it says ready. */
      const newPage = (s: Session): boolean => {
        if (!pageId || s.pageId === pageId) return false;
        s.pageId = pageId;
        s.waiting?.writeHead(204).end();
        s.waiting = null;
        s.buffer.length = 0;
        s.controller.webviewGone();
        return true;
      };
      if (u.pathname === '/poll') {
        // Host → webview: a long poll (fetch), answered at once when messages are waiting, else when the next comes.
        // (An EventSource was tried first: Chromium holds its data back while the page is still loading.)
        const s = sessionFor(session);
        newPage(s);
        if (pageId && s.pageId !== pageId) {
          res.writeHead(204).end();
          return;
        }
        s.waiting?.writeHead(204).end();
        s.waiting = res;
        s.lastPoll = Date.now();
        deliver(s);
        req.on('close', () => {
          if (s.waiting !== res) return;
          s.waiting = null;
          // The page went away (closed, or reloading): like a disposed webview view, its host half goes too,
          // unless the page polls again at once. Otherwise every closed page would keep computing.
          setTimeout(() => {
            if (s.waiting || Date.now() - s.lastPoll < 1500 || sessions.get(session) !== s) return;
            s.controller.dispose();
            sessions.delete(session);
          }, 2000);
        });
        return;
      }
      if (u.pathname === '/msg' && req.method === 'POST') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          let msg: unknown;
          try {
            msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            res.writeHead(400).end('bad json');
            return;
          }
          traffic.push({ dir: 'to-host', session, msg: msg as WireMessage });
          opts.onTraffic?.('to-host', session, msg);
          res.writeHead(204).end();
          const s = sessionFor(session);
          newPage(s);
          if (pageId && s.pageId !== pageId) return; // from a page that was replaced
          void s.controller.receive(msg);
        });
        return;
      }
      if (u.pathname === '/harness/stub.js') {
        // The theme table and the acquireVsCodeApi stand-in, in one script (one round trip, like VS Code's own preload).
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(
          fs.readFileSync(path.join(__dirname, 'themes.js'), 'utf8') +
            '\n' +
            fs.readFileSync(path.join(__dirname, 'stub.js'), 'utf8'),
        );
        return;
      }
      const dist = /^\/dist\/((?:webview-chunks\/)?[^/.][^/]*)$/.exec(u.pathname)?.[1];
      const file = dist
        ? path.join(opts.distDir ?? path.join(ROOT, 'dist'), dist)
        : u.pathname.startsWith('/harness/')
          ? path.join(__dirname, path.basename(u.pathname))
          : null;
      if (file && fs.existsSync(file)) {
        // Like the editor, which serves an extension's files from disk with caching, so reopening the view reuses
        // the browser's compiled code; `cache: false` (the tests) forces a fresh load every time.
        res.writeHead(200, {
          'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'cache-control': opts.cache ? 'max-age=3600' : 'no-store',
        });
        fs.createReadStream(file).pipe(res);
        return;
      }
      res.writeHead(404).end('not found');
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    page: (session, theme = 'dark') => `${url}/?session=${encodeURIComponent(session)}&theme=${theme}`,
    controller: (id) => sessions.get(id)?.controller,
    globalState,
    traffic,
    async close() {
      for (const s of sessions.values()) {
        s.waiting?.writeHead(204).end();
        s.controller.dispose();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
