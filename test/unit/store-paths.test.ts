// What a save does to whatever is at the database path (issue 14, item 1): a device, a pipe or a folder is refused
// with a message and left as it is, a symbolic link is followed (the link stays, its target gets the rows), a file's
// mode is kept, and a read-only file is read but never replaced.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import { makeRecord } from './fixtures/store-records';
import { useTempStores } from './fixtures/temp-store';

const WORKER = path.join(__dirname, 'fixtures', 'store-worker.ts');
const posix = process.platform !== 'win32';
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

/** Runs the worker's `once` mode; kills it after `ms` (a save that hangs fails the test instead of the suite). */
function once(db: string, ms: number): Promise<{ code: number | null; err: string; killed: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, 'once', db, 'from-worker'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let killed = false;
  child.stderr.on('data', (d) => (err += d));
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, ms);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, err, killed });
    }),
  );
}

describe('decision store: what is at the database path', function () {
  this.timeout(60_000);
  const tmp = useTempStores('llmr-paths-');

  async function fileWithOneRow(file: string): Promise<void> {
    const s = await openStore({ path: file });
    s.insertDecision(makeRecord('first'));
    await s.close();
  }

  (posix ? it : it.skip)(
    'follows a symbolic link: the link stays, its target gets the rows, nothing forks',
    async () => {
      const target = path.join(tmp.dir, 'real', 'router.sqlite');
      fs.mkdirSync(path.dirname(target));
      await fileWithOneRow(target);
      const link = path.join(tmp.dir, 'link.sqlite');
      fs.symlinkSync(target, link);
      const viaLink = await tmp.open({ path: link });
      assert.ok(viaLink.getDecision('first'), 'the link is read');
      viaLink.insertDecision(makeRecord('through-the-link'));
      await viaLink.close();
      assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
      assert.equal(fs.readlinkSync(link), target);
      const direct = await tmp.open({ path: target });
      assert.ok(direct.getDecision('through-the-link'), 'the row was saved in the target');
      assert.ok(direct.getDecision('first'));
      assert.deepEqual(fs.readdirSync(tmp.dir).sort(), ['link.sqlite', 'real'], 'no second database beside the link');
    },
  );

  (posix ? it : it.skip)('a link to a file not created yet creates the target and keeps the link', async () => {
    const target = path.join(tmp.dir, 'elsewhere', 'router.sqlite');
    const link = path.join(tmp.dir, 'link.sqlite');
    fs.symlinkSync(target, link);
    const s = await tmp.open({ path: link });
    s.insertDecision(makeRecord('new'));
    await s.close();
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.ok(fs.statSync(target).isFile());
    assert.ok((await tmp.open({ path: target })).getDecision('new'));
  });

  (posix ? it : it.skip)('keeps the mode of the file it replaces', async () => {
    await fileWithOneRow(tmp.file);
    fs.chmodSync(tmp.file, 0o640);
    const s = await tmp.open();
    s.insertDecision(makeRecord('second'));
    await s.close();
    assert.equal(modeOf(tmp.file), '640');
    assert.ok((await tmp.open()).getDecision('second'));
  });

  (posix ? it : it.skip)('reads a read-only file but never replaces it, and says so', async () => {
    await fileWithOneRow(tmp.file);
    fs.chmodSync(tmp.file, 0o444);
    const before = { sha: sha(tmp.file), ino: fs.statSync(tmp.file).ino };
    const notices: string[] = [];
    const s = await openStore({ path: tmp.file, onNotice: (m) => notices.push(m) });
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0], /is read-only \(mode 0444\).*does not replace it.*chmod u\+w/);
    assert.ok(notices[0].includes(tmp.file), notices[0]);
    assert.ok(s.getDecision('first'), 'what is in it can be read');
    s.insertDecision(makeRecord('refused'));
    const notSaved = `not saved: the routing database ${tmp.file} is read-only (mode 0444). Make it writable (chmod u+w) or use another database file.`;
    await assert.rejects(s.flush(), (e: Error) => e.message === notSaved);
    await assert.rejects(s.close(), (e: Error) => e.message === notSaved);
    assert.equal(notices.length, 1, 'told once');
    assert.equal(modeOf(tmp.file), '444');
    assert.equal(fs.statSync(tmp.file).ino, before.ino, 'the file was not replaced');
    assert.equal(sha(tmp.file), before.sha, 'the file is unchanged');
  });

  (posix ? it : it.skip)('refuses a character device (such as /dev/null) and leaves it a device', async () => {
    // As root, a twin of /dev/null in the temp folder (so a store that wrongly replaced it harms nothing); else /dev/null.
    let dev = '/dev/null';
    if (process.getuid?.() === 0) {
      dev = path.join(tmp.dir, 'null');
      execFileSync('mknod', [dev, 'c', '1', '3']);
    }
    await assert.rejects(openStore({ path: dev }), (e: Error) => {
      assert.equal(e.message.startsWith(`${dev} is a character device, not a regular file`), true, e.message);
      return true;
    });
    assert.ok(fs.statSync(dev).isCharacterDevice());
  });

  it('refuses a folder at the path with a message', async () => {
    const dir = path.join(tmp.dir, 'router.sqlite');
    fs.mkdirSync(dir);
    await assert.rejects(
      openStore({ path: dir }),
      new RegExp(`${dir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} is a folder, not a regular file`),
    );
    assert.ok(fs.statSync(dir).isDirectory());
  });

  (posix ? it : it.skip)('refuses a named pipe at once, without waiting for a writer', async () => {
    const fifo = path.join(tmp.dir, 'router.sqlite');
    execFileSync('mkfifo', [fifo]);
    const r = await once(fifo, 20_000);
    assert.equal(r.killed, false, 'the process hung on the pipe');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /is a named pipe \(FIFO\), not a regular file/);
    assert.ok(fs.statSync(fifo).isFIFO(), 'the pipe is still there');
  });
});
