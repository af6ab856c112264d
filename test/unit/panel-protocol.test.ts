// The cost panel's message protocol (webview/protocol.ts): nothing sent before the webview is ready is lost, each
// request gets its own reply, bad messages are answered or ignored without breaking the channel.
import assert from 'node:assert/strict';
import {
  HostEndpoint,
  WebviewEndpoint,
  Ready,
  State,
  Notice,
  RetrainNow,
  UndoAdjustment,
  SetPeriod,
  REPLY,
  WEBVIEW_TO_HOST,
  HOST_TO_WEBVIEW,
  type WireMessage,
  type WireReply,
  type ViewModel,
} from '../../webview/protocol';
import { periodSince, buildViewModel } from '../../src/panel/viewModel';
import { PanelController, budgetProblem } from '../../src/panel/host';
import { createRouterService } from '../../src/core/service';
import { usd, int, parseUsd, usdStep } from '../../webview/format';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { defaultConfig } from '../../src/core/config';
import { record, manyRecords } from '../webview/harness/fixtures';

/** A host and a webview joined back to back, delivering asynchronously like postMessage. */
function pair() {
  const toWebview: (WireMessage | WireReply)[] = [];
  let webview: WebviewEndpoint | null = null;
  const host = new HostEndpoint((m) => {
    toWebview.push(m);
    if (webview) {
      const w = webview;
      setImmediate(() => w.receive(m));
    }
  });
  webview = new WebviewEndpoint((m) => setImmediate(() => void host.receive(m)));
  return { host, webview, toWebview };
}
const tick = () => new Promise((r) => setImmediate(r));
const vm = (period: ViewModel['period']) => ({ period }) as ViewModel;

describe('panel protocol', () => {
  it('declares every method once', () => {
    const names = [...WEBVIEW_TO_HOST, ...HOST_TO_WEBVIEW].map((d) => d.method);
    assert.equal(new Set(names).size, names.length);
    assert.ok(!names.includes(REPLY));
  });

  it('holds notifications until the webview says ready, then delivers them in order', async () => {
    const { host, webview } = pair();
    const got: string[] = [];
    webview.on(State, (p) => got.push(`state:${p.state.period}`));
    webview.on(Notice, (p) => got.push(`notice:${p.message}`));
    host.notify(Notice, { level: 'info', message: 'one' });
    host.notify(State, { state: vm('7d') });
    await tick();
    await tick();
    assert.deepEqual(got, [], 'nothing before ready');
    let readyFlushed: string[] = [];
    host.onReady((_p, flushed) => {
      readyFlushed = flushed;
    });
    webview.send(Ready, {});
    await tick();
    await tick();
    await tick();
    assert.deepEqual(got, ['notice:one', 'state:7d']);
    assert.deepEqual(readyFlushed, [Notice.method, State.method]);
    host.notify(State, { state: vm('30d') });
    await tick();
    assert.deepEqual(got.at(-1), 'state:30d', 'after ready: sent at once');
  });

  it('a newer state replaces one still waiting for ready', async () => {
    const { host, webview } = pair();
    const got: string[] = [];
    webview.on(State, (p) => got.push(p.state.period));
    host.notify(State, { state: vm('7d') });
    host.dropQueued(State);
    host.notify(State, { state: vm('all') });
    webview.send(Ready, {});
    await tick();
    await tick();
    await tick();
    assert.deepEqual(got, ['all']);
  });

  it('after the webview reloads (reset), messages wait for its new ready', async () => {
    const { host, webview } = pair();
    const got: string[] = [];
    webview.on(State, (p) => got.push(p.state.period));
    webview.send(Ready, {});
    await tick();
    await tick();
    host.reset();
    host.notify(State, { state: vm('today') });
    await tick();
    await tick();
    assert.deepEqual(got, []);
    webview.send(Ready, {});
    await tick();
    await tick();
    await tick();
    assert.deepEqual(got, ['today']);
  });

  it('gives each request its own reply, even when answered out of order', async () => {
    const { host, webview } = pair();
    host.onRequest(UndoAdjustment, async (p) => {
      await new Promise((r) => setTimeout(r, p.id === 'slow' ? 30 : 1));
      return { ok: true, message: `undid ${p.id}` };
    });
    host.onRequest(RetrainNow, () => ({ ok: true, message: 'retrained', added: 2, report: ['x'] }));
    const [a, b, c] = await Promise.all([
      webview.request(UndoAdjustment, { id: 'slow' }),
      webview.request(UndoAdjustment, { id: 'fast' }),
      webview.request(RetrainNow, {}),
    ]);
    assert.equal(a.message, 'undid slow');
    assert.equal(b.message, 'undid fast');
    assert.equal(c.added, 2);
  });

  it('a failing handler rejects only its own request, with the error message', async () => {
    const { host, webview } = pair();
    host.onRequest(RetrainNow, () => {
      throw new Error('not enough feedback');
    });
    host.onRequest(UndoAdjustment, () => ({ ok: true, message: 'fine' }));
    await assert.rejects(webview.request(RetrainNow, {}), /not enough feedback/);
    assert.equal((await webview.request(UndoAdjustment, { id: 'a' })).message, 'fine');
  });

  it('answers an unknown request with an error and ignores malformed messages', async () => {
    const sent: (WireMessage | WireReply)[] = [];
    const logs: string[] = [];
    const host = new HostEndpoint(
      (m) => sent.push(m),
      (l) => logs.push(l),
    );
    await host.receive({ method: 'deleteEverything', id: 7, params: {} });
    await host.receive('garbage');
    await host.receive(null);
    await host.receive({ method: SetPeriod.method, params: { period: 'x' } }); // no handler registered: logged
    assert.deepEqual(sent, [{ method: REPLY, id: 7, ok: false, error: 'Unknown request "deleteEverything"' }]);
    assert.equal(logs.length, 4, logs.join('; '));
  });
});

