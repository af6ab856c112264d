// The local Messages API stand-in run by hand (`node --import tsx test/mock-anthropic/main.ts`), as its own process:
// it prints its URL, answers the official SDK, and on SIGTERM closes and exits 0.
import Anthropic from '@anthropic-ai/sdk';
import * as assert from 'node:assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mockAnswer } from '../mock-anthropic';

const KEY = 'sk-ant-mock-main-3f9a';
const MODEL = 'claude-sonnet-4-6';

describe('mock-anthropic main.ts (by hand)', function () {
  this.timeout(60_000);

  it('prints the URL, answers the SDK, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/mock-anthropic/main.ts', '--port', '0', '--quiet', '--key', KEY],
      { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.trim());
        });
        child.on('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const c = new Anthropic({ apiKey: KEY, baseURL: url, maxRetries: 0 });
      const m = await c.messages.create({
        model: MODEL,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'ping' }],
      });
      assert.strictEqual((m.content[0] as Anthropic.TextBlock).text, mockAnswer(MODEL, 'ping'));
      const wrong = await new Anthropic({ apiKey: `${KEY}x`, baseURL: url, maxRetries: 0 }).models
        .list()
        .catch((e: unknown) => e);
      assert.ok(wrong instanceof Anthropic.AuthenticationError, '--key is the only key it accepts');
      child.kill('SIGTERM');
      assert.strictEqual(await exited, 0);
      await assert.rejects(fetch(`${url}/v1/models`), 'nothing listens once it has exited');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
