// The API key is in SecretStorage and nowhere else: not in settings, not in the log, not in the database, not in any
// file this VS Code wrote (user data, global storage, logs, exports).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { api, chat, filesUnder, mockServer, TEST_KEY } from './helpers';

suite('API key', () => {
  test('is kept in SecretStorage and appears in no settings, log, database or other file', async () => {
    const a = await api();
    await mockServer();
    await a.commands.setApiKey(TEST_KEY);
    assert.deepStrictEqual(await a.runtime.keys.get(), { key: TEST_KEY, source: 'secret-storage' });
    // Use it, so there is something to leak: a chat request, a logged decision, a saved database.
    const h = await chat('@router What is the tallest mountain on Earth?');
    assert.strictEqual((h.result.metadata as { status?: string }).status, 'ok', JSON.stringify(h.result));
    a.runtime.log.info(`a line that mentions the key ${TEST_KEY} must come out redacted`);
    await a.runtime.flush();
    await new Promise((r) => setTimeout(r, 1500)); // the log channel writes its file asynchronously

    const root = process.env.LLM_ROUTER_IT_TMP;
    assert.ok(root, 'LLM_ROUTER_IT_TMP not set by the runner');
    const userData = path.join(root, 'user-data');
    const files = filesUnder(root).filter((f) => !f.includes(`${path.sep}extensions${path.sep}`));
    const settings = path.join(userData, 'User', 'settings.json');
    assert.ok(files.includes(settings), 'settings.json not found');
    assert.ok(files.includes(a.runtime.dbPath), 'database not found');
    const logFile = files.find((f) => /LLM Router\.log$/.test(f));
    assert.ok(logFile, `the output channel's log file was not found among ${files.length} files`);
    const log = fs.readFileSync(logFile, 'utf8');
    assert.match(log, /must come out redacted/, 'the log file does not have the line written');
    assert.match(log, /→ claude-/, 'the log file records no decision');

    const needle = Buffer.from(TEST_KEY);
    const leaks = files.filter((f) => {
      try {
        return fs.readFileSync(f).includes(needle);
      } catch {
        return false;
      }
    });
    assert.deepStrictEqual(leaks, [], 'the key was found in these files');
  });
});
