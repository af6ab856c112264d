// User-defined OpenAI-compatible endpoints: read from the user's settings only, keys by name from the environment
// (CLI) or the editor's secret storage, and a client per tier that sends each key only to its own endpoint.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/core/store';
import {
  createClientFor,
  envEndpointKey,
  unreachableReason,
  type EndpointConfig,
} from '../../src/core/provider/endpoints';
import { usageCost } from '../../src/core/pricing';
import { readSettings, type SettingValues } from '../../src/core/settings';
import type { TierConfig } from '../../src/core/types';
import { startMockOpenAI, type MockOpenAI } from '../mock-openai';
import { runCli } from './fixtures/cli';

const src = (values: Record<string, SettingValues>) => ({ inspect: (k: string) => values[k] });
const user = (v: unknown): SettingValues => ({ globalValue: v });

const TIERS = [
  { id: 'local', model: 'llama3.2', provider: 'openai', endpoint: 'ollama', price: { input: 0, output: 0 } },
  { id: 'mid', model: 'openai/gpt-4o-mini', provider: 'openai', endpoint: 'openrouter' },
  { id: 'opus', model: 'claude-opus-4-6', price: { input: 5, output: 25 } },
];
const ENDPOINTS = [
  { name: 'ollama', baseUrl: 'http://localhost:11434/v1/' },
  {
    name: 'openrouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    keyName: 'openrouter',
    headers: { 'X-Title': 'LLM Router' },
  },
];

