// The cost panel in real Chromium: builds the bundle, serves the real panel page (same HTML and CSP as in VS Code)
// from a harness server that plays the extension host with the real PanelController on a real store and service,
// and checks what a user sees and what lands in the store. Writes screenshots to .test-artifacts/screenshots/
// (UPDATE_SCREENSHOTS=1: to media/screenshots/, the copies the README links, so a plain test run changes no tracked file).
// Usage: node test/webview/run.mjs [filter]      (npm run test:webview)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { launch } from './browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(ROOT);
if (!process.env.SKIP_BUILD) execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
// TypeScript sources (the real store, service and panel host) load through tsx's CommonJS hook.
const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
const { startHarness } = require('./harness/server.ts');
const { openEnv } = require('./harness/env.ts');
const { record, manyRecords } = require('./harness/fixtures.ts');
const { periodSince } = require('../../src/panel/viewModel.ts');
const { PERIOD_LABELS } = require('../../webview/protocol.ts');
const { parseUsd, usdStep } = require('../../webview/format.ts');
const { openStore } = require('../../src/core/store/index.ts');

const SHOTS = join(ROOT, process.env.UPDATE_SCREENSHOTS ? 'media/screenshots' : '.test-artifacts/screenshots');
mkdirSync(SHOTS, { recursive: true });
const filter = process.argv[2] ?? '';
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// ---------------------------------------------------------------------------------------------------------------
// Helpers

let browser;
let seq = 0;
/** Run after each test (closing pages, servers, stores), then checked: no CSP violation, no error in the page. */
const cleanups = [];

/** Opens the panel for a fresh environment; returns everything a test needs and a cleanup. */
async function open({ fill, theme = 'dark', viewport = { width: 340, height: 1500 } } = {}) {
  const logs = [];
  const env = await openEnv();
  if (fill) await fill(env);
  const harness = await startHarness({ service: env.service, throttleMs: 100, pollMs: 300, log: (m) => logs.push(m) });
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
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
async function waitRendered(page, after, check) {
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
const renders = (page) => page.evaluate(() => window.__panel?.renders ?? 0);

/** The headline figures exactly as shown. */
async function figures(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll('[data-figure]'), (f) => [
        f.getAttribute('data-figure'),
        { value: f.querySelector('.figure-value').textContent, sub: f.querySelector('.figure-sub')?.textContent ?? '' },
      ]),
    ),
  );
}

function assertUsd(shown, expected, what) {
  const v = parseUsd(shown);
  assert.ok(Math.abs(v - expected) <= usdStep(expected) + 1e-12, `${what}: shows ${shown}, store says ${expected}`);
}

async function choosePeriod(page, period) {
  const n = await renders(page);
  await page.getByRole('button', { name: PERIOD_LABELS[period], exact: true }).click();
  await waitRendered(page, n, `(vm) => vm.period === '${period}'`);
}