describe('panel view model helpers', () => {
  it('periods start at local midnight: today, and 6 / 29 days before for 7 and 30 days', () => {
    const now = new Date(2026, 10, 22, 15, 30).getTime();
    assert.equal(periodSince('today', now), new Date(2026, 10, 22).getTime());
    assert.equal(periodSince('7d', now), new Date(2026, 10, 16).getTime());
    assert.equal(periodSince('30d', now), new Date(2026, 9, 24).getTime());
    assert.equal(periodSince('all', now), undefined);
  });

  it('refuses a budget that is not an amount, with a sentence saying why', () => {
    assert.equal(budgetProblem({ dailyLimitUsd: 2, monthlyLimitUsd: null, onExhausted: 'block' }), null);
    assert.match(
      budgetProblem({ dailyLimitUsd: -1, monthlyLimitUsd: null, onExhausted: 'block' })!,
      /Daily limit must be/,
    );
    assert.match(
      budgetProblem({ dailyLimitUsd: null, monthlyLimitUsd: Number.NaN, onExhausted: 'block' })!,
      /Monthly limit must be/,
    );
    assert.match(
      budgetProblem({ dailyLimitUsd: null, monthlyLimitUsd: null, onExhausted: 'sometimes' })!,
      /block.*cheapest/,
    );
    assert.match(budgetProblem('2 dollars')!, /No budget/);
  });

  it('writes dollars without rounding a real cost to zero, and reads them back', () => {
    assert.equal(usd(0), '$0.00');
    assert.equal(usd(null), 'unpriced');
    assert.equal(usd(1234.567), '$1,234.57');
    assert.equal(usd(0.0523), '$0.0523');
    assert.equal(usd(0.0000042), '$0.000004');
    for (const v of [0.000123, 0.0456, 3.14159, 12345.678]) assert.ok(Math.abs(parseUsd(usd(v)) - v) <= usdStep(v));
  });

  it('writes dollars and counts exactly as toLocaleString("en-US") does (without Intl)', () => {
    // One formatter each, as toLocaleString('en-US', options) makes per call (the same output, without 16,000 set-ups).
    const cents = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const whole = new Intl.NumberFormat('en-US');
    const intl = (a: number) => cents.format(a);
    const values = [
      1,
      1.005,
      1.015,
      2.675,
      9.995,
      99.995,
      999.995,
      999_999.995,
      1234.565,
      123_456_789.125,
      1e15,
      1e20,
      1e21,
      2 ** 53,
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const v = next() * 10 ** Math.floor(next() * 12);
      values.push(v, Math.round(v), Math.round(v * 100) / 100 + 0.005, Math.round(v * 1000) / 1000);
    }
    for (const v of values) {
      if (v >= 1) assert.equal(usd(v), `$${intl(v)}`, String(v));
      if (v >= 1) assert.equal(usd(-v), `-$${intl(v)}`, String(-v));
      assert.equal(int(v), whole.format(v), String(v));
      assert.equal(int(-v), whole.format(-v), String(-v));
    }
    assert.equal(int(-0), (-0).toLocaleString('en-US'));
  });
});

