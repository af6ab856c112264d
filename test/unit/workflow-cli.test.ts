// `llm-router workflow` as a user runs it: list, validate, a dry run, a real run against the local Messages API, and
// a broken workflow refused in words with nothing sent and nothing recorded.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { runCli } from './fixtures/cli';

const KEY = 'sk-ant-workflow-cli-5d1e';
/** tsx by its own path: the CLI runs with the temporary folder as its working directory. */

describe('CLI workflow', function () {
  this.timeout(60_000);
  let dir: string;
  let db: string;
  let mock: MockAnthropic;
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli(args, {
      cwd: dir,
      env: { LLM_ROUTER_DB: '', ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: '', ...env },
    });
    return { code: r.code, out: r.stdout, err: r.stderr };
  };
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-workflow-cli-'));
    db = path.join(dir, 'router.sqlite');
    mock = await startMockAnthropic({ apiKey: KEY });
  });
  after(async () => {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('list shows the shipped examples with their shape; a workspace workflow is listed too', async () => {
    fs.mkdirSync(path.join(dir, '.llm-router', 'workflows'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, '.llm-router', 'workflows', 'summarise.yaml'),
      'description: one step\nsteps:\n  - id: only\n    prompt: Summarise the news\n',
    );
    const r = await cli(['workflow', 'list']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /draft-critique-refine\s+draft → critique → refine/);
    assert.match(r.out, /plan-implement-review\s+plan → \(implement ∥ tests\) → review/);
    assert.match(r.out, /summarise\s+only\s+one step/);
  });

  it('a cyclic workflow is refused in words: nothing sent, nothing recorded', async () => {
    const file = path.join(dir, 'cyclic.yaml');
    fs.writeFileSync(file, 'steps:\n  - id: a\n    prompt: "{{steps.b}}"\n  - id: b\n    prompt: "{{steps.a}}"\n');
    const r = await cli(['workflow', 'run', file, '--db', db, '--base-url', mock.url], { ANTHROPIC_API_KEY: KEY });
    assert.equal(r.code, 1);
    assert.match(r.err, /cyclic\.yaml: the steps form a cycle: (a → b → a|b → a → b)/);
    assert.equal(mock.messageRequests().length, 0);
    assert.equal(fs.existsSync(db), false, 'no database was even opened');
    const v = await cli(['workflow', 'validate', file]);
    assert.equal(v.code, 1);
    assert.match(v.err, /cycle/);
  });

  it('an unknown tier or a missing input is refused before anything runs', async () => {
    const file = path.join(dir, 'tier.yaml');
    fs.writeFileSync(file, 'steps:\n  - id: a\n    tier: gpt\n    prompt: hi\n');
    let r = await cli(['workflow', 'run', file, '--db', db]);
    assert.equal(r.code, 1);
    assert.match(r.err, /step "a": unknown tier "gpt" \(use one of haiku, sonnet, opus/);
    r = await cli(['workflow', 'run', 'draft-critique-refine', '--db', db], { ANTHROPIC_API_KEY: KEY });
    assert.equal(r.code, 1);
    assert.match(r.err, /missing input "topic" \(what to write about\): give it as --input topic=…/);
    assert.equal(mock.messageRequests().length, 0);
  });

  it('--dry-run shows where each step would go and records nothing', async () => {
    const r = await cli([
      'workflow',
      'run',
      'plan-implement-review',
      '--input',
      'task=a CSV parser',
      '--dry-run',
      '--db',
      db,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /plan-implement-review · plan → \(implement ∥ tests\) → review \(dry run/);
    assert.match(r.out, /review\s+Routed to Opus .* · pinned · est\. \$/);
    assert.equal(mock.messageRequests().length, 0);
  });

  it('run: every step answered and recorded under one run id, with the total cost', async () => {
    const r = await cli(
      [
        'workflow',
        'run',
        'draft-critique-refine',
        '--input',
        'topic=why tests should be fast',
        '--db',
        db,
        '--base-url',
        mock.url,
      ],
      { ANTHROPIC_API_KEY: KEY },
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /▶ draft: Routed to/);
    assert.match(r.out, /## draft \(claude-/);
    assert.match(r.out, /## refine \(claude-/);
    const m =
      /workflow draft-critique-refine ok · 3\/3 steps · total \$([\d.]+) · saved \$[\d.]+ vs the top tier · run ([0-9a-f-]{36})/.exec(
        r.out,
      );
    assert.ok(m, r.out);
    assert.equal(mock.messageRequests().length, 3);
    const s = await openStore({ path: db });
    try {
      const rows = s.listDecisions({}).rows.filter((x) => x.workflowId === m[2]);
      assert.deepEqual(rows.map((x) => x.workflowStep).sort(), ['critique', 'draft', 'refine']);
      assert.ok(rows.every((x) => x.source === 'cli' && x.status === 'ok'));
      const total = rows.reduce((t, x) => t + x.costUsd!, 0);
      assert.equal(m[1], total.toFixed(m[1].split('.')[1].length));
    } finally {
      await s.close();
    }
  });
});
