// `llm-router serve` as a user runs it: a real process from the CLI source on a database of its own, the upstream
// key in its environment. It prints how to point programs at it (never the token unless asked, never the key),
// writes the token file readable only by the user beside the database, answers curl, and stops cleanly on SIGTERM.
import * as assert from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mockAnswer } from '../mock-anthropic';
import { useMessagesApi } from './fixtures/service';

const KEY = 'sk-ant-api03-cliServeTestKey9f8e7d6c5b4a';
const root = path.join(__dirname, '..', '..');

describe('llm-router serve (the CLI process)', function () {
  this.timeout(60_000);
  const api = useMessagesApi({ key: KEY, store: false });
  let dir: string;
  let child: ChildProcess | null = null;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-serve-cli-'));
  });
  after(() => {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the setup lines, keeps the token in a 0600 file beside the database, answers with the token, and exits 0 on SIGTERM', async () => {
    const db = path.join(dir, 'data', 'router.sqlite');
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--db', db, '--base-url', api.server.url],
      {
        cwd: root,
        env: { ...process.env, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = p;
    let out = '';
    let err = '';
    p.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    p.stderr!.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
    for (let i = 0; i < 300 && !out.includes('Ctrl+C'); i++) await new Promise((r) => setTimeout(r, 100));
    const url = /endpoint on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    assert.ok(url, `no URL in: ${out}${err}`);
    const tokenFile = path.join(dir, 'data', 'endpoint-token');
    assert.ok(out.includes(`export ANTHROPIC_BASE_URL=${url} ANTHROPIC_API_KEY="$(cat '${tokenFile}')"`), out);
    assert.ok(out.includes(`export OPENAI_BASE_URL=${url}/v1 OPENAI_API_KEY=`), out);
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

    p.kill('SIGTERM');
    assert.strictEqual(await exited, 0, err);
    child = null;
    assert.match(err, /POST \/v1\/chat\/completions 200 haiku/, 'one log line per request on stderr');
    assert.ok(!(out + err).includes(KEY), 'the upstream key was printed');
    assert.ok(fs.existsSync(db), 'the decision was saved to the database');
  });
});
