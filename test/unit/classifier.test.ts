import { strict as assert } from 'node:assert';
import { createClassifier } from '../../src/core/classifier';
import { parseJsonl } from '../../src/core/classifier/dataset';
import { fnv } from '../../src/core/classifier/features';
import { fromJson, toJson } from '../../src/core/classifier/model';
import { train } from '../../src/core/classifier/train';
import type { Turn } from '../../src/core/types';

const STRATEGIES = ['rules', 'learned'] as const;

for (const s of STRATEGIES) {
  describe(`classifier (${s})`, () => {
    const c = createClassifier(s);

    it('ranks a proof above a greeting and a look-up, and calls the greeting simple', () => {
      const hi = c.classify('hi there!');
      const lookup = c.classify('What is the capital of France?');
      const proof = c.classify('Prove that the square root of 2 is irrational, step by step.');
      assert.ok(proof.score > hi.score, `proof ${proof.score} vs greeting ${hi.score}`);
      assert.ok(proof.score > lookup.score, `proof ${proof.score} vs look-up ${lookup.score}`);
      assert.equal(hi.complexity, 'simple');
      assert.equal(lookup.complexity, 'simple');
      assert.notEqual(proof.complexity, 'simple');
      assert.equal(proof.category, 'reasoning');
    });

    it('ranks a system design question above a one-line code question', () => {
      const small = c.classify('How do I print hello world in Python?');
      const big = c.classify(
        'Design a distributed rate limiter for an API gateway in three regions. Compare token bucket and sliding window, discuss consistency versus latency trade-offs, and give pseudocode.',
      );
      assert.ok(big.score > small.score, `${big.score} vs ${small.score}`);
      assert.equal(small.category, 'code');
    });

    it('detects code in fenced blocks and in programming requests', () => {
      const fenced = c.classify(
        'Why does this crash?\n```python\ndef f(xs):\n    return xs[0] / len(xs)\nprint(f([]))\n```',
      );
      assert.equal(fenced.category, 'code');
      assert.equal(c.classify('Write a SQL query that returns the ten newest users per country.').category, 'code');
      assert.ok(
        fenced.reasons.some((r) => /code|programming/.test(r)),
        fenced.reasons.join('; '),
      );
    });

    it('recognises creative writing and factual look-ups', () => {
      assert.equal(c.classify('Write a poem about the sea at night.').category, 'creative');
      assert.equal(c.classify('Who wrote War and Peace?').category, 'factual');
    });

    it('flags high-stakes domains, including configured terms', () => {
      const med = c.classify('What dosage of ibuprofen is safe with my blood pressure medication?');
      assert.equal(med.highStakes, true);
      assert.equal(med.highStakesDomain, 'medical');
      assert.equal(c.classify('Can my landlord keep my deposit? Should I sue?').highStakesDomain, 'legal');
      assert.equal(
        c.classify('How do I fix this SQL injection vulnerability in my login form?').highStakesDomain,
        'security',
      );
      assert.equal(c.classify('Should I move my retirement portfolio into bonds?').highStakesDomain, 'financial');
      assert.equal(c.classify('Write a haiku about spring').highStakes, false);
      const custom = createClassifier(s, { highStakesTerms: ['Project Falcon'] });
      const p = 'Summarise the status of project falcon';
      assert.equal(c.classify(p).highStakes, false);
      assert.equal(custom.classify(p).highStakes, true);
    });

    it('judges a follow-up with the turns before it', () => {
      const history: Turn[] = [
        {
          role: 'user',
          content: 'Prove that there are infinitely many primes, and derive a lower bound on the n-th prime.',
        },
        { role: 'assistant', content: 'I can do that. Do you want the full proof?' },
      ];
      const alone = c.classify('yes, do that');
      const withHistory = c.classify('yes, do that', history);
      assert.equal(alone.complexity, 'simple');
      assert.notEqual(withHistory.complexity, 'simple');
      assert.equal(withHistory.category, 'reasoning');
      assert.ok(withHistory.score > alone.score + 0.2);
      assert.ok(withHistory.reasons[0].includes('follow-up'), withHistory.reasons.join('; '));
      assert.ok(withHistory.estInputTokens > alone.estInputTokens, 'history counts in the input estimate');
      // "now do it for Python" after a code request stays code
      const code = c.classify('now do it for Python', [
        { role: 'user', content: 'Write a Java class implementing an LRU cache with O(1) get and put.' },
      ]);
      assert.equal(code.category, 'code');
      // a follow-up after small talk stays small
      assert.equal(c.classify('yes', [{ role: 'user', content: 'hi!' }]).complexity, 'simple');
    });

    it('explains a decision by the signals that pushed it that way, not by a word that pulled against it', () => {
      // A word problem that mentions "every morning": above the cheapest tier, so "small talk" is no reason.
      const word = c.classify(
        "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?",
      );
      assert.ok(word.score >= 0.35, `score ${word.score}`);
      assert.ok(!word.reasons.some((r) => /small talk/.test(r)), word.reasons.join('; '));
      assert.ok(
        word.reasons.some((r) => /mathematics/.test(r)),
        word.reasons.join('; '),
      );
      // A greeting: cheap, and said to be small talk or short.
      const hi = c.classify('good morning! how are you?');
      assert.ok(
        hi.reasons.some((r) => /small talk|short/.test(r)),
        hi.reasons.join('; '),
      );
    });

    it('gives every prompt a bounded score, confidence, a few readable reasons and its strategy', () => {
      for (const p of [
        '',
        '?',
        'x'.repeat(5000),
        '```\n}}}{{{\n```',
        'ünïcödé 日本語のテキスト',
        'Answer:\nA\n\nAnswer:\nB',
      ]) {
        const r = c.classify(p);
        assert.ok(r.score >= 0 && r.score <= 1, `score ${r.score}`);
        assert.ok(r.confidence >= 0 && r.confidence <= 1);
        assert.ok(r.reasons.length >= 1 && r.reasons.length <= 4, r.reasons.join('; '));
        assert.equal(r.strategy, s);
        assert.ok(r.estInputTokens >= 1);
      }
    });

    it('does not let few-shot exemplars make a multiple-choice question look hard', () => {
      const q = 'Which gas do plants absorb?\nA) oxygen\nB) carbon dioxide\nC) helium\nD) neon\nAnswer:';
      const shots = Array.from(
        { length: 8 },
        (_, i) => `Question ${i}: which of these is a metal?\nA) iron\nB) wood\nC) glass\nD) water\nAnswer:\nA\n`,
      ).join('\n');
      const fewShot = c.classify(`${shots}\n${q}`);
      const essay = c.classify(
        "Write a comprehensive, detailed essay (1,500 words) analysing the causes of the First World War, comparing three historians' interpretations.",
      );
      assert.ok(fewShot.score < essay.score, `few-shot ${fewShot.score} vs essay ${essay.score}`);
    });
  });
}

