// What every CLI command shares: where the database is, the common --db option, and its terminal I/O (stdout that
// survives a closed pipe, stderr that never shows a key, input read line by line).
//
// A run's streams and environment come from `withCliStreams`: the process's own when `llm-router` runs as a
// program, a test's when it runs the program in process (test/unit/fixtures/cli.ts). Commands reach them only
// through the functions here (`out`, `write`, `warn`, `stdin`, `env`, `setExitCode`), never through `process`.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../core/store';
import type { DecisionStore } from '../core/store/api';
import { redactSecrets } from '../core/redact';

/** What one run of the CLI reads and writes. */
export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: AsyncIterable<Buffer | string>;
  env: NodeJS.ProcessEnv;
  /** Ends a command that runs until it is stopped (`serve`) as SIGINT or SIGTERM do: for a run in process. */
  stop?: AbortSignal;
}

interface Run {
  streams: CliStreams;
  stdoutClosed: boolean;
  exitCode: number;
}

const runs = new AsyncLocalStorage<Run>();

/** Errors of a terminal or pipe that has gone away: the reader quit (EPIPE) or the terminal was closed (EIO). */
const GONE = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ENOTCONN', 'EBADF']);

/** The process's own streams (stdin only touched when a command reads it). */
export function processStreams(): CliStreams {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

function run(): Run {
  const r = runs.getStore();
  if (!r) throw new Error('CLI I/O used outside a CLI run (withCliStreams)');
  return r;
}

/** Runs `fn` with these streams as the CLI's; returns what it returned and the exit code commands set. `llm-router
 *  stats | head`: once stdout's reader has gone, output is dropped, but the command still finishes its work (a
 *  database write is never cut short by a closed pipe). */
export async function withCliStreams<T>(
  streams: CliStreams,
  fn: () => Promise<T>,
): Promise<{ result: T; exitCode: number }> {
  const r: Run = { streams, stdoutClosed: false, exitCode: 0 };
  const onError = (e: NodeJS.ErrnoException) => {
    if (GONE.has(e.code ?? '')) r.stdoutClosed = true;
    else throw e;
  };
  // Stays on after the run: a pipe's EPIPE can arrive after the last write returned.
  streams.stdout.on('error', onError);
  // A closed terminal (SIGHUP): nothing more can be said on stderr; the save still happens and the exit code tells.
  streams.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (!GONE.has(e.code ?? '')) throw e;
  });
  const result = await runs.run(r, fn);
  return { result, exitCode: r.exitCode };
}

/** The environment of this run (process.env when run as a program). */
export function env(): NodeJS.ProcessEnv {
  return run().streams.env;
}

/** Standard input of this run. */
export function stdin(): AsyncIterable<Buffer | string> {
  return run().streams.stdin;
}

/** The streams of this run, for commander's own output (help, usage errors). */
export function cliStreams(): CliStreams {
  return run().streams;
}

/** The exit code the run ends with (the last one set; 0 when none was). */
export function setExitCode(code: number): void {
  run().exitCode = code;
}

/** True once stdout's reader has gone (`| head` has its lines): output from here on is dropped. */
export function stdoutClosed(): boolean {
  return run().stdoutClosed;
}

/** Writes one line to stdout. */
export function out(line = ''): void {
  const r = run();
  if (!r.stdoutClosed) r.streams.stdout.write(`${line}\n`);
}

/** Writes text to stdout as it is, waiting while the reader is behind (and not at all once it has gone). */
export async function write(text: string): Promise<void> {
  const r = run();
  if (r.stdoutClosed || !text) return;
  const s = r.streams.stdout;
  if (s.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('error', done);
      s.off('close', done);
      resolve();
    };
    s.once('drain', done);
    s.once('error', done);
    s.once('close', done);
  });
}

/** The secrets of this run: what stderr must never show. */
function secrets(): string[] {
  return [run().streams.env.ANTHROPIC_API_KEY ?? ''].filter((k) => k.trim());
}

/** Writes text to stderr through the redactor: a message that echoes the API key (exactly, upper-cased, cut
 *  short) or any key-shaped token never reaches the terminal. */
