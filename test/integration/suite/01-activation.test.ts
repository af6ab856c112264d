// The extension loads in a real VS Code and contributes what its manifest promises.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { defaultConfig } from '../../../src/core/config';
import { api, EXT_ID, setSetting, TEST_KEY, until } from './helpers';

suite('activation', () => {
  test('the extension activates and opens its database in global storage', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `${EXT_ID} not found among ${vscode.extensions.all.length} extensions`);
    const a = await api();
    assert.strictEqual(ext.isActive, true);
    await a.runtime.flush();
    const db = a.runtime.dbPath;
    assert.ok(db.startsWith(a.runtime.context.globalStorageUri.fsPath), db);
    assert.ok(fs.existsSync(db), `no database file at ${db}`);
    assert.strictEqual(a.runtime.store.path, db);
    console.log(`    vscode ${vscode.version} (${vscode.env.appName}); activate() took ${a.activateMs.toFixed(1)} ms`);
  });

  test('every contributed command is registered', async () => {
    await api();
    const contributed: string[] = vscode.extensions
      .getExtension(EXT_ID)!
      .packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.length >= 8, contributed.join(', '));
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !all.has(c));
    assert.deepStrictEqual(missing, []);
  });

  test('"LLM Router" and one pinned entry per tier are in the model list once a tier can be reached', async () => {
    const a = await api();
    await a.commands.setApiKey(TEST_KEY);
    try {
      const models = await until('the LLM Router models', async () => {
        const m = await vscode.lm.selectChatModels({ vendor: 'llm-router' });
        return m.length ? m : null;
      });
      const tiers = a.runtime.settings.config.tiers;
      assert.deepStrictEqual(
        models.map((m) => m.id),
        ['router', ...tiers.map((t) => `tier.${t.id}`)],
      );
      assert.deepStrictEqual(
        models.map((m) => m.name),
        ['LLM Router', ...tiers.map((t) => `LLM Router: ${t.label}`)],
      );
      assert.strictEqual(models[0].vendor, 'llm-router');
      // the context window less the output it may ask for
      assert.strictEqual(
        models[0].maxInputTokens,
        Math.min(...tiers.map((t) => t.contextWindow)) - a.runtime.settings.config.defaultMaxOutputTokens,
      );
      const count = await models[0].countTokens('How many tokens is this sentence?');
      assert.ok(count > 3 && count < 20, String(count));
    } finally {
      await vscode.commands.executeCommand('llm-router.clearApiKey');
    }
  });

  test("the status bar shows today's spend", async () => {
    const a = await api();
    await until('status bar text', () => a.statusBar.text.includes('today'));
    assert.match(a.statusBar.text, /\$[\d.,]+ today/);
    assert.strictEqual((a.statusBar.command as string) ?? '', 'llm-router.showCostPanel');
  });

  test('invalid settings are reported in words and the defaults are used', async () => {
    const a = await api();
    const balanced = defaultConfig('balanced').thresholds;
    try {
      await setSetting('thresholds', [0.9, 0.2]);
      await until('the settings reload', () => a.runtime.settings.problems.some((p) => /ascending/.test(p)));
      assert.deepStrictEqual(a.runtime.service.config.thresholds, balanced);
      await setSetting('thresholds', 'high');
      await until('the settings reload', () =>
        a.runtime.settings.problems.some((p) => /llmRouter\.thresholds ignored/.test(p)),
      );
      assert.deepStrictEqual(a.runtime.service.config.thresholds, balanced);
      // a valid override is applied
      await setSetting('thresholds', [0.2, 0.5]);
      await until('the new thresholds', () => a.runtime.service.config.thresholds[0] === 0.2);
      assert.deepStrictEqual(a.runtime.settings.problems, []);
      await setSetting('categoryFloors', { code: 'opus', factual: 'nonexistent' });
      await until('the floors', () => a.runtime.service.config.categoryFloors.code === 2);
      assert.ok(
        a.runtime.settings.problems.some((p) => /no tier "nonexistent"/.test(p)),
        a.runtime.settings.problems.join('\n'),
      );
      // a preset sets thresholds and rules together
      await setSetting('categoryFloors', undefined);
      await setSetting('thresholds', undefined);
      await setSetting('preset', 'quality');
      await until('the quality preset', () => a.runtime.service.config.preset === 'quality');
      assert.deepStrictEqual(a.runtime.service.config.thresholds, defaultConfig('quality').thresholds);
      assert.strictEqual(a.runtime.service.config.highStakesTier, 2);
    } finally {
      await setSetting('thresholds', undefined);
      await setSetting('categoryFloors', undefined);
      await setSetting('preset', undefined);
    }
    await until(
      'defaults back',
      () =>
        a.runtime.service.config.thresholds[0] === balanced[0] &&
        a.runtime.service.config.categoryFloors.code === undefined &&
        a.runtime.service.config.preset === 'balanced',
    );
  });

  test('a daily budget set in the settings shows in the status bar and reaches the store; removing it removes the limit', async () => {
    const a = await api();
    try {
      await setSetting('budget.dailyLimitUsd', 5);
      await until('the budget in the status bar', () => /\d+%/.test(a.statusBar.text));
      assert.strictEqual(a.runtime.store.getBudget().dailyLimitUsd, 5);
      assert.strictEqual(a.runtime.service.budgetState()?.dailyLimitUsd, 5);
      const tip = a.statusBar.tooltip as { value?: string } | string | undefined;
      assert.match(typeof tip === 'string' ? tip : (tip?.value ?? ''), /daily/);
    } finally {
      await setSetting('budget.dailyLimitUsd', undefined);
    }
    await until('the limit removed', () => a.runtime.store.getBudget().dailyLimitUsd === null);
    await until('the status bar without a budget', () => !/\d+%/.test(a.statusBar.text));
  });
});
