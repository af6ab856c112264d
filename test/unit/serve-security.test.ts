// The endpoint is the user's own: no token or a wrong one (401), a web page (Origin, 403), a foreign Host (DNS
// rebinding, 403), an oversized body (413) and too many requests (429) are refused in each API's error shape before
// anything reaches the router; the token file is readable only by the user; the upstream key never comes back, even
// from an upstream that echoes it.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { defaultConfig } from '../../src/core/config';
import { AnthropicClient } from '../../src/core/provider/anthropic';
import { createRouterService } from '../../src/core/service';
import { ensureToken, startEndpoint } from '../../src/core/server';
import { allowedHosts, tokenMatches } from '../../src/core/server/security';
import { curl, startHarness, UPSTREAM_KEY, type Harness } from './serve-harness';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with any headers (Host and Origin included), as a browser or a rebinding page would send it. */
function raw(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
  seen: string[],
): Promise<Raw> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: opts.method ?? 'POST',
        path: opts.path,
        headers: { 'content-type': 'application/json', ...opts.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString('utf8');
        });
        res.on('end', () => {
          seen.push(JSON.stringify(res.headers), body);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
    );
    req.end(opts.body);
  });
}

/** Upstream requests made with the router's key (on a shared machine another program may hit a free port by chance). */
const ours = (h: Harness) =>
  h.mock.requests.filter((r) => h.mock.keyMatches(r, UPSTREAM_KEY)).map((r) => `${r.method} ${r.path}`);

const chat = JSON.stringify({
  model: 'llm-router',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
});
const msgs = JSON.stringify({
  model: 'llm-router',
  max_tokens: 50,
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
});

