// LLM-as-judge: the verdict parser (a malformed verdict is never good or bad), judging a recorded answer against the
// local Messages API server (the verdict lands as a quality signal on the decision, the judge's calls are rows of
// their own that never count as savings), the budget share, the report, and `llm-router judge` as a user runs it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { formatJudgeReport, judgeReport, pickCandidates, promptComplete } from '../../src/core/judge/report';
import { liveJudge } from '../../src/core/judge/live';
import { DEFAULT_JUDGE, drawSample, judgeAnswer, type JudgeResult, type JudgeSettings } from '../../src/core/judge/run';
import { parseVerdict } from '../../src/core/judge/verdict';
import { readSettings } from '../../src/core/settings';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createRouterService } from '../../src/core/service';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { runCli } from './fixtures/cli';

const KEY = 'sk-ant-judge-test-7c31';
const OPUS = 'claude-opus-4-6';
const PROMPTS = ['What is the capital of France?', 'Translate "good morning" into Spanish.'];

describe('judge: reading the verdict', () => {
  it('reads a JSON verdict, also inside a fence or prose', () => {
    assert.deepEqual(parseVerdict('{"verdict":"good","score":0.9,"reason":"correct"}'), {
      kind: 'good',
      score: 0.9,
      reason: 'correct',
    });
    assert.deepEqual(
      parseVerdict('Here you go:\n```json\n{"verdict": "BAD", "score": 0.2, "reason": "wrong {city}"}\n```'),
      { kind: 'bad', score: 0.2, reason: 'wrong {city}' },
    );
    assert.equal(parseVerdict('{"verdict":"good"}').kind, 'good');
  });
  it('anything unclear is no verdict, never good or bad', () => {
    for (const t of [
      '',
      'The answer is fine.',
      '{"verdict": "maybe", "score": 0.5}',
      '{"verdict": "good", "score": 0.1}',
      '{"verdict": "bad", "score": 0.9}',
      '{"verdict": "good", "score": 7}',
      '{"verdict": "good", "score": "high"}',
      '{"verdict": "good"',
      '[1, 2]',
    ]) {
      assert.equal(parseVerdict(t).kind, 'none', t);
    }
  });
  it('the sample rate: 0 never, 1 always', () => {
    assert.equal(
      drawSample(0, () => 0),
      false,
    );
    assert.equal(
      drawSample(1, () => 0.999),
      true,
    );
    assert.equal(
      drawSample(0.1, () => 0.05),
      true,
    );
    assert.equal(
      drawSample(0.1, () => 0.5),
      false,
    );
  });
  it('a preview is not a whole prompt; a short prompt is', () => {
    assert.equal(promptComplete(`${'x'.repeat(120)}…`), false);
    assert.equal(promptComplete('What is 2 + 2?'), true);
    assert.equal(promptComplete(null), false);
  });
});

describe('judge: settings', () => {
  const read = (v: Record<string, unknown>) =>
    readSettings({ inspect: (k: string) => (k in v ? { globalValue: v[k] } : undefined) });
  it('off by default, at most 5 % of the budget, the top tier, compare; neighbours off', () => {
    const s = read({});
    assert.deepEqual(s.judge, { sampleRate: 0, maxBudgetShare: 0.05, tier: null, mode: 'compare' });
    assert.equal(s.neighbours, false);
  });
  it('takes valid values and names the bad ones, keeping the defaults', () => {
    assert.deepEqual(
      read({ 'judge.sampleRate': 0.1, 'judge.tier': 'sonnet', 'judge.mode': 'alone', 'neighbours.enabled': true })
        .judge,
      { sampleRate: 0.1, maxBudgetShare: 0.05, tier: 'sonnet', mode: 'alone' },
    );
    const bad = read({ 'judge.sampleRate': 2, 'judge.tier': 'gpt', 'judge.mode': 'vibes' });
    assert.deepEqual(bad.judge, DEFAULT_JUDGE);
    assert.equal(bad.problems.length, 3, bad.problems.join('\n'));
    assert.ok(bad.problems.some((p) => /judge\.tier: "gpt" is not a tier/.test(p)));
  });
});

