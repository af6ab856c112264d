// The cost panel in Chromium: the welcome, a database or service not there yet, the figures against the store for
// every period, the theme's colours, and decisions that arrive while the view is open.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import {
  record,
  openStore,
  SHOTS,
  test,
  browser,
  cleanups,
  open,
  waitRendered,
  renders,
  figures,
  choosePeriod,
  checkFiguresMatchStore,
  fillVaried,
  waitFor,
  openEnv,
  startHarness,
} from '../lib.mjs';

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
  const context = await browser().newContext({ viewport: { width: 340, height: 900 } });
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
  const context = await browser().newContext({ viewport: { width: 340, height: 900 } });
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
