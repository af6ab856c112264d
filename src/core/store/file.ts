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

/** What a non-regular file is, for a person. */
function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Thrown for a database path that names something other than a regular file: it is never read or replaced. */
export class NotAFileError extends Error {
  constructor(file: string, st: fs.Stats) {
    super(
      `${file} is ${kindOf(st)}, not a regular file: the routing database must be a file of its own, so it was not read or replaced. Give the path of a database file (or of a new one).`,
    );
    this.name = 'NotAFileError';
  }
}

// Opening a FIFO for reading blocks until a writer comes; non-blocking, it opens at once and fstat tells what it is.
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** Opens a regular file for reading: null when it does not exist, NotAFileError for anything else at the path. */
function openRegular(file: string): { fd: number; st: fs.Stats } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new NotAFileError(file, st);
  }
  return { fd, st };
}

/** The state of the file now (reads 100 bytes), or null when it does not exist. */
export function statFile(file: string): FileState | null {
  const o = openRegular(file);
  if (!o) return null;
  try {
    const head = Buffer.alloc(100);
    const n = fs.readSync(o.fd, head, 0, 100, 0);
    return { gen: genOf(head.subarray(0, n)), size: o.st.size, mtimeMs: o.st.mtimeMs, ino: o.st.ino };
  } finally {
    fs.closeSync(o.fd);
  }
}

/** Reads the whole file and its state consistently (one open file), or null when it does not exist. */
export function readFile(file: string): { bytes: Uint8Array; state: FileState } | null {
  const o = openRegular(file);
  if (!o) return null;
  const { fd, st } = o;
  try {
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

/**
 * The file a database path names, following symbolic links (also a link to a file not created yet), so that saves
 * replace the target and the link stays: one history, wherever it is opened from.
 */
export function resolveLinks(file: string): string {
  const abs = path.resolve(file);
  try {
    return fs.realpathSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let cur = abs;
  for (let hops = 0; hops < 40; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return cur; // a new file (or a link to one)
      throw e;
    }
    if (!st.isSymbolicLink()) return cur;
    cur = path.resolve(path.dirname(cur), fs.readlinkSync(cur));
  }
  throw new Error(`${file}: too many levels of symbolic links`);
}

/** Why a file may not be written: what the person is told once, and what a refused save says. */
export interface Refusal {
  notice: string;
  error: string;
}

/** A save refused because the file may not be written (read-only, or a newer LLM Router's): nothing was written. */
export class ReadOnlyError extends Error {
  override name = 'ReadOnlyError';
  constructor(readonly refusal: Refusal) {
    super(refusal.error);
  }
}

/** Why the file at `file` must not be replaced by a save (it is read-only), or null when it may be (or is new). */
export function readOnlyProblem(file: string): Refusal | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!st.isFile()) throw new NotAFileError(file, st);
  let writable = (st.mode & 0o222) !== 0; // no write bit at all: read-only, even for root
  if (writable) {
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch {
      writable = false;
    }
  }
  if (writable) return null;
  const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  const fix = 'Make it writable (chmod u+w) or use another database file.';
  return {
    notice: `The routing database ${file} is read-only (mode ${mode}): LLM Router reads it but does not replace it, so nothing new is saved in it. ${fix}`,
    error: `not saved: the routing database ${file} is read-only (mode ${mode}). ${fix}`,
  };
}

/** Why these bytes are not a usable SQLite file (header checks only), or null when they look right. */
export function headerProblem(b: Uint8Array): string | null {
  if (b.length < 100) return `the file is too short to be a database (${b.length} bytes)`;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (!buf.subarray(0, 16).equals(MAGIC)) return 'the file is not an SQLite database';
  let pageSize = buf.readUInt16BE(16);
  if (pageSize === 1) pageSize = 65536;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return 'the database header is damaged (page size)';
  if (b.length % pageSize !== 0)
    return `the file is truncated (${b.length} bytes is not a whole number of ${pageSize}-byte pages)`;
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

/** The mode and owner a replacement of `file` keeps (a new file: private to the user). */
function keptAttributes(file: string): { mode: number; uid: number; gid: number } | null {
  try {
    const st = fs.statSync(file);
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    return null;
  }
}

/**
 * Writes the file atomically: a temporary file in the same folder, fsync, rename over, fsync the folder. The new
 * file keeps the mode of the one it replaces (and its owner, when we are allowed to set it).
 */
export function atomicWrite(file: string, bytes: Uint8Array): FileState {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `${tmpPrefix(file)}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const kept = keptAttributes(file);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    if (kept) keepAttributes(fd, kept);
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

function keepAttributes(fd: number, kept: { mode: number; uid: number; gid: number }): void {
  if (process.platform === 'win32') return;
  const st = fs.fstatSync(fd);
  if (st.uid !== kept.uid || st.gid !== kept.gid) {
    try {
      fs.fchownSync(fd, kept.uid, kept.gid);
    } catch {
      /* only root (or the owner, for the group) may: the file then belongs to whoever saves it */
    }
  }
  fs.fchmodSync(fd, kept.mode);
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