async function checkFiguresMatchStore(page, store, period) {
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

function fillVaried(env, { count = 400, days = 45 } = {}) {
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

// ---------------------------------------------------------------------------------------------------------------
// Tests

test('a new user sees the welcome, and its buttons ask the host to set the key and open the chat', async () => {
  const t = await open();
  const welcome = t.page.getByTestId('welcome');
  await welcome.waitFor({ state: 'visible' });
  assert.match(await welcome.textContent(), /Welcome to LLM Router/);
  assert.match(await welcome.textContent(), /@router/);
  assert.equal(await t.page.getByTestId('figures').isVisible(), false, 'no wall of zeros');
  assert.equal(await t.page.getByTestId('recent').isVisible(), false);
  assert.equal(await t.page.getByTestId('budget').isVisible(), true, 'a budget can be set before the first request');
  await t.page.getByTestId('set-key').click();
  await t.page.getByTestId('open-chat').click();
  await t.page.waitForFunction(
    () => window.__harness.posted.filter((m) => m.method === 'setApiKey' || m.method === 'openChat').length === 2,
  );
  await waitFor(
    () => t.harness.globalState.get('setApiKeyClicks') === 1 && t.harness.globalState.get('openChatClicks') === 1,
    'host got setApiKey and openChat',
  );
  await t.page.setViewportSize({ width: 340, height: 640 });
  await t.page.screenshot({ path: join(SHOTS, 'panel-welcome-dark.png'), fullPage: true });
  // The first decision (from the chat) replaces the welcome with the figures.
  const n = await renders(t.page);
  t.env.store.insertDecision(
    record(t.env.config, { id: 'first-1', time: Date.now(), tier: 0, prompt: 'hello router' }),
  );
  await waitRendered(t.page, n, `(vm) => !vm.empty`);
  assert.equal(await t.page.getByTestId('welcome').isVisible(), false);
  assert.equal((await figures(t.page)).requests.value, '1');
});

test('while the database is still opening the panel waits, then shows it; if it cannot open, the panel says why', async () => {
  const env = await openEnv();
  fillVaried(env, { count: 20, days: 2 });
  let open;
  let fail;
  const harnesses = [
    await startHarness({
      service: env.service,
      ready: new Promise((r) => {
        open = r;
      }),
    }),
    await startHarness({
      service: env.service,
      ready: new Promise((_r, j) => {
        fail = j;
      }),
    }),
  ];
  const context = await browser.newContext({ viewport: { width: 340, height: 900 } });
  cleanups.push(async () => {
    await context.close();
    for (const h of harnesses) await h.close();
    await env.close();
  });
  const page = await context.newPage();
  await page.goto(harnesses[0].page('opening'));
  await page.waitForFunction(() => window.__harness.posted.some((m) => m.method === 'ready'));
  assert.equal(await renders(page), 0, 'nothing drawn before the database is open');
  assert.equal(await page.locator('main').getAttribute('aria-busy'), 'true', 'screen readers hear it is loading');
  open();
  await waitRendered(page, 0);
  await checkFiguresMatchStore(page, env.store, '7d');
  const page2 = await context.newPage();
  await page2.goto(harnesses[1].page('broken'));
  await page2.waitForFunction(() => window.__harness.posted.some((m) => m.method === 'ready'));
  fail(new Error('database file is locked by another program'));
  await page2.waitForFunction(() =>
    /could not be opened: database file is locked/.test(document.querySelector('[data-testid=status]').textContent),
  );
  assert.equal(await renders(page2), 0);
});

test('a host whose service is not built yet: the panel says so, then shows the figures once it is', async () => {
  const env = await openEnv();
  fillVaried(env, { count: 20, days: 2 });
  let built = false;
  const service = new Proxy(env.service, {
    get(target, prop) {
      if (!built) throw new Error('LLM Router is still opening its database; try again in a moment.');
      return Reflect.get(target, prop);
    },
  });
  const harness = await startHarness({ service });
  const context = await browser.newContext({ viewport: { width: 340, height: 900 } });
  cleanups.push(async () => {
    await context.close();
    await harness.close();
    await env.close();
  });
  const page = await context.newPage();
  await page.goto(harness.page('late-service'));
  await page.waitForFunction(() =>
    /still opening its database/.test(document.querySelector('[data-testid=status]').textContent),
  );
  assert.equal(await renders(page), 0);
  built = true;
  await waitRendered(page, 0);
  await checkFiguresMatchStore(page, env.store, '7d');
  assert.equal(await page.getByTestId('status').textContent(), '', 'the message is gone once the figures are there');
});

test('the headline figures, tiers, quality and recent decisions equal the store for every period', async () => {
  const t = await open({ fill: (env) => fillVaried(env) });
  assert.equal(await t.page.getByTestId('welcome').isVisible(), false, 'no welcome once there are decisions');
  for (const period of ['today', '7d', '30d', 'all']) {
    await choosePeriod(t.page, period);
    const s = await checkFiguresMatchStore(t.page, t.env.store, period);
    // Tier distribution: the chart's accessible summary names each tier's decisions.
    const aria = await t.page.locator('canvas').first().getAttribute('aria-label');
    for (const [i, tier] of t.env.config.tiers.entries()) {
      assert.ok(
        aria.includes(`${tier.label} ${(s.byTier[i] ?? 0).toLocaleString('en-US')} decisions`),
        `${period}: ${aria}`,
      );
    }
    // Quality by tier, with counts.
    for (const q of s.qualityByTier) {
      const row = await t.page.locator(`[data-testid="quality"] tr[data-tier="${q.tier}"]`).textContent();
      if (q.upRate !== null)
        assert.ok(
          row.includes(`${(q.upRate * 100).toFixed(1)}% (${q.up} up, ${q.down} down)`),
          `${period} quality row: ${row}`,
        );
      if (q.autoQuality !== null)
        assert.ok(
          row.includes(`${q.autoQuality.toFixed(2)} (${q.autoCount} answers)`),
          `${period} auto quality: ${row}`,
        );
    }
  }
  const shownIds = await t.page
    .locator('[data-decision]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-decision')));
  assert.deepEqual(
    shownIds,
    t.env.store.listDecisions({ limit: 20 }).rows.map((r) => r.id),
    'recent decisions, newest first',
  );
  // Screenshots for the README: the whole panel once, then the sidebar as a user sees it in each theme.
  await t.page.screenshot({ path: join(SHOTS, 'panel-full-dark.png'), fullPage: true });
  await t.page.setViewportSize({ width: 340, height: 1040 });
  for (const theme of ['dark', 'light', 'high-contrast']) {
    await t.page.evaluate((name) => window.__harness.setTheme(name), theme);
    await t.page.screenshot({ path: join(SHOTS, `panel-${theme}.png`) });
  }
});

