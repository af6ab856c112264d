// `llm-router` as its own process, for what only a real process shows: a reader that goes away (`| head`), the
// exit status the shell sees, and the process's own stderr never showing the key.
// Everything else about the commands is tested in process (test/unit/cli-*.test.ts, through fixtures/cli.ts).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import demoPrompts from '../../src/cli/demo/prompts.json';
import { spawnCli } from '../unit/fixtures/cli';
import { KEY, assertNoKey, echoServer } from '../unit/fixtures/key-echo';

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

/** Starts `llm-router ARGS` with its stdout closed before anything is written (as `| head` is once it has its
 *  lines); resolves with the exit status and stderr. */
async function withClosedStdout(args: string[], stdin?: string): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, LLM_ROUTER_DB: '', ANTHROPIC_API_KEY: '' },
  });
  let err = '';
  child.stderr.on('data', (b) => {
    err += String(b);
  });
  child.stdout.destroy();
  child.stdin.on('error', () => {}); // a command that stops early leaves the rest of its input unread
  child.stdin.end(stdin ?? '');
  const code = await new Promise<number | null>((res) => child.on('close', res));
  return { code, err };
}

describe('CLI as a process', function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-process-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('demo --db with its reader gone (| head) exits 0 without an EPIPE error and keeps its database write', async () => {
    const db = path.join(dir, 'piped.sqlite');
    const r = await withClosedStdout(['demo', '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /EPIPE|Error/);
    const s = await spawnCli(['stats', '--json', '--db', db]);
    assert.equal((JSON.parse(s.stdout) as { decisions: number }).decisions, demoPrompts.length);
  });

  it('classify --jsonl with its reader gone stops quietly with exit 0', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({ id: String(i), prompt: `What is ${i} + ${i}?` }),
    ).join('\n');
    const r = await withClosedStdout(['classify', '--jsonl', '-', '--strategy', 'rules'], `${lines}\n`);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /EPIPE|Error/);
  });

  it('the exit status the shell sees: 0 with output, 1 for a usage error or a failed command, 0 for --help', async () => {
    const ok = await spawnCli(['classify', '--strategy', 'rules', 'hi']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Haiku/);
    const usage = await spawnCli(['feedback', 'some-id', 'sideways', '--db', path.join(dir, 'x.sqlite')]);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /sideways/);
    const failed = await spawnCli(['classify']);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^llm-router: nothing to classify/);
    const help = await spawnCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: llm-router/);
  });

  it("route against a server that echoes the key: the process's stderr carries no copy of it", async () => {
    const srv = await echoServer();
    try {
      const r = await spawnCli(
        ['route', '--base-url', srv.url, '--db', path.join(dir, 'redact.sqlite'), 'What is the capital of France?'],
        { env: { ANTHROPIC_API_KEY: KEY } },
      );
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /\[redacted\]/);
      assertNoKey(r.stderr);
    } finally {
      await srv.close();
    }
  });
});
