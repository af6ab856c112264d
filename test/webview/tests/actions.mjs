// The cost panel in Chromium: what a person does in it (thumbs, the budget, retraining, fine-tuning) lands in the store,
// and an interrupted call shows as such.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { ROOT, record, manyRecords, SHOTS, test, open, waitRendered, renders, figures, fillVaried } from '../lib.mjs';

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