describe('endpoint settings', () => {
  it("reads the user's endpoints and mixed tiers; a tier without a price is unpriced, a price of 0 is free", () => {
    const s = readSettings(src({ tiers: user(TIERS), endpoints: user(ENDPOINTS) }));
    assert.deepStrictEqual(s.problems, []);
    assert.deepStrictEqual(
      s.endpoints.map((e) => e.baseUrl),
      ['http://localhost:11434/v1', 'https://openrouter.ai/api/v1'],
    );
    assert.deepStrictEqual(
      s.config.tiers.map((t) => [t.provider ?? 'anthropic', t.endpoint ?? null]),
      [
        ['openai', 'ollama'],
        ['openai', 'openrouter'],
        ['anthropic', null],
      ],
    );
    const u = { inputTokens: 1000, outputTokens: 500, cacheWriteTokens: 0, cacheReadTokens: 0 };
    assert.strictEqual(usageCost(s.config, 'llama3.2', u), 0, 'explicitly free');
    assert.strictEqual(s.config.tiers[1].priced, false);
    assert.strictEqual(usageCost(s.config, 'openai/gpt-4o-mini', u), null, 'unpriced, never $0');
  });

  it('never takes endpoints from a workspace: they decide where a key is sent', () => {
    const s = readSettings(
      src({
        endpoints: { workspaceValue: [{ name: 'evil', baseUrl: 'https://evil.example/v1', keyName: 'openrouter' }] },
      }),
    );
    assert.deepStrictEqual(s.endpoints, []);
    assert.match(s.problems.join('\n'), /endpoints in this workspace's settings ignored/);
  });

  it('refuses a key in headers, a bad URL, a repeated name and a tier naming no endpoint, in words', () => {
    const withKey = readSettings(
      src({
        endpoints: user([{ name: 'x', baseUrl: 'https://x.example/v1', headers: { Authorization: 'Bearer sk-123' } }]),
      }),
    );
    assert.deepStrictEqual(withKey.endpoints, []);
    assert.match(withKey.problems[0], /may not carry a key/);
    assert.ok(!withKey.problems.join('').includes('sk-123'));
    assert.match(
      readSettings(src({ endpoints: user([{ name: 'x', baseUrl: 'ftp://x' }]) })).problems[0],
      /http\(s\) URL/,
    );
    const twice = readSettings(src({ endpoints: user([ENDPOINTS[0], ENDPOINTS[0]]) }));
    assert.strictEqual(twice.endpoints.length, 1);
    assert.match(twice.problems[0], /used twice/);
    const orphan = readSettings(src({ tiers: user(TIERS), endpoints: user([ENDPOINTS[0]]) }));
    assert.match(
      orphan.problems.join('\n'),
      /tier mid names the endpoint "openrouter", which llmRouter\.endpoints does not define/,
    );
    const noEp = readSettings(src({ tiers: user([{ id: 'a', model: 'm', provider: 'openai' }]) }));
    assert.match(noEp.problems[0], /needs "endpoint"/);
  });

  it("the CLI reads an endpoint's key from LLM_ROUTER_KEY_<KEYNAME>", () => {
    const ep: EndpointConfig = { name: 'team', baseUrl: 'https://llm.corp.example/v1', keyName: 'team-gateway' };
    assert.strictEqual(
      envEndpointKey(ep, { LLM_ROUTER_KEY_TEAM_GATEWAY: ' sk-team-1234567890 ' }),
      'sk-team-1234567890',
    );
    assert.strictEqual(envEndpointKey(ep, {}), null, 'missing');
    assert.strictEqual(
      envEndpointKey({ name: 'ollama', baseUrl: 'http://localhost:11434/v1' }, {}),
      undefined,
      'needs none',
    );
  });
});

describe('a client per tier across providers', () => {
  let a: MockOpenAI;
  let b: MockOpenAI;
  const KEY_B = 'sk-or-v1-4f1c9e2a7b3d5f6e8a9c0b1d2e3f4a5b';
  before(async () => {
    a = await startMockOpenAI();
    b = await startMockOpenAI({ apiKey: KEY_B });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  const tier = (id: string, endpoint: string, provider: TierConfig['provider'] = 'openai'): TierConfig => ({
    id,
    label: id,
    model: `${id}-model`,
    provider,
    endpoint,
    price: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
    contextWindow: 8000,
    maxOutputTokens: 1000,
  });

  it('sends each tier to its own endpoint, each key only to its own endpoint, one client per endpoint', async () => {
    const endpoints: EndpointConfig[] = [
      { name: 'local', baseUrl: a.baseURL },
      { name: 'router', baseUrl: b.baseURL, keyName: 'router', headers: { 'X-Title': 'LLM Router' } },
    ];
    const anthropic = {
      stream: async () => {
        throw new Error('not here');
      },
      countTokens: async () => 0,
    };
    const keyOf = (ep: EndpointConfig) => (ep.keyName === 'router' ? KEY_B : undefined);
    const cf = createClientFor({ endpoints, anthropic, endpointKey: keyOf });
    assert.strictEqual(cf(tier('claude', '', 'anthropic')), anthropic);
    const local = cf(tier('small', 'local'))!;
    const routed = cf(tier('big', 'router'))!;
    assert.strictEqual(cf(tier('other', 'router')), routed, 'one client (one connection pool) per endpoint');
    await local.stream({ model: 'small-model', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 });
    await routed.stream({ model: 'big-model', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 });
    assert.strictEqual(a.completions()[0].apiKey, 'present', "a placeholder, not a key of the user's");
    assert.ok(!a.keyMatches(a.completions()[0], KEY_B));
    assert.ok(b.keyMatches(b.completions()[0], KEY_B));
    assert.strictEqual(b.completions()[0].headers['x-title'], 'LLM Router');
  });

  it('no client (and the reason) for a missing key, an unknown endpoint, or Anthropic without a key', () => {
    const endpoints: EndpointConfig[] = [{ name: 'router', baseUrl: b.baseURL, keyName: 'router' }];
    const opts = { endpoints, anthropic: null, endpointKey: () => null };
    const cf = createClientFor(opts);
    assert.strictEqual(cf(tier('big', 'router')), null);
    assert.match(
      unreachableReason(tier('big', 'router'), opts)!,
      /no key for the endpoint “router”.*LLM_ROUTER_KEY_ROUTER/,
    );
    assert.strictEqual(cf(tier('x', 'nowhere')), null);
    assert.match(unreachableReason(tier('x', 'nowhere'), opts)!, /does not define/);
    assert.strictEqual(cf(tier('claude', '', 'anthropic')), null);
    assert.match(unreachableReason(tier('claude', '', 'anthropic'), opts)!, /ANTHROPIC_API_KEY/);
  });
});

describe('CLI route over mixed tiers from a settings file', () => {
  const KEY = 'sk-local-gw-7c2e9a4f1b3d5e6f8a0b';
  let dir: string;
  let mock: MockOpenAI;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-openai-cli-'));
    mock = await startMockOpenAI({ apiKey: KEY, cost: 0.00042 });
  });
  after(async () => {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const cli = async (args: string[], env: Record<string, string>) => {
    const r = await runCli(args, { env });
    return { code: r.code, out: r.stdout, err: r.stderr };
  };

  it("answers on the OpenAI-compatible tier with its key from LLM_ROUTER_KEY_<KEYNAME> and records the endpoint's own cost", async () => {
    const settings = path.join(dir, 'settings.json');
    const db = path.join(dir, 'router.sqlite');
    fs.writeFileSync(
      settings,
      JSON.stringify({
        'llmRouter.endpoints': [{ name: 'gw', baseUrl: mock.baseURL, keyName: 'gw' }],
        'llmRouter.tiers': [
          {
            id: 'small',
            model: 'gpt-4o-mini',
            provider: 'openai',
            endpoint: 'gw',
            price: { input: 0.15, output: 0.6 },
          },
          { id: 'opus', model: 'claude-opus-4-6', price: { input: 5, output: 25 } },
        ],
      }),
    );
    const r = await cli(['route', '--settings', settings, '--db', db, 'What is the capital of France?'], {
      LLM_ROUTER_KEY_GW: KEY,
    });
    assert.strictEqual(r.code, 0, r.err);
    assert.match(r.out, /\[gpt-4o-mini\] You asked: "What is the capital of France\?"/);
    assert.match(r.out, /cost \$0\.00042/);
    assert.ok(mock.keyMatches(mock.completions()[0], KEY));
    assert.ok(!(r.out + r.err).includes(KEY));
    const store = await openStore({ path: db });
    try {
      const [rec] = store.listDecisions({ limit: 1 }).rows;
      assert.strictEqual(rec.tierId, 'small');
      assert.strictEqual(rec.costUsd, 0.00042);
      assert.strictEqual(rec.status, 'ok');
    } finally {
      await store.close();
    }
    const st = await cli(['stats', '--db', db], {});
    assert.strictEqual(st.code, 0, st.err);
    assert.match(
      st.out,
      /Backend health[^\n]*\n\s+gw\s+closed\s+1 calls, 0% errors, p50 \d+ ms[^\n]*\n\s+gw\/gpt-4o-mini\s+closed\s+1 calls/,
    );
  });
});
