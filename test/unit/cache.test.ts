// De-duplication and the opt-in response cache against the local OpenAI-compatible server: 20 identical requests at
// once make one upstream call and each caller gets the whole stream; a cached answer costs $0 and the decision shows
// the saving; misses, TTL, size bound, near-duplicates, agent requests and workspaces.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dedup, layerClients, ResponseCache } from '../../src/core/cache';
import { defaultConfig } from '../../src/core/config';
import { ProviderError, type ChatRequest, type ClientFor } from '../../src/core/provider/api';
import { createClientFor } from '../../src/core/provider/endpoints';
import { readSettings } from '../../src/core/settings';
import { createRouterService } from '../../src/core/service';
import { openStore } from '../../src/core/store';
import type { RouterConfig, TierConfig } from '../../src/core/types';
import { mockAnswer } from '../mock-anthropic';
import { startMockOpenAI, type MockOpenAI } from '../mock-openai';

const TIER: TierConfig = {
  id: 'small',
  label: 'Small',
  model: 'gpt-4o-mini',
  provider: 'openai',
  endpoint: 'mock',
  price: { input: 0.15, output: 0.6, cacheWrite: 0, cacheRead: 0.075 },
  contextWindow: 16000,
  maxOutputTokens: 2000,
};
const req = (prompt: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: TIER.model,
  messages: [{ role: 'user', content: prompt }],
  maxTokens: 200,
  ...extra,
});

