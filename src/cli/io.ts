// What every CLI command shares: where the database is, the common --db option, and its terminal I/O (stdout that
// survives a closed pipe, stderr that never shows a key, input read line by line).
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../core/store';
import type { DecisionStore } from '../core/store/api';
import { redactSecrets } from '../core/redact';

/** Default database: the user's data directory (XDG on Linux, Application Support on macOS, AppData on Windows). */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.LLM_ROUTER_DB) return env.LLM_ROUTER_DB;
  const home = os.homedir();
  const base =
    platform === 'win32'
      ? env.APPDATA || path.join(home, 'AppData', 'Roaming')
      : platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  return path.join(base, 'llm-router', 'router.sqlite');
}

export function addDbOption(cmd: Command): Command {
  return cmd.option('--db <path>', 'database file (default: $LLM_ROUTER_DB or the user data directory)');
}

/** Opens the database a command was given (or the default one), runs `fn` on it, and closes it even when `fn`
 *  throws. Notices (a damaged file set aside, a newer schema) go to stderr. */
export async function withStore<T>(db: string | undefined, fn: (store: DecisionStore) => Promise<T> | T): Promise<T> {
  const store = await openStore({ path: db ?? defaultDbPath(), onNotice: (m) => process.stderr.write(`llm-router: ${m}\n`) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Why a save failed, in words a person can act on (the read-only folder, the full disk), from a file-system error. */
export function saveFailure(e: unknown, dbPath: string): string {
  const err = e as NodeJS.ErrnoException;
  const dir = path.dirname(dbPath);
  // The lock's own error names the code only in its message.
  const code = err?.code ?? /\b(EACCES|EPERM|EROFS|ENOSPC|EDQUOT)\b/.exec(String(err?.message))?.[1];
  switch (code) {
    case 'EACCES': case 'EPERM': return `the folder ${dir} is not writable (permission denied)`;
    case 'EROFS': return `the folder ${dir} is on a read-only file system`;
    case 'ENOSPC': return `the disk holding ${dir} is full`;
    case 'EDQUOT': return `the disk quota for ${dir} is used up`;
    default: return (err as Error)?.message ?? String(e);
  }
}

/** Thrown when the database could not be written: the command said nothing was recorded and exits 1. */
export class NotSavedError extends Error {}

/**
 * Writes what `store` holds to disk now, so that a line saying "recorded" is true when it is printed. A failure
 * becomes a NotSavedError whose message says what failed (read-only folder, full disk, busy lock) and that
 * nothing was recorded; the store is then closed without another attempt.
 */
export async function saveNow(store: DecisionStore, what: string): Promise<void> {
  try {
    await store.flush();
  } catch (e) {
    abandoned.add(store);
    throw new NotSavedError(`${what} was not recorded: could not save ${store.path}: ${saveFailure(e, store.path)}`);
  }
}

const abandoned = new WeakSet<DecisionStore>();

/** Closes a store (saving what is left), unless saveNow already failed on it: that failure was said once. */
export async function closeStore(store: DecisionStore): Promise<void> {
  if (abandoned.has(store)) return;
  try {
    await store.close();
  } catch (e) {
    throw new NotSavedError(`could not save ${store.path}: ${saveFailure(e, store.path)}`);
  }
}

let stdoutClosed = false;
/** Errors of a terminal or pipe that has gone away: the reader quit (EPIPE) or the terminal was closed (EIO). */
const GONE = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ENOTCONN', 'EBADF']);
/** `llm-router stats | head`, or a closed terminal: once the reader has gone, output is dropped, but the command
 *  still finishes its work (a database write is never cut short by a closed pipe or terminal). */
export function watchStdout(stream: NodeJS.WriteStream = process.stdout, errStream: NodeJS.WriteStream = process.stderr): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (GONE.has(e.code ?? '')) stdoutClosed = true;
    else throw e;
  });
  // Nothing more can be said on a stderr that has gone; the command's exit code still tells.
  errStream.on('error', (e: NodeJS.ErrnoException) => {
    if (!GONE.has(e.code ?? '')) throw e;
  });
}

/** Writes one line to stdout. */
export function out(line = ''): void {
  if (!stdoutClosed) process.stdout.write(`${line}\n`);
}

/** Every write to stderr passes the redactor: a message that echoes the API key (exactly, upper-cased, cut short)
 *  or any key-shaped token never reaches the terminal, whichever command wrote it. */
export function redactStderr(secrets: () => Iterable<string>, stream: NodeJS.WriteStream = process.stderr): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk;
    return write(typeof text === 'string' ? redactSecrets(text, secrets()) : text, ...rest);
  }) as NodeJS.WriteStream['write'];
}

/** The longest line `readLines` hands over whole; a longer one is reported by its length and skipped. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export type ReadLine = { line: string } | { tooLongBytes: number };

/**
 * The lines of a stream, one at a time, never holding more than `maxBytes` of one line: a longer line is skipped
 * to its end and reported as { tooLongBytes }, so one huge line neither exhausts memory nor stops the run.
 * "\r\n" and "\n" both end a line; a last line without a newline counts.
 */
export async function* readLines(input: AsyncIterable<Buffer | string>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<ReadLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipped = -1; // bytes of the current line when it is over the limit, else -1
  const end = (): ReadLine => {
    if (skipped >= 0) { const r = { tooLongBytes: skipped }; skipped = -1; return r; }
    let line = Buffer.concat(parts, size).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    parts = [];
    size = 0;
    return { line };
  };
  const add = (b: Buffer) => {
    if (skipped >= 0) { skipped += b.length; return; }
    if (size + b.length > maxBytes) { skipped = size + b.length; parts = []; size = 0; return; }
    parts.push(b);
    size += b.length;
  };
  let any = false;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      add(buf.subarray(from, nl));
      from = nl + 1;
      yield end();
      any = false;
    }
    if (from < buf.length) { add(buf.subarray(from)); any = true; }
  }
  if (any) yield end();
}
