// A tier that fails in the middle of its answer, and another tier that answers from the start: what was streamed says
// where the first answer stopped and the new one begins (issue 14 item 9). Real client, store and local Messages API.
import * as assert from 'node:assert';
import type { Restart } from '../../src/core/service-api';
import { chunkText, mockAnswer } from '../mock-anthropic';
import { useMessagesApi } from './fixtures/service';

const SONNET = 'claude-sonnet-4-6';
const OPUS = 'claude-opus-4-6';
const CODE = 'Write a Python function that parses a CSV file and returns the rows as dictionaries.';
/** The first `n` text deltas of the stand-in's answer, as it sends them. */
const firstDeltas = (model: string, prompt: string, n: number) =>
  chunkText(mockAnswer(model, prompt)).slice(0, n).join('');

describe('an answer that restarts on another tier', () => {
  const api = useMessagesApi({ store: 'llmr-restart-' });

  it("the streamed text marks the place: partial Sonnet answer, the marker line, then Opus's whole answer", async () => {
    api.server.setScenario({ kind: 'stream-error', afterDeltas: 3 }, { model: SONNET });
    const svc = api.service();
    let streamed = '';
    const o = await svc.run(
      {
        prompt: CODE,
        source: 'cli',
        onText: (t) => {
          streamed += t;
        },
      },
      api.client(),
    );
    const partial = firstDeltas(SONNET, CODE, 3);
    assert.strictEqual(
      streamed,
      `${partial}\n\n[Sonnet stopped: overloaded. Answer from Opus:]\n\n${mockAnswer(OPUS, CODE)}`,
    );
    assert.strictEqual(o.text, mockAnswer(OPUS, CODE), 'the outcome holds only the answer that stands');
  });

  it('a caller with onRestart gets the restart instead of a marker in the text', async () => {
    api.server.setScenario({ kind: 'stream-error', afterDeltas: 2 }, { model: SONNET });
    const svc = api.service();
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
      api.client(),
    );
    const partial = firstDeltas(SONNET, CODE, 2);
    assert.deepStrictEqual(restarts, [{ stopped: 'Sonnet', reason: 'overloaded', next: 'Opus', partialText: partial }]);
    assert.strictEqual(streamed, partial + mockAnswer(OPUS, CODE));
  });

  it('a fallback before any text went out has no marker', async () => {
    api.server.setScenario('529', { model: SONNET });
    const svc = api.service();
    let streamed = '';
    await svc.run(
      {
        prompt: CODE,
        source: 'cli',
        onText: (t) => {
          streamed += t;
        },
      },
      api.client(),
    );
    assert.strictEqual(streamed, mockAnswer(OPUS, CODE));
  });
});
