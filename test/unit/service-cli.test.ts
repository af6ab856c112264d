// The CLI's route, budget, retrain and calibrate commands on a real database file, run as a user would, with the
// real client against the local Messages API server.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { chunkText, mockAnswer } from '../mock-anthropic';
import { runCli } from './fixtures/cli';
import { useMessagesApi } from './fixtures/service';

describe('CLI route, budget, retrain, calibrate', () => {
  let dir: string;
  let db: string;
  const api = useMessagesApi({ store: false });
  const KEY = api.key;
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli([...args, '--db', db], { env });
    return { code: r.code, out: r.stdout, err: r.stderr };
  };
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-route-cli-'));
    db = path.join(dir, 'router.sqlite');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const SQL = 'Write a SQL query that counts orders per customer.';

  it('route --dry-run --json records the decision and calls nothing; without a key it shows the decision and exits 2', async () => {
    const r = await cli(['route', '--dry-run', '--json', SQL]);
    assert.equal(r.code, 0, r.err);
    const rec = JSON.parse(r.out);
    assert.equal(rec.status, 'dry-run');
    assert.equal(rec.tierId, 'sonnet');
    const nokey = await cli(['route', SQL]);
    assert.equal(nokey.code, 2);
    assert.match(nokey.out, /Routed to Sonnet · medium \/ code/);
    assert.match(nokey.err, /No Anthropic API key/);
    assert.equal((nokey.out + nokey.err).split('Routed to').length - 1, 1, 'the decision is shown once');
    assert.equal(api.server.messageRequests().length, 0);
  });

  it('route streams the answer from the API (key from the environment, --base-url) and prints model, tokens, cost, saved', async () => {
    const r = await cli(['route', '--base-url', api.server.url, SQL], { ANTHROPIC_API_KEY: KEY });
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.startsWith(mockAnswer('claude-sonnet-4-6', SQL)), r.out);
    assert.match(r.out, /model claude-sonnet-4-6 · tokens in \d+ \/ out \d+ · cost \$0\.\d+ · saved \$0\.\d+ vs Opus/);
    assert.match(r.err, /Routed to Sonnet/);
    assert.ok(!r.out.includes(KEY) && !r.err.includes(KEY));
    const s = await openStore({ path: db });
    try {
      const ok = s.listDecisions({ status: 'ok' }).rows;
      assert.equal(ok.length, 1);
      assert.ok(ok[0].costUsd! > 0);
    } finally {
      await s.close();
    }
  });

  it('budget set / status --json; a bad amount is refused in words and changes nothing', async () => {
    let r = await cli(['budget', 'set', '--daily', '0.5', '--monthly', '10', '--on-exhausted', 'block']);
    assert.equal(r.code, 0, r.err);
    r = await cli(['budget', 'status', '--json']);
    const st = JSON.parse(r.out);
    assert.equal(st.state, 'normal');
    assert.equal(st.dailyLimit, 0.5);
    assert.equal(st.monthlyLimit, 10);
    assert.ok(st.spentToday > 0 && st.spentMonth >= st.spentToday);
    r = await cli(['budget', 'set', '--daily', 'lots']);
    assert.equal(r.code, 1);
    assert.match(r.err, /--daily: "lots" is not an amount in dollars/);
    assert.equal(JSON.parse((await cli(['budget', 'status', '--json'])).out).dailyLimit, 0.5);
  });

  it('retrain prints the adjustment and its reason after 5 thumbs-down; retrain undo restores routing', async () => {
    // Coding requests the balanced preset sends to Sonnet (medium / code).
    for (const p of [
      'Write a Python function that parses a CSV of orders and returns totals per customer, handling quoted commas and missing fields.',
      'Refactor this Express handler into a service and a repository layer, keeping the error handling the same.',
      'Write a Rust function that merges overlapping intervals, with unit tests for edge cases.',
      "Write a SQL query that returns each customer's three most recent orders with their totals.",
      'Write a Python script that walks a directory tree, finds duplicate files by hash, and prints them grouped.',
    ]) {
      assert.equal((await cli(['route', '--dry-run', p])).code, 0);
    }
    const s = await openStore({ path: db });
    try {
      for (const d of s
        .listDecisions({ limit: 50 })
        .rows.filter((x) => x.tierId === 'sonnet' && x.category === 'code' && x.complexity === 'medium')
        .slice(0, 5)) {
        s.addFeedback({ decisionId: d.id, thumb: 'down', autoQuality: null, signals: null });
      }
      await s.flush();
    } finally {
      await s.close();
    }
    const r = await cli(['retrain', '--json']);
    assert.equal(r.code, 0, r.err);
    const res = JSON.parse(r.out);
    assert.equal(res.added.length, 1);
    assert.match(res.added[0].reason, /^5 of \d+ medium\/code answers from Sonnet rated bad/);
    const routed = JSON.parse((await cli(['route', '--dry-run', '--json', SQL])).out);
    assert.equal(routed.tierId, 'opus');
    assert.ok(routed.reasons.some((x: string) => /5 of \d+ medium\/code answers from Sonnet rated bad/.test(x)));
    const u = await cli(['retrain', 'undo', res.added[0].id]);
    assert.equal(u.code, 0, u.err);
    assert.match(u.out, /^undone /);
    assert.equal(JSON.parse((await cli(['route', '--dry-run', '--json', SQL])).out).tierId, 'sonnet');
  });

  it('calibrate --top-share shows thresholds and expected cost; --apply makes route use them', async () => {
    const r = await cli(['calibrate', '--top-share', '0.2', '--apply', '--json']);
    assert.equal(r.code, 0, r.err);
    const c = JSON.parse(r.out);
    assert.equal(c.applied, true);
    assert.equal(c.thresholds.length, 2);
    assert.ok(c.expected.afterUsd > 0);
    const s = await openStore({ path: db });
    try {
      assert.deepEqual(JSON.parse(s.getMeta('thresholds')!), c.thresholds);
    } finally {
      await s.close();
    }
    const bad = await cli(['calibrate', '--top-share', '2']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--top-share: "2" is not a share between 0 and 1/);
  });

  it('route shows a wait before a retry on stderr, and with --max-retry-wait below what the server asks, another tier answers at once', async () => {
    const env = { ANTHROPIC_API_KEY: KEY };
    api.server.queue({ kind: '429', retryAfterS: 0.2 }, { model: 'claude-sonnet-4-6' });
    let r = await cli(['route', '--tier', 'sonnet', '--base-url', api.server.url, SQL], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /llm-router: Sonnet hit a rate limit \(429\): retrying in 200 ms \(retry 1 of 2\)\./);
    assert.ok(r.out.startsWith(mockAnswer('claude-sonnet-4-6', SQL)));
    api.server.queue({ kind: '429', retryAfterS: 3600 }, { model: 'claude-sonnet-4-6' });
    r = await cli(['route', '--tier', 'sonnet', '--max-retry-wait', '5', '--base-url', api.server.url, SQL], env);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      /Sonnet is unavailable \(rate-limit; a retry would wait 1 h, longer than llmRouter.maxRetryWaitSeconds allows\): falling back to Opus/,
    );
    assert.match(r.out, /model claude-opus-4-6/);
    r = await cli(['route', '--max-retry-wait', 'soon', SQL], env);
    assert.equal(r.code, 1);
    assert.match(r.err, /--max-retry-wait: "soon" is not a number of seconds/);
  });

  it('route: when Sonnet stops mid-answer and Opus answers, stdout marks where one stops and the other starts', async () => {
    api.server.setScenario({ kind: 'stream-error', afterDeltas: 2 }, { model: 'claude-sonnet-4-6' });
    try {
      const r = await cli(['route', '--tier', 'sonnet', '--base-url', api.server.url, SQL], { ANTHROPIC_API_KEY: KEY });
      assert.equal(r.code, 0, r.err);
      const partial = chunkText(mockAnswer('claude-sonnet-4-6', SQL)).slice(0, 2).join('');
      assert.ok(
        r.out.startsWith(
          `${partial}\n\n[Sonnet stopped: overloaded. Answer from Opus:]\n\n${mockAnswer('claude-opus-4-6', SQL)}\n\n`,
        ),
        r.out,
      );
      assert.match(r.err, /Sonnet is unavailable \(overloaded\): falling back to Opus; the answer starts again\./);
    } finally {
      api.server.reset();
    }
  });
});
