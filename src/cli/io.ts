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

/** Opens the database a command was given (or the default one). Notices (a damaged file set aside and where it was
 *  kept, a newer schema, a read-only file) go to stderr. */
export function openCliStore(db: string | undefined): Promise<DecisionStore> {
  return openStore({ path: db ?? defaultDbPath(), onNotice: (m) => process.stderr.write(`llm-router: ${m}\n`) });
}

/** Opens the database as openCliStore does, runs `fn` on it, and closes it even when `fn` throws. */
export async function withStore<T>(db: string | undefined, fn: (store: DecisionStore) => Promise<T> | T): Promise<T> {
  const store = await openCliStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

let stdoutClosed = false;
/** `llm-router stats | head`: once the reader has gone, output is dropped, but the command still finishes its
 *  work (a database write is never cut short by a closed pipe). */
export function watchStdout(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') stdoutClosed = true;
    else throw e;
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
