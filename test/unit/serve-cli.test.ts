// `llm-router serve` as a user runs it, in process (test/unit/fixtures/cli.ts) on a database of its own, the upstream
// key in its environment. It prints how to point programs at it (never the token unless asked, never the key),
// writes the token file readable only by the user beside the database, answers curl, logs one line per request, and
// saves when stopped. The real process and its SIGTERM: test/process/serve.test.ts.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { mockAnswer } from '../mock-anthropic';
import { startCli, type RunningCli } from './fixtures/cli';
import { useMessagesApi } from './fixtures/service';

const KEY = 'sk-ant-api03-cliServeTestKey9f8e7d6c5b4a';

describe('llm-router serve (the CLI command)', () => {
  const api = useMessagesApi({ key: KEY, store: false });
  let dir: string;
  let serve: RunningCli | null = null;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-serve-cli-'));
  });
  after(async () => {
    await serve?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the setup lines, keeps the token in a 0600 file beside the database, answers with the token, and saves when stopped', async () => {
    const db = path.join(dir, 'data', 'router.sqlite');
    const s = startCli(['serve', '--port', '0', '--db', db, '--base-url', api.server.url], {
      env: { ANTHROPIC_API_KEY: KEY },
    });
    serve = s;
    await s.waitFor(/Ctrl\+C/);
    const out = s.stdout();
    const url = /endpoint on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(url, `no URL in: ${out}${s.stderr()}`);
    const tokenFile = path.join(dir, 'data', 'endpoint-token');
    assert.ok(out.includes(`export ANTHROPIC_BASE_URL=${url} ANTHROPIC_API_KEY="$(cat '${tokenFile}')"`), out);
    assert.ok(out.includes(`export OPENAI_BASE_URL=${url}/v1 OPENAI_API_KEY=`), out);
    assert.match(out, /tiers with a key: haiku, sonnet, opus/);
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(tokenFile).mode & 0o777, 0o600);
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    assert.ok(!out.includes(token), 'the token is printed only with --print-token');

    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'llm-router',
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      }),
    });
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    assert.strictEqual(res.status, 200);
    assert.strictEqual(
      body.choices[0].message.content,
      mockAnswer('claude-haiku-4-5', 'What is the capital of France?'),
    );
    assert.strictEqual((await fetch(`${url}/v1/models`)).status, 401);

    const r = await s.stop();
    serve = null;
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /POST \/v1\/chat\/completions 200 haiku/, 'one log line per request on stderr');
    assert.ok(!(r.stdout + r.stderr).includes(KEY), 'the upstream key was printed');
    await assert.rejects(fetch(`${url}/v1/models`), 'the endpoint is closed once stopped');
    const store = await openStore({ path: db });
    try {
      assert.strictEqual(store.listDecisions({ status: 'ok' }).total, 1, 'the decision was saved to the database');
    } finally {
      await store.close();
    }
  });
});
