// Benchmarks measured inside the real extension host (run by test/bench/vscode.bench.mjs through the integration
// runner with LLM_ROUTER_BENCH=1). Each prints one `BENCH {json}` line; nothing here asserts a time.
import * as assert from 'node:assert';
import * as path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import * as vscode from 'vscode';
import { manyRecords } from '../../webview/harness/fixtures';
import { api, chat, EXT_ID, mockServer, TEST_KEY } from './helpers';

const report = (name: string, data: unknown) => console.log(`BENCH ${JSON.stringify({ name, ...(data as object) })}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const RUNS = Number(process.env.LLM_ROUTER_BENCH_RUNS || 15);

suite('bench', () => {
  test('bench: activation', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension(EXT_ID)!;
    // Code loading: a fresh require of the bundle in this same host (the activated copy stays as it is).
    const main = path.join(ext.extensionPath, 'dist', 'extension.js');
    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      delete require.cache[require.resolve(main)];
      const t0 = performance.now();
      require(main);
      loads.push(performance.now() - t0);
    }
    report('activation', {
      activateMs: a.activateMs,
      phases: a.activatePhases,
      readyMs: a.readyMs,
      loadMs: loads[0],
      loadMsWarm: median(loads.slice(1)),
    });
  });

  // Two servers: the stand-in as fast as it goes (the routing overhead laid bare) and with a first byte after 400 ms,
  // about what the real API takes to start an answer.
  for (const firstByteDelayMs of [0, 400]) {
    test(`bench: time to first token, @router code path vs direct SDK, same local server (first byte after ${firstByteDelayMs} ms)`, async () => {
      const a = await api();
      const mock = await mockServer();
      await a.commands.setApiKey(TEST_KEY);
      mock.setScenario({ kind: 'ok', firstByteDelayMs });
      try {
        const sdk = new Anthropic({ apiKey: TEST_KEY, baseURL: mock.url, maxRetries: 0 });
        const model = a.runtime.service.config.tiers[0].model;
        const prompt = 'What is the capital of Australia?';
        const direct: number[] = [];
        const routed: number[] = [];
        const chatUi: number[] = [];
        const client = await a.runtime.client();
        assert.ok(client);
        const runs = firstByteDelayMs ? Math.min(RUNS, 8) : RUNS;
        for (let i = 0; i < runs + 2; i++) {
          // direct: the SDK alone
          let t0 = performance.now();
          let first = 0;
          const s = sdk.messages.stream({ model, max_tokens: 256, messages: [{ role: 'user', content: prompt }] });
          s.on('text', () => {
            first ||= performance.now();
          });
          await s.finalMessage();
          if (i >= 2) direct.push(first - t0);
          // routed: what @router runs (classify, decide, budget check, record, client) up to the first text
          t0 = performance.now();
          first = 0;
          await a.runtime.service.run(
            {
              prompt,
              source: 'chat',
              onText: () => {
                first ||= performance.now();
              },
            },
            client,
          );
          if (i >= 2) routed.push(first - t0);
        }
        // The whole chat handler once per run: handler entry → first text (VS Code's own chat plumbing excluded).
        for (let i = 0; i < 3; i++) {
          const h = await chat(`@router ${prompt}`);
          if (h.timing.firstText) chatUi.push(h.timing.firstText - h.timing.start);
        }
        report(`ttft-${firstByteDelayMs}`, {
          runs,
          firstByteDelayMs,
          directMs: median(direct),
          routedMs: median(routed),
          chatHandlerMs: median(chatUi),
          overheadMs: median(routed) - median(direct),
          overheadPct: (median(routed) / median(direct) - 1) * 100,
        });
      } finally {
        mock.setScenario('ok');
      }
    });
  }

  // The cost panel in the real workbench: open → the webview's own reports (headline figures and budget drawn, then
  // charts drawn), with 100,000 decisions in the database. First open in this window (VS Code asks for the page and
  // loads it), then reopened after the view was hidden (the page is kept while hidden: it gets fresh figures).
  test('bench: cost panel first render in the real editor, 100,000 decisions', async function () {
    this.timeout(300_000);
    const a = await api();
    const store = a.runtime.store;
    const recs = manyRecords(a.runtime.service.config, {
      count: 100_000,
      days: 365,
      now: Date.now() - 3_600_000,
      seed: 7,
      idPrefix: 'bench-',
    });
    for (let i = 0; i < recs.length; i += 5000) {
      for (const r of recs.slice(i, i + 5000)) store.insertDecision(r);
      await new Promise((r) => setImmediate(r));
    }
    await a.runtime.flush();
    const open = async () => {
      const since = Date.now();
      const t0 = performance.now();
      let headline = 0;
      let marks: Record<string, number> = {};
      const head = a.panel
        .whenRendered((r) => r.stage === 'headline' && r.generatedAt >= since && !r.empty)
        .then((r) => {
          headline = performance.now() - t0;
          marks = r.marks ?? {};
        });
      const drawn = a.panel.whenRendered((r) => r.stage === 'full' && r.generatedAt >= since && !r.empty);
      await a.panel.reveal();
      await drawn;
      await head;
      // Where the first open's time went: VS Code asking for the page, the page loading, its script starting.
      const at = (t: number | undefined) => (t !== undefined && t >= since ? t - since : undefined);
      const steps = {
        resolve: at(a.panel.resolvedAt()),
        navigation: at(marks.navigationStart),
        html: at(marks.responseEnd),
        script: at(marks['panel-start']),
        drawn: at(marks.headline),
      };
      return { headline, charts: performance.now() - t0, steps };
    };
    const hide = async () => {
      await vscode.commands.executeCommand('workbench.view.explorer');
      await new Promise((r) => setTimeout(r, 500));
    };
    await hide();
    const first = await open();
    const again: { headline: number; charts: number }[] = [];
    for (let i = 0; i < 5; i++) {
      await hide();
      again.push(await open());
    }
    const h = again.map((x) => x.headline);
    const c = again.map((x) => x.charts);
    report('panel', {
      decisions: store.stats().decisions,
      firstHeadlineMs: first.headline,
      firstMs: first.charts,
      reopenHeadlineMs: median(h),
      reopenHeadlineMaxMs: Math.max(...h),
      reopenMs: median(c),
      reopenMaxMs: Math.max(...c),
      firstSteps: first.steps,
    });
  });
});
