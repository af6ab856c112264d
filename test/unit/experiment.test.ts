// A/B experiments: arms checked before anything changes, a deterministic split by conversation, routing by the arm's
// configuration through the real service against the local Messages API, and the status with counts, intervals
// and "not yet meaningful".
import * as assert from 'node:assert/strict';
import { defaultConfig } from '../../src/core/config';
import { experimentStatus, MIN_PER_ARM } from '../../src/core/experiments/analysis';
import {
  activeExperiment,
  armConfig,
  assignArm,
  conversationKey,
  createExperiment,
  EXPERIMENTS_META_KEY,
  listExperiments,
  parseArmSpec,
  stopExperiment,
} from '../../src/core/experiments/definition';
import { createExperimentService } from '../../src/core/experiments/routing';
import { meanDifference, proportionDifference, wilson } from '../../src/core/experiments/stats';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createRouterService } from '../../src/core/service';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';

const config = defaultConfig();
const KEY = 'sk-ant-experiment-test-93ab';

describe('experiment definitions', () => {
  const t = useTempStores('llmr-exp-def-');

  it('reads arm specs; an unknown preset, tier or setting is refused in words and nothing is stored', async () => {
    assert.deepEqual(parseArmSpec('preset=economy, cascade=on thresholds=0.3/0.8,tiers=haiku/sonnet', 'b'), {
      preset: 'economy',
      cascade: true,
      thresholds: [0.3, 0.8],
      tiers: ['haiku', 'sonnet'],
    });
    assert.deepEqual(parseArmSpec('', 'a'), {});
    assert.throws(
      () => parseArmSpec('preset=fast', 'b'),
      /arm b: unknown preset "fast": use economy, balanced, quality\. Nothing was changed\./,
    );
    assert.throws(() => parseArmSpec('colour=red', 'a'), /unknown setting "colour"/);
    assert.throws(() => parseArmSpec('thresholds=0.3/2', 'a'), /between 0 and 1/);
    const store = await t.open();
    assert.throws(
      () => createExperiment(store, config, { name: 'x', a: {}, b: { tiers: ['haiku', 'gpt'] } }),
      /arm b: unknown tier "gpt"/,
    );
    assert.throws(
      () => createExperiment(store, config, { name: 'x', a: {}, b: { thresholds: [0.5] } }),
      /arm b: thresholds: expected 2 values/,
    );
    assert.throws(
      () => createExperiment(store, config, { name: 'x', a: { preset: 'economy' }, b: { preset: 'economy' } }),
      /the same configuration/,
    );
    assert.equal(store.getMeta(EXPERIMENTS_META_KEY), null, 'nothing stored');
  });

  it('one experiment at a time; stop ends it and keeps it listed', async () => {
    const store = await t.open();
    const e = createExperiment(store, config, { name: 'cheaper', a: {}, b: { preset: 'economy' }, now: 1000 });
    assert.equal(activeExperiment(store)?.id, e.id);
    assert.throws(
      () => createExperiment(store, config, { name: 'again', a: {}, b: { preset: 'quality' } }),
      /experiment "cheaper" is still running: stop it first/,
    );
    stopExperiment(store, 'cheaper', 2000);
    assert.equal(activeExperiment(store), null);
    assert.deepEqual(
      listExperiments(store).map((x) => [x.name, x.stoppedAt]),
      [['cheaper', 2000]],
    );
    assert.throws(() => stopExperiment(store, e.id.slice(0, 6)), /already stopped/);
  });

  it('an arm with a tier set routes among those tiers only, its thresholds refitted', () => {
    const c = armConfig(config, { tiers: ['haiku', 'sonnet'] }, 'b');
    assert.deepEqual(
      c.tiers.map((x) => x.id),
      ['haiku', 'sonnet'],
    );
    assert.equal(c.thresholds.length, 1);
  });

  it('splits by a hash of the conversation: the same conversation always gets the same arm, about half each', () => {
    const exp = { id: '2d0c5a8e-0000-4000-8000-000000000000', splitB: 0.5 };
    const first = 'How do I reverse a list in Python?';
    const arm = assignArm(exp, conversationKey(first));
    const later = conversationKey('and in Rust?', [
      { role: 'user', content: first },
      { role: 'assistant', content: 'Use reversed().' },
    ]);
    assert.equal(assignArm(exp, later), arm, 'a follow-up stays in its arm');
    assert.equal(assignArm(exp, conversationKey(first)), arm, 'and again');
    const bs = Array.from({ length: 2000 }, (_, i) => assignArm(exp, `prompt number ${i}`)).filter(
      (a) => a === 'b',
    ).length;
    assert.ok(bs > 900 && bs < 1100, `b got ${bs} of 2000`);
    const tenth = Array.from({ length: 2000 }, (_, i) =>
      assignArm({ ...exp, splitB: 0.1 }, `prompt number ${i}`),
    ).filter((a) => a === 'b').length;
    assert.ok(tenth > 140 && tenth < 260, `b got ${tenth} of 2000 at 10 %`);
  });
});

