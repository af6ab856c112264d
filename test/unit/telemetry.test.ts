// OpenTelemetry export of decisions, received by a local OTLP/HTTP receiver and decoded (the JSON protocol): spans
// with the GenAI attributes and the router's own, metrics, no prompt text unless asked, and nothing at all when off.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { createClientFor } from '../../src/core/provider/endpoints';
import { readSettings } from '../../src/core/settings';
import { createRouterService } from '../../src/core/service';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { withTelemetry } from '../../src/core/telemetry';
import type { RouterConfig, TierConfig } from '../../src/core/types';
import { startMockOpenAI, type MockOpenAI } from '../mock-openai';

interface Received {
  path: string;
  contentType: string;
  raw: string;
  body: any;
}

async function startReceiver(): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      got.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), raw, body: JSON.parse(raw) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** OTLP JSON attributes → a plain object. */
const attrs = (list: { key: string; value: Record<string, unknown> }[]) =>
  Object.fromEntries(
    list.map((a) => [
      a.key,
      a.value.stringValue ??
        (a.value.intValue !== undefined ? Number(a.value.intValue) : (a.value.doubleValue ?? a.value.boolValue)),
    ]),
  );

const TIERS: TierConfig[] = [
  {
    id: 'small',
    label: 'Small',
    model: 'gpt-4o-mini',
    provider: 'openai',
    endpoint: 'mock',
    price: { input: 0.15, output: 0.6, cacheWrite: 0, cacheRead: 0.075 },
    contextWindow: 16000,
    maxOutputTokens: 2000,
  },
  {
    id: 'big',
    label: 'Big',
    model: 'nope-big',
    provider: 'openai',
    endpoint: 'mock',
    price: { input: 5, output: 25, cacheWrite: 0, cacheRead: 0.5 },
    contextWindow: 16000,
    maxOutputTokens: 2000,
  },
];
const PROMPT = 'What is the tallest mountain in Africa? secret-marker-7731';