test('charts take their colours from the theme and are redrawn when it changes', async () => {
  const t = await open({ fill: (env) => fillVaried(env, { count: 50, days: 5 }), theme: 'dark' });
  const dark = await t.page.evaluate(() => window.__panel.charts.colours());
  assert.deepEqual(dark, ['#89d185', '#3794ff', '#b180d7'], 'dark theme chart colours');
  await t.page.evaluate(() => window.__harness.setTheme('light'));
  await t.page.waitForFunction(() => window.__panel.charts.colours()[0] === '#388a34');
  assert.deepEqual(await t.page.evaluate(() => window.__panel.charts.colours()), ['#388a34', '#1a85ff', '#652d90']);
});

test('a decision recorded elsewhere shows up live, without reloading', async () => {
  const t = await open({ fill: (env) => fillVaried(env, { count: 20, days: 3 }) });
  await choosePeriod(t.page, 'today');
  const before = await figures(t.page);
  const n = await renders(t.page);
  const rec = record(t.env.config, {
    id: 'live-1',
    time: Date.now(),
    tier: 1,
    prompt: 'a brand new question from the CLI',
    source: 'cli',
  });
  t.env.store.insertDecision(rec);
  await waitRendered(t.page, n, `(vm) => vm.recent.rows.some((r) => r.id === 'live-1')`);
  await checkFiguresMatchStore(t.page, t.env.store, 'today');
  const after = await figures(t.page);
  assert.equal(Number(after.requests.value.replace(/,/g, '')), Number(before.requests.value.replace(/,/g, '')) + 1);
  assert.equal(await t.page.locator('[data-decision]').first().getAttribute('data-decision'), 'live-1');
});

test('a decision written by another process (the CLI, another window) appears while the view is open', async () => {
  const t = await open({ fill: (env) => fillVaried(env, { count: 5, days: 1 }) });
  await t.env.store.flush();
  const other = await openStore({ path: t.env.dbPath });
  try {
    const n = await renders(t.page);
    other.insertDecision(
      record(t.env.config, { id: 'other-process-1', time: Date.now(), tier: 2, prompt: 'from the CLI', source: 'cli' }),
    );
    await other.flush();
    await waitRendered(t.page, n, `(vm) => vm.recent.rows.some((r) => r.id === 'other-process-1')`);
    await checkFiguresMatchStore(t.page, t.env.store, '7d');
    assert.equal(t.env.store.getDecision('other-process-1')?.source, 'cli');
  } finally {
    await other.close();
  }
});

