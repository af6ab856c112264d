// Issue 14, item 2: "recorded" is said only once the row is on disk. A process killed right after that line keeps
// its row; a database that cannot be written (read-only folder, busy lock) gets no "recorded", a message that says
// what failed, and a non-zero exit.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { runCli, startCli } from './harness';

const NOBODY = 65534;

describe('route --dry-run: "recorded" means on disk', function () {
  let dir: string;
  let db: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-recorded-'));
    db = path.join(dir, 'router.sqlite');
  });
  afterEach(() => {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const rowCount = async () => {
    const s = await openStore({ path: db });
    try {
      return s.listDecisions({ limit: 1000 }).rows.map((r) => r.id);
    } finally {
      await s.close();
    }
  };

  it('keeps every row of a process killed (SIGKILL) right after it printed "recorded"', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const run = startCli(['route', '--dry-run', '--db', db, `Explain how a hash map handles collisions, take ${i}`]);
      await run.waitFor(/recorded as a dry run \(([0-9a-f-]{36})\)/);
      run.child.kill('SIGKILL');
      const r = await run.done;
      ids.push(/recorded as a dry run \(([0-9a-f-]{36})\)/.exec(r.out)![1]);
    }
    const stored = new Set(await rowCount());
    const lost = ids.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${ids.length} rows said "recorded" and were lost`);
  });

  it('in a read-only folder: no "recorded", says the folder is not writable, exits 1, and the file is unchanged', async function () {
    const first = await runCli(['route', '--dry-run', '--db', db, 'What is the capital of France?']);
    assert.equal(first.code, 0, first.err);
    // root writes anywhere: run the command as an unprivileged user then, who owns the file (writable) but not the folder.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) fs.chownSync(db, NOBODY, NOBODY);
    fs.chmodSync(db, 0o644);
    const before = fs.readFileSync(db);
    fs.chmodSync(dir, 0o555);
    const as = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
    const r = await runCli(['route', '--dry-run', '--db', db, 'What is the capital of Spain?'], as);
    assert.equal(r.code, 1, `exit code; stdout: ${r.out}\nstderr: ${r.err}`);
    assert.doesNotMatch(r.out, /recorded/);
    assert.match(
      r.err,
      /the dry run was not recorded: could not save .*router\.sqlite: the folder .* is not writable \(permission denied\)/,
    );
    assert.deepEqual(fs.readFileSync(db), before);
  });

  it('with the database busy (another live process holds its lock): no "recorded", says who holds it, exits 1', async function () {
    const first = await runCli(['route', '--dry-run', '--db', db, 'What is the capital of France?']);
    assert.equal(first.code, 0, first.err);
    // The lock taken again and again by this (live) test process, as by other writers keeping the database busy:
    // each time a fresh holder, so it is never stale, and the command gives up after its wait.
    const lock = `${db}.lock`;
    let n = 0;
    const hold = () =>
      fs.writeFileSync(
        lock,
        JSON.stringify({ pid: process.pid, host: os.hostname(), time: Date.now(), token: `held-by-the-test-${n++}` }),
      );
    hold();
    const keep = setInterval(hold, 1000);
    try {
      const r = await runCli(['route', '--dry-run', '--db', db, 'What is the capital of Spain?']);
      assert.equal(r.code, 1, `exit code; stdout: ${r.out}\nstderr: ${r.err}`);
      assert.doesNotMatch(r.out, /recorded/);
      assert.match(
        r.err,
        /the dry run was not recorded: could not save .*: the database is busy: process \d+ on .* has held .*\.lock since/,
      );
    } finally {
      clearInterval(keep);
      fs.rmSync(lock, { force: true });
    }
    assert.equal((await rowCount()).length, 1);
  });
});
