// The cost panel in Chromium: prompts shown as text only, the experiment and workspace cards, the period remembered,
// and the keyboard.
import assert from 'node:assert/strict';
import {
  require,
  record,
  test,
  open,
  waitRendered,
  choosePeriod,
  checkFiguresMatchStore,
  fillVaried,
} from '../lib.mjs';

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
