// The routing service on a real database file and the real Anthropic client against the project's local Messages
// API server: what a user sees recorded for answers, dry runs, missing keys, cancels, errors, fallbacks, learning.
import * as assert from 'node:assert';
import { defaultConfig } from '../../src/core/config';
import { usageCost } from '../../src/core/pricing';
import { mockAnswer } from '../mock-anthropic';
import { routeError, useMessagesApi } from './fixtures/service';

const CODE = [
  'Write a Python function that parses a CSV file and returns the rows as dictionaries.',
  'Implement a function in Go that merges two sorted slices.',
  'Write a JavaScript function that capitalizes every word in a string.',
  'Write a SQL query that counts orders per customer.',
  'Write a Rust function that reverses the words of a sentence in place.',
];

describe('routing service (real store, real client, local Messages API)', () => {
  const api = useMessagesApi();

  it('answers a medium code prompt on Sonnet: streamed text, real usage and cost, baseline on Opus, automatic quality', async () => {
    const config = defaultConfig();
    const svc = api.service(config);
    let shown: string | null = null;
    let streamed = '';
    const o = await svc.run(
      {
        prompt: CODE[0],
        source: 'cli',
        onDecision: (d) => {
          shown = d.tierId;
        },
        onText: (t) => {
          streamed += t;
        },
      },
      api.client(),
    );
    assert.strictEqual(shown, 'sonnet');
    assert.strictEqual(o.text, mockAnswer('claude-sonnet-4-6', CODE[0]));
    assert.strictEqual(streamed, o.text);
    const rec = api.store().getDecision(o.record.id)!;
    assert.strictEqual(rec.status, 'ok');
    assert.strictEqual(rec.answeredModel, 'claude-sonnet-4-6');
    assert.ok(rec.usage && rec.usage.inputTokens > 0 && rec.usage.outputTokens > 0);
    assert.strictEqual(rec.costUsd, usageCost(config, 'claude-sonnet-4-6', rec.usage));
    assert.strictEqual(rec.baselineCostUsd, usageCost(config, 'claude-opus-4-6', rec.usage));
    assert.ok(rec.latencyMs !== null && rec.ttftMs !== null);
    assert.deepStrictEqual(
      o.calls.map((c) => [c.role, c.model, c.status]),
      [['primary', 'claude-sonnet-4-6', 'ok']],
    );
    assert.ok(o.savedUsd! > 0);
    // the stand-in's answer has no code: the automatic quality says so and is stored with its signals
    assert.strictEqual(o.quality!.signals.missingCode, 1);
    const fb = api.store().feedbackFor(rec.id);
    assert.strictEqual(fb.length, 1);
    assert.strictEqual(fb[0].autoQuality, o.quality!.score);
    assert.deepStrictEqual(fb[0].signals, o.quality!.signals);
  });

  it('dry run records the decision with status dry-run and calls no model; no key → no-key error with the decision', async () => {
    const svc = api.service();
    const rec = svc.dryRun({ prompt: 'What is the capital of France?', source: 'cli' });
    assert.strictEqual(api.store().getDecision(rec.id)!.status, 'dry-run');
    assert.strictEqual(rec.tierId, 'haiku');
    const e = await routeError(svc.run({ prompt: CODE[1], source: 'cli' }, null));
    assert.strictEqual(e.kind, 'no-key');
    assert.match(e.message, /API key/);
    assert.strictEqual(e.decision!.tierId, 'sonnet');
    assert.ok(e.decision!.estCostUsd! > 0);
    assert.strictEqual(api.server.messageRequests().length, 0);
  });

  it('a wrong key: provider error in plain words, the record says error; an unknown tier is refused clearly', async () => {
    const bad = api.client({ apiKey: 'sk-ant-wrong-key-000' });
    const svc = api.service();
    const e = await routeError(svc.run({ prompt: CODE[1], source: 'cli' }, bad));
    assert.strictEqual(e.kind, 'provider');
    assert.match(e.message, /key/i);
    const rows = api.store().listDecisions().rows;
    assert.strictEqual(rows.length, 1);
    assert.strictEqual(rows[0].status, 'error');
    assert.match(rows[0].error!, /key/i);
    assert.ok(!rows[0].error!.includes('sk-ant-wrong'));
    assert.throws(
      () => svc.decide({ prompt: 'hi there', override: 'gpt5' }),
      /unknown tier "gpt5".*haiku, sonnet, opus/,
    );
  });

  it('cancel stops the stream: RouteError cancelled, the record says cancelled', async () => {
    api.server.setScenario({ kind: 'slow', delayMs: 100, words: 200 });
    const svc = api.service();
    const ac = new AbortController();
    let got = '';
    const e = await routeError(
      svc.run(
        {
          prompt: CODE[2],
          source: 'cli',
          signal: ac.signal,
          onText: (t) => {
            got += t;
            if (got.length > 5) ac.abort();
          },
        },
        api.client(),
      ),
    );
    assert.strictEqual(e.kind, 'cancelled');
    const rows = api.store().listDecisions().rows;
    assert.deepStrictEqual(
      rows.map((r) => r.status),
      ['cancelled'],
    );
  });

  it('Sonnet overloaded (529): falls back to Opus, both calls recorded, the fallback linked to the first and counted', async () => {
    api.server.setScenario('529', { model: 'claude-sonnet-4-6' });
    const config = defaultConfig();
    const svc = api.service(config);
    const notices: string[] = [];
    const o = await svc.run({ prompt: CODE[3], source: 'chat', onNotice: (m) => notices.push(m) }, api.client());
    assert.deepStrictEqual(
      o.calls.map((c) => [c.role, c.model, c.status]),
      [
        ['primary', 'claude-sonnet-4-6', 'error'],
        ['fallback', 'claude-opus-4-6', 'ok'],
      ],
    );
    assert.match(notices.join('\n'), /Sonnet is unavailable \(overloaded\): falling back to Opus/);
    const first = api.store().getDecision(o.calls[0].decisionId)!;
    const second = api.store().getDecision(o.calls[1].decisionId)!;
    assert.strictEqual(first.status, 'error');
    assert.strictEqual(second.parentId, first.id);
    assert.strictEqual(second.answeredModel, 'claude-opus-4-6');
    assert.ok(second.reasons.some((r) => /Sonnet unavailable \(overloaded\) → fallback to Opus/.test(r)));
    assert.strictEqual(o.record.id, second.id);
    assert.strictEqual(o.totalCostUsd, second.costUsd);
    await api.store().flush();
    assert.strictEqual(api.store().stats().spendUsd.toFixed(8), second.costUsd!.toFixed(8));
  });

  it('the top tier overloaded: with no tier above, it falls back down to Sonnet', async () => {
    api.server.setScenario('529', { model: 'claude-opus-4-6' });
    const svc = api.service();
    const o = await svc.run({ prompt: CODE[1], source: 'chat', override: 'opus' }, api.client());
    assert.deepStrictEqual(
      o.calls.map((c) => [c.role, c.model, c.status]),
      [
        ['primary', 'claude-opus-4-6', 'error'],
        ['fallback', 'claude-sonnet-4-6', 'ok'],
      ],
    );
    assert.strictEqual(o.record.answeredModel, 'claude-sonnet-4-6');
  });

  it('5 thumbs-down on medium code answers from Sonnet, retrain → the next medium code prompt goes to Opus with the reason; undo restores it', async () => {
    const svc = api.service({}, { retrainEvery: 0 });
    for (const p of CODE) {
      const o = await svc.run({ prompt: p, source: 'chat' }, api.client());
      assert.strictEqual(o.record.tierId, 'sonnet');
      assert.strictEqual(`${o.decision.complexity}/${o.decision.category}`, 'medium/code');
      svc.feedback(o.record.id, 'down');
    }
    const next = 'Write a Java method that checks whether a string is a palindrome.';
    const pre = svc.decide({ prompt: next });
    assert.strictEqual(pre.tierId, 'sonnet', pre.reasons.join(' | '));
    const r = svc.retrain();
    assert.strictEqual(r.added.length, 1);
    const a = r.added[0];
    assert.deepStrictEqual(
      [a.kind, a.complexity, a.category, a.tier, a.evidence.samples, a.evidence.fromTier],
      ['raise', 'medium', 'code', 2, 5, 1],
    );
    assert.match(a.reason, /^5 of 5 medium\/code answers from Sonnet rated bad/);
    const o = await svc.run({ prompt: next, source: 'chat' }, api.client());
    assert.strictEqual(o.record.tierId, 'opus');
    assert.ok(
      o.decision.reasons.some((x) => x.includes(a.reason) && x.endsWith('→ Opus')),
      o.decision.reasons.join(' | '),
    );
    assert.deepStrictEqual(api.store().getDecision(o.record.id)!.adjustments, [a.id]);
    // a second run adds nothing new
    assert.strictEqual(svc.retrain().added.length, 0);
    assert.strictEqual(svc.undoAdjustment(a.id), true);
    assert.strictEqual(svc.undoAdjustment(a.id), false);
    const after = svc.decide({ prompt: next });
    assert.strictEqual(after.tierId, 'sonnet');
    assert.ok(!after.reasons.some((x) => x.includes('learned')));
    // an undone change sticks: the same old evidence does not bring it back
    assert.strictEqual(svc.retrain().added.length, 0);
  });

  it('retrains by itself after N thumbs', async () => {
    const svc = api.service({}, { retrainEvery: 5 });
    for (const p of CODE) {
      const d = svc.dryRun({ prompt: p, source: 'cli' });
      assert.strictEqual(api.store().listAdjustments().length, 0);
      svc.feedback(d.id, 'down');
    }
    const adj = api.store().listAdjustments();
    assert.strictEqual(adj.length, 1);
    assert.strictEqual(adj[0].kind, 'raise');
    assert.ok(api.store().getMeta('lastRetrain'));
  });

  it('the next turn counts against the previous answer: "that\'s wrong" lowers its quality, with the signal stored', async () => {
    const svc = api.service();
    const first = await svc.run({ prompt: CODE[4], source: 'chat' }, api.client());
    const before = first.quality!.score;
    await svc.run(
      {
        prompt: "That's wrong, it doesn't compile. Try again.",
        history: [
          { role: 'user', content: CODE[4] },
          { role: 'assistant', content: first.text },
        ],
        source: 'chat',
      },
      api.client(),
    );
    const fb = api.store().feedbackFor(first.record.id);
    assert.strictEqual(fb.length, 2);
    assert.strictEqual(fb[1].signals!.nextTurn, 1);
    assert.ok(fb[1].autoQuality! < before, `${fb[1].autoQuality} < ${before}`);
    assert.ok(fb[1].autoQuality! < 0.5);
  });

  it('uses calibrated thresholds stored in the database', async () => {
    const svc = api.service();
    const p = 'Explain the difference between TCP and UDP.';
    const before = svc.decide({ prompt: p });
    api.store().setMeta('thresholds', JSON.stringify([0, 0]));
    const after = svc.decide({ prompt: p });
    assert.strictEqual(after.tierId, 'opus', `${before.tierId} → ${after.tierId}`);
    assert.deepStrictEqual(svc.config.thresholds, [0, 0]);
  });
});