test('thumbs given in the panel land in the store', async () => {
  const t = await open({ fill: (env) => fillVaried(env, { count: 10, days: 2 }) });
  const first = t.page.locator('[data-decision]').first();
  const id = await first.getAttribute('data-decision');
  const n = await renders(t.page);
  await first.getByRole('button', { name: 'Bad answer' }).click();
  await waitRendered(t.page, n, `(vm) => vm.recent.rows.find((r) => r.id === '${id}')?.feedback === 'down'`);
  const fb = t.env.store.feedbackFor(id).filter((f) => f.thumb !== null);
  assert.equal(fb.at(-1)?.thumb, 'down', 'the store has the thumb');
  assert.equal(
    await t.page
      .locator(`[data-decision="${id}"]`)
      .getByRole('button', { name: 'Bad answer' })
      .getAttribute('aria-pressed'),
    'true',
  );
  assert.match(await t.page.getByTestId('status').textContent(), /bad answer/);
  // From the detail view of another decision.
  const second = t.page.locator('[data-decision]').nth(1);
  const id2 = await second.getAttribute('data-decision');
  await second.locator('.decision-open').click();
  const detail = t.page.getByTestId('detail');
  await detail.waitFor({ state: 'visible' });
  await detail.getByRole('button', { name: 'Good answer' }).click();
  await t.page.waitForFunction(
    () =>
      document.querySelector('[data-testid=detail] [aria-label="Good answer"]')?.getAttribute('aria-pressed') ===
      'true',
  );
  assert.equal(
    t.env.store
      .feedbackFor(id2)
      .filter((f) => f.thumb !== null)
      .at(-1)?.thumb,
    'up',
  );
  assert.match(await detail.textContent(), /Feedback.*up/);
});

test('a call whose window was killed mid-answer shows as interrupted, its worst case held in the spend and the budget', async () => {
  const t = await open({ fill: (env) => fillVaried(env, { count: 5, days: 1 }) });
  await t.env.store.flush();
  const n = await renders(t.page);
  // Another process records a call, holds its worst case ($0.02) and is killed before the answer is recorded.
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/process/fixtures/hold-worker.ts'), t.env.dbPath, 'killed-mid-answer', '0.02'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    worker.stdout.on('data', (d) => {
      if (/held/.test(String(d))) resolve();
    });
    worker.on('exit', reject);
  });
  worker.kill('SIGKILL');
  await new Promise((r) => worker.on('exit', r));
  await t.env.store.refresh(); // (the panel's own polling may have come first)
  await waitRendered(
    t.page,
    n,
    `(vm) => vm.recent.rows.some((r) => r.id === 'killed-mid-answer' && r.status === 'interrupted')`,
  );
  const row = t.page.locator('[data-decision="killed-mid-answer"]');
  assert.equal(await row.locator('[data-cost]').textContent(), 'interrupted · cost unknown');
  assert.match(await row.locator('[data-cost]').getAttribute('title'), /worst case is counted against your budget/);
  const f = await figures(t.page);
  assert.match(f.spend.sub, /1 interrupted \(\$0\.0200 held\)/);
  assert.match(
    await t.page.getByTestId('budget-used').textContent(),
    /\$0\.0200 held today \(calls under way or interrupted\)/,
  );
});

