// What every CLI command shares: where the database is, and the common --db option.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';

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
