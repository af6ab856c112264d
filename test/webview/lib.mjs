// Shared by the cost panel's Chromium tests (test/webview/run.mjs runs them): builds the bundle (unless SKIP_BUILD),
// loads the real store, service and panel host through tsx, and gives each test an open panel in a fresh environment
// with the checks every test shares (what the page shows, what the store holds).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(ROOT);
if (!process.env.SKIP_BUILD) execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
// TypeScript sources (the real store, service and panel host) load through tsx's CommonJS hook.
export const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
export const { startHarness } = require('./harness/server.ts');
export const { openEnv } = require('./harness/env.ts');
export const { record, manyRecords } = require('./harness/fixtures.ts');
const { periodSince } = require('../../src/panel/viewModel.ts');
export const { PERIOD_LABELS } = require('../../webview/protocol.ts');
const { parseUsd, usdStep } = require('../../webview/format.ts');
export const { openStore } = require('../../src/core/store/index.ts');

export const SHOTS = join(ROOT, process.env.UPDATE_SCREENSHOTS ? 'media/screenshots' : '.test-artifacts/screenshots');
mkdirSync(SHOTS, { recursive: true });
/** Every test, in the order the files declared them (run.mjs runs them). */
export const tests = [];
export const test = (name, fn) => tests.push({ name, fn });

// ---------------------------------------------------------------------------------------------------------------
// Helpers

let current;
/** The browser the tests run in (run.mjs launches it). */
export const browser = () => current;
export const setBrowser = (b) => {
  current = b;
};
let seq = 0;
/** Run after each test (closing pages, servers, stores), then checked: no CSP violation, no error in the page. */
export const cleanups = [];

/** Opens the panel for a fresh environment; returns everything a test needs and a cleanup. */
export async function open({ fill, theme = 'dark', viewport = { width: 340, height: 1500 } } = {}) {
  const logs = [];
  const env = await openEnv();
  if (fill) await fill(env);
  const harness = await startHarness({ service: env.service, throttleMs: 100, pollMs: 300, log: (m) => logs.push(m) });
  const context = await current.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  const session = `s${++seq}`;
  cleanups.push(async () => {
    const csp = await page.evaluate(() => window.__harness.cspViolations).catch(() => []);
    await context.close();
    await harness.close();
    await env.close();
    assert.deepEqual(csp, [], `content-security-policy violations: ${csp.join(', ')}`);
    assert.deepEqual(
      problems.filter((p) => !/favicon/.test(p)),
      [],
      'errors in the page',
    );
  });
  await page.goto(harness.page(session, theme));
  await waitRendered(page, 0);
  return { env, harness, page, session, problems, dialogs, logs };
}

/** Waits until the panel has drawn more than `after` states (and optionally one whose view model passes `check`).
 *  Polls from Node: a predicate compiled inside the page would need eval, which the panel's CSP forbids. */
export async function waitRendered(page, after, check) {
  const src = check ? (typeof check === 'string' ? check : check.toString()) : null;
  const fn = src ? new Function(`return (${src})`)() : null;
  const end = Date.now() + 10_000;
  for (;;) {
    const p = await page.evaluate(() =>
      window.__panel ? { renders: window.__panel.renders, vm: window.__panel.lastState } : null,
    );
    if (p && p.renders > after && (!fn || fn(p.vm))) return p.vm;
    if (Date.now() > end) throw new Error(`timed out waiting for the panel to draw${src ? `: ${src}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
export const renders = (page) => page.evaluate(() => window.__panel?.renders ?? 0);

/** The headline figures exactly as shown. */
export async function figures(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll('[data-figure]'), (f) => [
        f.getAttribute('data-figure'),
        { value: f.querySelector('.figure-value').textContent, sub: f.querySelector('.figure-sub')?.textContent ?? '' },
      ]),
    ),
  );
}

export function assertUsd(shown, expected, what) {
  const v = parseUsd(shown);
  assert.ok(Math.abs(v - expected) <= usdStep(expected) + 1e-12, `${what}: shows ${shown}, store says ${expected}`);
}

export async function choosePeriod(page, period) {
  const n = await renders(page);
  await page.getByRole('button', { name: PERIOD_LABELS[period], exact: true }).click();
  await waitRendered(page, n, `(vm) => vm.period === '${period}'`);
}

export async function checkFiguresMatchStore(page, store, period) {
  const since = periodSince(period, Date.now());
  const s = store.stats(since === undefined ? {} : { since });
  const f = await figures(page);
  assertUsd(f.spend.value, s.spendUsd, `${period} spend`);
  assertUsd(f.baseline.value, s.baselineUsd, `${period} top-tier cost`);
  assertUsd(f.saved.value, s.savedUsd, `${period} saved`);
  assert.equal(f.saved.sub, `${(s.savedPct * 100).toFixed(1)}%`, `${period} saved %`);
  assert.equal(f.requests.value, s.requests.toLocaleString('en-US'), `${period} requests`);
  assert.equal(f.requests.sub, `${s.decisions.toLocaleString('en-US')} decisions`, `${period} decisions`);
  assertUsd(f.avg.value, s.avgCostUsd, `${period} average per request`);
  return s;
}

export function fillVaried(env, { count = 400, days = 45 } = {}) {
  const now = Date.now();
  for (const r of manyRecords(env.config, { count, days, now: now - 60_000, seed: 7 })) env.store.insertDecision(r);
  // Some thumbs and automatic quality, through the store like the service records them.
  const { rows } = env.store.listDecisions({ limit: 60 });
  rows.forEach((r, i) => {
    if (r.status !== 'ok') return;
    env.store.addFeedback({ decisionId: r.id, thumb: i % 3 === 0 ? 'down' : 'up', autoQuality: null, signals: null });
    env.store.addFeedback({ decisionId: r.id, thumb: null, autoQuality: 0.5 + (i % 5) / 10, signals: { refusal: 0 } });
  });
}

export async function waitFor(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
