// The extra latency of a routed agent turn against calling its tier directly. An agent request here is what VS Code's
// agent sends: a ~6 KB system prompt and context, five tool schemas, the person's short question. Variants, all on
// one tier's model and the same local Messages API stand-in (its own process):
//   direct     AnthropicClient.stream with the same system, messages and tools (the tier called directly)
//   routed     AgentRouter.run on the first request of a turn: read the turn, classify the question, decide, check the
//              budget, record, call, add up (a real decision store with a budget set)
//   continued  AgentRouter.run on a request that brings tool results: find the loop by its tool call ids, check the
//              budget, call, add the usage and cost to the loop's decision
// Interleaved in shuffled order each round; overhead = median of paired differences (variant − direct) with a 95 %
// bootstrap interval. `--first-byte MS` makes the stand-in wait before answering (the real API takes hundreds of ms).
//
// Run: node test/bench/run.mjs agent   (or: node --expose-gc test/bench/agent.bench.mjs [--quick] [--runs N] [--first-byte MS])
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { AnthropicClient } = await tsImport('../../src/core/provider/anthropic.ts', import.meta.url);
const { AgentRouter } = await tsImport('../../src/core/agentRun.ts', import.meta.url);
const { openStore } = await tsImport('../../src/core/store/index.ts', import.meta.url);
const { createRouterService } = await tsImport('../../src/core/service.ts', import.meta.url);
const { defaultConfig } = await tsImport('../../src/core/config.ts', import.meta.url);
const { SCAFFOLD_SYSTEM, SCAFFOLD_TOOLS, scaffoldUserText } = await tsImport(
  '../integration/fixtures/agentScaffold.ts',
  import.meta.url,
);

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const num = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const RUNS = num('--runs', quick ? 60 : 300);
const WARMUP = quick ? 10 : 30;
const FIRST_BYTE = num('--first-byte', 0);
const KEY = 'sk-ant-bench-not-a-real-key';
const MAX_TOKENS = 1024;
const QUESTION = 'what does git stash do?';

async function startServer() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/mock-anthropic/main.ts', '--port', '0', '--first-byte', String(FIRST_BYTE), '--quiet'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (c) => reject(new Error(`mock server exited ${c}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const pct = (a, q) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const fmt = (v) => `${v.toFixed(3)} ms`;

function pairedMedian(diffs, rnd) {
  const med = pct(diffs, 0.5);
  const boots = [];
  for (let b = 0; b < 1000; b++) {
    const s = new Array(diffs.length);
    for (let j = 0; j < diffs.length; j++) s[j] = diffs[Math.floor(rnd() * diffs.length)];
    boots.push(pct(s, 0.5));
  }
  return { med, lo: pct(boots, 0.025), hi: pct(boots, 0.975) };
}

