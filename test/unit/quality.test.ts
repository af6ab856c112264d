// Automatic quality: what a reader would notice about an answer, as signals and one score.
import * as assert from 'node:assert';
import {
  applyNextTurn,
  assessAnswer,
  combineQuality,
  keyTerms,
  nextTurnPenalty,
  previousExchange,
  QUALITY_GATE,
} from '../../src/core/quality';

const good = 'The capital of Australia is Canberra, chosen in 1908 as a compromise between Sydney and Melbourne.';

describe('automatic quality', () => {
  it('a plain, on-topic answer scores high with no signals', () => {
    const q = assessAnswer({
      prompt: 'What is the capital of Australia and why was it chosen?',
      answer: good,
      stopReason: 'end_turn',
    });
    assert.deepStrictEqual(q.signals, {});
    assert.strictEqual(q.score, 1);
  });

  it('refusals (said or signalled), empty answers and truncation fail the gate', () => {
    const p = 'Write a limerick about my cat.';
    assert.ok(
      assessAnswer({ prompt: p, answer: "I'm sorry, but I can't help with that request.", stopReason: 'end_turn' })
        .score < QUALITY_GATE,
    );
    assert.strictEqual(assessAnswer({ prompt: p, answer: 'Here it is', stopReason: 'refusal' }).signals.refusal, 1);
    assert.strictEqual(assessAnswer({ prompt: p, answer: '   ', stopReason: 'end_turn' }).score, 0);
    const t = assessAnswer({
      prompt: 'What is the capital of Australia and why was it chosen?',
      answer: good,
      stopReason: 'max_tokens',
    });
    assert.strictEqual(t.signals.truncated, 1);
    assert.ok(t.score < 1);
  });

  it('hedging lowers the score, more hedging lowers it more', () => {
    const p = 'What is the capital of Australia and why was it chosen?';
    const one = assessAnswer({ prompt: p, answer: `I think ${good}`, stopReason: 'end_turn' });
    const many = assessAnswer({
      prompt: p,
      answer: `I'm not sure, but I think perhaps ${good} I might be wrong.`,
      stopReason: 'end_turn',
    });
    assert.ok(one.signals.hedging > 0 && many.signals.hedging > one.signals.hedging);
    assert.ok(many.score < one.score && one.score < 1);
  });

  it('missing code where code was asked; code present passes', () => {
    const p = 'Write a Python function that removes duplicates from a list.';
    const prose = assessAnswer({
      prompt: p,
      answer: 'You can remove duplicates from a list by converting it to a set and back to a list.',
      stopReason: 'end_turn',
    });
    assert.strictEqual(prose.signals.missingCode, 1);
    assert.ok(prose.score < QUALITY_GATE + 0.1);
    const code = assessAnswer({
      prompt: p,
      answer:
        '```python\ndef dedupe(xs):\n    return list(dict.fromkeys(xs))\n```\nThis keeps the list order and removes duplicates.',
      stopReason: 'end_turn',
    });
    assert.strictEqual(code.signals.missingCode, undefined);
    assert.ok(code.score > prose.score);
  });

  it('length against what was asked: a brief ask answered at length, a detailed ask answered in a line, "in 50 words"', () => {
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    assert.ok(
      assessAnswer({
        prompt: 'Briefly, what is a monad in functional programming?',
        answer: `A monad ${long}`,
        stopReason: 'end_turn',
      }).signals.length! > 0.5,
    );
    assert.ok(
      assessAnswer({
        prompt: 'Explain in detail how garbage collection works in the JVM.',
        answer: 'Garbage collection frees memory in the JVM.',
        stopReason: 'end_turn',
      }).signals.length! > 0.5,
    );
    assert.strictEqual(
      assessAnswer({
        prompt: 'Describe Paris in 50 words.',
        answer: Array(50).fill('Paris').join(' '),
        stopReason: 'end_turn',
      }).signals.length,
      undefined,
    );
    assert.ok(
      assessAnswer({
        prompt: 'Describe Paris in 50 words.',
        answer: Array(200).fill('Paris').join(' '),
        stopReason: 'end_turn',
      }).signals.length! > 0.5,
    );
  });

  it("an answer that shares none of the prompt's key terms is off topic", () => {
    const p = 'How does photosynthesis convert sunlight into chemical energy in chloroplasts?';
    assert.deepStrictEqual(keyTerms(p).slice(0, 3), ['photosynthesis', 'convert', 'sunlight']);
    const off = assessAnswer({
      prompt: p,
      answer: 'The stock market closed higher today as investors cheered strong earnings reports.',
      stopReason: 'end_turn',
    });
    assert.strictEqual(off.signals.offTopic, 1);
    const on = assessAnswer({
      prompt: p,
      answer: 'Photosynthesis in chloroplasts captures sunlight with chlorophyll and stores the energy as glucose.',
      stopReason: 'end_turn',
    });
    assert.strictEqual(on.signals.offTopic, undefined);
  });

  it('the next turn: "that\'s wrong" counts fully against the previous answer, the same question again partly, a new topic not at all', () => {
    const prev = 'How do I reverse a linked list in Java?';
    assert.strictEqual(nextTurnPenalty("That's wrong, it doesn't compile.", prev).penalty, 1);
    assert.strictEqual(nextTurnPenalty('No, I meant a doubly linked list.', prev).penalty, 1);
    assert.strictEqual(nextTurnPenalty('how do i reverse a linked list in java', prev).penalty, 0.6);
    assert.strictEqual(nextTurnPenalty('Thanks! Now how do I sort an array in Python?', prev).penalty, 0);
    assert.strictEqual(nextTurnPenalty('Nobody told me about the Nobel prize.', prev).penalty, 0);
    assert.ok(applyNextTurn(0.9, 1) < 0.5);
    assert.ok(applyNextTurn(0.9, 0.6) < 0.9 && applyNextTurn(0.9, 0.6) > applyNextTurn(0.9, 1));
    assert.strictEqual(applyNextTurn(0.9, 0), 0.9);
  });

  it('thumbs weigh three times the automatic score; the previous exchange is found in a history', () => {
    assert.strictEqual(combineQuality('down', 1), 0.25);
    assert.strictEqual(combineQuality('up', 0), 0.75);
    assert.strictEqual(combineQuality(null, 0.6), 0.6);
    assert.strictEqual(combineQuality(null, null), null);
    assert.deepStrictEqual(
      previousExchange([
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'c' },
      ]),
      { prompt: 'a', answer: 'b' },
    );
    assert.strictEqual(previousExchange([{ role: 'user', content: 'a' }]), null);
  });
});