test('the budget is edited in place: a good value is saved to the store, a bad one is refused and kept', async () => {
  const t = await open({ fill: (env) => fillVaried(env, { count: 30, days: 2 }) });
  const daily = t.page.getByTestId('budget-daily').locator('input');
  await daily.fill('abc');
  await t.page.getByTestId('budget-save').click();
  await t.page.waitForFunction(() =>
    /Daily limit must be/.test(document.querySelector('[data-testid=status]').textContent),
  );
  assert.deepEqual(t.env.store.getBudget().dailyLimitUsd, null, 'nothing saved');
  assert.equal(await daily.inputValue(), 'abc', 'what the user typed is kept');
  await daily.fill('2.5');
  await t.page.getByTestId('budget-monthly').locator('input').fill('40');
  const n = await renders(t.page);
  await t.page.getByTestId('budget-save').click();
  await waitRendered(t.page, n, `(vm) => vm.budget.dailyLimitUsd === 2.5`);
  const sent = t.harness.traffic
    .filter((x) => x.dir === 'to-host' && x.msg.method === 'setBudget')
    .map((x) => x.msg.params);
  assert.deepEqual(sent.at(-1), {
    dailyLimitUsd: 2.5,
    monthlyLimitUsd: 40,
    onExhausted: t.env.store.getBudget().onExhausted,
  });
  assert.equal(t.env.store.getBudget().dailyLimitUsd, 2.5);
  assert.equal(t.env.store.getBudget().monthlyLimitUsd, 40);
  const used = await t.page.getByTestId('budget-used').textContent();
  assert.match(used, /of \$2\.50/);
  const gauge = t.page.getByRole('meter', { name: 'Budget used' });
  const st = t.env.service.budgetState();
  assert.ok(st, 'with limits set the service reports a budget state');
  assert.equal(await t.page.getByTestId('budget-state').textContent(), st.state);
  assert.equal(await gauge.getAttribute('aria-valuenow'), String(Math.round(st.usedFraction * 100)));
  // A limit already used up today: the gauge shows the state the service enforces (not "normal").
  await daily.fill('0.0001');
  const k = await renders(t.page);
  await t.page.getByTestId('budget-save').click();
  await waitRendered(t.page, k, `(vm) => vm.budget.dailyLimitUsd === 0.0001`);
  const over = t.env.service.budgetState();
  assert.notEqual(over.state, 'normal');
  assert.equal(await t.page.getByTestId('budget-state').textContent(), over.state);
  assert.match(await gauge.getAttribute('aria-valuetext'), new RegExp(`used, ${over.state}`));
  await t.page.screenshot({
    path: join(SHOTS, 'panel-budget-dark.png'),
    clip: await t.page.locator('section', { has: t.page.getByTestId('budget') }).boundingBox(),
  });
});

test('retraining from the panel: thumbs down, "Retrain now" gets its own reply and adds an adjustment with its reason; undo reaches the store', async () => {
  // Six Sonnet answers to medium/code prompts: five rated bad through the service (as from the chat), the sixth in the panel.
  const t = await open({
    fill: (env) => {
      for (const r of manyRecords(env.config, { count: 30, days: 2, now: Date.now() - 60_000, seed: 11 }))
        env.store.insertDecision(r);
      for (let i = 0; i < 6; i++) {
        env.store.insertDecision(
          record(env.config, {
            id: `mc-${i}`,
            time: Date.now() - 1000 * (i + 1),
            tier: 1,
            complexity: 'medium',
            category: 'code',
            prompt: `refactor module ${i}`,
          }),
        );
        if (i > 0) env.service.feedback(`mc-${i}`, 'down');
      }
    },
  });
  const n0 = await renders(t.page);
  await t.page.locator('[data-decision="mc-0"]').getByRole('button', { name: 'Bad answer' }).click();
  await waitRendered(t.page, n0, `(vm) => vm.recent.rows.find((r) => r.id === 'mc-0')?.feedback === 'down'`);
  assert.equal(t.env.store.listAdjustments(true).length, 0, 'nothing changed before retraining');

  const n = await renders(t.page);
  await t.page.getByRole('button', { name: 'Retrain now' }).click();
  await t.page.waitForFunction(() =>
    /Retrained: 1 new adjustment/.test(document.querySelector('[data-testid=status]').textContent),
  );
  const req = t.harness.traffic.find((x) => x.dir === 'to-host' && x.msg.method === 'retrainNow');
  assert.ok(req && typeof req.msg.id === 'number', 'a request with an id');
  const reply = t.harness.traffic.find(
    (x) => x.dir === 'to-webview' && x.msg.method === '$reply' && x.msg.id === req.msg.id,
  );
  assert.ok(reply?.msg.ok && reply.msg.result.added === 1, 'its own reply');
  const [adj] = t.env.store.listAdjustments(false);
  assert.equal(
    `${adj.complexity}/${adj.category}/${adj.kind}/${adj.tier}`,
    'medium/code/raise/2',
    'the store has the adjustment',
  );
  await waitRendered(t.page, n, `(vm) => vm.retrain.adjustments.length === 1 && vm.retrain.lastRun !== null`);
  assert.match(
    await t.page.getByTestId('retrain-last').textContent(),
    /Last run: \d{4}-\d\d-\d\d \d\d:\d\d \(just now\)/,
  );
  const item = t.page.locator(`[data-adjustment="${adj.id}"]`);
  assert.match(await item.textContent(), /medium\/code → at least Opus/);
  assert.ok((await item.textContent()).includes(adj.reason), `the reason is shown: ${adj.reason}`);

  const k = await renders(t.page);
  await item.getByRole('button', { name: 'Undo adjustment for medium/code' }).click();
  await waitRendered(
    t.page,
    k,
    `(vm) => vm.retrain.adjustments.find((a) => a.id === '${adj.id}')?.revertedAt !== null`,
  );
  assert.notEqual(
    t.env.store.listAdjustments(true).find((a) => a.id === adj.id).revertedAt,
    null,
    'reverted in the store',
  );
  assert.equal(t.env.store.listAdjustments(false).length, 0);
  assert.match(await item.textContent(), /undone/);
  assert.equal(
    await item.getByRole('button', { name: /Undo/ }).count(),
    0,
    'an undone adjustment cannot be undone twice',
  );
});

