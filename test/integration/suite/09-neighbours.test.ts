// Similar past prompts in the real extension: with llmRouter.neighbours.enabled (and the default prompt previews,
// which keep these short prompts whole), thumbs down on Haiku for a kind of prompt send the next such prompt a tier up, and Explain Routing Decision names the neighbours.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, setSetting, until } from './helpers';

const HISTORY = [
  'Convert this timestamp 1700000000 to a date in the Europe/Berlin time zone with daylight saving',
  'Convert this timestamp 1712345678 to a date in the Europe/Berlin time zone with daylight saving',
  'Convert this timestamp 1699999999 to a date in the Europe/Berlin time zone with daylight saving',
];
const NEW = 'Convert this timestamp 1722222222 to a date in the Europe/Berlin time zone with daylight saving';

suite('similar past prompts', () => {
  suiteTeardown(async () => {
    await setSetting('neighbours.enabled', undefined);
  });

  test('thumbs down on similar Haiku answers route the next one to Sonnet; the explanation names them', async () => {
    const a = await api();
    const before = a.runtime.service.decide({ prompt: NEW });
    assert.strictEqual(before.tierId, 'haiku');
    for (const p of HISTORY) {
      const d = a.runtime.service.dryRun({ prompt: p, source: 'command', override: 'haiku' });
      a.runtime.service.feedback(d.id, 'down');
    }
    await setSetting('neighbours.enabled', true);
    await until('the setting applied', () => a.runtime.settings.neighbours);
    const rec = a.runtime.service.dryRun({ prompt: NEW, source: 'command' });
    assert.strictEqual(rec.tierId, 'sonnet', rec.reasons.join(' | '));
    const text = await vscode.commands.executeCommand<string>('llm-router.explainDecision', rec.id);
    assert.match(text ?? '', /similar past prompts: “Convert this timestamp/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
