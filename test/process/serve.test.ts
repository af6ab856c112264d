// `llm-router serve` as its own process: it runs until the process gets SIGINT or SIGTERM, then closes the endpoint,
// saves what it recorded and exits 0. What it prints and answers: test/unit/serve-cli.test.ts (in process).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { startCli } from './harness';

const KEY = 'sk-ant-api03-processServeKey4b3a2c1d';

describe('llm-router serve as a process', function () {
  let dir: string;
  let mock: MockAnthropic;
  before(async () => {
    mock = await startMockAnthropic({ apiKey: KEY });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-process-serve-'));
  });
  after(async () => {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`${sig} stops it: the endpoint closes, what it recorded is saved, exit 0`, async () => {
      const db = path.join(dir, sig, 'router.sqlite');
      const run = startCli(['serve', '--port', '0', '--db', db, '--base-url', mock.url], {
        env: { ANTHROPIC_API_KEY: KEY },
      });
      try {
        await run.waitFor(/Ctrl\+C/);
        const url = /endpoint on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.out())![1];
        const token = fs.readFileSync(path.join(dir, sig, 'endpoint-token'), 'utf8').trim();
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'llm-router', messages: [{ role: 'user', content: 'What is 2 + 2?' }] }),
        });
        assert.equal(res.status, 200);
        await res.text();
        run.child.kill(sig);
        const r = await run.done;
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /POST \/v1\/chat\/completions 200/, 'the request was logged on the process stderr');
        assert.ok(!(r.out + r.err).includes(KEY), 'the upstream key was printed');
        await assert.rejects(fetch(`${url}/v1/models`), 'nothing listens once it has exited');
      } finally {
        run.child.kill('SIGKILL');
      }
      const store = await openStore({ path: db });
      try {
        assert.equal(store.listDecisions({ status: 'ok' }).total, 1);
      } finally {
        await store.close();
      }
    });
  }
});
