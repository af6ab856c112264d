// fitHistory: what gets sent as history when a conversation outgrows the model's context window.
import * as assert from 'node:assert';
import { fitHistory, MESSAGE_OVERHEAD_TOKENS } from '../../src/core/provider/history';
import type { Turn } from '../../src/core/types';

const u = (content: string): Turn => ({ role: 'user', content });
const a = (content: string): Turn => ({ role: 'assistant', content });
/** One token per character: easy sums. */
const chars = (t: string) => t.length;
const roles = (ts: Turn[]) => ts.map((t) => t.role[0]).join('');

function assertValid(ts: Turn[]) {
  assert.strictEqual(ts[0].role, 'user');
  for (let i = 1; i < ts.length; i++) assert.notStrictEqual(ts[i].role, ts[i - 1].role, `roles: ${roles(ts)}`);
  assert.strictEqual(ts[ts.length - 1].role, 'user');
}

describe('fitHistory', () => {
  const history = [u('q1'), a('answer one'), u('q2'), a('answer two'), u('q3'), a('answer three')];

  it('sends the whole history and the prompt when they fit', () => {
    const r = fitHistory(history, 'prompt', 10_000, 100, chars);
    assert.deepStrictEqual(r.messages, [...history, u('prompt')]);
    assert.strictEqual(r.dropped, 0);
    const total =
      history.reduce((s, t) => s + t.content.length + MESSAGE_OVERHEAD_TOKENS, 0) +
      'prompt'.length +
      MESSAGE_OVERHEAD_TOKENS;
    assert.strictEqual(r.inputTokens, total);
    assert.strictEqual(r.promptTooLong, false);
  });

  it('keeps the newest whole exchanges that fit and says how many turns it dropped', () => {
    // prompt 6+4 = 10; q3/answer three = 6+16 = 22; q2/answer two = 6+14 = 20; budget 60 - 10 = 50 → room for two exchanges? 10+22+20 = 52 > 50 → one.
    const r = fitHistory(history, 'prompt', 60, 10, chars);
    assert.deepStrictEqual(r.messages, [u('q3'), a('answer three'), u('prompt')]);
    assert.strictEqual(r.dropped, 4);
    assert.strictEqual(r.inputTokens, 32);
    const r2 = fitHistory(history, 'prompt', 62, 10, chars);
    assert.deepStrictEqual(r2.messages, [u('q2'), a('answer two'), u('q3'), a('answer three'), u('prompt')]);
    assert.strictEqual(r2.dropped, 2);
  });

  it('always keeps the prompt, even when it alone is too long, and says so', () => {
    const r = fitHistory(history, 'x'.repeat(500), 100, 10, chars);
    assert.deepStrictEqual(r.messages, [u('x'.repeat(500))]);
    assert.strictEqual(r.dropped, 6);
    assert.strictEqual(r.promptTooLong, true);
  });

  it('repairs roles for the Messages API: merges runs, drops empty turns, a leading answer and an unanswered question', () => {
    const messy = [a('greeting'), u('q1'), u('more q1'), a(''), a('ans1'), u('q2'), a('ans2'), u('unanswered')];
    const r = fitHistory(messy, 'prompt', 10_000, 10, chars);
    assertValid(r.messages);
    assert.deepStrictEqual(r.messages, [u('q1\n\nmore q1'), a('ans1'), u('q2'), a('ans2'), u('prompt')]);
    // greeting, the empty answer and the unanswered question are dropped; the two q1 parts are merged, not dropped
    assert.strictEqual(r.dropped, 3);
  });

  it('the result alternates and starts with user for any history (random role sequences)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 200; n++) {
      const h: Turn[] = Array.from({ length: Math.floor(rnd() * 12) }, () => ({
        role: rnd() < 0.5 ? 'user' : 'assistant',
        content: rnd() < 0.1 ? '' : 'w'.repeat(1 + Math.floor(rnd() * 40)),
      }));
      const window = 40 + Math.floor(rnd() * 200);
      const r = fitHistory(h, 'the prompt', window, 20, chars);
      assertValid(r.messages);
      assert.strictEqual(r.messages[r.messages.length - 1].content, 'the prompt');
      assert.ok(r.dropped >= 0 && r.dropped <= h.length);
      assert.ok(
        r.promptTooLong || r.inputTokens <= window - 20,
        `${r.inputTokens} tokens in a budget of ${window - 20}`,
      );
      assert.strictEqual(
        r.inputTokens,
        r.messages.reduce((s, t) => s + t.content.length + MESSAGE_OVERHEAD_TOKENS, 0),
      );
    }
  });

  it('uses the shared ≈4 characters a token estimate by default', () => {
    const r = fitHistory(
      [u('a'.repeat(400)), a('b'.repeat(400))],
      'c'.repeat(40),
      100 + 100 + 10 + 3 * MESSAGE_OVERHEAD_TOKENS + 50,
      50,
    );
    assert.strictEqual(r.messages.length, 3);
    const r2 = fitHistory(
      [u('a'.repeat(400)), a('b'.repeat(400))],
      'c'.repeat(40),
      100 + 100 + 10 + 3 * MESSAGE_OVERHEAD_TOKENS + 49,
      50,
    );
    assert.strictEqual(r2.messages.length, 1);
    assert.strictEqual(r2.dropped, 2);
  });
});