describe('serve: refusals, the token and the upstream key', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.assertKeyNeverSeen();
    await h.close();
  });

  it('the token file is made with mode 0600, holds a 256-bit random token, is reused, and is tightened when others could read it', () => {
    const st = fs.statSync(h.tokenFile);
    if (process.platform !== 'win32') assert.strictEqual(st.mode & 0o777, 0o600);
    assert.match(h.token, /^llmr-[A-Za-z0-9_-]{43}$/);
    assert.strictEqual(ensureToken(h.tokenFile).token, h.token);
    fs.chmodSync(h.tokenFile, 0o644);
    assert.strictEqual(ensureToken(h.tokenFile).token, h.token);
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(h.tokenFile).mode & 0o777, 0o600);
    const rotated = ensureToken(path.join(h.dir, 'rotated', 'endpoint-token'));
    const again = ensureToken(rotated.file, { rotate: true });
    assert.ok(
      again.created && again.token !== rotated.token && fs.readFileSync(rotated.file, 'utf8').trim() === again.token,
    );
    if (process.platform !== 'win32') assert.strictEqual(fs.statSync(rotated.file).mode & 0o777, 0o600);
    const other = ensureToken(path.join(h.dir, 'second', 'endpoint-token'));
    assert.notStrictEqual(other.token, h.token);
    assert.ok(
      tokenMatches(h.token, h.token) &&
        !tokenMatches(`${h.token}x`, h.token) &&
        !tokenMatches(h.token.slice(0, -1), h.token) &&
        !tokenMatches(null, h.token),
    );
  });

  it("no token → 401 in each API's shape; a wrong token (the Anthropic key, say) → 401; nothing reaches the router", async () => {
    const before = h.store.listDecisions({}).total;
    const a = await raw(
      h.ep.url,
      { path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01' }, body: msgs },
      h.seen,
    );
    assert.strictEqual(a.status, 401);
    assert.deepStrictEqual(JSON.parse(a.body), {
      type: 'error',
      error: { type: 'authentication_error', message: JSON.parse(a.body).error.message },
    });
    assert.match(JSON.parse(a.body).error.message, /No token/);
    const o = await raw(h.ep.url, { path: '/v1/chat/completions', body: chat }, h.seen);
    assert.strictEqual(o.status, 401);
    const oe = JSON.parse(o.body).error;
    assert.strictEqual(oe.code, 'invalid_api_key');
    assert.strictEqual(typeof oe.message, 'string');
    const wrongA = await new Anthropic({
      apiKey: UPSTREAM_KEY,
      baseURL: h.ep.url,
      maxRetries: 0,
      fetch: h.fetch,
    }).messages
      .create({ model: 'llm-router', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    assert.ok(
      wrongA instanceof Anthropic.AuthenticationError,
      wrongA instanceof Error ? String(wrongA) : `resolved: ${JSON.stringify(wrongA)}`,
    );
    assert.match(wrongA.message, /token is wrong/);
    const wrongO = await new OpenAI({
      // One character off. (Not "the last one made 'A'": a token ends in 'A' one time in 16, and was then right.)
      apiKey: `${h.token.slice(0, -1)}${h.token.endsWith('A') ? 'B' : 'A'}`,
      baseURL: `${h.ep.url}/v1`,
      maxRetries: 0,
      fetch: h.fetch,
    }).chat.completions
      .create({ model: 'llm-router', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    assert.ok(wrongO instanceof OpenAI.AuthenticationError, String(wrongO));
    const c = await curl(h, ['-i', `${h.ep.url}/v1/models`]);
    assert.match(c.out, /^HTTP\/1\.1 401/);
    assert.strictEqual(h.store.listDecisions({}).total, before);
    assert.deepStrictEqual(ours(h), []);
  });

  it('a browser Origin (even with the right token) and a foreign Host (DNS rebinding) → 403; localhost and 127.0.0.1 are accepted', async () => {
    const auth = { authorization: `Bearer ${h.token}` };
    const fromPage = await raw(
      h.ep.url,
      { path: '/v1/chat/completions', headers: { ...auth, origin: 'https://evil.example' }, body: chat },
      h.seen,
    );
    assert.strictEqual(fromPage.status, 403);
    assert.match(JSON.parse(fromPage.body).error.message, /web page/);
    const navigated = await raw(
      h.ep.url,
      { method: 'GET', path: '/v1/models', headers: { ...auth, 'sec-fetch-site': 'cross-site' } },
      h.seen,
    );
    assert.strictEqual(navigated.status, 403);
    const rebound = await raw(
      h.ep.url,
      { path: '/v1/messages', headers: { 'x-api-key': h.token, host: `evil.example:${h.ep.port}` }, body: msgs },
      h.seen,
    );
    assert.strictEqual(rebound.status, 403);
    assert.strictEqual(JSON.parse(rebound.body).error.type, 'permission_error');
    assert.match(JSON.parse(rebound.body).error.message, /DNS rebinding/);
    const otherPort = await raw(
      h.ep.url,
      { method: 'GET', path: '/v1/models', headers: { ...auth, host: `127.0.0.1:${h.ep.port + 1}` } },
      h.seen,
    );
    assert.strictEqual(otherPort.status, 403);
    for (const host of [`localhost:${h.ep.port}`, `127.0.0.1:${h.ep.port}`]) {
      const ok = await raw(h.ep.url, { method: 'GET', path: '/v1/models', headers: { ...auth, host } }, h.seen);
      assert.strictEqual(ok.status, 200, host);
    }
    assert.deepStrictEqual(ours(h), []);
  });

  it('the accepted Host names: the bound address (and the loopback names for a loopback bind), every local address for 0.0.0.0', () => {
    assert.deepStrictEqual([...allowedHosts('127.0.0.1', 8787)].sort(), [
      '127.0.0.1:8787',
      '[::1]:8787',
      'localhost:8787',
    ]);
    assert.deepStrictEqual([...allowedHosts('192.168.1.20', 80)], ['192.168.1.20:80']);
    const any = allowedHosts('0.0.0.0', 9000);
    assert.ok(any.has('127.0.0.1:9000') && any.has('localhost:9000') && !any.has('evil.example:9000'));
  });

  it('a body over the limit → 413 request_too_large (declared or streamed); bad JSON → 400', async () => {
    const small = await h.extra({ maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify({
      model: 'llm-router',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }],
    });
    const r = await raw(small.url, { path: '/v1/messages', headers: { 'x-api-key': h.token }, body: big }, h.seen);
    assert.strictEqual(r.status, 413);
    assert.strictEqual(JSON.parse(r.body).error.type, 'request_too_large');
    const chunked = await raw(
      small.url,
      {
        path: '/v1/chat/completions',
        headers: { authorization: `Bearer ${h.token}`, 'transfer-encoding': 'chunked' },
        body: Buffer.from(big),
      },
      h.seen,
    );
    assert.strictEqual(chunked.status, 413);
    // the default limit is 8 MB
    const nine = Buffer.alloc(9 * 1024 * 1024, 'a');
    const d = await raw(h.ep.url, { path: '/v1/messages', headers: { 'x-api-key': h.token }, body: nine }, h.seen);
    assert.strictEqual(d.status, 413);
    const notJson = await raw(
      h.ep.url,
      { path: '/v1/messages', headers: { 'x-api-key': h.token }, body: '{"model":' },
      h.seen,
    );
    assert.strictEqual(notJson.status, 400);
    assert.match(JSON.parse(notJson.body).error.message, /not JSON/);
  });

  it("past the rate limit → 429 with retry-after, in each API's shape; the SDK is told", async () => {
    const limited = await h.extra({ ratePerMinute: 60, rateBurst: 2 });
    const get = () =>
      raw(limited.url, { method: 'GET', path: '/v1/models', headers: { authorization: `Bearer ${h.token}` } }, h.seen);
    assert.strictEqual((await get()).status, 200);
    assert.strictEqual((await get()).status, 200);
    const third = await get();
    assert.strictEqual(third.status, 429);
    assert.ok(Number(third.headers['retry-after']) >= 1);
    assert.strictEqual(JSON.parse(third.body).error.code, 'rate_limit_exceeded');
    const sdk = await new Anthropic({ apiKey: h.token, baseURL: limited.url, maxRetries: 0, fetch: h.fetch }).messages
      .create({ model: 'llm-router', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    assert.ok(sdk instanceof Anthropic.RateLimitError, String(sdk));
    assert.strictEqual((sdk.error as { error: { type: string } }).error.type, 'rate_limit_error');
  });

  it('with no key for any tier, a request gets a 503 that says how to set one', async () => {
    const svc = createRouterService({ config: defaultConfig(), store: h.store });
    const ep = await startEndpoint({
      token: h.token,
      backend: { service: () => svc, client: async () => () => null, secrets: () => [] },
    });
    try {
      const e = await new OpenAI({
        apiKey: h.token,
        baseURL: `${ep.url}/v1`,
        maxRetries: 0,
        fetch: h.fetch,
      }).chat.completions
        .create({ model: 'llm-router', messages: [{ role: 'user', content: 'hi' }] })
        .catch((x: unknown) => x);
      assert.ok(e instanceof OpenAI.APIError && e.status === 503, String(e));
      assert.match(e.message, /no key for any tier.*Set API Key.*ANTHROPIC_API_KEY/);
    } finally {
      await ep.close();
    }
  });

  it('an upstream that echoes the key in its error: the client and the log get the message without it', async () => {
    // A Messages API server that answers every request 400 with the key it was sent, as a misbehaving gateway might.
    const echo = http.createServer((req, res) => {
      req.resume();
      const key = String(req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, ''));
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'invalid_request_error', message: `bad key ${key} (also ${key.toUpperCase()})` },
        }),
      );
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const store = h.store;
    const svc = createRouterService({ config: defaultConfig(), store });
    const client = new AnthropicClient({ apiKey: UPSTREAM_KEY, baseURL: url, maxRetries: 0 });
    const logs: string[] = [];
    const ep = await startEndpoint({
      token: h.token,
      backend: { service: () => svc, client: async () => client, secrets: () => [UPSTREAM_KEY] },
      log: (l) => logs.push(l),
    });
    try {
      for (const stream of [false, true]) {
        const e = await new Anthropic({ apiKey: h.token, baseURL: ep.url, maxRetries: 0, fetch: h.fetch }).messages
          .create({ model: 'haiku', max_tokens: 10, stream, messages: [{ role: 'user', content: 'hi' }] })
          .catch((x: unknown) => x);
        assert.ok(e instanceof Anthropic.BadRequestError, String(e));
        assert.match(e.message, /bad key \[redacted\]/);
      }
      const o = await new OpenAI({
        apiKey: h.token,
        baseURL: `${ep.url}/v1`,
        maxRetries: 0,
        fetch: h.fetch,
      }).chat.completions
        .create({ model: 'haiku', messages: [{ role: 'user', content: 'hi' }] })
        .catch((x: unknown) => x);
      assert.ok(o instanceof OpenAI.BadRequestError, String(o));
      h.seen.push(...logs);
      assert.ok(logs.length >= 3 && logs.every((l) => !l.includes(UPSTREAM_KEY)));
      const rec = store.listDecisions({ status: 'error', limit: 1 }).rows[0];
      assert.ok(
        rec.error && !rec.error.includes(UPSTREAM_KEY) && !rec.error.toUpperCase().includes(UPSTREAM_KEY.toUpperCase()),
      );
    } finally {
      await ep.close();
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });
});
