// Does all the set-up a command needs on a fresh clone, and nothing when it is already done:
//   always:      npm dependencies (npm ci when node_modules is missing or older than package-lock.json), then the build
//   --vscode:    also a real VS Code (code-server) and Debian's chromium, for the integration and webview tests
//   --quick:     dependencies and build only (the default when --vscode is not given)
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = new Set(process.argv.slice(2));
const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });

const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  console.log('[setup] installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
run(process.execPath, ['esbuild.mjs']);
if (args.has('--vscode')) run('bash', [join(root, 'test/harness/setup-vscode.sh')]);