describe('panel view model on a real store', () => {
  let dir: string;
  let store: DecisionStore;
  const config = defaultConfig();
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-vm-'));
    store = await openStore({ path: path.join(dir, 'db.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends the headline figures and the budget first, alone, then the whole state with the same figures', async () => {
    store.insertDecision(record(config, { id: 'a', time: Date.now(), tier: 1 }));
    const sent: { method: string; params?: any }[] = [];
    const service = createRouterService({ config, store });
    const c = new PanelController({ service, store }, (m) => {
      sent.push(m as { method: string; params?: any });
    });
    try {
      await c.receive({ method: 'ready', params: {} });
      await c.whenPushed();
      const order = sent.map((m) => m.method).filter((m) => m === 'headline' || m === 'state');
      assert.deepEqual(order.slice(0, 2), ['headline', 'state']);
      const head = sent.find((m) => m.method === 'headline')!.params.summary;
      const state = sent.find((m) => m.method === 'state')!.params.state;
      assert.deepEqual(Object.keys(head).sort(), [
        'budget',
        'empty',
        'generatedAt',
        'hasKey',
        'headline',
        'period',
        'since',
        'tiers',
      ]);
      assert.equal(head.headline.decisions, 1);
      assert.deepEqual(head.headline, state.headline);
      assert.deepEqual(head.budget, state.budget);
      assert.ok(state.days && state.recent.rows.length === 1, 'the charts and the list come with the state');
    } finally {
      c.dispose();
    }
  });

  it('shows the welcome only while nothing was ever recorded', () => {
    const now = Date.now();
    assert.equal(buildViewModel({ store, tiers: config.tiers, period: 'today', now }).empty, true);
    store.insertDecision(record(config, { id: 'old', time: now - 40 * 86_400_000, tier: 0 }));
    const vm = buildViewModel({ store, tiers: config.tiers, period: 'today', now });
    assert.equal(vm.empty, false, 'an old decision: no welcome even if today is empty');
    assert.equal(vm.headline.requests, 0);
  });

  it("has the store's figures, every day of the period, and weeks beyond 62 days with the same total", () => {
    const now = Date.now();
    const recs = manyRecords(config, { count: 300, days: 100, now: now - 60_000, seed: 3 });
    for (const r of recs) store.insertDecision(r);
    for (const period of ['7d', '30d', 'all'] as const) {
      const vm = buildViewModel({ store, tiers: config.tiers, period, now });
      const since = periodSince(period, now);
      const s = store.stats(since === undefined ? { now } : { since, now });
      assert.equal(vm.headline.spendUsd, s.spendUsd);
      assert.equal(vm.headline.requests, s.requests);
      assert.equal(vm.headline.savedPct, s.savedPct);
      assert.deepEqual(
        vm.tierDist.map((t) => t.decisions),
        config.tiers.map((_, i) => s.byTier[i] ?? 0),
      );
      const charted = vm.days.spendByTier.flat().reduce((a, b) => a + b, 0);
      const byDay = s.byDay.reduce((a, r) => a + r.spendUsd, 0);
      assert.ok(Math.abs(charted - byDay) < 1e-9, `${period}: chart total ${charted} vs ${byDay}`);
      if (period === '7d') assert.equal(vm.days.labels.length, 7);
      if (period === '30d') assert.equal(vm.days.labels.length, 30);
      if (period === 'all') {
        assert.equal(vm.days.unit, 'week');
        assert.ok(vm.days.labels.length >= 14 && vm.days.labels.length <= 16);
      }
      assert.deepEqual(
        vm.recent.rows.map((r) => r.id),
        store.listDecisions({ limit: 20 }).rows.map((r) => r.id),
      );
    }
  });
});