describe('classifier internals', () => {
  it('hashes with 32-bit FNV-1a (same on every platform)', () => {
    assert.equal(fnv(''), 0x811c9dc5);
    assert.equal(fnv('a'), 0xe40c292c);
    assert.equal(fnv('foobar'), 0xbf9cf968);
  });

  it('rejects an unknown strategy and a file that is not a model, in words', () => {
    assert.throws(() => createClassifier('magic' as 'rules'), /unknown classifier strategy "magic"/);
    assert.throws(() => createClassifier('learned', { model: { hello: 1 } }), /not an llm-router model file/);
  });

  it('trains a model whose predictions follow its data, and survives its JSON form', () => {
    const rows: string[] = [];
    const topics = ['volcano', 'glacier', 'desert', 'river', 'forest', 'canyon'];
    for (const t of topics) {
      rows.push(
        JSON.stringify({ prompt: `Tell me about the zorblax ${t} protocol`, complexity: 'complex', category: 'code' }),
      );
      rows.push(
        JSON.stringify({ prompt: `Tell me about the ${t} in summer`, complexity: 'simple', category: 'factual' }),
      );
    }
    const { rows: data, errors } = parseJsonl(rows.join('\n'));
    assert.equal(errors.length, 0);
    const w = train(data, { epochs: 30 });
    const json = JSON.parse(JSON.stringify(toJson(w)));
    const trained = createClassifier('learned', { model: json });
    const shipped = createClassifier('learned');
    const p = 'Tell me about the zorblax mountain protocol';
    const a = trained.classify(p);
    assert.equal(a.complexity, 'complex');
    assert.equal(a.category, 'code');
    assert.ok(
      a.score > shipped.classify(p).score,
      'the new model scores its "complex" topic higher than the shipped one',
    );
    assert.ok(trained.classify('Tell me about the mountain in summer').score < a.score);
    // the JSON form keeps the predictions (int8 weights)
    const again = createClassifier('learned', { model: toJson(fromJson(json)) });
    assert.ok(Math.abs(again.classify(p).score - a.score) < 0.02);
  });

  it('ships a small model file', () => {
    const size = JSON.stringify(require('../../src/core/classifier/model.json')).length;
    assert.ok(size < 300_000, `model.json is ${size} bytes`);
  });
});
