// Loaded before the unit tests (test/.mocharc.json). Their scratch files (databases, lock and token files, folders)
// go to a folder of this run in memory when the machine has one (/dev/shm on Linux): every store save fsyncs the
// file and its folder, which on a disk cost the suite seconds and shows nothing a unit test asserts. Durability on
// a real disk is what test/process tests, with the system's temp folder. LLM_ROUTER_TEST_TMPDIR=os keeps the
// system's temp folder here too; LLM_ROUTER_TEST_TMPDIR=<folder> uses that one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function memoryFolder(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return fs.statSync('/dev/shm').isDirectory() ? '/dev/shm' : null;
  } catch {
    return null;
  }
}

const asked = process.env.LLM_ROUTER_TEST_TMPDIR;
const base = asked === 'os' ? null : asked || memoryFolder();
if (base) {
  const dir = fs.mkdtempSync(path.join(base, 'llmr-unit-'));
  // os.tmpdir() reads TMPDIR on every call; children the tests start inherit it.
  process.env.TMPDIR = dir;
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  if (os.tmpdir() !== dir) throw new Error(`test setup: os.tmpdir() is ${os.tmpdir()}, not ${dir}`);
}
