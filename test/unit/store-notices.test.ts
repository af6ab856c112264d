// Every path that sets a damaged database aside tells the person where it was kept (issue 14, item 5): the CLI's
// `demo --db` and `classify --db` on stderr, as the other commands do, and a store opened without a listener too.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { runCli } from './fixtures/cli';
import { useTempStores } from './fixtures/temp-store';

/** Runs the CLI in this process as `llm-router ...args`, with what it writes to stdout and stderr. */
async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const r = await runCli(args);
  return { out: r.stdout, err: r.stderr, code: r.code };
}

describe('decision store: a damaged file set aside is never silent', () => {
  const tmp = useTempStores('llmr-notices-');
  const garbage = () => fs.writeFileSync(tmp.file, 'not a database, just text someone saved here\n'.repeat(40));
  const backups = () => fs.readdirSync(tmp.dir).filter((f) => /^router\.corrupt-\d{8}-\d{6}\.sqlite$/.test(f));

  /** stderr names the file, says it could not be read, and names the backup, which holds the damaged bytes. */
  function assertToldWhere(err: string, damaged: Buffer): void {
    const kept = backups();
    assert.equal(kept.length, 1, fs.readdirSync(tmp.dir).join(', '));
    const backup = path.join(tmp.dir, kept[0]);
    assert.ok(err.includes(`llm-router: The routing database ${tmp.file} could not be read`), err);
    assert.ok(err.includes(`It was kept as ${backup}`), err);
    assert.deepEqual(fs.readFileSync(backup), damaged);
  }

  it('demo --db says where the damaged file was kept', async () => {
    garbage();
    const damaged = fs.readFileSync(tmp.file);
    const r = await cli('demo', '--db', tmp.file);
    assert.equal(r.code, 0, r.err);
    assertToldWhere(r.err, damaged);
    assert.match(r.out, new RegExp(`recorded in ${tmp.file.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
  });

  it('classify --db says where the damaged file was kept', async () => {
    garbage();
    const damaged = fs.readFileSync(tmp.file);
    const r = await cli('classify', '--db', tmp.file, 'what is the capital of France?');
    assertToldWhere(r.err, damaged);
  });

  it('a store opened without a listener says it on stderr', async () => {
    garbage();
    const damaged = fs.readFileSync(tmp.file);
    let err = '';
    const stderr = process.stderr.write;
    process.stderr.write = ((c: string | Uint8Array) => ((err += String(c)), true)) as typeof process.stderr.write;
    try {
      tmp.closeAfter(await openStore({ path: tmp.file }));
    } finally {
      process.stderr.write = stderr;
    }
    assertToldWhere(err, damaged);
  });
});