describe('experiment statistics', () => {
  it('Wilson and Newcombe intervals match the published examples', () => {
    const w = wilson(8, 10);
    assert.ok(Math.abs(w.lo! - 0.4902) < 1e-4 && Math.abs(w.hi! - 0.9433) < 1e-4, JSON.stringify(w));
    // Newcombe (1998), example (a): 56/70 against 48/80 → 0.2000 (0.0524, 0.3339).
    const d = proportionDifference(48, 80, 56, 70);
    assert.ok(
      Math.abs(d.value! - 0.2) < 1e-12 && Math.abs(d.lo! - 0.0524) < 1e-4 && Math.abs(d.hi! - 0.3339) < 1e-4,
      JSON.stringify(d),
    );
    const m = meanDifference([1, 2, 3, 4], [3, 4, 5, 6]);
    assert.equal(m.value, 2);
    assert.ok(m.lo! > 0.2 && m.lo! < 2 && m.hi! > 2);
  });
});

describe('experiments routing and status (real service and store, local Messages API)', () => {
  const t = useTempStores('llmr-exp-run-');
  let mock: MockAnthropic;
  let client: AnthropicClient;
  before(async () => {
    mock = await startMockAnthropic({ apiKey: KEY });
    client = new AnthropicClient({ apiKey: KEY, baseURL: mock.url, maxRetries: 0 });
  });
  after(async () => {
    await mock.close();
  });

  it("routes each conversation with its arm's configuration and tags every call with the experiment and arm", async () => {
    const store = await t.open();
    const exp = createExperiment(store, config, {
      name: 'presets',
      a: { preset: 'quality' },
      b: { preset: 'economy' },
    });
    const svc = createExperimentService({ config, store });
    const quality = createRouterService({ config: defaultConfig('quality'), store });
    const economy = createRouterService({ config: defaultConfig('economy'), store });
    // Prompts the two presets route differently, found by asking each.
    const candidates = [
      'Write a SQL query that counts orders per customer.',
      'Explain how a hash map handles collisions.',
      'Compare quicksort and mergesort for linked lists.',
      'Why is the sky blue?',
      'Summarise the causes of the French Revolution.',
      'Design a rate limiter for an HTTP API and explain the trade-offs.',
      'What does git rebase do?',
      'Write a Python function that parses a CSV file and returns the rows as dictionaries.',
    ];
    const differ = candidates.filter((p) => quality.decide({ prompt: p }).tier !== economy.decide({ prompt: p }).tier);
    assert.ok(differ.length >= 2, 'some prompts route differently under quality and economy');
    let seen = { a: 0, b: 0 };
    for (const p of differ) {
      const arm = assignArm(exp, conversationKey(p));
      const expected = (arm === 'a' ? quality : economy).decide({ prompt: p }).tierId;
      let routedLine = '';
      const o = await svc.run(
        {
          prompt: p,
          source: 'cli',
          onDecision: (d) => {
            routedLine = d.reasons.join('; ');
          },
        },
        client,
      );
      assert.equal(o.record.tierId, expected, `${p} (arm ${arm})`);
      assert.equal(o.record.experimentId, exp.id);
      assert.equal(o.record.experimentArm, arm);
      assert.match(
        routedLine,
        new RegExp(`A/B experiment "presets": arm ${arm} \\(preset ${arm === 'a' ? 'quality' : 'economy'}\\)`),
      );
      seen = { ...seen, [arm]: seen[arm] + 1 };
    }
    const st = experimentStatus(store, exp);
    assert.equal(st.arms.a.requests + st.arms.b.requests, differ.length);
    assert.equal(st.arms.a.requests, seen.a);
    assert.ok(st.comparisons.every((c) => !c.meaningful && /not yet meaningful/.test(c.verdict)));
    // Stopped: routing is the user's again, and nothing more is tagged.
    stopExperiment(store);
    const after = await svc.run({ prompt: differ[0], source: 'cli' }, client);
    assert.equal(after.record.experimentId, undefined);
    assert.equal(after.record.tierId, createRouterService({ config, store }).decide({ prompt: differ[0] }).tierId);
  });

  it('status: cost per request, thumbs, automatic quality, latency and error rate per arm; meaningful once the data says so', async () => {
    const store = await t.open();
    const exp = createExperiment(store, config, {
      name: 'cheaper',
      a: {},
      b: { preset: 'economy' },
      now: Date.now() - 60_000,
    });
    const add = (i: number, arm: 'a' | 'b', over: Parameters<typeof makeRecord>[1]) => {
      store.insertDecision(
        makeRecord(`${arm}${i}`, { experimentId: exp.id, experimentArm: arm, time: Date.now() - 30_000 + i, ...over }),
      );
    };
    // Arm a: 30 requests at ~$0.0030, 900 ms, 24 of 30 thumbs up; b: 30 at ~$0.0012, 700 ms, 22 of 30 up; 1 error in b.
    for (let i = 0; i < 30; i++) {
      add(i, 'a', { costUsd: 0.003 + (i % 5) * 0.0001, latencyMs: 880 + (i % 5) * 10 });
      add(
        i,
        'b',
        i === 29
          ? { status: 'error', costUsd: 0, latencyMs: null, usage: null, error: 'overloaded' }
          : { costUsd: 0.0012 + (i % 5) * 0.0001, latencyMs: 690 + (i % 5) * 5 },
      );
      store.addFeedback({ decisionId: `a${i}`, thumb: i < 24 ? 'up' : 'down', autoQuality: 0.8, signals: {} });
      if (i < 29)
        store.addFeedback({ decisionId: `b${i}`, thumb: i < 22 ? 'up' : 'down', autoQuality: 0.78, signals: {} });
    }
    // Not counted: a forced tier, a dry run, another experiment's row.
    add(100, 'b', { override: 'opus', costUsd: 1 });
    add(101, 'b', { status: 'dry-run', costUsd: null });
    store.insertDecision(makeRecord('other', { experimentId: 'someone-else', experimentArm: 'b', costUsd: 5 }));
    const st = experimentStatus(store, exp);
    assert.equal(st.arms.a.requests, 30);
    assert.equal(st.arms.b.requests, 30);
    assert.equal(st.arms.b.errorRate.value, 1 / 30);
    assert.equal(st.arms.a.thumbsUpRate.n, 30);
    assert.equal(st.arms.a.thumbsUpRate.value, 0.8);
    const cost = st.comparisons.find((c) => c.metric === 'costPerRequestUsd')!;
    assert.equal(cost.meaningful, true);
    assert.match(
      cost.verdict,
      /cost per request: b is \$0\.001\d+ less per request than a \(95 % CI −\$0\.00\d+ to −\$0\.00\d+\)/,
    );
    const lat = st.comparisons.find((c) => c.metric === 'latencyMs')!;
    assert.equal(lat.meaningful, true);
    assert.match(lat.verdict, /latency: b is 200 ms faster than a \(95 % CI −2\d\d ms to −1\d\d ms\)/);
    const thumbs = st.comparisons.find((c) => c.metric === 'thumbsUpRate')!;
    assert.equal(thumbs.meaningful, false);
    assert.match(thumbs.verdict, /thumbs-up rate: no meaningful difference yet \(95 % CI −/);
    assert.equal(st.comparisons.find((c) => c.metric === 'errorRate')!.meaningful, false);
    assert.ok(MIN_PER_ARM <= 30);
  });
});