test('fine-tuning from the panel: "Fine-tune on my feedback" shows when, rows used, held back, accuracy before → after and kept; "Use the shipped model" undoes it', async () => {
  // 36 Haiku answers to "zentrix export" prompts rated bad, 12 Haiku answers to trivial questions rated good.
  const topics = [
    'ledger',
    'invoice',
    'payroll',
    'audit trail',
    'refund',
    'chargeback',
    'receipt',
    'statement',
    'budget',
    'forecast',
    'expense',
    'tax form',
  ];
  const probe = 'reconcile the bank balance with the quarterly zentrix export';
  const t = await open({
    fill: (env) => {
      let n = 0;
      const add = (prompt, thumb) => {
        const id = `fb-${n++}`;
        env.store.insertDecision(record(env.config, { id, time: Date.now() - 3_600_000 + n, tier: 0, prompt }));
        env.store.addFeedback({ decisionId: id, thumb, autoQuality: null, signals: null });
      };
      for (const topic of topics) {
        for (const verb of ['reconcile the', 'merge the', 'tidy the'])
          add(`${verb} ${topic} with the quarterly zentrix export`, 'down');
        add(`what colour is a ${topic} icon`, 'up');
      }
    },
  });
  const block = t.page.getByTestId('finetune');
  assert.match(await block.textContent(), /Not fine-tuned yet \(routing uses the shipped model\)/);
  assert.equal(t.env.service.decide({ prompt: probe }).tierId, 'haiku', 'the shipped model sends it to Haiku');
  assert.equal(await block.getByRole('button', { name: 'Use the shipped model' }).count(), 0, 'nothing to undo yet');

  const n = await renders(t.page);
  await block.getByRole('button', { name: 'Fine-tune on my feedback' }).click();
  await t.page.waitForFunction(() =>
    /^Fine-tuned on 36 rows: \d+ of 12 held-back answers .* Kept: routing uses it now\.$/.test(
      document.querySelector('[data-testid=status]').textContent,
    ),
  );
  const req = t.harness.traffic.find((x) => x.dir === 'to-host' && x.msg.method === 'fineTuneNow');
  assert.ok(req && typeof req.msg.id === 'number', 'a request with an id');
  const reply = t.harness.traffic.find(
    (x) => x.dir === 'to-webview' && x.msg.method === '$reply' && x.msg.id === req.msg.id,
  );
  assert.ok(reply?.msg.ok && reply.msg.result.fineTune.heldBack === 12, 'its own reply, with the figures');
  await waitRendered(t.page, n, `(vm) => vm.retrain.fineTune !== null && vm.retrain.fineTunedInUse`);
  assert.match(
    await t.page.getByTestId('finetune-last').textContent(),
    /^Last fine-tune: \d{4}-\d\d-\d\d \d\d:\d\d \(just now\) · 36 rows trained on, 12 held back$/,
  );
  assert.match(
    await t.page.getByTestId('finetune-accuracy').textContent(),
    /^Held-back accuracy: \d+\.\d% → 100\.0% \((\d+) → 12 of 12 routed as rated; before: the shipped model\)$/,
  );
  assert.equal(await t.page.getByTestId('finetune-kept').textContent(), 'Kept: routing uses it now.');
  assert.notEqual(
    t.env.service.decide({ prompt: probe }).tierId,
    'haiku',
    'the service routes with the fine-tuned model',
  );
  assert.equal(t.env.service.decide({ prompt: 'what colour is a folder icon' }).tierId, 'haiku');

  const k = await renders(t.page);
  await block.getByRole('button', { name: 'Use the shipped model' }).click();
  await waitRendered(t.page, k, `(vm) => !vm.retrain.fineTunedInUse && vm.retrain.fineTune?.removedAt !== null`);
  assert.match(
    await t.page.getByTestId('status').textContent(),
    /Fine-tuned model removed: routing uses the shipped model\./,
  );
  assert.match(
    await t.page.getByTestId('finetune-kept').textContent(),
    /^Kept, then removed \d{4}-\d\d-\d\d \d\d:\d\d: routing uses the shipped model\.$/,
  );
  assert.equal(t.env.service.decide({ prompt: probe }).tierId, 'haiku', 'back to the shipped model');
  assert.equal(await block.getByRole('button', { name: 'Use the shipped model' }).count(), 0);
});

