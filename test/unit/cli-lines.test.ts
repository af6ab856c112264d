// classify --jsonl input limits (issue 14 item 14): a line over 16 MB gets an error line and the rest still run;
// empty and whitespace-only prompts get an error line. And the line reader behind it, on its own.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { MAX_LINE_BYTES, readLines, type ReadLine } from '../../src/cli/io';
import { runCli } from './fixtures/cli';

async function collect(chunks: (string | Buffer)[], max: number): Promise<ReadLine[]> {
  const got: ReadLine[] = [];
  for await (const l of readLines(Readable.from(chunks), max)) got.push(l);
  return got;
}

describe('CLI line input', function () {
  it('readLines: lines across chunks, CRLF, a last line without newline; a line over the limit is reported by size and skipped', async () => {
    const got = await collect(['ab', 'c\r\nde', 'f\n', '0123456789', 'ABCDEF\n\n', 'é', 'x'], 8);
    assert.deepEqual(got, [{ line: 'abc' }, { line: 'def' }, { tooLongBytes: 16 }, { line: '' }, { line: 'éx' }]);
    // A multi-byte character split between chunks is joined back, not replaced.
    const e = Buffer.from('é\n');
    assert.deepEqual(await collect([e.subarray(0, 1), e.subarray(1)], 8), [{ line: 'é' }]);
  });

  it('classify --jsonl: a line over 16 MB and empty prompts get error lines; the lines after them are classified', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-lines-'));
    try {
      const file = path.join(dir, 'in.jsonl');
      const big = JSON.stringify({ id: 'big', prompt: 'a'.repeat(MAX_LINE_BYTES + 1024) });
      fs.writeFileSync(
        file,
        [
          JSON.stringify({ id: 'first', prompt: 'hello!' }),
          big,
          JSON.stringify({ id: 'empty', prompt: '' }),
          JSON.stringify({ id: 'blank', prompt: ' \n\t ' }),
          JSON.stringify({ id: 'last', prompt: 'What is 2+2?' }),
        ].join('\n') + '\n',
      );
      const r = await runCli(['classify', '--jsonl', file, '--strategy', 'rules']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, 5);
      assert.equal(lines[0].id, 'first');
      assert.equal(lines[1].line, 2);
      assert.match(lines[1].error, /over the 16 MB limit: skipped/);
      assert.deepEqual([lines[2].id, lines[3].id], ['empty', 'blank']);
      for (const l of [lines[2], lines[3]]) assert.match(l.error, /"prompt" is empty/);
      assert.equal(lines[4].id, 'last');
      assert.ok(lines[4].tier, 'the line after the errors was not classified');
      assert.match(r.stderr, /3 line\(s\) could not be classified/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
