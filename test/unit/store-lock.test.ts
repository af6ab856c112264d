// The lock file that serialises saves between processes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, LOCK_STALE_MS, LOCK_WAIT_MS } from '../../src/core/store/lock';

describe('store lock file', () => {
  let dir: string;
  let lock: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-lock-'));
    lock = path.join(dir, 'router.sqlite.lock');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lets one holder at a time in, in turn', async () => {
    const order: string[] = [];
    const release1 = await acquireLock(lock);
    const second = acquireLock(lock).then((release) => {
      order.push('second in');
      release();
    });
    await new Promise((r) => setTimeout(r, 30));
    order.push('first out');
    release1();
    await second;
    assert.deepEqual(order, ['first out', 'second in']);
    assert.ok(!fs.existsSync(lock));
  });

  it('breaks the lock of a process that died', async () => {
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), time: Date.now(), token: 'dead' }),
    );
    const release = await acquireLock(lock, { timeoutMs: 2000 });
    assert.match(fs.readFileSync(lock, 'utf8'), new RegExp(`"pid":${process.pid}`));
    release();
    assert.ok(!fs.existsSync(lock));
  });

  it('waits for a live holder and then says who holds it', async () => {
    // the parent of this process is alive and is not us
    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: os.hostname(), time: Date.now(), token: 'live' }));
    await assert.rejects(acquireLock(lock, { timeoutMs: 150 }), new RegExp(`busy: process ${process.ppid}`));
    assert.match(fs.readFileSync(lock, 'utf8'), /"token":"live"/, 'a live lock is never removed');
  });

  it('breaks a lock older than the stale age even if its pid exists (a reused pid)', async () => {
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: process.ppid, host: os.hostname(), time: Date.now() - 60_000, token: 'old' }),
    );
    const release = await acquireLock(lock, { timeoutMs: 2000, staleMs: 20_000 });
    release();
  });

  it('never removes a lock it does not hold', async () => {
    const release = await acquireLock(lock);
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: process.ppid, host: os.hostname(), time: Date.now(), token: 'someone-else' }),
    );
    release();
    assert.ok(fs.existsSync(lock));
  });
  it('breaks a lock whose timestamp is in the future (another clock), instead of waiting for it', async () => {
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: process.ppid, host: os.hostname(), time: Date.now() + 3_600_000, token: 'future' }),
    );
    const t0 = Date.now();
    const release = await acquireLock(lock, { timeoutMs: 3000 });
    assert.ok(Date.now() - t0 < 1000, 'taken at once');
    assert.match(fs.readFileSync(lock, 'utf8'), new RegExp(`"pid":${process.pid}`));
    release();
  });

  it('a live lock from another host is respected until the stale age, then broken before the wait gives up', async () => {
    // The default wait is derived as this one is (at least the stale age + 5 s), so a short stale age shows the
    // defaults' behaviour without waiting their 10 s.
    const staleMs = 300;
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: 1, host: 'another-host.example', time: Date.now(), token: 'elsewhere' }),
    );
    const t0 = Date.now();
    const release = await acquireLock(lock, { staleMs });
    const waited = Date.now() - t0;
    assert.ok(waited >= staleMs - 20, `waited ${waited} ms: a fresh lock is respected until the stale age`);
    assert.match(fs.readFileSync(lock, 'utf8'), new RegExp(`"pid":${process.pid}`));
    release();
  });

  it('the default wait outlasts the default stale age', () => {
    assert.ok(LOCK_WAIT_MS >= LOCK_STALE_MS + 5000, `wait ${LOCK_WAIT_MS} ms, stale age ${LOCK_STALE_MS} ms`);
  });

  it('on giving up, says who holds the lock: pid, host and since when', async () => {
    const since = new Date(Date.now() - 3000);
    fs.writeFileSync(
      lock,
      JSON.stringify({ pid: process.ppid, host: os.hostname(), time: since.getTime(), token: 'live' }),
    );
    const p2 = (n: number) => String(n).padStart(2, '0');
    const at = `${since.getFullYear()}-${p2(since.getMonth() + 1)}-${p2(since.getDate())} ${p2(since.getHours())}:${p2(since.getMinutes())}:${p2(since.getSeconds())}`;
    await assert.rejects(acquireLock(lock, { timeoutMs: 200 }), (e: Error) => {
      const head = `the database is busy: process ${process.ppid} on ${os.hostname()} has held ${lock} since ${at} (`;
      assert.ok(e.message.startsWith(head), e.message);
      assert.match(
        e.message.slice(head.length),
        /^\d+ s\); gave up after 0\.2 s\. If that process is gone, delete the lock file\.$/,
      );
      return true;
    });
  });
});