test('fine-tuning from the panel with too little feedback says so and changes nothing', async () => {
  const t = await open({
    fill: (env) => {
      env.store.insertDecision(
        record(env.config, {
          id: 'one',
          time: Date.now() - 1000,
          tier: 0,
          prompt: 'tidy the ledger with the quarterly zentrix export',
        }),
      );
      env.store.addFeedback({ decisionId: 'one', thumb: 'down', autoQuality: null, signals: null });
    },
  });
  await t.page.getByRole('button', { name: 'Fine-tune on my feedback' }).click();
  await t.page.waitForFunction(() =>
    /Only 1 usable rated answer: fine-tuning needs at least 4/.test(
      document.querySelector('[data-testid=status]').textContent,
    ),
  );
  assert.equal(await t.page.getByTestId('status').getAttribute('data-level'), 'warning');
  assert.match(await t.page.getByTestId('finetune-last').textContent(), /Not fine-tuned yet/);
  assert.equal(t.env.store.getMeta('classifierModelAt'), null, 'no model stored');
});

test('a prompt with <script> and <img onerror> is shown as text and runs nothing, in the list and the detail view', async () => {
  const evil = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2;alert(1)"> & "quotes"';
  const t = await open({
    fill: (env) =>
      env.store.insertDecision(
        record(env.config, {
          id: 'evil-1',
          time: Date.now() - 1000,
          tier: 0,
          prompt: evil,
          reasons: ['<b>bold</b> reason'],
        }),
      ),
  });
  const row = t.page.locator('[data-decision="evil-1"]');
  assert.equal(await row.locator('[data-prompt]').textContent(), evil, 'the list shows the prompt literally');
  assert.equal(await row.locator('img, script, b').count(), 0, 'no element was made from it');
  await row.locator('.decision-open').click();
  const detail = t.page.getByTestId('detail');
  await detail.waitFor({ state: 'visible' });
  assert.equal(await t.page.getByTestId('detail-prompt').textContent(), evil, 'the detail shows it literally');
  assert.match(await detail.textContent(), /<b>bold<\/b> reason/);
  assert.equal(await detail.locator('img, script, b').count(), 0);
  await t.page.waitForTimeout(200); // give an injected onerror handler the chance to fire, were there one
  assert.equal(await t.page.evaluate(() => window.__xss), undefined, 'no injected script ran');
  assert.deepEqual(t.dialogs, [], 'no dialog opened');
  await t.page.keyboard.press('Escape');
  await detail.waitFor({ state: 'hidden' });
});

