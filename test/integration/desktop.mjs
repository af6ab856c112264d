// Runs the integration suites (test/integration/suite) in a desktop VS Code through @vscode/test-electron, for
// people who have one installed. `npm run test:vscode` (code-server + Chromium, headless) is what CI and `npm test`
// use; this is the same suite in the Electron build, e.g. before a release.
//
//   npm run test:desktop                       uses $VSCODE_EXECUTABLE, else the first VS Code found (below)
//   npm run test:desktop -- --download         no VS Code here: let test-electron download the stable build
//   LLM_ROUTER_TEST_GREP=chat npm run test:desktop
//
// With no desktop VS Code and no --download it says so and exits 0: on a headless machine (like the one the
// project's CI uses) there is nothing to run, and downloading an editor is not something a test should do silently.
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const download = process.argv.includes('--download');

/** The Electron executable of an installed VS Code, or undefined. */
function findVsCode() {
  const candidates = [
    process.env.VSCODE_EXECUTABLE,
    '/usr/share/code/code',
    '/usr/lib/code/code',
    '/snap/code/current/usr/share/code/code',
    '/Applications/Visual Studio Code.app/Contents/MacOS/Electron',
    process.env.LOCALAPPDATA && path.join(process.env.LOCALAPPDATA, 'Programs', 'Microsoft VS Code', 'Code.exe'),
  ];
  return candidates.find((p) => p && fs.existsSync(p));
}

const vscodeExecutablePath = findVsCode();
if (!vscodeExecutablePath && !download) {
  console.log('[desktop] skipped: no desktop VS Code found (set VSCODE_EXECUTABLE, or pass --download).');
  console.log('[desktop] the same suite runs headless in code-server with `npm run test:vscode`.');
  process.exit(0);
}

const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-router-desktop-'));
const workspace = path.join(tmp, 'workspace');
fs.mkdirSync(workspace, { recursive: true });
try {
  await runTests({
    vscodeExecutablePath,
    // ours, and the test vendor's models (test/integration/fixtures/test-models) the agent suite routes between
    extensionDevelopmentPath: [root, path.join(root, 'test/integration/fixtures/test-models')],
    extensionTestsPath: path.join(root, 'out/test/integration/index'),
    // A fresh profile: nothing of a person's own setup (settings, extensions, keys) leaks in or is touched.
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--user-data-dir',
      path.join(tmp, 'user-data'),
    ],
    extensionTestsEnv: {
      ANTHROPIC_API_KEY: undefined,
      LLM_ROUTER_DB: undefined,
      LLM_ROUTER_IT_TMP: tmp,
      LLM_ROUTER_TEST_GREP: process.env.LLM_ROUTER_TEST_GREP,
    },
  });
  console.log('[desktop] passed');
} catch (e) {
  console.error(`[desktop] failed: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
