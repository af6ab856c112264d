// Workflows: checked before anything runs (cycles, unknown steps and inputs, unknown tiers), then run through the
// real routing service and store against the local Messages API: each step routed on its own unless pinned,
// independent steps at the same time, every call recorded as a decision of the run, one total cost.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createRouterService } from '../../src/core/service';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { loadWorkflow, parseInputPairs, resolveInputs, WorkflowError } from '../../src/core/workflows/definition';
import { examplesDir, findWorkflowFile, listWorkflowFiles, readWorkflowFile } from '../../src/core/workflows/library';
import { planWorkflow, runWorkflow, stages } from '../../src/core/workflows/run';
import { contentText, mockAnswer, startMockAnthropic, type MockAnthropic } from '../mock-anthropic';

const KEY = 'sk-ant-workflow-test-71c2';
const config = defaultConfig();

function problems(text: string): string[] {
  try {
    loadWorkflow(text, config, 'test.yaml');
  } catch (e) {
    assert.ok(e instanceof WorkflowError, String(e));
    return e.problems;
  }
  assert.fail('expected the workflow to be refused');
}

const example = (name: string) => {
  const f = findWorkflowFile(name, [examplesDir()]);
  return loadWorkflow(readWorkflowFile(f), config, f.path);
};

describe('workflow definitions', () => {
  it('ships two valid examples: draft → critique → refine, and plan → (implement ∥ tests) → review', () => {
    assert.deepEqual(
      listWorkflowFiles([examplesDir()]).map((f) => f.name),
      ['draft-critique-refine', 'plan-implement-review'],
    );
    assert.deepEqual(stages(example('draft-critique-refine')), [['draft'], ['critique'], ['refine']]);
    const pir = example('plan-implement-review');
    assert.deepEqual(stages(pir), [['plan'], ['implement', 'tests'], ['review']]);
    assert.equal(pir.steps.find((s) => s.id === 'review')!.tier, 'opus');
  });

  it('reads JSON as well as YAML', () => {
    const w = loadWorkflow(
      JSON.stringify({
        name: 'j',
        inputs: { q: {} },
        steps: [
          { id: 'a', prompt: 'Say {{inputs.q}}' },
          { id: 'b', prompt: 'Shorten: {{steps.a}}' },
        ],
      }),
      config,
    );
    assert.deepEqual(w.order, ['a', 'b']);
    assert.deepEqual(w.deps, { a: [], b: ['a'] });
  });

  it('refuses a cycle, naming it', () => {
    const p = problems(`
steps:
  - id: a
    prompt: "Use {{steps.c}}"
  - id: b
    prompt: "Use {{steps.a}}"
  - id: c
    prompt: "Use {{steps.b}}"
`);
    assert.equal(p.length, 1);
    assert.match(p[0], /the steps form a cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/);
  });

  it('lists every problem at once: undeclared input, unknown step, unknown tier, duplicate id, bad reference, bad output', () => {
    const p = problems(`
inputs:
  topic: what to write about
steps:
  - id: a
    prompt: "About {{inputs.topik}}"
  - id: a
    prompt: "again"
  - id: b
    tier: gpt-9
    prompt: "Use {{steps.nope}} and {{whatever}}"
  - id: c
    needs: [zzz]
    prompt: ok
output: d
`);
    const all = p.join('\n');
    assert.match(
      all,
      /step "a" uses \{\{inputs\.topik\}\}, but no input "topik" is declared under inputs \(declared: topic\)/,
    );
    assert.match(all, /two steps have the id "a"/);
    assert.match(all, /step "b": \{\{whatever\}\} is not a reference/);
    assert.match(all, /step "b": unknown tier "gpt-9" \(use one of haiku, sonnet, opus/);
    assert.match(all, /step "c" needs "zzz", but no step has that id/);
    assert.match(all, /output: no step has the id "d"/);
  });

  it('refuses a wrong shape and broken YAML in words', () => {
    assert.match(problems('steps: []').join(), /steps: a workflow needs at least one step/);
    assert.match(problems('steps:\n  - id: 1x\n    prompt: hi').join(), /steps\[0\]\.id: a step id is a letter/);
    assert.match(problems('steps:\n  - id: a\n    prompt: hi\n    colour: red').join(), /steps\[0\]: Unrecognized key/);
    assert.match(problems('steps: [ {id: a, prompt: "x"').join(), /not valid YAML or JSON/);
  });

  it('inputs: defaults fill in, a missing required one or an unknown name is refused', () => {
    const w = example('draft-critique-refine');
    assert.deepEqual(resolveInputs(w, { topic: 'fast tests' }), {
      topic: 'fast tests',
      audience: 'software engineers',
      length: 'about 300 words',
    });
    assert.throws(
      () => resolveInputs(w, {}),
      /missing input "topic" \(what to write about\): give it as --input topic=…/,
    );
    assert.throws(
      () => resolveInputs(w, { topic: 'x', audiense: 'y' }),
      /unknown input "audiense": this workflow takes topic, audience, length/,
    );
    assert.deepEqual(parseInputPairs(['topic=a=b', 'x= y']), { topic: 'a=b', x: ' y' });
    assert.throws(() => parseInputPairs(['topic']), /--input "topic": write it as name=value/);
  });
});

describe('running workflows (real service and store, local Messages API)', () => {
  let mock: MockAnthropic;
  let client: AnthropicClient;
  let dir: string;
  let store: DecisionStore;
  before(async () => {
    mock = await startMockAnthropic({ apiKey: KEY });
    client = new AnthropicClient({ apiKey: KEY, baseURL: mock.url, maxRetries: 0, idleTimeoutMs: 5000 });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(async () => {
    mock.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-workflow-'));
    store = await openStore({ path: path.join(dir, 'router.sqlite'), debounceMs: 20 });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tagInStore = (id: string, runId: string, step: string) =>
    store.updateDecision(id, { workflowId: runId, workflowStep: step });

  it('draft → critique → refine: each step gets the answers it uses, all calls recorded under one run with its total cost', async () => {
    const w = example('draft-critique-refine');
    const service = createRouterService({ config, store });
    const run = await runWorkflow(w, {
      service,
      client,
      inputs: resolveInputs(w, { topic: 'why unit tests should be fast' }),
      source: 'cli',
      tag: tagInStore,
    });
    assert.equal(run.status, 'ok');
    const reqs = mock.messageRequests();
    assert.equal(reqs.length, 3);
    const sent = reqs.map((r) => contentText(r.body.messages[r.body.messages.length - 1].content));
    const draft = run.steps.find((s) => s.id === 'draft')!;
    const critique = run.steps.find((s) => s.id === 'critique')!;
    assert.ok(sent[0].includes('why unit tests should be fast') && sent[0].includes('software engineers'));
    assert.ok(sent[1].includes(draft.text), 'the critique is sent the draft');
    assert.ok(sent[2].includes(draft.text) && sent[2].includes(critique.text), 'the refine step is sent both');
    assert.equal(run.output, run.steps.find((s) => s.id === 'refine')!.text);
    assert.equal(run.output, mockAnswer(reqs[2].model!, sent[2]));
    const recorded = store.listDecisions({}).rows.filter((r) => r.workflowId === run.runId);
    assert.equal(recorded.length, 3);
    assert.deepEqual(recorded.map((r) => r.workflowStep).sort(), ['critique', 'draft', 'refine']);
    const total = recorded.reduce((s, r) => s + r.costUsd!, 0);
    assert.ok(total > 0);
    assert.ok(Math.abs(run.totalCostUsd! - total) < 1e-12, `${run.totalCostUsd} vs ${total}`);
  });

  it('plan → implement ∥ tests → review: the two branches run at the same time; the pinned review goes to Opus', async () => {
    mock.setScenario({ kind: 'slow', delayMs: 15, words: 20 });
    const w = example('plan-implement-review');
    const service = createRouterService({ config, store });
    const started = new Map<string, number>();
    const done = new Map<string, number>();
    const run = await runWorkflow(w, {
      service,
      client,
      inputs: resolveInputs(w, { task: 'a function that parses ISO 8601 durations' }),
      source: 'cli',
      tag: tagInStore,
      onStepStart: (id) => started.set(id, performance.now()),
      onStepDone: (s) => done.set(s.id, performance.now()),
    });
    assert.equal(run.status, 'ok', JSON.stringify(run.steps.map((s) => [s.id, s.status, s.error])));
    assert.ok(
      started.get('tests')! < done.get('implement')! && started.get('implement')! < done.get('tests')!,
      'implement and tests overlap',
    );
    assert.ok(
      started.get('implement')! >= done.get('plan')! &&
        started.get('review')! >= Math.max(done.get('implement')!, done.get('tests')!),
    );
    const review = run.steps.find((s) => s.id === 'review')!;
    assert.equal(review.pinned, true);
    assert.equal(review.model, 'claude-opus-4-6');
    const recs = store.listDecisions({}).rows;
    assert.equal(recs.find((r) => r.workflowStep === 'review')!.override, 'opus');
    assert.ok(
      recs.filter((r) => r.workflowStep !== 'review').every((r) => r.override === null),
      'the other steps are routed on their own',
    );
  });

  it('a failing step stops the run: what depends on it is not sent, the failure is recorded under the run', async () => {
    const w = loadWorkflow(
      `
inputs: { q: {} }
steps:
  - id: first
    prompt: "{{inputs.q}}"
  - id: second
    prompt: "Summarise: {{steps.first}}"
`,
      config,
    );
    const service = createRouterService({ config, store });
    const run = await runWorkflow(w, {
      service,
      client,
      inputs: { q: 'What is a monad? [[mock:400]]' },
      source: 'cli',
      tag: tagInStore,
    });
    assert.equal(run.status, 'failed');
    assert.deepEqual(
      run.steps.map((s) => s.status),
      ['error', 'skipped'],
    );
    assert.match(run.steps[1].error!, /not run: step "first" did not answer/);
    assert.equal(mock.messageRequests().length, 1);
    const recs = store.listDecisions({}).rows.filter((r) => r.workflowId === run.runId);
    assert.deepEqual(
      recs.map((r) => [r.workflowStep, r.status]),
      [['first', 'error']],
    );
  });

  it('a dry-run plan routes each step without recording or calling anything', () => {
    const w = example('plan-implement-review');
    const service = createRouterService({ config, store });
    const plan = planWorkflow(w, service, resolveInputs(w, { task: 'a CSV parser' }));
    assert.deepEqual(
      plan.map((p) => p.id),
      ['plan', 'implement', 'tests', 'review'],
    );
    assert.equal(plan[3].decision.tierId, 'opus');
    assert.equal(store.listDecisions({}).total, 0);
    assert.equal(mock.messageRequests().length, 0);
  });
});