test('the A/B experiment card shows both arms and says when the difference is not yet meaningful; spend by workspace lists each project', async () => {
  const { createExperiment, assignArm } = require('../../src/core/experiments/definition.ts');
  const t = await open({
    fill: (env) => {
      const exp = createExperiment(env.store, env.config, {
        name: 'economy <trial>',
        a: {},
        b: { preset: 'economy' },
        now: Date.now() - 60_000,
      });
      for (let i = 0; i < 6; i++) {
        const r = record(env.config, { id: `x${i}`, time: Date.now() - 30_000 + i, tier: 0 });
        env.store.insertDecision({
          ...r,
          experimentId: exp.id,
          experimentArm: i % 2 ? 'b' : 'a',
          workspaceName: i < 4 ? 'billing <svc>' : 'docs',
          workspaceId: i < 4 ? 'aaaaaaaaaaaaaaaa' : 'bbbbbbbbbbbbbbbb',
        });
      }
      void assignArm;
    },
  });
  const card = t.page.getByRole('region', { name: 'A/B experiment' });
  await card.waitFor({ state: 'visible' });
  assert.match(await card.textContent(), /“economy <trial>” · running/);
  assert.match(await card.locator('[data-arm="a"]').textContent(), /^a · your settings3\$0\.\d+/);
  assert.match(await card.locator('[data-arm="b"]').textContent(), /^b · preset economy3/);
  assert.match(
    await t.page.getByTestId('experiment-verdicts').textContent(),
    /cost per request: not yet meaningful: 3 vs 3, at least 20 in each arm needed/,
  );
  const ws = t.page.getByRole('region', { name: 'Spend by workspace' });
  assert.match(await ws.locator('[data-workspace="aaaaaaaaaaaaaaaa"]').textContent(), /^billing <svc>4\$/);
  assert.match(await ws.locator('[data-workspace="bbbbbbbbbbbbbbbb"]').textContent(), /^docs2\$/);
  assert.equal(await t.page.locator('section b, section svc').count(), 0, 'names are text');
});

test('the chosen period persists across a reload of the view and a new session', async () => {
  const t = await open({ fill: (env) => fillVaried(env, { count: 100, days: 40 }) });
  await choosePeriod(t.page, '30d');
  await t.page.reload();
  await waitRendered(t.page, 0);
  assert.equal(await t.page.evaluate(() => window.__panel.lastState.period), '30d');
  assert.equal(await t.page.getByRole('button', { name: '30 days', exact: true }).getAttribute('aria-pressed'), 'true');
  await checkFiguresMatchStore(t.page, t.env.store, '30d');
  // A new webview (VS Code restarted): the host remembered it.
  await t.page.evaluate(() => sessionStorage.clear());
  await t.page.goto(t.harness.page('another-session'));
  await waitRendered(t.page, 0);
  assert.equal(await t.page.evaluate(() => window.__panel.lastState.period), '30d');
});

test('keyboard only: Tab reaches "Retrain now" and Enter runs it; controls have names for screen readers', async () => {
  const t = await open({ fill: (env) => fillVaried(env, { count: 10, days: 2 }) });
  let found = false;
  for (let i = 0; i < 80 && !found; i++) {
    await t.page.keyboard.press('Tab');
    found = await t.page.evaluate(() => document.activeElement?.textContent?.trim() === 'Retrain now');
  }
  assert.ok(found, 'Retrain now is reachable with Tab');
  await t.page.keyboard.press('Enter');
  await t.page.waitForFunction(() => window.__harness.posted.some((m) => m.method === 'retrainNow'));
  const unnamed = await t.page.evaluate(() =>
    Array.from(document.querySelectorAll('vscode-button, button, canvas, [role=meter]'))
      .filter((e) => !(e.getAttribute('aria-label') || e.textContent.trim()))
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, [], 'every control has a name');
});

// ---------------------------------------------------------------------------------------------------------------

async function waitFor(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

browser = await launch();
let passed = 0;
let failed = 0;
for (const { name, fn } of tests) {
  if (filter && !name.includes(filter)) continue;
  const errors = [];
  try {
    await fn();
  } catch (e) {
    errors.push(e);
  }
  for (const c of cleanups.splice(0)) {
    try {
      await c();
    } catch (e) {
      errors.push(e);
    }
  }
  if (!errors.length) {
    passed++;
    console.log(`  ✓ ${name}`);
    continue;
  }
  failed++;
  console.log(`  ✗ ${name}`);
  for (const e of errors) console.log(`    ${(e?.stack ?? String(e)).split('\n').slice(0, 6).join('\n    ')}`);
}
await browser.close();
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
