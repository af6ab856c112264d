// Issue 14, item 3: a call stopped by a signal keeps its cost. SIGTERM (kill) and SIGHUP (the terminal closed)
// during a streamed `route` record what was received (status cancelled, the tokens and their cost) before the
// process exits with 128 + the signal; a call killed outright (SIGKILL) is found at the next open, marked
// interrupted, and its worst case still counts against the budget.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { runCli, startCli } from './harness';

const KEY = 'sk-ant-process-signals-5c1d';
const PROMPT = 'Tell me a long story about a lighthouse keeper and a storm.';
const MAX_TOKENS = 400;

describe('route stopped by a signal', function () {
  let dir: string;
  let db: string;
  let mock: MockAnthropic;
  before(async () => {
    // 60 words in deltas of about three words, 150 ms apart: the answer takes about 3 s.
    mock = await startMockAnthropic({ apiKey: KEY, scenario: { kind: 'slow', delayMs: 150, words: 60 } });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-signals-'));
    db = path.join(dir, 'router.sqlite');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const route = (prompt = PROMPT) =>
    startCli(
      ['route', '--db', db, '--tier', 'haiku', '--max-tokens', String(MAX_TOKENS), '--base-url', mock.url, prompt],
      { env: { ANTHROPIC_API_KEY: KEY } },
    );
  const rows = async () => {
    const s = await openStore({ path: db });
    try {
      return { rows: s.listDecisions({ limit: 100 }).rows, spentToday: s.spendSince(new Date().setHours(0, 0, 0, 0)) };
    } finally {
      await s.close();
    }
  };

  for (const [sig, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${sig} mid-answer: records the call as cancelled with the tokens received and their cost, exits ${code}`, async () => {
      const run = route();
      await run.waitFor(/\S+ \S+ \S+ \S+ \S+ \S+/); // a few deltas have arrived
      const shown = run.out();
      if (sig === 'SIGHUP') {
        // The terminal is gone: nothing can be written to stdout or stderr any more.
        run.child.stdout!.destroy();
        run.child.stderr!.destroy();
      }
      run.child.kill(sig);
      const r = await run.done;
      assert.equal(r.code, code, `exit code (signal ${r.signal}); stderr: ${r.err}`);
      const { rows: all, spentToday } = await rows();
      assert.equal(all.length, 1);
      const rec = all[0];
      assert.equal(rec.status, 'cancelled');
      assert.ok(rec.usage, 'usage recorded');
      assert.ok(rec.usage.inputTokens > 0, 'input tokens recorded');
      // Output tokens: at least what was shown (the stand-in counts 4 characters a token).
      assert.ok(
        rec.usage.outputTokens >= Math.floor(shown.trim().length / 4),
        `out ${rec.usage.outputTokens} tokens for ${shown.length} characters shown`,
      );
      assert.ok(rec.usage.outputTokens < MAX_TOKENS);
      assert.ok(rec.costUsd !== null && rec.costUsd > 0, 'cost recorded');
      assert.equal(spentToday, rec.costUsd, 'the cost counts in the spend');
      if (sig === 'SIGTERM')
        assert.match(
          r.err,
          /stopped by SIGTERM; recorded what was received \(tokens in \d+ \/ out \d+ · cost \$0\.\d+\)/,
        );
    });
  }

  it('SIGKILL mid-answer: the next open marks the call interrupted, and its worst case counts against the budget', async () => {
    // in ≈ 15 tokens, out ≤ 400 on Haiku ($1 / $5 per million): worst case ≈ $0.002. The limit affords one such call.
    const set = await runCli(['budget', 'set', '--db', db, '--daily', '0.003']);
    assert.equal(set.code, 0, set.err);
    const run = route();
    await run.waitFor(/\S+ \S+ \S+/);
    run.child.kill('SIGKILL');
    await run.done;
    const { rows: all } = await rows();
    assert.equal(all.length, 1);
    assert.equal(all[0].status, 'interrupted');
    assert.equal(all[0].costUsd, null, 'the real cost is not known');
    // The same call again does not fit: the interrupted call's worst case is still held against the limit.
    const again = await route().done;
    assert.equal(again.code, 1, again.err);
    assert.match(again.err, /daily limit/);
    const status = await runCli(['budget', 'status', '--db', db, '--json']);
    const st = JSON.parse(status.out) as { heldToday: number; heldMonth: number };
    assert.ok(st.heldToday > 0.0019 && st.heldToday < 0.0025, `held against the budget: ${st.heldToday}`);
    assert.equal(st.heldMonth, st.heldToday);
    const stats = await runCli(['stats', '--db', db]);
    assert.match(
      stats.out,
      /Interrupted calls +1 \(the process ended before the cost was known: worst case \$0\.00\d+ held against the budget\)/,
    );
  });
});
