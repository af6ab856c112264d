// One router for every client and every provider: an Anthropic-API client (Claude Code, the Anthropic SDK) through
// `serve` gets answers from a tier on an OpenAI-compatible endpoint (a local model here), translated back into the
// Messages API's own events; priced as that tier says ($0 for a local model, which is not "unpriced"); neither key
// shows in anything the client gets.
import Anthropic from '@anthropic-ai/sdk';
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createClientFor } from '../../src/core/provider/endpoints';
import { createRouterService } from '../../src/core/service';
import { ensureToken, startEndpoint, type Endpoint } from '../../src/core/server';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import { mockAnswer, startMockAnthropic, type MockAnthropic } from '../mock-anthropic';
import { startMockOpenAI, type MockOpenAI } from '../mock-openai';

const AKEY = 'sk-ant-api03-mixedServeAnthropicKey7Qx';
const OKEY = 'sk-proj-mixedServeLocalGatewayKey9Zw3';
const LOCAL = 'llama-3.1-8b-instruct';

describe('serve over mixed tiers (an OpenAI-compatible endpoint behind the Anthropic API)', function () {
  this.timeout(30_000);
  let anth: MockAnthropic;
  let oai: MockOpenAI;
  let store: DecisionStore;
  let ep: Endpoint;
  let dir: string;
  let token: string;
  const seen: string[] = [];
  before(async () => {
    anth = await startMockAnthropic({ apiKey: AKEY });
    oai = await startMockOpenAI({ apiKey: OKEY });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-serve-mixed-'));
    store = await openStore({ path: path.join(dir, 'router.sqlite'), debounceMs: 20 });
    const config = defaultConfig();
    config.tiers[0] = {
      id: 'local',
      label: 'Local',
      model: LOCAL,
      provider: 'openai',
      endpoint: 'gateway',
      price: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
      contextWindow: 128_000,
      maxOutputTokens: 8192,
    };
    const svc = createRouterService({ config, store });
    const clients = createClientFor({
      endpoints: [{ name: 'gateway', baseUrl: `${oai.url}/v1`, keyName: 'GATEWAY' }],
      anthropic: new AnthropicClient({ apiKey: AKEY, baseURL: anth.url, maxRetries: 0 }),
      endpointKey: () => OKEY,
      maxRetries: 0,
    });
    token = ensureToken(path.join(dir, 'endpoint-token')).token;
    ep = await startEndpoint({
      token,
      backend: { service: () => svc, client: async () => clients, secrets: () => [AKEY, OKEY] },
      log: (l) => seen.push(l),
    });
  });
  after(async () => {
    const all = seen.join('\n');
    assert.ok(!all.includes(AKEY) && !all.includes(OKEY), 'a key appeared in a response or the log');
    await ep.close();
    await store.close();
    await anth.close();
    await oai.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a simple prompt goes to the local tier: streamed back as Messages API events, recorded at $0 (priced, not unpriced)', async () => {
    const prompt = 'What is the capital of France?';
    const sdk = new Anthropic({
      apiKey: token,
      baseURL: ep.url,
      maxRetries: 0,
      fetch: async (u, i) => {
        const r = await fetch(u, i);
        seen.push([...r.headers].join('\n'));
        void r
          .clone()
          .text()
          .then((t) => seen.push(t));
        return r;
      },
    });
    const s = sdk.messages.stream({
      model: 'llm-router',
      max_tokens: 200,
      messages: [{ role: 'user', content: prompt }],
    });
    const { response } = await s.withResponse();
    const msg = await s.finalMessage();
    assert.strictEqual(response.headers.get('x-llm-router-tier'), 'local');
    assert.strictEqual(msg.content[0].type === 'text' && msg.content[0].text, mockAnswer(LOCAL, prompt));
    assert.strictEqual(oai.requests.filter((r) => r.path === '/v1/chat/completions').length, 1);
    assert.strictEqual(anth.messageRequests().length, 0);
    const rec = store.getDecision(response.headers.get('x-llm-router-decision')!)!;
    assert.strictEqual(rec.answeredModel, LOCAL);
    assert.strictEqual(rec.costUsd, 0);
    assert.ok(rec.baselineCostUsd! > 0, 'the saving against the top tier is counted');
    await new Promise((r) => setTimeout(r, 50));
  });

  it('a code prompt goes to an Anthropic tier through the same endpoint', async () => {
    const r = await fetch(`${ep.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'llm-router',
        messages: [
          {
            role: 'user',
            content: 'Write a Python function that parses a CSV file and returns the rows as dictionaries.',
          },
        ],
      }),
    });
    const text = await r.text();
    seen.push(text);
    assert.strictEqual(r.status, 200, text);
    assert.strictEqual(r.headers.get('x-llm-router-tier'), 'sonnet');
    assert.strictEqual(anth.messageRequests().length, 1);
  });
});
