// Shape of the committed VS Code prompt sets (src/core/classifier/data/vscode_mix.jsonl, the calibration and
// measurement mix, and vscode_train.jsonl, the training set written in the same style): every row parses, has the
// fields the presets' calibration reads, a known tier and kind, a reason; ids and prompts are unique, every kind is
// represented, and no prompt of the training set is also in the mix.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const DATA = path.resolve(__dirname, '../../src/core/classifier/data');
const TIERS = ['haiku', 'sonnet', 'opus'] as const;
/** The fixed list of kinds, documented in src/core/classifier/data/README.md. */
const KINDS = [
  'explain-error',
  'write-test',
  'regex',
  'git',
  'shell',
  'rename',
  'refactor',
  'review-diff',
  'explain-code',
  'write-code',
  'debug',
  'design',
  'agent-task',
  'docs',
  'sql',
  'config',
  'performance',
  'security-review',
  'everyday',
  'chit-chat',
  'conceptual',
] as const;
const FIELDS = ['id', 'prompt', 'tier', 'kind', 'why'];

interface MixRow {
  id: string;
  prompt: string;
  tier: string;
  kind: string;
  why: string;
}

/** Every problem of a JSONL text of mix rows, one message each, with its line number; empty when the text is valid. */
function problems(text: string, idPrefix: string, minRows: number, minPerKind: number): string[] {
  const out: string[] = [];
  const ids = new Set<string>();
  const prompts = new Set<string>();
  const perKind = new Map<string, number>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const at = `line ${i + 1}`;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      out.push(`${at}: not JSON`);
      return;
    }
    const keys = Object.keys(row).sort().join(',');
    if (keys !== [...FIELDS].sort().join(',')) out.push(`${at}: fields are ${keys}, expected ${FIELDS.join(',')}`);
    for (const f of FIELDS) {
      if (typeof row[f] !== 'string' || !(row[f] as string).trim()) out.push(`${at}: ${f} is not a non-empty string`);
    }
    const r = row as unknown as MixRow;
    if (typeof r.id === 'string' && !new RegExp(`^${idPrefix}-\\d{4}$`).test(r.id))
      out.push(`${at}: id ${r.id} is not ${idPrefix}-NNNN`);
    if (ids.has(r.id)) out.push(`${at}: duplicate id ${r.id}`);
    ids.add(r.id);
    const norm = String(r.prompt).toLowerCase().replace(/\s+/g, ' ').trim();
    if (prompts.has(norm)) out.push(`${at}: duplicate prompt`);
    prompts.add(norm);
    if (!(TIERS as readonly string[]).includes(r.tier)) out.push(`${at}: unknown tier ${r.tier}`);
    if (!(KINDS as readonly string[]).includes(r.kind)) out.push(`${at}: unknown kind ${r.kind}`);
    else perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + 1);
  });
  if (lines.length < minRows) out.push(`${lines.length} rows, expected at least ${minRows}`);
  for (const k of KINDS) {
    if ((perKind.get(k) ?? 0) < minPerKind)
      out.push(`kind ${k} has ${perKind.get(k) ?? 0} rows, expected at least ${minPerKind}`);
  }
  return out;
}

const read = (name: string) => fs.readFileSync(path.join(DATA, name), 'utf8');
const rowsOf = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MixRow);
const share = (rows: MixRow[], tier: string) => rows.filter((r) => r.tier === tier).length / rows.length;

describe('vscode_mix.jsonl (the realistic VS Code chat mix)', () => {
  const text = read('vscode_mix.jsonl');

  it('has at least 400 well-formed rows with unique ids and prompts, known tiers and kinds, and a reason each', () => {
    assert.deepEqual(problems(text, 'mix', 400, 5), []);
  });

  it('leans to the cheap end as real usage does, with every tier present', () => {
    const rows = rowsOf(text);
    assert.ok(share(rows, 'haiku') >= 0.5, `haiku ${share(rows, 'haiku')}`);
    assert.ok(share(rows, 'opus') > 0 && share(rows, 'opus') <= 0.12, `opus ${share(rows, 'opus')}`);
    assert.ok(share(rows, 'sonnet') >= 0.2, `sonnet ${share(rows, 'sonnet')}`);
  });

  it('is not decided by length: some long prompts are haiku and some short ones are opus', () => {
    const rows = rowsOf(text);
    assert.ok(rows.filter((r) => r.tier === 'haiku' && r.prompt.length > 1000).length >= 3);
    assert.ok(rows.filter((r) => r.tier === 'opus' && r.prompt.length < 150).length >= 10);
  });
});

describe('the mix checks themselves', () => {
  const good = (n: number) => ({
    id: `mix-${String(n).padStart(4, '0')}`,
    prompt: `prompt ${n}`,
    tier: 'haiku',
    kind: KINDS[n % KINDS.length],
    why: 'simple',
  });
  const file = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const valid = Array.from({ length: KINDS.length }, (_, i) => good(i + 1));

  it('accept a small valid file', () => {
    assert.deepEqual(problems(file(valid), 'mix', KINDS.length, 1), []);
  });

  it('reject a malformed row: bad JSON, unknown tier or kind, empty why, missing or extra field, repeated id or prompt', () => {
    const cases: [string, string][] = [
      ['not JSON', file(valid) + '{"id": "mix-0099", "prompt": "x"\n'],
      ['unknown tier', file([...valid, { ...good(90), tier: 'gpt' }])],
      ['unknown kind', file([...valid, { ...good(90), kind: 'poetry' }])],
      ['why is not', file([...valid, { ...good(90), why: '  ' }])],
      ['fields are', file([...valid, { id: 'mix-0090', prompt: 'p', tier: 'haiku', kind: 'git' }])],
      ['fields are', file([...valid, { ...good(90), extra: 1 }])],
      ['duplicate id', file([...valid, { ...good(90), id: valid[0].id }])],
      ['duplicate prompt', file([...valid, { ...good(90), prompt: ' PROMPT  1 ' }])],
      ['is not mix-NNNN', file([...valid, { ...good(90), id: 'x-1' }])],
    ];
    for (const [expected, text] of cases) {
      const found = problems(text, 'mix', KINDS.length, 1);
      assert.ok(
        found.some((p) => p.includes(expected)),
        `${expected}: ${JSON.stringify(found)}`,
      );
    }
  });

  it('reject too few rows and a kind with too few rows', () => {
    assert.ok(problems(file(valid), 'mix', 400, 1).some((p) => p.includes('expected at least 400')));
    assert.ok(
      problems(file(valid.slice(1)), 'mix', 1, 1).some((p) => p.startsWith(`kind ${valid[0].kind} has 0 rows`)),
    );
  });
});

const TRAIN = 'vscode_train.jsonl';
describe('vscode_train.jsonl (training prompts in the same style)', () => {
  it('has at least 300 well-formed rows and every kind', () => {
    assert.deepEqual(problems(read(TRAIN), 'train', 300, 5), []);
  });

  it('shares no prompt with the mix, which is kept for calibration and measurement', () => {
    const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
    const mix = new Set(rowsOf(read('vscode_mix.jsonl')).map((r) => norm(r.prompt)));
    assert.deepEqual(
      rowsOf(read(TRAIN))
        .filter((r) => mix.has(norm(r.prompt)))
        .map((r) => r.id),
      [],
    );
  });
});