async function main() {
  const load0 = os.loadavg()[0];
  const server = await startServer();
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'llmr-agent-bench-'));
  const store = await openStore({ path: join(dir, 'router.sqlite') });
  try {
    store.setBudget({ dailyLimitUsd: 1e6, monthlyLimitUsd: 1e7, onExhausted: 'block' });
    const config = defaultConfig();
    const service = createRouterService({ config, store });
    const client = new AnthropicClient({ apiKey: KEY, baseURL: server.url, maxRetries: 2 });
    const router = new AgentRouter();
    const first = (i) => [{ role: 'user', content: scaffoldUserText(`${QUESTION} (${i})`) }];
    const model = service.decide({ prompt: QUESTION }).model;

    // One loop whose later request is sent again each round (its tool call ids stay known to the router).
    const opened = await router.run(
      service,
      {
        messages: [{ role: 'user', content: scaffoldUserText(`${QUESTION} [[mock:tool]]`) }],
        system: SCAFFOLD_SYSTEM,
        tools: SCAFFOLD_TOOLS,
        source: 'model-provider',
      },
      () => client,
    );
    const call = opened.toolCalls[0];
    if (!call) throw new Error('the stand-in made no tool call');
    const loopMessages = [
      { role: 'user', content: scaffoldUserText(`${QUESTION} [[mock:tool]]`) },
      { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: call.id, content: 'stash@{0}: WIP on main: 1a2b3c4 fix the parser' },
        ],
      },
    ];

    const variants = [
      {
        name: 'Tier called directly (`AnthropicClient.stream`, same system, messages, tools)',
        run: (i, onFirst) =>
          client.stream(
            { model, system: SCAFFOLD_SYSTEM, messages: first(i), tools: SCAFFOLD_TOOLS, maxTokens: MAX_TOKENS },
            onFirst,
          ),
      },
      {
        name: 'Routed agent turn (`AgentRouter.run`, first request of a turn)',
        run: (i, onFirst) =>
          router.run(
            service,
            {
              messages: first(i),
              system: SCAFFOLD_SYSTEM,
              tools: SCAFFOLD_TOOLS,
              maxTokens: MAX_TOKENS,
              source: 'model-provider',
              onText: onFirst,
            },
            () => client,
          ),
      },
      {
        name: 'Loop request with tool results (`AgentRouter.run`, continued on its tier)',
        run: (_i, onFirst) =>
          router.run(
            service,
            {
              messages: loopMessages,
              system: SCAFFOLD_SYSTEM,
              tools: SCAFFOLD_TOOLS,
              maxTokens: MAX_TOKENS,
              source: 'model-provider',
              onText: onFirst,
            },
            () => client,
          ),
      },
    ];
    const timeOne = async (v, i) => {
      let tFirst = null;
      const t0 = performance.now();
      const r = await v.run(i, () => {
        tFirst ??= performance.now();
      });
      const t1 = performance.now();
      if (tFirst === null) throw new Error(`${v.name}: no text delta came`);
      if (v !== variants[0] && r.continued !== (v === variants[2]))
        throw new Error(`${v.name}: continued = ${r.continued}`);
      return [tFirst - t0, t1 - t0];
    };
    for (let i = 0; i < WARMUP; i++) for (const v of variants) await timeOne(v, i);
    const ttft = variants.map(() => []);
    const total = variants.map(() => []);
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < RUNS; i++) {
      for (const k of variants.map((_, k) => k).sort(() => rnd() - 0.5)) {
        const [a, b] = await timeOne(variants[k], WARMUP + i);
        ttft[k].push(a);
        total[k].push(b);
      }
    }
    await store.flush();
    const rows = store.listDecisions({ limit: 5, source: 'model-provider' }).rows;
    const loopRec = store.getDecision(opened.decisionId);
    const signed = (v, d = 1) => `${v >= 0 ? '+' : ''}${v.toFixed(d)}`;
    const lines = [
      '## Agent turns: routed vs the tier called directly (local Messages API stand-in)',
      '',
      `${RUNS} requests per variant (after ${WARMUP} warm-up), interleaved in shuffled order; an agent-sized request (${(SCAFFOLD_SYSTEM.length + scaffoldUserText(QUESTION).length + JSON.stringify(SCAFFOLD_TOOLS).length).toLocaleString('en')} characters: system prompt, context, ${SCAFFOLD_TOOLS.length} tool schemas) on \`${model}\`; ` +
        `the stand-in runs in its own process${FIRST_BYTE ? ` and sends its first byte after ${FIRST_BYTE} ms` : ' and answers at once'}. Overhead = median over rounds of (variant − direct) in the same round, 95 % bootstrap interval. ` +
        `Load average ${load0.toFixed(2)} → ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores.`,
      '',
      '| Variant | TTFT median | TTFT overhead (paired) | whole request median | whole-request overhead (paired) |',
      '|---|---:|---:|---:|---:|',
    ];
    variants.forEach((v, k) => {
      if (k === 0) {
        lines.push(`| ${v.name} | ${fmt(pct(ttft[0], 0.5))} | — | ${fmt(pct(total[0], 0.5))} | — |`);
        return;
      }
      const a = pairedMedian(
        ttft[k].map((x, i) => x - ttft[0][i]),
        rnd,
      );
      const b = pairedMedian(
        total[k].map((x, i) => x - total[0][i]),
        rnd,
      );
      lines.push(
        `| ${v.name} | ${fmt(pct(ttft[k], 0.5))} | ${signed(a.med, 3)} ms (95 %: ${signed(a.lo, 3)} … ${signed(a.hi, 3)}) | ${fmt(pct(total[k], 0.5))} | ${signed(b.med, 3)} ms (95 %: ${signed(b.lo, 3)} … ${signed(b.hi, 3)}) |`,
      );
    });
    lines.push(
      '',
      `The loop's one decision after the run: ${loopRec?.reasons.find((r) => r.startsWith('agent loop')) ?? '?'}; ${rows.length} most recent decisions read back.`,
    );
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    server.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
