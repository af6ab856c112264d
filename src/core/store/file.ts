// The database file on disk: atomic writes, a generation counter in the SQLite header, validation, backups.
//
// Generation: sql.js exports through the backup API, which always writes a fresh file-change counter (offset 24).
// We overwrite bytes 24-27 and 92-95 ("version-valid-for", which must equal it for SQLite to trust the in-header
// page count) with our own counter: each save writes (generation of the file it is based on) + 1, and every save
// happens under the lock after re-reading a changed file, so the counter names one version of the file.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface FileState {
  gen: number;
  size: number;
  mtimeMs: number;
  ino: number;
}

export function sameState(a: FileState | null, b: FileState | null): boolean {
  if (!a || !b) return a === b;
  return a.gen === b.gen && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

function genOf(header: Uint8Array): number {
  return header.length >= 28 ? Buffer.from(header.buffer, header.byteOffset, 28).readUInt32BE(24) : 0;
}

/** The state of the file now (reads 100 bytes), or null when it does not exist. */
export function statFile(file: string): FileState | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    const head = Buffer.alloc(100);
    const n = fs.readSync(fd, head, 0, 100, 0);
    return { gen: genOf(head.subarray(0, n)), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads the whole file and its state consistently (one open file), or null when it does not exist. */
export function readFile(file: string): { bytes: Uint8Array; state: FileState } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    const bytes = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, bytes, off, st.size - off, off);
      if (n <= 0) break;
      off += n;
    }
    const b = off === st.size ? bytes : bytes.subarray(0, off);
    return { bytes: b, state: { gen: genOf(b), size: b.length, mtimeMs: st.mtimeMs, ino: st.ino } };
  } finally {
    fs.closeSync(fd);
  }
}

/** Why these bytes are not a usable SQLite file (header checks only), or null when they look right. */
export function headerProblem(b: Uint8Array): string | null {
  if (b.length < 100) return `the file is too short to be a database (${b.length} bytes)`;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (!buf.subarray(0, 16).equals(MAGIC)) return 'the file is not an SQLite database';
  let pageSize = buf.readUInt16BE(16);
  if (pageSize === 1) pageSize = 65536;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return 'the database header is damaged (page size)';
  if (b.length % pageSize !== 0) return `the file is truncated (${b.length} bytes is not a whole number of ${pageSize}-byte pages)`;
  const counter = buf.readUInt32BE(24);
  const validFor = buf.readUInt32BE(92);
  const pages = buf.readUInt32BE(28);
  if (counter === validFor && pages > 0 && pages * pageSize > b.length) {
    return `the file is truncated (${b.length} bytes, the header says ${pages * pageSize})`;
  }
  return null;
}

/** Stamps our generation into an exported image (see the top of this file). */
export function stampGeneration(bytes: Uint8Array, gen: number): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  buf.writeUInt32BE(gen >>> 0, 24);
  buf.writeUInt32BE(gen >>> 0, 92);
}

const tmpPrefix = (file: string) => `${path.basename(file)}.tmp-`;

/** Writes the file atomically: a temporary file in the same folder, fsync, rename over, fsync the folder. */
export function atomicWrite(file: string, bytes: Uint8Array): FileState {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `${tmpPrefix(file)}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* ignore */
    }
    throw e;
  }
  fs.closeSync(fd);
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(tmp, file);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Windows: a reader has the file open for a moment.
      if (attempt < 20 && (code === 'EPERM' || code === 'EBUSY' || code === 'EACCES')) {
        const until = Date.now() + 10 + attempt * 5;
        while (Date.now() < until) {
          /* short synchronous wait: the caller holds the lock and must not yield */
        }
        continue;
      }
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* ignore */
      }
      throw e;
    }
  }
  if (process.platform !== 'win32') {
    try {
      const dfd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(dfd);
      } finally {
        fs.closeSync(dfd);
      }
    } catch {
      /* some file systems cannot fsync a folder */
    }
  }
  const st = statFile(file);
  if (!st) throw new Error(`${file} vanished right after it was written`);
  return st;
}

/** Removes temporary files left by processes that died during a save. */
export function removeDeadTemps(file: string, alive: (pid: number) => boolean): void {
  const dir = path.dirname(file);
  const prefix = tmpPrefix(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(n.slice(prefix.length).split('-')[0]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      fs.unlinkSync(path.join(dir, n));
    } catch {
      /* ignore */
    }
  }
}

/** `<name>.corrupt-<YYYYMMDD-HHMMSS><ext>`, unique in its folder. */
export function backupName(file: string, now = new Date()): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p2(now.getMonth() + 1)}${p2(now.getDate())}-${p2(now.getHours())}${p2(now.getMinutes())}${p2(now.getSeconds())}`;
  const ext = path.extname(file) || '.sqlite';
  const base = path.extname(file) ? file.slice(0, -ext.length) : file;
  let name = `${base}.corrupt-${stamp}${ext}`;
  for (let i = 2; fs.existsSync(name); i++) name = `${base}.corrupt-${stamp}-${i}${ext}`;
  return name;
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
