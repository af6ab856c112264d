// `llm-router experiment` as a user runs it: a bad arm refused with nothing changed, create, routing by arm through
// `llm-router route`, status with counts and "not yet meaningful", stop.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { runCli } from './fixtures/cli';

const KEY = 'sk-ant-experiment-cli-0c4d';

describe('CLI experiment', () => {
  let dir: string;
  let db: string;
  let mock: MockAnthropic;
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const r = await runCli(args, { env: { LLM_ROUTER_DB: db, ...env } });
    return { code: r.code, out: r.stdout, err: r.stderr };
  };
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-exp-cli-'));
    db = path.join(dir, 'router.sqlite');
    mock = await startMockAnthropic({ apiKey: KEY });
  });
  after(async () => {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an unknown preset is refused in words and no experiment is made', async () => {
    const r = await cli(['experiment', 'create', '--name', 'x', '--a', 'preset=balanced', '--b', 'preset=turbo']);
    assert.equal(r.code, 1);
    assert.match(r.err, /arm b: unknown preset "turbo": use economy, balanced, quality\. Nothing was changed\./);
    assert.match((await cli(['experiment', 'list'])).out, /No experiments yet/);
  });

  it('create → route splits by arm → status shows counts and "not yet meaningful" → stop', async () => {
    let r = await cli([
      'experiment',
      'create',
      '--name',
      'economy-vs-quality',
      '--a',
      'preset=quality',
      '--b',
      'preset=economy,cascade=on',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /Experiment "economy-vs-quality" \([0-9a-f]{8}\) · running since .* · a 50\.0% \/ b 50\.0% of conversations/,
    );
    assert.match(r.out, /b: preset economy, cascade on/);
    const prompts = [
      'What is a closure in JavaScript?',
      'Write a SQL query that counts orders per customer.',
      'Why is the sky blue?',
      'Explain the CAP theorem briefly.',
    ];
    for (const p of prompts) {
      r = await cli(['route', '--base-url', mock.url, p], { ANTHROPIC_API_KEY: KEY });
      assert.equal(r.code, 0, r.err);
    }
    r = await cli(['experiment', 'status', '--json']);
    const st = JSON.parse(r.out);
    assert.equal(st.arms.a.requests + st.arms.b.requests, prompts.length);
    r = await cli(['experiment', 'status']);
    assert.match(r.out, /requests\s+\d+\s+\d+/);
    assert.match(r.out, /○ cost per request: not yet meaningful: \d vs \d, at least 20 in each arm needed/);
    r = await cli(['experiment', 'stop']);
    assert.match(r.out, /Stopped experiment "economy-vs-quality"/);
    assert.match((await cli(['experiment', 'list'])).out, /stopped\s+economy-vs-quality/);
  });
});
