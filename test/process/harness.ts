// The `llm-router` command as real processes: bundled once per run (esbuild, as dist/cli.js is), spawned with
// `node`, driven through its stdio and signals. A bundle starts in a fraction of the time tsx needs per process,
// which matters when ten of them start at once.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');
let bundle: string | undefined;

/** The CLI bundled into a temporary folder (with the sql.js WebAssembly beside it), built on first use. */
export function cliBundle(): string {
  if (bundle) return bundle;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-cli-bundle-'));
  fs.chmodSync(dir, 0o755); // readable by the unprivileged user some tests run the CLI as
  const out = path.join(dir, 'cli.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
  fs.copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(dir, 'sql-wasm.wasm'));
  bundle = out;
  return out;
}

export interface Run {
  child: ChildProcess;
  /** What the process wrote so far. */
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves when the process has ended. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  /** Resolves when stdout (or stderr) first matches `re`. */
  waitFor(re: RegExp, stream?: 'out' | 'err'): Promise<void>;
}

/** A clean environment: no database, key or base URL from the person running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, LLM_ROUTER_DB: '', ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: '', ...extra };
}

/** Starts `llm-router ARGS`. `uid`/`gid` run it as another user (the tests run as root on some machines). */
export function startCli(args: string[], o: { env?: Record<string, string>; uid?: number; gid?: number } = {}): Run {
  // Run as another user: a home of its own (the settings file under the real one is not readable to it).
  const home: Record<string, string> = o.uid !== undefined ? { HOME: os.tmpdir() } : {};
  const child = spawn(process.execPath, [cliBundle(), ...args], {
    env: cleanEnv({ ...home, ...o.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: o.uid,
    gid: o.gid,
    cwd: os.tmpdir(),
  });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; stream: 'out' | 'err'; resolve: () => void }[] = [];
  const check = () => {
    for (const w of waiters.splice(0)) {
      if (w.re.test(w.stream === 'out' ? out : err)) w.resolve();
      else waiters.push(w);
    }
  };
  child.stdout!.on('data', (d) => {
    out += d;
    check();
  });
  child.stderr!.on('data', (d) => {
    err += d;
    check();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  return {
    child,
    out: () => out,
    err: () => err,
    done,
    waitFor(re, stream = 'out') {
      return new Promise<void>((resolve, reject) => {
        waiters.push({ re, stream, resolve });
        check();
        void done.then((r) =>
          reject(
            new Error(
              `the process ended (code ${r.code}, signal ${r.signal}) before ${re} appeared;\nstdout: ${r.out}\nstderr: ${r.err}`,
            ),
          ),
        );
      });
    },
  };
}

/** Runs `llm-router ARGS` to its end. */
export function runCli(args: string[], o: Parameters<typeof startCli>[1] = {}): Run['done'] {
  return startCli(args, o).done;
}
