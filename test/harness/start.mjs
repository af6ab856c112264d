// `npm start`: the real VS Code UI (code-server) with this extension loaded in development mode, for a person.
//
//   PORT=8080 (default)      where the editor listens (127.0.0.1 unless HOST is set)
//   ANTHROPIC_API_KEY=…      answers come from Anthropic; without it, a local stand-in of the Messages API answers
//                            (this project's test server: canned text, realistic streaming and token counts, no cost)
//   LLM_ROUTER_START_DATA=…  where the editor keeps its user data (default: a folder in the VS Code cache, kept
//                            between runs so settings, the key and the decision history survive a restart)
//   SHOTS=dir                drive the UI headless in Chromium as a person would (ask @router, /explain, open the
//                            cost panel), save screenshots in dir, then stop
//
// Ctrl+C stops everything (code-server's whole process group).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, vscodePaths, workbenchUrl } from '../integration/run.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const port = Number(env.PORT || 8080);
const host = env.HOST || '127.0.0.1';
const cache =
  env.LLM_ROUTER_VSCODE_CACHE ||
  path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'llm-router-vscode');
const dataDir = path.resolve(env.LLM_ROUTER_START_DATA || path.join(cache, 'start-data'));
const workspace = path.resolve(env.LLM_ROUTER_START_WORKSPACE || path.join(dataDir, 'workspace'));

function writeUserSettings(patch) {
  const dir = path.join(dataDir, 'user-data', 'User');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'settings.json');
  let cur = {};
  try {
    cur = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* new or hand-edited with comments: start over */
  }
  const next = { 'workbench.startupEditor': 'none', ...cur, ...patch };
  for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
  fs.writeFileSync(file, JSON.stringify(next, null, 2));
}

async function main() {
  try {
    vscodePaths();
  } catch (e) {
    console.error(`npm start: ${e.message}`);
    process.exit(1);
  }
  if (!env.LLM_ROUTER_SKIP_BUILD) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(1);
  }
  fs.mkdirSync(workspace, { recursive: true });
  const hello = path.join(workspace, 'try-me.md');
  if (!fs.existsSync(hello)) {
    fs.writeFileSync(
      hello,
      [
        '# Try LLM Router',
        '',
        'Open the chat (Ctrl+Alt+I), pick **Auto (routed)** in the model picker, and type:',
        '',
        '- `@router What is the capital of Australia?` (a simple question: the cheapest tier)',
        '- `@router Write a TypeScript function that debounces another function.` (code: at least the middle tier)',
        '- `@router /explain Prove that the square root of 2 is irrational.` (the decision, no model call)',
        '- `@router /stats`',
        '',
        'Select a line and run **LLM Router: Classify Prompt** from the Command Palette; open the LLM Router view in the activity bar for the cost panel.',
        '',
      ].join('\n'),
    );
  }

  let mock;
  const extraEnv = {};
  if (env.ANTHROPIC_API_KEY) {
    writeUserSettings({ 'llmRouter.baseUrl': undefined });
    console.log('Answers come from Anthropic (ANTHROPIC_API_KEY is set): requests cost real money.');
  } else {
    // The project's stand-in is TypeScript: tsx loads it in this process.
    const { require: tsxRequire } = await import('tsx/cjs/api');
    const { startMockAnthropic } = tsxRequire(path.join(root, 'test/mock-anthropic/index.ts'), import.meta.url);
    mock = await startMockAnthropic({});
    writeUserSettings({ 'llmRouter.baseUrl': mock.url });
    // The stand-in accepts any key; the extension reads this one from the environment (its documented fallback).
    extraEnv.ANTHROPIC_API_KEY = 'sk-ant-local-stand-in';
    console.log(
      `No ANTHROPIC_API_KEY: answers come from a LOCAL STAND-IN of the Anthropic Messages API at ${mock.url}`,
    );
    console.log(
      '(canned text, real streaming and token counts, no network, no cost). Set ANTHROPIC_API_KEY for real answers.',
    );
  }

  let server;
  try {
    server = await startCodeServer({ port, host, dataDir, extraEnv, quiet: !env.DEBUG_SERVER });
  } catch (e) {
    console.error(`npm start: ${e.message}`);
    if (/EADDRINUSE|address already in use/i.test(e.message))
      console.error(`Port ${port} is taken: PORT=8081 npm start`);
    await mock?.close();
    process.exit(1);
  }
  const url = workbenchUrl({ ...server, workspace });
  console.log(`\nVS Code ${'(code-server)'} with LLM Router is running. Open this URL in a browser:\n\n  ${url}\n`);
  console.log(`User data: ${dataDir}\nCtrl+C to stop.`);
  if (env.SHOTS) {
    try {
      await screenshots(url, path.resolve(env.SHOTS));
    } catch (e) {
      console.error(`screenshots failed: ${e.message}`);
      process.exitCode = 1;
    }
    server.kill();
    await mock?.close();
    process.exit();
  }
  const stop = async () => {
    server.kill();
    await mock?.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.proc.on('exit', (c) => {
    console.error(`code-server exited (${c})`);
    void mock?.close();
    process.exit(c ?? 1);
  });
}

async function screenshots(url, dir) {
  const { chromium } = await import('playwright-core');
  const { CHROMIUM_ARGS } = await import('../integration/run.mjs');
  fs.mkdirSync(dir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: vscodePaths().chromium,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The status bar item appears once the extension is active and its database open; give the model picker a moment.
    await page.locator('.statusbar-item:has-text("today")').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(3000);
    const ask = async (text, file) => {
      const input = page.locator('.interactive-input-part .monaco-editor').first();
      await input.click({ force: true });
      await page.keyboard.press('Control+A'); // @router is sticky: the input may already start with it
      await page.keyboard.press('Backspace');
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
      await page.waitForTimeout(6000);
      await page.screenshot({ path: path.join(dir, file) });
      console.log(`saved ${path.join(dir, file)}`);
    };
    if (!(await page.locator('.interactive-input-part').count())) {
      await page.keyboard.press('Control+Alt+I');
      await page.waitForTimeout(2000);
    }
    await ask('@router What is the capital of Australia?', 'chat-simple.png');
    await ask('@router Write a TypeScript function that debounces another function.', 'chat-code.png');
    await ask('@router /explain Prove that the square root of 2 is irrational.', 'chat-explain.png');
    await page.locator('.activitybar [aria-label^="LLM Router"]').first().click();
    await page.waitForTimeout(4000);
    await page.screenshot({ path: path.join(dir, 'cost-panel.png') });
    console.log(`saved ${path.join(dir, 'cost-panel.png')}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error('npm start failed:', e);
  process.exit(1);
});
