import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './fixtures/cli';

const cli = (args: string[], stdin?: string) => runCli(args, { stdin });
const CONTRACT = ['id', 'score', 'tier', 'model', 'complexity', 'category', 'confidence', 'reasons'];

describe('CLI classify / eval / train', function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-router-h1-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('classify --jsonl - : one line per input with exactly the contract keys; bad lines become error lines and the rest still run', async () => {
    const input = [
      JSON.stringify({ id: 'greet', prompt: 'hello!' }),
      'this is not json',
      JSON.stringify({ id: 'p', prompt: 'Prove that every bounded monotone sequence of reals converges.' }),
      '',
      JSON.stringify({ id: 42, text: 'no prompt field' }),
      JSON.stringify({ id: 'h', prompt: 'hi', history: 'not a list' }),
      JSON.stringify({
        id: 'f',
        prompt: 'yes, go ahead',
        history: [{ role: 'user', content: 'Prove that there are infinitely many primes and derive a bound.' }],
      }),
      JSON.stringify({ id: 'med', prompt: 'What is a safe dose of ibuprofen for a child?' }),
    ].join('\n');
    const r = await cli(['classify', '--jsonl', '-', '--strategy', 'rules'], `${input}\n`);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 7, 'the blank line is skipped, every other line answered');
    const ok = lines.filter((l) => !('error' in l));
    for (const l of ok) assert.deepEqual(Object.keys(l), CONTRACT);
    assert.deepEqual(
      ok.map((l) => l.id),
      ['greet', 'p', 'f', 'med'],
    );
    const byId = Object.fromEntries(ok.map((l) => [l.id, l]));
    assert.equal(byId.greet.tier, 'haiku');
    assert.equal(byId.greet.model, 'claude-haiku-4-5');
    assert.ok(byId.p.score > byId.greet.score);
    assert.notEqual(byId.f.complexity, 'simple', 'a follow-up is judged with its history');
    assert.equal(byId.med.tier, 'sonnet', 'high-stakes goes to Sonnet at least (balanced preset)');
    assert.ok(byId.med.reasons.some((x: string) => x.includes('high-stakes')));
    assert.deepEqual(lines[1], { line: 2, error: lines[1].error });
    assert.match(lines[1].error, /not valid JSON/);
    assert.deepEqual(lines[3], { line: 5, id: 42, error: '"prompt" must be a string' });
    assert.equal(lines[4].line, 6);
    assert.equal(lines[4].id, 'h');
    assert.match(lines[4].error, /history/);
    assert.match(r.stderr, /3 line\(s\) could not be classified/);
    const q = await cli(['classify', '--jsonl', '-', '--strategy', 'rules', '--preset', 'quality'], `${input}\n`);
    const qMed = q.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((l) => l.id === 'med');
    assert.deepEqual(Object.keys(qMed), CONTRACT, 'the contract is the same with a preset');
    assert.equal(qMed.tier, 'opus', 'the quality preset sends high-stakes prompts to the top tier');
  });

  it('classify --preset: economy, balanced and quality route the same prompt from cheaper to dearer; an unknown preset is refused', async () => {
    const prompt =
      'Review this retry loop for a payment webhook handler: is it idempotent, and what happens if the process dies between the charge and the write?';
    const tierOf = async (preset: string) =>
      JSON.parse((await cli(['classify', '--json', '--preset', preset, prompt])).stdout).tier as string;
    const order = ['haiku', 'sonnet', 'opus'];
    const [e, b, q] = await Promise.all(
      ['economy', 'balanced', 'quality'].map(async (p) => order.indexOf(await tierOf(p))),
    );
    assert.ok(e >= 0 && e <= b && b <= q, `economy ${e} ≤ balanced ${b} ≤ quality ${q}`);
    const bad = await cli(['classify', '--preset', 'cheap', 'hello']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--preset must be one of economy, balanced, quality, not "cheap"/);
  });

  it('classify TEXT prints the tier and why; --json gives the classification; a missing file is a clear error', async () => {
    const r = await cli(['classify', '--strategy', 'rules', 'Write a Python function that merges two sorted lists']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sonnet \(claude-sonnet-4-6\)\s+score 0\.\d\d\s+\w+ code/m);
    assert.match(r.stdout, /why:\n\s+- /);
    const j = await cli(['classify', '--json', 'hi']);
    const o = JSON.parse(j.stdout);
    assert.equal(o.complexity, 'simple');
    assert.equal(o.tier, 'haiku');
    const missing = await cli(['classify', '--jsonl', path.join(dir, 'nope.jsonl')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such file: .*nope\.jsonl/);
    const none = await cli(['classify']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /nothing to classify/);
  });

  it('eval reads labeled and outcome rows and reports accuracy and APGR next to the baselines', async () => {
    const labeled = path.join(dir, 'labeled.jsonl');
    fs.writeFileSync(
      labeled,
      [
        { prompt: 'hi', complexity: 'simple', category: 'factual' },
        { prompt: 'Prove that the square root of 2 is irrational.', complexity: 'complex', category: 'reasoning' },
        { prompt: 'Write a haiku about rain', complexity: 'simple', category: 'creative' },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n') + '\n{"prompt": "bad label", "complexity": "huge", "category": "code"}\n',
    );
    const outcome = path.join(dir, 'outcome.jsonl');
    fs.writeFileSync(
      outcome,
      [
        { prompt: 'hello', weak_score: 1, strong_score: 1, weak_cost: 1, strong_cost: 10 },
        {
          prompt: "Prove Fermat's little theorem by induction.",
          weak_score: 0,
          strong_score: 1,
          weak_cost: 1,
          strong_cost: 10,
        },
        { prompt: 'What is 2+2?', weak_score: 1, strong_score: 1, weak_cost: 1, strong_cost: 10 },
        {
          prompt: 'Derive the closed form of the Fibonacci numbers and prove it.',
          weak_score: 0,
          strong_score: 1,
          weak_cost: 1,
          strong_cost: 10,
        },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const r = await cli(['eval', '--strategy', 'rules', '--json', '--data', labeled, outcome]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /labeled\.jsonl:4: "complexity" must be one of simple, medium, complex \(skipped\)/);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.files[0].labeled.rows, 3);
    assert.equal(rep.files[0].labeled.complexityAccuracy, 1);
    const o = rep.files[1].outcome;
    // both proofs rank first: PGR 0, .5, 1, 1, 1 at 0, ¼, ½, ¾, 1 → APGR = ¼ · (.25 + .75 + 1 + 1) = 0.75, the best possible here
    assert.equal(o.router.apgr, 0.75);
    assert.equal(o.random.apgr, 0.5);
    assert.equal(o.router.cpt50, 0.25);
    const text = await cli(['eval', '--strategy', 'rules', '--data', outcome]);
    assert.match(text.stdout, /\| outcome\.jsonl \| 4 \| 50\.0% \| \*\*0\.750\*\* \(0\.500 \/ /);
  });

  it('train writes a model that classify --model uses, and it changes predictions', async () => {
    const data = path.join(dir, 'train.jsonl');
    const rows: string[] = [];
    for (const t of ['apple', 'pear', 'plum', 'fig', 'kiwi', 'lime', 'date', 'melon']) {
      rows.push(JSON.stringify({ prompt: `quux frobnicate the ${t} matrix`, complexity: 'complex', category: 'code' }));
      rows.push(JSON.stringify({ prompt: `tell me a fact about the ${t}`, complexity: 'simple', category: 'factual' }));
    }
    fs.writeFileSync(data, rows.join('\n'));
    const model = path.join(dir, 'model.json');
    const t = await cli(['train', '--data', data, '--out', model, '--epochs', '30']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /trained on 16 rows \(16 labeled, 0 outcome\)/);
    const probe = JSON.stringify({ id: 'q', prompt: 'quux frobnicate the banana matrix' });
    const mine = JSON.parse((await cli(['classify', '--jsonl', '-', '--model', model], probe)).stdout);
    const shipped = JSON.parse((await cli(['classify', '--jsonl', '-', '--strategy', 'learned'], probe)).stdout);
    assert.equal(mine.complexity, 'complex');
    assert.equal(mine.category, 'code');
    assert.ok(mine.score > shipped.score, `${mine.score} vs shipped ${shipped.score}`);
    const bad = path.join(dir, 'bad-model.json');
    fs.writeFileSync(bad, '{"format":"something-else"}');
    const b = await cli(['classify', '--model', bad, 'hi']);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /bad-model\.json: not an llm-router model file/);
  });
});
