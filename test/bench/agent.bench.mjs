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
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { benchOptions, fmt, interleaved, overOfFirst, pct, seeded, signed, startMockServer } from './timing.mjs';

const { AnthropicClient } = await tsImport('../../src/core/provider/anthropic.ts', import.meta.url);
const { AgentRouter } = await tsImport('../../src/core/agentRun.ts', import.meta.url);
const { openStore } = await tsImport('../../src/core/store/index.ts', import.meta.url);
const { createRouterService } = await tsImport('../../src/core/service.ts', import.meta.url);
const { defaultConfig } = await tsImport('../../src/core/config.ts', import.meta.url);
const { SCAFFOLD_SYSTEM, SCAFFOLD_TOOLS, scaffoldUserText } = await tsImport(
  '../integration/fixtures/agentScaffold.ts',
  import.meta.url,
);

const opts = benchOptions({ runs: { quick: 60, full: 300 }, warmup: { quick: 10, full: 30 } });
const RUNS = opts.runs;
const WARMUP = opts.warmup;
const FIRST_BYTE = opts.firstByte;
const KEY = 'sk-ant-bench-not-a-real-key';
const MAX_TOKENS = 1024;
const QUESTION = 'what does git stash do?';

/** One agent loop opened with a tool call; its later request (with the tool result) is sent again each round, its
 *  tool call ids staying known to the router. */
async function openLoop(router, service, client) {
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
      content: [{ type: 'tool_result', toolUseId: call.id, content: 'stash@{0}: WIP on main: 1a2b3c4 fix the parser' }],
    },
  ];
  return { opened, loopMessages };
}

/** The three variants: the tier called directly, a routed first request, the loop's later request. */
function variantsOf(router, service, client, model, loopMessages) {
  const first = (i) => [{ role: 'user', content: scaffoldUserText(`${QUESTION} (${i})`) }];
  // A routed request on the same tier: `messages(i)` is round i's conversation.
  const routed = (messages) => (i, onFirst) =>
    router.run(
      service,
      {
        messages: messages(i),
        system: SCAFFOLD_SYSTEM,
        tools: SCAFFOLD_TOOLS,
        maxTokens: MAX_TOKENS,
        source: 'model-provider',
        onText: onFirst,
      },
      () => client,
    );
  return [
    {
      name: 'Tier called directly (`AnthropicClient.stream`, same system, messages, tools)',
      run: (i, onFirst) =>
        client.stream(
          { model, system: SCAFFOLD_SYSTEM, messages: first(i), tools: SCAFFOLD_TOOLS, maxTokens: MAX_TOKENS },
          onFirst,
        ),
    },
    { name: 'Routed agent turn (`AgentRouter.run`, first request of a turn)', run: routed(first) },
    {
      name: 'Loop request with tool results (`AgentRouter.run`, continued on its tier)',
      run: routed(() => loopMessages),
    },
  ];
}

/** The Markdown section: each variant's medians and its paired overhead against the direct call. */
function report({ variants, ttft, total, rnd, model, load0, loopRec, readBack }) {
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
    const a = overOfFirst(ttft, k, rnd);
    const b = overOfFirst(total, k, rnd);
    lines.push(
      `| ${v.name} | ${fmt(pct(ttft[k], 0.5))} | ${signed(a.med, 3)} ms (95 %: ${signed(a.lo, 3)} … ${signed(a.hi, 3)}) | ${fmt(pct(total[k], 0.5))} | ${signed(b.med, 3)} ms (95 %: ${signed(b.lo, 3)} … ${signed(b.hi, 3)}) |`,
    );
  });
  lines.push(
    '',
    `The loop's one decision after the run: ${loopRec?.reasons.find((r) => r.startsWith('agent loop')) ?? '?'}; ${readBack} most recent decisions read back.`,
  );
  return lines.join('\n') + '\n';
}

async function main() {
  const load0 = os.loadavg()[0];
  const server = await startMockServer(FIRST_BYTE);
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'llmr-agent-bench-'));
  const store = await openStore({ path: join(dir, 'router.sqlite') });
  try {
    store.setBudget({ dailyLimitUsd: 1e6, monthlyLimitUsd: 1e7, onExhausted: 'block' });
    const config = defaultConfig();
    const service = createRouterService({ config, store });
    const client = new AnthropicClient({ apiKey: KEY, baseURL: server.url, maxRetries: 2 });
    const router = new AgentRouter();
    const model = service.decide({ prompt: QUESTION }).model;
    const { opened, loopMessages } = await openLoop(router, service, client);
    const variants = variantsOf(router, service, client, model, loopMessages);
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
    const rnd = seeded(7);
    const time = (k, i) => timeOne(variants[k], i);
    const [ttft, total] = await interleaved(opts, { variants: variants.length, rnd, time, firstRound: WARMUP });
    await store.flush();
    const readBack = store.listDecisions({ limit: 5, source: 'model-provider' }).rows.length;
    const loopRec = store.getDecision(opened.decisionId);
    process.stdout.write(report({ variants, ttft, total, rnd, model, load0, loopRec, readBack }));
  } finally {
    server.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
