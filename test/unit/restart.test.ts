// A tier that fails in the middle of its answer, and another tier that answers from the start: what was streamed says
// where the first answer stopped and the new one begins (issue 14 item 9). Real client, store and local Messages API.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createRouterService } from '../../src/core/service';
import type { Restart } from '../../src/core/service-api';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { chunkText, mockAnswer, startMockAnthropic, type MockAnthropic } from '../mock-anthropic';

const KEY = 'sk-ant-restart-40c2';
const SONNET = 'claude-sonnet-4-6';
const OPUS = 'claude-opus-4-6';
const CODE = 'Write a Python function that parses a CSV file and returns the rows as dictionaries.';
/** The first `n` text deltas of the stand-in's answer, as it sends them. */
const firstDeltas = (model: string, prompt: string, n: number) =>
  chunkText(mockAnswer(model, prompt)).slice(0, n).join('');

describe('an answer that restarts on another tier', () => {
  let mock: MockAnthropic;
  let client: AnthropicClient;
  let dir: string;
  let store: DecisionStore;
  before(async () => {
    mock = await startMockAnthropic({ apiKey: KEY });
    client = new AnthropicClient({ apiKey: KEY, baseURL: mock.url, maxRetries: 0, idleTimeoutMs: 3000 });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(async () => {
    mock.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-restart-'));
    store = await openStore({ path: path.join(dir, 'router.sqlite'), debounceMs: 20 });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the streamed text marks the place: partial Sonnet answer, the marker line, then Opus's whole answer", async () => {
    mock.setScenario({ kind: 'stream-error', afterDeltas: 3 }, { model: SONNET });
    const svc = createRouterService({ config: defaultConfig(), store });
    let streamed = '';
    const o = await svc.run(
      {
        prompt: CODE,
        source: 'cli',
        onText: (t) => {
          streamed += t;
        },
      },
      client,
    );
    const partial = firstDeltas(SONNET, CODE, 3);
    assert.strictEqual(
      streamed,
      `${partial}\n\n[Sonnet stopped: overloaded. Answer from Opus:]\n\n${mockAnswer(OPUS, CODE)}`,
    );
    assert.strictEqual(o.text, mockAnswer(OPUS, CODE), 'the outcome holds only the answer that stands');
  });

  it('a caller with onRestart gets the restart instead of a marker in the text', async () => {
    mock.setScenario({ kind: 'stream-error', afterDeltas: 2 }, { model: SONNET });
    const svc = createRouterService({ config: defaultConfig(), store });
    let streamed = '';
    const restarts: Restart[] = [];
    await svc.run(
      {
        prompt: CODE,
        source: 'chat',
        onText: (t) => {
          streamed += t;
        },
        onRestart: (r) => restarts.push(r),
      },
      client,
    );
    const partial = firstDeltas(SONNET, CODE, 2);
    assert.deepStrictEqual(restarts, [{ stopped: 'Sonnet', reason: 'overloaded', next: 'Opus', partialText: partial }]);
    assert.strictEqual(streamed, partial + mockAnswer(OPUS, CODE));
  });

  it('a fallback before any text went out has no marker', async () => {
    mock.setScenario('529', { model: SONNET });
    const svc = createRouterService({ config: defaultConfig(), store });
    let streamed = '';
    await svc.run(
      {
        prompt: CODE,
        source: 'cli',
        onText: (t) => {
          streamed += t;
        },
      },
      client,
    );
    assert.strictEqual(streamed, mockAnswer(OPUS, CODE));
  });
});