describe('de-duplication and the response cache', () => {
  let mock: MockOpenAI;
  let base: ClientFor;
  before(async () => {
    mock = await startMockOpenAI();
    base = createClientFor({
      endpoints: [{ name: 'mock', baseUrl: mock.baseURL }],
      anthropic: null,
      endpointKey: () => undefined,
      maxRetries: 0,
    });
  });
  after(async () => {
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it('20 identical requests at once make 1 upstream call; each caller gets the whole stream, one pays', async () => {
    mock.setScenario({ kind: 'slow', delayMs: 20 });
    const client = new Dedup().wrap(base)(TIER)!;
    const prompt = 'Explain the CAP theorem in two sentences.';
    const got: string[][] = Array.from({ length: 20 }, () => []);
    const results = await Promise.all(
      got.map((g, i) =>
        new Promise((r) => setTimeout(r, i * 5)).then(() => client.stream(req(prompt), (d) => g.push(d))),
      ),
    );
    assert.strictEqual(mock.completions().length, 1);
    const expected = mockAnswer(TIER.model, prompt);
    for (const g of got) assert.strictEqual(g.join(''), expected);
    assert.ok(got[0].length > 5, 'the first caller saw it stream');
    assert.strictEqual(results.filter((r) => r.servedFrom === undefined).length, 1, 'one caller pays');
    assert.strictEqual(results.filter((r) => r.servedFrom === 'shared' && r.costUsd === 0).length, 19);
    for (const r of results) assert.deepStrictEqual(r.usage, results[0].usage);
  });

  it('a caller that cancels only leaves; the call stops when the last caller has left; different requests are not merged', async () => {
    mock.setScenario({ kind: 'slow', delayMs: 10 });
    const client = new Dedup().wrap(base)(TIER)!;
    const ac = new AbortController();
    const a = client.stream(req('same prompt', { signal: ac.signal }), () => ac.abort());
    const b = client.stream(req('same prompt'));
    await assert.rejects(a, (e: unknown) => e instanceof ProviderError && e.kind === 'cancelled');
    assert.ok((await b).text.length > 0);
    assert.strictEqual(mock.completions().length, 1);
    const other = await client.stream(req('another prompt'));
    assert.match(other.text, /another prompt/);
    assert.strictEqual(mock.completions().length, 2);
    const acs = [new AbortController(), new AbortController()];
    // Both leave once the shared answer has started to stream.
    const both = acs.map((c) =>
      client
        .stream(req('stop both', { signal: c.signal }), () => acs.forEach((x) => x.abort()))
        .catch((e: ProviderError) => e.kind),
    );
    assert.deepStrictEqual(await Promise.all(both), ['cancelled', 'cancelled']);
    const until = Date.now() + 2000;
    while (!mock.completions()[2].closed && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.ok(mock.completions()[2].aborted, 'the upstream call was stopped');
  });

  it('cache: a repeat within the TTL is a hit at $0 with the original usage; after the TTL it is a miss', async () => {
    let t = 0;
    const cache = new ResponseCache({ ttlMs: 60_000, now: () => t });
    const client = cache.wrap(base, 'ws1')(TIER)!;
    const first = await client.stream(req('What is a monad?'));
    const shown: string[] = [];
    const hit = await client.stream(req('What is a monad?'), (d) => shown.push(d));
    assert.strictEqual(mock.completions().length, 1);
    assert.strictEqual(hit.servedFrom, 'cache');
    assert.strictEqual(hit.costUsd, 0);
    assert.strictEqual(hit.text, first.text);
    assert.strictEqual(shown.join(''), first.text, 'the answer is shown as usual');
    assert.deepStrictEqual(hit.usage, first.usage);
    await client.stream(req('What is a monad?', { maxTokens: 300 }));
    assert.strictEqual(mock.completions().length, 2, 'another max_tokens is another request');
    t += 60_000;
    const after = await client.stream(req('What is a monad?'));
    assert.strictEqual(after.servedFrom, undefined);
    assert.strictEqual(mock.completions().length, 3);
    assert.deepStrictEqual(cache.stats, { hits: 1, similarHits: 0, misses: 3, entries: 2 });
  });

  it('cache: bounded in size (least recently used out first); never across workspaces unless shared', async () => {
    const cache = new ResponseCache({ maxEntries: 2 });
    const ws1 = cache.wrap(base, 'ws1')(TIER)!;
    const ws2 = cache.wrap(base, 'ws2')(TIER)!;
    await ws1.stream(req('one'));
    await ws1.stream(req('two'));
    await ws1.stream(req('one')); // hit: 'one' is now the most recent
    await ws1.stream(req('three')); // evicts 'two'
    assert.strictEqual(mock.completions().length, 3);
    assert.strictEqual((await ws1.stream(req('one'))).servedFrom, 'cache');
    assert.strictEqual((await ws1.stream(req('two'))).servedFrom, undefined);
    assert.strictEqual(
      (await ws2.stream(req('one'))).servedFrom,
      undefined,
      "another workspace does not see ws1's answers",
    );
    const shared = readSettings({
      inspect: (k) => (k === 'cache.enabled' || k === 'cache.acrossWorkspaces' ? { globalValue: true } : undefined),
    });
    const c = new ResponseCache();
    const x = layerClients(base, shared, 'ws1', c).clientFor(TIER)!;
    const y = layerClients(base, shared, 'ws2', c).clientFor(TIER)!;
    await x.stream(req('shared question'));
    assert.strictEqual((await y.stream(req('shared question'))).servedFrom, 'cache');
    const fromWorkspace = readSettings({
      inspect: (k) => (k === 'cache.acrossWorkspaces' ? { workspaceValue: true } : undefined),
    });
    assert.strictEqual(fromWorkspace.cache.acrossWorkspaces, false, 'a workspace cannot share its cache');
  });

  it('cache: near-duplicates above the threshold only, with everything else equal', async () => {
    const cache = new ResponseCache({ similarity: 0.6 });
    const client = cache.wrap(base, 'ws')(TIER)!;
    await client.stream(req('How do I reverse a list in Python?'));
    const near = await client.stream(req('how do I reverse a list in python'));
    assert.strictEqual(near.servedFrom, 'similar');
    assert.strictEqual((await client.stream(req('How do I sort a dict by value in Python?'))).servedFrom, undefined);
    assert.strictEqual(
      (await client.stream(req('How do I reverse a list in Python?', { system: 'Answer in French.' }))).servedFrom,
      undefined,
    );
    assert.strictEqual(mock.completions().length, 3);
    const exactOnly = new ResponseCache().wrap(base, 'ws')(TIER)!;
    await exactOnly.stream(req('How do I reverse a list in Python?'));
    assert.strictEqual((await exactOnly.stream(req('how do I reverse a list in python'))).servedFrom, undefined);
  });

  it('cache: never for tool calls or agent loops, never a cut-short answer', async () => {
    const cache = new ResponseCache();
    const client = cache.wrap(base, 'ws')(TIER)!;
    const tools = [{ name: 'run', inputSchema: { type: 'object', properties: { cmd: { type: 'string' } } } }];
    mock.setScenario('tools');
    await client.stream(req('list the files', { tools }));
    await client.stream(req('list the files', { tools }));
    mock.setScenario('ok');
    const loop: ChatRequest['messages'] = [
      { role: 'user', content: 'list the files' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'run', input: { cmd: 'ls' } }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 'c1', content: 'a.txt' }] },
    ];
    await client.stream(req('', { messages: loop }));
    await client.stream(req('', { messages: loop }));
    assert.strictEqual(mock.completions().length, 4);
    assert.strictEqual(cache.stats.entries, 0);
  });

  it('through the routing service: a cache hit is a decision with $0 spent and the saving shown', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-cache-'));
    const store = await openStore({ path: path.join(dir, 'd.sqlite') });
    try {
      const top: TierConfig = {
        ...TIER,
        id: 'big',
        label: 'Big',
        model: 'gpt-big',
        price: { input: 5, output: 25, cacheWrite: 0, cacheRead: 0.5 },
      };
      const config: RouterConfig = {
        ...defaultConfig(),
        tiers: [TIER, top],
        thresholds: [0.9],
        categoryFloors: {},
        complexityFloors: {},
        highStakesTier: 0,
      };
      const svc = createRouterService({ config, store });
      const s = readSettings({ inspect: (k) => (k === 'cache.enabled' ? { globalValue: true } : undefined) });
      const { clientFor } = layerClients(base, s, 'ws');
      const a = await svc.run({ prompt: 'What is the capital of Chile?', source: 'cli' }, clientFor);
      const b = await svc.run({ prompt: 'What is the capital of Chile?', source: 'cli' }, clientFor);
      assert.strictEqual(mock.completions().length, 1);
      assert.ok(a.record.costUsd! > 0);
      assert.strictEqual(b.record.costUsd, 0);
      assert.strictEqual(b.text, a.text);
      assert.ok(b.savedUsd! > 0 && b.savedUsd === b.baselineCostUsd, `saved ${b.savedUsd}`);
      assert.match(store.getDecision(b.record.id)!.reasons.join('\n'), /answered from the response cache: \$0 spent/);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
