// What the endpoint tests share: the local Messages API server as upstream, a real database, the real routing
// service and Anthropic client, `serve`'s endpoint started in-process on port 0, and a record of everything the
// endpoint sent back (headers and bodies) and logged, for the key search.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { defaultConfig } from '../../src/core/config';
import { applyPreset, type PresetName } from '../../src/core/presets';
import { createRouterService } from '../../src/core/service';
import type { RouterService } from '../../src/core/service-api';
import { ensureToken, startEndpoint, TOKEN_FILE, type Endpoint, type EndpointOptions } from '../../src/core/server';
import { openStore } from '../../src/core/store';
import type { DecisionStore } from '../../src/core/store/api';
import type { MockAnthropic } from '../mock-anthropic';
import { startMessagesApi } from './fixtures/service';

/** The upstream key: shaped like a real one, so the redactor has to find it by value and by shape. */
export const UPSTREAM_KEY = `sk-ant-api03-${'Zq7'.repeat(4)}serveTest${Date.now().toString(36)}Xy9`;

export interface Harness {
  mock: MockAnthropic;
  store: DecisionStore;
  ep: Endpoint;
  token: string;
  tokenFile: string;
  dir: string;
  /** Every response header block and body the endpoint sent to a client in these tests, and every log line. */
  seen: string[];
  logs: string[];
  /** The SDKs' fetch: records the endpoint's responses (headers now, body once read). */
  fetch: typeof fetch;
  /** The official SDKs on the endpoint, with the token and the recording fetch. */
  anthropic: Anthropic;
  openai: OpenAI;
  /** Waits for the bodies still being recorded. */
  settle(): Promise<void>;
  /** After `settle`, fails if the upstream key (or most of it, in any case) is in anything the endpoint sent or logged. */
  assertKeyNeverSeen(): Promise<void>;
  /** Another endpoint on the same store and upstream (its own limits). */
  extra(o: Partial<EndpointOptions>): Promise<Endpoint>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const api = await startMessagesApi({ key: UPSTREAM_KEY });
  const mock = api.server;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmr-serve-'));
  const store = await openStore({ path: path.join(dir, 'router.sqlite'), debounceMs: 20 });
  const client = api.client({ idleTimeoutMs: 3000 });
  const services = new Map<PresetName | null, RouterService>();
  const service = (p: PresetName | null) => {
    let s = services.get(p);
    if (!s)
      services.set(
        p,
        (s = createRouterService({ config: p ? applyPreset(defaultConfig(), p) : defaultConfig(), store })),
      );
    return s;
  };
  const { token, file } = ensureToken(path.join(dir, TOKEN_FILE));
  const seen: string[] = [];
  const logs: string[] = [];
  const pending: Promise<unknown>[] = [];
  const base = (o: Partial<EndpointOptions> = {}): EndpointOptions => ({
    token,
    backend: { service, client: async () => client, secrets: () => [UPSTREAM_KEY] },
    log: (l) => {
      logs.push(l);
      seen.push(l);
    },
    ratePerMinute: Infinity,
    ...o,
  });
  const ep = await startEndpoint(base());
  const extras: Endpoint[] = [];
  const recFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    seen.push([...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n'));
    pending.push(
      res
        .clone()
        .text()
        .then(
          (t) => seen.push(t),
          () => undefined,
        ),
    );
    return res;
  };
  return {
    mock,
    store,
    ep,
    token,
    tokenFile: file,
    dir,
    seen,
    logs,
    fetch: recFetch,
    anthropic: new Anthropic({ apiKey: token, baseURL: ep.url, maxRetries: 0, fetch: recFetch }),
    openai: new OpenAI({ apiKey: token, baseURL: `${ep.url}/v1`, maxRetries: 0, fetch: recFetch }),
    settle: async () => {
      await Promise.all(pending);
    },
    async assertKeyNeverSeen() {
      await Promise.all(pending);
      const all = seen.join('\n');
      assert.ok(
        !all.includes(UPSTREAM_KEY) && !all.toLowerCase().includes(UPSTREAM_KEY.toLowerCase().slice(4, -4)),
        'the upstream key appeared in a response or the log',
      );
    },
    async extra(o) {
      const e = await startEndpoint(base(o));
      extras.push(e);
      return e;
    },
    async close() {
      for (const e of extras) await e.close();
      await ep.close();
      await store.close();
      await mock.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs curl with these arguments; its stdout (with -i: the head too), recorded for the key search. */
export function curl(h: Harness, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('curl', ['-sS', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    p.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    p.on('error', reject);
    p.on('close', (code) => {
      h.seen.push(out, err);
      resolve({ code: code ?? -1, out });
    });
  });
}

/** SSE text → [{event, data}] (event '' for OpenAI's data-only chunks). */
export function parseSse(text: string): { event: string; data: string }[] {
  return text
    .replace(/\r\n/g, '\n')
    .trim()
    .split('\n\n')
    .filter(Boolean)
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1] ?? '',
      data: /^data: (.*)$/m.exec(block)?.[1] ?? '',
    }));
}

/** The body of a curl -i output (after the head). */
export function bodyOf(out: string): string {
  const i = out.replace(/\r\n/g, '\n').indexOf('\n\n');
  return i < 0 ? '' : out.replace(/\r\n/g, '\n').slice(i + 2);
}

/** A response header from a curl -i output. */
export function headerOf(out: string, name: string): string | null {
  const m = new RegExp(`^${name}:\\s*(.*?)\\s*$`, 'im').exec(out.replace(/\r\n/g, '\n').split('\n\n')[0]);
  return m ? m[1] : null;
}
