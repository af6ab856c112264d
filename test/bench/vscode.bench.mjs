// The extension in a real VS Code (code-server): activation time and time to first token through @router's code path
// measured inside the extension host (test/integration/suite/bench.bench.ts, run by the integration runner), and the
// size of the VSIX `vsce package` builds. Prints a Markdown section.
//   node test/bench/run.mjs vscode        (or: node test/bench/vscode.bench.mjs)
//   LLM_ROUTER_BENCH_RUNS=15              TTFT samples per path
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lines = ['## VS Code extension (code-server, real extension host)', ''];
const fmt = (n, d = 1) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(d) : 'n/a');
let failed = false;

// 1. The bundle users get: production build.
const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) {
  console.log(`build failed:\n${build.stderr}`);
  process.exit(1);
}

// 2. In-host measurements.
const run = spawnSync(process.execPath, ['test/integration/run.mjs'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 << 20,
  timeout: 600_000,
  env: { ...process.env, LLM_ROUTER_BENCH: '1', LLM_ROUTER_SKIP_BUILD: '1' },
});
const results = {};
for (const l of (run.stdout || '').split('\n')) {
  const m = /BENCH (\{.*\})\s*$/.exec(l);
  if (m) {
    const j = JSON.parse(m[1]);
    results[j.name] = j;
  }
}
if (run.status !== 0 || !results.activation) {
  failed = true;
  lines.push(
    `In-host benchmarks failed (exit ${run.status}):`,
    '',
    '```',
    (run.stdout + run.stderr).split('\n').slice(-30).join('\n'),
    '```',
    '',
  );
}
const act = results.activation;
if (act) {
  const total = act.loadMs + act.activateMs;
  lines.push('| Activation (production bundle) | ms | target |', '|---|---:|---|');
  lines.push(`| loading dist/extension.js (first require in the host) | ${fmt(act.loadMs)} | |`);
  lines.push(`| loading again (warm file cache, median of 4) | ${fmt(act.loadMsWarm)} | |`);
  lines.push(`| activate() call | ${fmt(act.activateMs)} | |`);
  lines.push(`| **load + activate()** | **${fmt(total)}** | ≤ 30 ${total <= 30 ? '✅' : '❌'} |`);
  lines.push(`| database open in the background (after activate() returned) | ${fmt(act.readyMs)} | not blocking |`);
  lines.push(
    '',
    `activate() by step (ms): ${Object.entries(act.phases)
      .map(([k, v]) => `${k} ${fmt(v, 2)}`)
      .join(' · ')}`,
    '',
  );
}
const ttfts = Object.values(results).filter((r) => r.name.startsWith('ttft-'));
if (ttfts.length) {
  lines.push(
    '| Time to first token, local Messages API stand-in (medians) | first byte after | direct SDK | @router code path | overhead | chat handler → first text | target |',
    '|---|---:|---:|---:|---:|---:|---|',
  );
  for (const t of ttfts) {
    lines.push(
      `| ${t.runs} runs each | ${t.firstByteDelayMs} ms | ${fmt(t.directMs, 2)} ms | ${fmt(t.routedMs, 2)} ms | ${fmt(t.overheadMs, 2)} ms (${fmt(t.overheadPct, 1)} %) | ${fmt(t.chatHandlerMs, 1)} ms | ≤ 2 % ${t.overheadPct <= 2 ? '✅' : '❌'} |`,
    );
  }
  lines.push(
    '',
    '"@router code path" is what the chat participant runs for a request (classify, decide, budget check, record the decision, the Anthropic client) until the first text delta; "direct SDK" is `messages.stream` on the same server. With no delay the stand-in answers in a few ms, so the fixed cost of routing shows as a large share; with a first byte after 400 ms (about what the real API takes) it is the share a user would notice. "chat handler → first text" adds reading the key from SecretStorage and the conversation history, measured in the real chat view.',
    '',
  );
}

const panel = results.panel;
if (panel) {
  lines.push(
    "| Cost panel in the real workbench (open → drawn, the webview's own reports) | headline figures and budget, ms | charts, ms | target (headline) |",
    '|---|---:|---:|---|',
  );
  lines.push(
    `| first open in the window, ${panel.decisions.toLocaleString('en-US')} decisions | ${fmt(panel.firstHeadlineMs)} | ${fmt(panel.firstMs)} | ≤ 150 ${panel.firstHeadlineMs <= 150 ? '✅' : '❌'} |`,
  );
  lines.push(
    `| reopened after hiding (median of 5; max) | ${fmt(panel.reopenHeadlineMs)} (max ${fmt(panel.reopenHeadlineMaxMs)}) | ${fmt(panel.reopenMs)} (max ${fmt(panel.reopenMaxMs)}) | ≤ 150 ${panel.reopenHeadlineMs <= 150 ? '✅' : '❌'} |`,
    '',
  );
  const st = panel.firstSteps ?? {};
  lines.push(
    `First open, ms after the view was asked to open: VS Code asks the extension for the page ${fmt(st.resolve, 0)} · the page starts loading ${fmt(st.navigation, 0)} · its HTML is in ${fmt(st.html, 0)} · the panel's script runs ${fmt(st.script, 0)} · headline drawn ${fmt(st.drawn, 0)} (then the host hears of it). A reopened view keeps its page (retainContextWhenHidden): it gets fresh figures without loading again.`,
    '',
  );
}

// 3. VSIX size.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-router-vsix-'));
const out = path.join(tmp, 'llm-router.vsix');
const vsce = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', out],
  { cwd: root, encoding: 'utf8' },
);
if (vsce.status === 0 && fs.existsSync(out)) {
  const size = fs.statSync(out).size;
  const listing = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'ls', '--no-dependencies'],
    { cwd: root, encoding: 'utf8' },
  );
  const files = (listing.stdout || '').trim().split('\n').filter(Boolean);
  lines.push('| VSIX (`vsce package --no-dependencies`) | size | target |', '|---|---:|---|');
  lines.push(
    `| llm-router.vsix (${files.length} files) | ${(size / 1024).toFixed(0)} KiB (${(size / 1048576).toFixed(2)} MB) | ≤ 2 MB ${size <= 2 * 1048576 ? '✅' : '❌'} |`,
    '',
  );
  lines.push(`Files: ${files.map((f) => `\`${f}\``).join(', ')}`, '');
} else {
  failed = true;
  lines.push(
    `vsce package failed (exit ${vsce.status}):`,
    '',
    '```',
    `${vsce.stdout}\n${vsce.stderr}`.trim().split('\n').slice(-15).join('\n'),
    '```',
    '',
  );
}
fs.rmSync(tmp, { recursive: true, force: true });

// Leave the development build behind (source maps) for the tests.
spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root });
console.log(lines.join('\n'));
if (failed) process.exitCode = 1;
