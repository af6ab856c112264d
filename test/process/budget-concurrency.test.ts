// Issue 14, item 7: a budget holds across processes. Ten `route` processes start at once against the local Messages
// API (a slow stream, each answer running to its max tokens, so a call costs about its worst case) with a daily
// limit that affords four: each call's worst case is reserved in the database, under the lock, before it leaves,
// so the total recorded spend never passes the limit, and the refused ones say it was the budget.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { worstCase } from '../../src/core/service/fit';
import { openStore } from '../../src/core/store';
import { dayStart } from '../../src/core/store/days';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { runCli } from './harness';

const KEY = 'sk-ant-process-budget-77e2';
const PROMPT = 'Write a detailed essay on the history of lighthouses and their keepers.';
const MAX_TOKENS = 300;
const PROCESSES = 10;

describe('a daily limit shared by concurrent processes', function () {
  let dir: string;
  let db: string;
  let mock: MockAnthropic;
  before(async () => {
    // 2,000 words cut at max_tokens: every answer costs its worst case's output; ~100 deltas 40 ms apart (≈ 4 s).
    mock = await startMockAnthropic({ apiKey: KEY, scenario: { kind: 'slow', delayMs: 40, words: 2000 } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-budget-procs-'));
    db = path.join(dir, 'router.sqlite');
  });
  after(async () => {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`${PROCESSES} route processes at once, a limit that affords 4: spend stays within it, the others are refused by the budget`, async () => {
    const worst = worstCase(defaultConfig(), { prompt: PROMPT, source: 'cli', maxTokens: MAX_TOKENS }, 0)!;
    const limit = 4.5 * worst;
    const set = await runCli(['budget', 'set', '--db', db, '--daily', limit.toFixed(6)]);
    assert.equal(set.code, 0, set.err);

    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        runCli(
          ['route', '--db', db, '--tier', 'haiku', '--max-tokens', String(MAX_TOKENS), '--base-url', mock.url, PROMPT],
          { env: { ANTHROPIC_API_KEY: KEY } },
        ),
      ),
    );

    const answered = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code !== 0);
    for (const r of refused) {
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /Not sent: on Haiku its worst case \$[\d.]+ would pass the daily limit/, r.err);
    }
    for (const r of answered) assert.match(r.out, /model claude-haiku-4-5 · tokens in \d+ \/ out 300 · cost/);

    const s = await openStore({ path: db });
    try {
      const spent = s.spendSince(dayStart(Date.now()));
      const ok = s.listDecisions({ status: 'ok', limit: 100 }).rows;
      const blocked = s.listDecisions({ status: 'blocked', limit: 100 }).rows;
      assert.ok(
        spent <= limit + 1e-12,
        `spent $${spent.toFixed(6)} of a $${limit.toFixed(6)} limit (${answered.length} answered)`,
      );
      assert.equal(ok.length, answered.length);
      assert.equal(blocked.length, refused.length);
      // The limit affords four: no more were refused than had to be.
      assert.equal(answered.length, 4, `${answered.length} answered, ${refused.length} refused`);
      assert.equal(s.reservations.list().length, 0, 'every reservation was released');
      assert.equal(mock.messageRequests().length, 4, 'only the calls that fit were sent');
    } finally {
      await s.close();
    }
  });
});
