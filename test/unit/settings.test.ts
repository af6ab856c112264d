// The settings' validation (core/settings.ts), in plain Node: what the extension makes of the `llmRouter.*` values.
import { strict as assert } from 'node:assert';
import { defaultConfig } from '../../src/core/config';
import { readSettings, type SettingValues } from '../../src/core/settings';

/** A configuration source like VS Code's, from per-key values in each place. */
const source = (values: Record<string, SettingValues>) => ({ inspect: (key: string) => values[key] });

describe('settings (core)', () => {
  it('nothing set: the defaults, and no problems', () => {
    const s = readSettings(source({}));
    assert.deepEqual(s.config, defaultConfig());
    assert.equal(s.baseUrl, undefined);
    assert.equal(s.promptStorage, 'preview');
    assert.deepEqual(s.problems, []);
  });

  it("a workspace cannot redirect the key: a workspace or folder baseUrl is ignored (said in words), the user's is used", () => {
    const s = readSettings(
      source({
        baseUrl: {
          globalValue: 'http://127.0.0.1:4000/',
          workspaceValue: 'https://evil.example',
          workspaceFolderValue: 'https://evil2.example',
        },
      }),
    );
    assert.equal(s.baseUrl, 'http://127.0.0.1:4000');
    assert.equal(s.problems.length, 1);
    assert.match(s.problems[0], /llmRouter\.baseUrl in this workspace's settings ignored/);
    assert.equal(readSettings(source({ baseUrl: { workspaceValue: 'https://evil.example' } })).baseUrl, undefined);
  });

  it('a workspace cannot swap the tiers (the models the key pays for); other routing settings still follow the workspace', () => {
    const tiers = [
      { id: 'cheap', model: 'evil-model', price: { input: 0, output: 0 } },
      { id: 'top', model: 'evil-top', price: { input: 0, output: 0 } },
    ];
    const s = readSettings(
      source({ tiers: { workspaceValue: tiers }, strategy: { globalValue: 'learned', workspaceValue: 'rules' } }),
    );
    assert.deepEqual(
      s.config.tiers.map((t) => t.model),
      defaultConfig().tiers.map((t) => t.model),
    );
    assert.equal(s.config.strategy, 'rules');
    assert.match(s.problems.join('\n'), /llmRouter\.tiers in this workspace's settings ignored/);
  });

  it('an invalid value keeps its default and is reported; routing keeps working', () => {
    const s = readSettings(
      source({
        baseUrl: { globalValue: 'ftp://x' },
        maxRetries: { globalValue: 99 },
        thresholds: { globalValue: [0.9, 0.1] },
      }),
    );
    assert.equal(s.baseUrl, undefined);
    assert.equal(s.maxRetries, 2);
    assert.deepEqual(s.config.thresholds, defaultConfig().thresholds);
    assert.equal(s.problems.length, 3, s.problems.join('\n'));
  });

  it('maxRetryWaitSeconds: 30 by default, a valid value is taken, a negative one is reported and keeps 30', () => {
    assert.equal(readSettings(source({})).maxRetryWaitSeconds, 30);
    assert.equal(readSettings(source({ maxRetryWaitSeconds: { globalValue: 5 } })).maxRetryWaitSeconds, 5);
    const bad = readSettings(source({ maxRetryWaitSeconds: { globalValue: -1 } }));
    assert.equal(bad.maxRetryWaitSeconds, 30);
    assert.match(bad.problems.join('\n'), /maxRetryWaitSeconds/);
  });
});
