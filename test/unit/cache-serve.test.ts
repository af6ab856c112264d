// De-duplication where it matters most: `llm-router serve` (in process, as test/unit/fixtures/cli.ts runs it) with 20
// identical requests arriving at once from clients makes one upstream call to the OpenAI-compatible tier, and every
// client gets the answer.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mockAnswer } from '../mock-anthropic';
import { startMockOpenAI, type MockOpenAI } from '../mock-openai';
import { startCli, type RunningCli } from './fixtures/cli';

describe('llm-router serve with an OpenAI-compatible tier: identical requests in flight', () => {
  let mock: MockOpenAI;
  let dir: string;
  let serve: RunningCli | null = null;
  before(async () => {
    mock = await startMockOpenAI({ scenario: { kind: 'slow', delayMs: 30 } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-serve-dedup-'));
  });
  after(async () => {
    // Stopped and saved before its folder goes.
    await serve?.stop();
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('20 identical requests at once → 1 upstream call, 20 answers', async () => {
    const settings = path.join(dir, 'settings.json');
    fs.writeFileSync(
      settings,
      JSON.stringify({
        'llmRouter.endpoints': [{ name: 'gw', baseUrl: mock.baseURL }],
        'llmRouter.tiers': [
          {
            id: 'small',
            model: 'gpt-4o-mini',
            provider: 'openai',
            endpoint: 'gw',
            price: { input: 0.15, output: 0.6 },
          },
          { id: 'big', model: 'gpt-4o', provider: 'openai', endpoint: 'gw', price: { input: 2.5, output: 10 } },
        ],
      }),
    );
    const db = path.join(dir, 'router.sqlite');
    const p = startCli(['serve', '--port', '0', '--rate', '1000', '--db', db, '--settings', settings]);
    serve = p;
    await p.waitFor(/Ctrl\+C/);
    const url = /endpoint on (http:\/\/127\.0\.0\.1:\d+)/.exec(p.stdout())?.[1];
    assert.ok(url, `no URL in: ${p.stdout()}${p.stderr()}`);
    const token = fs.readFileSync(path.join(dir, 'endpoint-token'), 'utf8').trim();
    const prompt = 'What is the capital of Portugal?';
    const ask = () =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llm-router', messages: [{ role: 'user', content: prompt }] }),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { choices: { message: { content: string } }[] },
      }));
    const answers = await Promise.all(Array.from({ length: 20 }, ask));
    for (const a of answers) {
      assert.strictEqual(a.status, 200, JSON.stringify(a.body));
      assert.strictEqual(a.body.choices[0].message.content, mockAnswer('gpt-4o-mini', prompt));
    }
    assert.strictEqual(mock.completions().length, 1, 'one upstream call for the 20');
    assert.strictEqual((await p.stop()).code, 0);
    serve = null;
  });
});