describe('OpenTelemetry export of decisions', () => {
  let mock: MockOpenAI;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let dir: string;
  let store: DecisionStore;
  const config: RouterConfig = {
    ...defaultConfig(),
    tiers: TIERS,
    thresholds: [0.9],
    categoryFloors: {},
    complexityFloors: {},
    highStakesTier: 0,
  };
  before(async () => {
    mock = await startMockOpenAI({ cost: 0.0002 });
    rx = await startReceiver();
  });
  after(async () => {
    await mock.close();
    await rx.close();
  });
  beforeEach(async () => {
    rx.got.length = 0;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-otel-'));
    store = await openStore({ path: path.join(dir, 'd.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const clients = () =>
    createClientFor({
      endpoints: [{ name: 'mock', baseUrl: mock.baseURL }],
      anthropic: null,
      endpointKey: () => undefined,
      maxRetries: 0,
    });
  const settings = (v: Record<string, unknown>) =>
    readSettings({ inspect: (k) => (k in v ? { globalValue: v[k] } : undefined) });

  it('is off by default: nothing is sent and OpenTelemetry is not even loaded', async () => {
    const s = settings({ 'telemetry.endpoint': rx.url });
    assert.strictEqual(s.telemetry.enabled, false);
    const t = withTelemetry(s, store, config);
    assert.strictEqual(t.store, store);
    assert.strictEqual(t.exporter, null);
    await createRouterService({ config, store: t.store }).run({ prompt: PROMPT, source: 'cli' }, clients());
    await new Promise((r) => setTimeout(r, 200));
    assert.strictEqual(rx.got.length, 0);
    // (@opentelemetry/api may be there: the Anthropic SDK loads it; the SDK and the exporters must not be.)
    assert.ok(
      !Object.keys(require.cache).some((k) => /@opentelemetry\/(sdk-|exporter-|otlp-|resources)/.test(k)),
      'no OpenTelemetry SDK or exporter loaded',
    );
  });

  it('exports each decision as a span with the GenAI attributes, and metrics; never the prompt text', async () => {
    const t = withTelemetry(
      settings({ 'telemetry.enabled': true, 'telemetry.endpoint': `${rx.url}/` }),
      store,
      config,
      { serviceVersion: '9.9.9' },
    );
    const svc = createRouterService({ config, store: t.store });
    const ok = await svc.run({ prompt: PROMPT, source: 'cli' }, clients());
    mock.queue('400');
    await assert.rejects(svc.run({ prompt: 'hello there', source: 'cli' }, clients()));
    await t.exporter!.shutdown();
    const traces = rx.got.filter((g) => g.path === '/v1/traces');
    const metrics = rx.got.filter((g) => g.path === '/v1/metrics');
    assert.ok(traces.length >= 1 && metrics.length >= 1, rx.got.map((g) => g.path).join());
    assert.match(traces[0].contentType, /application\/json/);
    const rs = traces[0].body.resourceSpans[0];
    assert.strictEqual(attrs(rs.resource.attributes)['service.name'], 'llm-router');
    const spans = traces.flatMap((g) =>
      g.body.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)),
    );
    const byId = new Map(spans.map((s: any) => [attrs(s.attributes)['llm_router.decision_id'], s]));
    const sOk: any = byId.get(ok.record.id);
    const a = attrs(sOk.attributes);
    assert.strictEqual(sOk.name, 'chat gpt-4o-mini');
    assert.strictEqual(a['gen_ai.system'], 'openai');
    assert.strictEqual(a['gen_ai.request.model'], 'gpt-4o-mini');
    assert.strictEqual(a['gen_ai.usage.input_tokens'], ok.record.usage!.inputTokens);
    assert.strictEqual(a['gen_ai.usage.output_tokens'], ok.record.usage!.outputTokens);
    assert.strictEqual(a['llm_router.tier'], 'small');
    assert.strictEqual(a['llm_router.score'], ok.record.score);
    assert.strictEqual(a['llm_router.cost_usd'], 0.0002);
    const failed = spans.find((s: any) => attrs(s.attributes)['llm_router.status'] === 'error');
    assert.ok(failed, 'the failed call is a span too');
    assert.strictEqual(failed.status.code, 2);
    for (const g of rx.got)
      assert.ok(!g.raw.includes('secret-marker-7731') && !g.raw.includes('tallest mountain'), 'no prompt text sent');
    const names = metrics.flatMap((g) =>
      g.body.resourceMetrics.flatMap((r: any) => r.scopeMetrics.flatMap((s: any) => s.metrics.map((m: any) => m.name))),
    );
    for (const n of [
      'gen_ai.client.token.usage',
      'gen_ai.client.operation.duration',
      'llm_router.cost',
      'llm_router.decisions',
    ])
      assert.ok(names.includes(n), `${n} in ${names.join()}`);
  });

  it('sends the prompt only when asked', async () => {
    const t = withTelemetry(
      settings({ 'telemetry.enabled': true, 'telemetry.endpoint': rx.url, 'telemetry.includePrompt': true }),
      store,
      config,
    );
    await createRouterService({ config, store: t.store }).run({ prompt: PROMPT, source: 'cli' }, clients());
    await t.exporter!.shutdown();
    const span = rx.got.filter((g) => g.path === '/v1/traces')[0].body.resourceSpans[0].scopeSpans[0].spans[0];
    assert.match(String(attrs(span.attributes)['gen_ai.input.messages']), /secret-marker-7731/);
  });

  it('a workspace cannot turn the export on or say where it goes', () => {
    const s = readSettings({
      inspect: (k) =>
        k === 'telemetry.enabled'
          ? { workspaceValue: true }
          : k === 'telemetry.endpoint'
            ? { workspaceValue: 'http://evil.example' }
            : undefined,
    });
    assert.strictEqual(s.telemetry.enabled, false);
    assert.strictEqual(s.telemetry.endpoint, 'http://localhost:4318');
  });
});
