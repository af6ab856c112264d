// Alerts: each rule on a real store with seeded history, the cool-down, the webhook against a local HTTP receiver
// (delivered, failing, hanging — a request still goes through), a malformed URL refused in words, and the CLI.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createAlertMonitor, postWebhook, takeDue, webhookProblem } from '../../src/core/alerts/deliver';
import { DEFAULT_ALERT_SETTINGS, evaluateAlerts, readAlertSettings, type AlertRule } from '../../src/core/alerts/rules';
import { defaultConfig } from '../../src/core/config';
import { setWorkspaceBudget } from '../../src/core/projects/workspace';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createRouterService } from '../../src/core/service';
import type { DecisionStore } from '../../src/core/store/api';
import { runCli } from './fixtures/cli';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';
import { startMockAnthropic } from '../mock-anthropic';

const config = defaultConfig();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SECRET_PATH = '/services/T000/B000/s3cr3t-webhook-token';

interface Receiver {
  url: string;
  bodies: unknown[];
  pending: number;
  status: number;
  hold: boolean;
  release(): void;
  close(): Promise<void>;
}

/** A local stand-in for a Slack-compatible webhook: records JSON bodies; can answer an error or hold the answer. */
async function receiver(): Promise<Receiver> {
  const held: http.ServerResponse[] = [];
  const r: Receiver = {
    url: '',
    bodies: [],
    pending: 0,
    status: 200,
    hold: false,
    release() {
      for (const res of held.splice(0)) {
        res.writeHead(200).end('ok');
        r.pending--;
      }
    },
    close: () =>
      new Promise((resolve) => {
        r.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      r.bodies.push(JSON.parse(body));
      if (r.hold) {
        r.pending++;
        held.push(res);
        return;
      }
      res.writeHead(r.status).end(r.status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
  return r;
}

const firing = (store: DecisionStore, now: number) =>
  Object.fromEntries(
    evaluateAlerts(store, config, DEFAULT_ALERT_SETTINGS, now).map((r) => [r.rule, r.alerts.map((a) => a.message)]),
  ) as Record<AlertRule, string[]>;

describe('alert rules', () => {
  const t = useTempStores('llmr-alerts-');
  const now = new Date(2026, 11, 3, 15, 0, 0).getTime();

  it('spend spike: today against the trailing 7-day average, not for cents', async () => {
    const store = await t.open();
    for (let d = 1; d <= 7; d++) store.insertDecision(makeRecord(`p${d}`, { time: now - d * DAY, costUsd: 0.1 }));
    store.insertDecision(makeRecord('t1', { time: now - HOUR, costUsd: 0.3 }));
    assert.deepEqual(firing(store, now)['spend-spike'], [], '$0.30 is below the $0.50 minimum');
    store.insertDecision(makeRecord('t2', { time: now - HOUR, costUsd: 0.7 }));
    assert.deepEqual(firing(store, now)['spend-spike'], [
      'Spend spike: $1.00 today, 10.0× the daily average of the last 7 days ($0.1000).',
    ]);
  });

  it('budget thresholds: the highest crossed one, once per period', async () => {
    const store = await t.open();
    store.setBudget({ dailyLimitUsd: 1, monthlyLimitUsd: 100, onExhausted: 'block' });
    store.insertDecision(makeRecord('b1', { time: now - HOUR, costUsd: 0.95 }));
    const r = evaluateAlerts(store, config, DEFAULT_ALERT_SETTINGS, now).find((x) => x.rule === 'budget')!;
    assert.deepEqual(
      r.alerts.map((a) => [a.key, a.message]),
      [['budget:daily:0.9:2026-12-03', 'Daily budget 90 % used: $0.9500 of $1.00.']],
    );
    store.insertDecision(makeRecord('b2', { time: now - HOUR, costUsd: 0.1 }));
    const r2 = evaluateAlerts(store, config, DEFAULT_ALERT_SETTINGS, now).find((x) => x.rule === 'budget')!;
    assert.equal(r2.alerts[0].severity, 'critical');
    assert.match(r2.alerts[0].message, /The daily budget is used up: \$1\.05 of \$1\.00\./);
  });

  it('a workspace budget alerts at the same thresholds, named by its folder', async () => {
    const store = await t.open();
    const ws = { name: 'billing', id: 'abababababababab' };
    setWorkspaceBudget(store, ws, 1, null);
    store.insertDecision(
      makeRecord('w1', { time: now - HOUR, costUsd: 0.8, workspaceName: ws.name, workspaceId: ws.id }),
    );
    store.insertDecision(makeRecord('w2', { time: now - HOUR, costUsd: 5 }));
    assert.deepEqual(firing(store, now).budget, ['Daily (workspace billing) budget 75 % used: $0.8000 of $1.00.']);
  });

  it('error rate of the last hour: a failure answered by a fallback does not count', async () => {
    const store = await t.open();
    for (let i = 0; i < 7; i++) store.insertDecision(makeRecord(`ok${i}`, { time: now - 10 * 60_000 }));
    for (let i = 0; i < 3; i++)
      store.insertDecision(makeRecord(`err${i}`, { time: now - 10 * 60_000, status: 'error', error: 'overloaded' }));
    assert.deepEqual(firing(store, now)['error-rate'], ['Error rate 30 % in the last hour: 3 of 10 requests failed.']);
    store.insertDecision(makeRecord('fb', { time: now - 9 * 60_000, parentId: 'err0' }));
    assert.deepEqual(firing(store, now)['error-rate'], [], '2 of 10 after the fallback answered');
    store.insertDecision(makeRecord('old', { time: now - 2 * HOUR, status: 'error' }));
    assert.deepEqual(firing(store, now)['error-rate'], []);
  });

  it('a rising share of thumbs-down on one tier', async () => {
    const store = await t.open();
    for (let i = 0; i < 10; i++) {
      store.insertDecision(makeRecord(`old${i}`, { time: now - 15 * DAY }));
      store.addFeedback({
        decisionId: `old${i}`,
        thumb: i === 0 ? 'down' : 'up',
        autoQuality: null,
        signals: null,
        time: now - 15 * DAY,
      });
    }
    for (let i = 0; i < 6; i++) {
      store.insertDecision(makeRecord(`new${i}`, { time: now - DAY }));
      store.addFeedback({
        decisionId: `new${i}`,
        thumb: i < 4 ? 'down' : 'up',
        autoQuality: null,
        signals: null,
        time: now - DAY,
      });
    }
    store.insertDecision(makeRecord('s1', { tier: 1, time: now - DAY }));
    store.addFeedback({ decisionId: 's1', thumb: 'down', autoQuality: null, signals: null, time: now - DAY });
    assert.deepEqual(firing(store, now)['bad-ratings'], [
      'Haiku: 4 of 6 answers rated bad in the last 7 days (67 %), up from 10 % (1 of 10) in the 30 days before.',
    ]);
  });

  it('cool-down: the same alert is not sent again until it has passed', async () => {
    const store = await t.open();
    store.setBudget({ dailyLimitUsd: 1, monthlyLimitUsd: null, onExhausted: 'block' });
    store.insertDecision(makeRecord('c1', { time: now - HOUR, costUsd: 0.8 }));
    const read = (at: number) => evaluateAlerts(store, config, DEFAULT_ALERT_SETTINGS, at);
    assert.equal(takeDue(store, read(now), 6 * HOUR, now).length, 1);
    assert.equal(takeDue(store, read(now + HOUR), 6 * HOUR, now + HOUR).length, 0);
    assert.equal(takeDue(store, read(now + 7 * HOUR), 6 * HOUR, now + 7 * HOUR).length, 1);
  });

  it('settings: a bad value is named and the default kept', () => {
    const r = readAlertSettings({ spikeFactor: 0.5, cooldownHours: 2 });
    assert.equal(r.settings.spikeFactor, 2);
    assert.equal(r.settings.cooldownHours, 2);
    assert.match(r.problems.join(), /llmRouter\.alerts\.spikeFactor: Too small/);
  });
});

describe('alert delivery (local webhook receiver)', () => {
  const t = useTempStores('llmr-alerts-hook-');
  let rx: Receiver;
  beforeEach(async () => {
    rx = await receiver();
  });
  afterEach(async () => {
    await rx.close();
  });

  it('a malformed webhook URL is refused in words and nothing is sent', async () => {
    assert.match(webhookProblem('hooks.slack.com/services/x')!, /not a URL/);
    assert.match(webhookProblem('http://hooks.example.com/x')!, /must start with https:\/\//);
    assert.match(webhookProblem('https://me:pw@hooks.example.com/x')!, /user name or password/);
    assert.equal(webhookProblem('https://hooks.slack.com/services/T/B/x'), null);
    const r = await postWebhook('ftp://127.0.0.1/x', 'hi');
    assert.equal(r.ok, false);
    assert.equal(rx.bodies.length, 0);
  });

  it('the monitor notifies and posts Slack-compatible JSON once; a failing webhook is reported without the secret path', async () => {
    const store = await t.open();
    store.setBudget({ dailyLimitUsd: 1, monthlyLimitUsd: null, onExhausted: 'block' });
    store.insertDecision(makeRecord('m1', { costUsd: 0.8 }));
    const shown: string[] = [];
    const errors: string[] = [];
    const mon = createAlertMonitor({
      store,
      config: () => config,
      settings: () => DEFAULT_ALERT_SETTINGS,
      notify: (a) => shown.push(a.message),
      webhook: async () => rx.url,
      onError: (m) => errors.push(m),
      throttleMs: 60_000,
    });
    try {
      await mon.check();
      assert.deepEqual(shown, ['Daily budget 75 % used: $0.8000 of $1.00.']);
      assert.deepEqual(rx.bodies, [{ text: ':warning: LLM Router: Daily budget 75 % used: $0.8000 of $1.00.' }]);
      await mon.check();
      assert.equal(rx.bodies.length, 1, 'the cool-down holds');
      rx.status = 500;
      store.insertDecision(makeRecord('m2', { costUsd: 0.15 }));
      await mon.check();
      assert.equal(rx.bodies.length, 2);
      assert.equal(errors.length, 1);
      assert.match(
        errors[0],
        /alert not delivered to the webhook \(127\.0\.0\.1:\d+ answered 500\): Daily budget 90 % used/,
      );
      assert.ok(!errors[0].includes('s3cr3t'), 'the secret part of the URL is never in a message');
    } finally {
      mon.dispose();
    }
  });

  it('a webhook that hangs never holds up a request', async () => {
    const mock = await startMockAnthropic({});
    try {
      const store = await t.open();
      store.setBudget({ dailyLimitUsd: 1, monthlyLimitUsd: null, onExhausted: 'block' });
      store.insertDecision(makeRecord('h1', { costUsd: 0.8 }));
      rx.hold = true;
      const mon = createAlertMonitor({
        store,
        config: () => config,
        settings: () => DEFAULT_ALERT_SETTINGS,
        notify: () => undefined,
        webhook: async () => rx.url,
        throttleMs: 0,
      });
      try {
        const delivering = mon.check();
        while (!rx.pending) await new Promise((r) => setTimeout(r, 10));
        const svc = createRouterService({ config, store });
        const o = await svc.run(
          { prompt: 'What is the capital of France?', source: 'cli' },
          new AnthropicClient({ apiKey: 'k', baseURL: mock.url, maxRetries: 0 }),
        );
        assert.equal(o.record.status, 'ok');
        assert.equal(rx.pending, 1, 'the webhook was still waiting when the answer came');
        rx.release();
        await delivering;
      } finally {
        mon.dispose();
      }
    } finally {
      await mock.close();
    }
  });

  it('CLI: alerts test delivers to $LLM_ROUTER_ALERT_WEBHOOK, refuses a malformed one, status shows each rule', async () => {
    const db = path.join((await t.open()).path, '..', 'cli.sqlite');
    const cli = async (args: string[], hook: string) => {
      const r = await runCli(args, { env: { LLM_ROUTER_DB: db, LLM_ROUTER_ALERT_WEBHOOK: hook } });
      return { code: r.code, out: r.stdout, err: r.stderr };
    };
    let r = await cli(['alerts', 'test'], rx.url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /test alert delivered to 127\.0\.0\.1:\d+ \(200\)/);
    assert.deepEqual(rx.bodies, [{ text: 'LLM Router: test alert. Alerts will arrive here.' }]);
    r = await cli(['alerts', 'test'], 'hooks.slack.com/services/x');
    assert.equal(r.code, 1);
    assert.match(r.err, /\$LLM_ROUTER_ALERT_WEBHOOK: the webhook URL is not a URL .* Nothing was sent\./);
    r = await cli(['alerts', 'status'], rx.url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /○ spend-spike\s+today \$0\.00; daily average/);
    assert.match(r.out, /○ budget\s+no budget set/);
    assert.match(r.out, /webhook: 127\.0\.0\.1:\d+\n/);
    assert.ok(!r.out.includes('s3cr3t'));
  });
});