export function writeErr(text: string): void {
  run().streams.stderr.write(redactSecrets(text, secrets()));
}

/** "llm-router: message" on stderr. */
export function warn(message: string): void {
  writeErr(`llm-router: ${message}\n`);
}

/** The user's `llm-router` folder for data (XDG_DATA_HOME on Linux) or configuration (XDG_CONFIG_HOME); on macOS
 *  Application Support, on Windows AppData, for both. */
export function userDir(kind: 'data' | 'config', e: NodeJS.ProcessEnv, platform = process.platform): string {
  const home = os.homedir();
  const xdg =
    kind === 'data'
      ? e.XDG_DATA_HOME || path.join(home, '.local', 'share')
      : e.XDG_CONFIG_HOME || path.join(home, '.config');
  const base =
    platform === 'win32'
      ? e.APPDATA || path.join(home, 'AppData', 'Roaming')
      : platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : xdg;
  return path.join(base, 'llm-router');
}

/** Default database: the user's data directory (XDG on Linux, Application Support on macOS, AppData on Windows). */
export function defaultDbPath(e: NodeJS.ProcessEnv = env(), platform = process.platform): string {
  return e.LLM_ROUTER_DB || path.join(userDir('data', e, platform), 'router.sqlite');
}

export function addDbOption(cmd: Command): Command {
  return cmd.option('--db <path>', 'database file (default: $LLM_ROUTER_DB or the user data directory)');
}

/** Opens the database a command was given (or the default one). Notices (a damaged file set aside and where it was
 *  kept, a newer schema, a read-only file) go to stderr. */
export function openCliStore(db: string | undefined): Promise<DecisionStore> {
  return openStore({ path: db ?? defaultDbPath(), onNotice: warn });
}

/** Opens the database as openCliStore does, runs `fn` on it, and closes it (which saves what is pending) even when
 *  `fn` throws. */
export async function withStore<T>(db: string | undefined, fn: (store: DecisionStore) => Promise<T> | T): Promise<T> {
  const store = await openCliStore(db);
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
    case 'EACCES':
    case 'EPERM':
      return `the folder ${dir} is not writable (permission denied)`;
    case 'EROFS':
      return `the folder ${dir} is on a read-only file system`;
    case 'ENOSPC':
      return `the disk holding ${dir} is full`;
    case 'EDQUOT':
      return `the disk quota for ${dir} is used up`;
    default:
      return (err as Error)?.message ?? String(e);
  }
}

/** Thrown when the database could not be written: the command said nothing was recorded and exits 1. */
export class NotSavedError extends Error {}

const abandoned = new WeakSet<DecisionStore>();

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

/** Closes a store (saving what is left), unless saveNow already failed on it: that failure was said once. */
export async function closeStore(store: DecisionStore): Promise<void> {
  if (abandoned.has(store)) return;
  try {
    await store.close();
  } catch (e) {
    throw new NotSavedError(`could not save ${store.path}: ${saveFailure(e, store.path)}`);
  }
}

/** Every write to the process's stderr passes the redactor, also from code that writes to `process.stderr`
 *  itself (commander, a command not yet moved to `writeErr`). */
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
export async function* readLines(
  input: AsyncIterable<Buffer | string>,
  maxBytes = MAX_LINE_BYTES,
): AsyncGenerator<ReadLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipped = -1; // bytes of the current line when it is over the limit, else -1
  const end = (): ReadLine => {
    if (skipped >= 0) {
      const r = { tooLongBytes: skipped };
      skipped = -1;
      return r;
    }
    let line = Buffer.concat(parts, size).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    parts = [];
    size = 0;
    return { line };
  };
  const add = (b: Buffer) => {
    if (skipped >= 0) {
      skipped += b.length;
      return;
    }
    if (size + b.length > maxBytes) {
      skipped = size + b.length;
      parts = [];
      size = 0;
      return;
    }
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
    if (from < buf.length) {
      add(buf.subarray(from));
      any = true;
    }
  }
  if (any) yield end();
}