describe('judge: judging recorded answers', function () {
  this.timeout(30_000);
  let mock: MockAnthropic;
  let client: AnthropicClient;
  let dir: string;
  let store: DecisionStore;
  const config = defaultConfig();
  const settings: JudgeSettings = { ...DEFAULT_JUDGE };
  before(async () => {
    mock = await startMockAnthropic({ apiKey: KEY });
    client = new AnthropicClient({ apiKey: KEY, baseURL: mock.url, maxRetries: 0, idleTimeoutMs: 3000 });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(async () => {
    mock.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-judge-'));
    store = await openStore({ path: path.join(dir, 'router.sqlite'), promptStorage: 'full', debounceMs: 20 });
    store.setBudget({ dailyLimitUsd: null, monthlyLimitUsd: 10, onExhausted: 'block' });
    const svc = createRouterService({ config, store, cascade: false });
    for (const prompt of PROMPTS) await svc.run({ prompt, source: 'cli' }, client);
    mock.reset();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('compare: replays the cheap answer, asks the top tier, records the verdict on the decision and the cost apart', async () => {
    const before = store.stats();
    const [d] = pickCandidates(store, config, 1).picked;
    assert.equal(d.tierId, 'haiku');
    mock.queue('ok', { model: OPUS });
    mock.queue(
      { kind: 'ok', text: '{"verdict": "good", "score": 0.85, "reason": "Buenos días is right."}' },
      { model: OPUS },
    );
    const r = await judgeAnswer({ store, config, client, settings }, d, d.prompt as string, null);
    assert.deepEqual(r.verdict, { kind: 'good', score: 0.85, reason: 'Buenos días is right.' });
    assert.deepEqual(
      mock.messageRequests().map((q) => q.model),
      ['claude-haiku-4-5', OPUS, OPUS],
    );
    const judgeBody = JSON.stringify(mock.messageRequests()[2].body);
    assert.match(judgeBody, /reference_answer/);
    assert.match(judgeBody, /Translate/, 'the newest answered prompt is judged');
    // The verdict is a quality signal on the judged decision.
    const fb = store.feedbackFor(d.id).filter((f) => f.signals?.judge !== undefined);
    assert.deepEqual(
      fb.map((f) => [f.thumb, f.autoQuality, f.signals]),
      [[null, 0.85, { judge: 1 }]],
    );
    // The judge's calls are rows of their own: source judge, the judged decision as parent, no savings.
    const rows = store.listDecisions({ source: 'judge' }).rows;
    assert.deepEqual(rows.map((x) => x.strategy).sort(), ['judge', 'judge-reference', 'judge-replay']);
    for (const x of rows) {
      assert.equal(x.parentId, d.id);
      assert.ok((x.costUsd ?? 0) > 0);
      assert.equal(x.baselineCostUsd, x.costUsd);
    }
    const after = store.stats();
    assert.ok(Math.abs(after.savedUsd - before.savedUsd) < 1e-12, 'the judge adds no savings');
    assert.ok(Math.abs(after.spendUsd - before.spendUsd - r.costUsd) < 1e-12, 'the judge is real spend');
    const rep = judgeReport(store);
    assert.deepEqual(rep.total, { good: 1, bad: 0, none: 0, goodRate: 1 });
    assert.equal(rep.judgeCalls, 3);
    assert.ok(Math.abs(rep.judgeCostUsd - r.costUsd) < 1e-12);
    const text = formatJudgeReport(rep, config).join('\n');
    assert.match(text, /Haiku +1 judged +100% good enough/);
    assert.ok(text.includes(`${d.complexity} / ${d.category}`), text);
    assert.match(text, /The judge's own cost: \$/);
    // Judged once: not picked again.
    assert.ok(!pickCandidates(store, config, 5).picked.some((x) => x.id === d.id));
  });

  it('alone, with the answer given: one call; a malformed verdict is recorded as no verdict, never good or bad', async () => {
    const [d] = pickCandidates(store, config, 1).picked;
    mock.setScenario({ kind: 'ok', text: 'Looks fine to me!' }, { model: OPUS });
    const r = await judgeAnswer(
      { store, config, client, settings: { ...settings, mode: 'alone' } },
      d,
      d.prompt as string,
      'Paris.',
    );
    assert.equal(r.verdict?.kind, 'none');
    assert.equal(mock.messageRequests().length, 1);
    assert.deepEqual(
      store.feedbackFor(d.id).filter((f) => f.signals?.judge !== undefined),
      [],
    );
    const rep = judgeReport(store);
    assert.deepEqual(rep.total, { good: 0, bad: 0, none: 1, goodRate: null });
    const row = store.listDecisions({ source: 'judge' }).rows[0];
    assert.match(row.reasons.join(' '), /no verdict: the judge did not answer with a JSON object/);
  });

  it("a bad verdict lowers the decision's quality; the judge's failure is no verdict", async () => {
    const [a, b] = pickCandidates(store, config, 2).picked;
    mock.setScenario({ kind: 'ok', text: '{"verdict":"bad","score":0.2,"reason":"incomplete"}' }, { model: OPUS });
    await judgeAnswer(
      { store, config, client, settings: { ...settings, mode: 'alone' } },
      a,
      a.prompt as string,
      'Hm.',
    );
    assert.equal(store.getDecision(a.id) && store.qualitySamples().find((q) => q.decisionId === a.id)?.quality, 0.2);
    mock.setScenario('500', { model: OPUS });
    const r = await judgeAnswer(
      { store, config, client, settings: { ...settings, mode: 'alone' } },
      b,
      b.prompt as string,
      'Buenos días.',
    );
    assert.equal(r.verdict?.kind, 'none');
    assert.equal(judgeReport(store).total.bad, 1);
    assert.equal(judgeReport(store).total.none, 1);
  });

  it('as answers happen: a sample rate of 1 judges the answer the user got in the background; 0 never', async () => {
    let pending: Promise<JudgeResult> | null = null;
    const sampler = (rate: number) => liveJudge({ store, settings: { ...settings, mode: 'alone', sampleRate: rate } });
    let lj = sampler(1);
    const svc = createRouterService({
      config,
      store,
      cascade: false,
      afterAnswer: (...a) => {
        pending = lj(...a);
      },
    });
    mock.setScenario({ kind: 'ok', text: '{"verdict":"good","score":0.9,"reason":"fine"}' }, { model: OPUS });
    const o = await svc.run({ prompt: 'What is the capital of Italy?', source: 'chat' }, client);
    assert.ok(pending, 'the answer was sampled');
    const r = await (pending as Promise<JudgeResult>);
    assert.equal(r.verdict?.kind, 'good');
    const judgeReq = mock.messageRequests().find((q) => q.model === OPUS);
    assert.ok(
      judgeReq && JSON.stringify(judgeReq.body).includes(JSON.stringify(o.text).slice(1, 40)),
      'the judge saw the answer the user got',
    );
    assert.equal(store.feedbackFor(o.record.id).filter((f) => f.signals?.judge === 1).length, 1);
    pending = null;
    lj = sampler(0);
    await svc.run({ prompt: 'What is the capital of Spain?', source: 'chat' }, client);
    assert.equal(pending, null);
  });

  it('never above the budget share: nothing is sent when the share is used up', async () => {
    const [d] = pickCandidates(store, config, 1).picked;
    const r = await judgeAnswer(
      { store, config, client, settings: { ...settings, maxBudgetShare: 0 } },
      d,
      d.prompt as string,
      'Paris.',
    );
    assert.equal(r.verdict, null);
    assert.match(r.skipped ?? '', /budget share is used up/);
    assert.equal(mock.messageRequests().length, 0);
    assert.equal(store.listDecisions({ source: 'judge' }).total, 0);
  });
});

describe('judge: the CLI', function () {
  this.timeout(60_000);
  let dir: string;
  let db: string;
  let mock: MockAnthropic;
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli([...args, '--db', db], { env: { ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: '', ...env } });
    return { code: r.code, out: r.stdout, err: r.stderr };
  };
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-judge-cli-'));
    db = path.join(dir, 'router.sqlite');
    mock = await startMockAnthropic({ apiKey: KEY });
  });
  after(async () => {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says plainly when no decision has a whole prompt, then judges and reports once there are', async () => {
    const client = new AnthropicClient({ apiKey: KEY, baseURL: mock.url, maxRetries: 0 });
    let store = await openStore({ path: db, promptStorage: 'preview', debounceMs: 20 });
    await createRouterService({ config: defaultConfig(), store, cascade: false }).run(
      { prompt: `Summarise this: ${'lorem ipsum '.repeat(30)}`, source: 'cli' },
      client,
    );
    await store.close();
    const none = await cli(['judge', '--sample', '5'], { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: mock.url });
    assert.equal(none.code, 0, none.err);
    assert.match(none.out, /Nothing to judge .*only a preview of the prompt.*promptStorage to "full"/);
    store = await openStore({ path: db, promptStorage: 'full', debounceMs: 20 });
    store.setBudget({ dailyLimitUsd: null, monthlyLimitUsd: 5, onExhausted: 'block' });
    await createRouterService({ config: defaultConfig(), store, cascade: false }).run(
      { prompt: PROMPTS[0], source: 'cli' },
      client,
    );
    await store.close();
    mock.reset();
    mock.setScenario({ kind: 'ok', text: '{"verdict":"good","score":1,"reason":"right"}' }, { model: OPUS });
    const r = await cli(['judge', '--sample', '5', '--mode', 'alone', '--report'], {
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: mock.url,
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Haiku\s+simple\/factual\s+good enough \(1\)/);
    assert.match(r.out, /Judged 1 of 1; the judge cost \$/);
    assert.match(r.out, /Judged answers from cheaper tiers: 1 \(1 good enough, 0 not, 0 no verdict\)/);
    const bad = await cli(['judge', '--sample', 'lots']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--sample must be a whole number/);
  });
});
