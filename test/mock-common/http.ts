// The HTTP plumbing both stand-ins share: ids, keys kept only as keyed hashes, the record of each request, its body,
// a connection cut halfway, and a server on 127.0.0.1 that can be closed with its connections.
import { createHmac, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A maker of unique ids ("req_mock_…"): time, a counter (padded to `pad` digits) and `bytes` random bytes. */
export function idMaker(pad: number, bytes: number): (prefix: string) => string {
  let seq = 0;
  return (prefix) =>
    `${prefix}${Date.now().toString(36)}${(seq++).toString(36).padStart(pad, '0')}${randomBytes(bytes).toString('hex')}`;
}

/** A keyed hash of API keys under a fresh secret: records compare keys without ever holding one. */
export function keyHasher(secretBytes: number): (key: string) => string {
  const secret = randomBytes(secretBytes);
  return (k) => createHmac('sha256', secret).update(k).digest('hex');
}

export type KeyStatus = 'missing' | 'present' | 'matched' | 'mismatched';

/** 'missing' when no key came; otherwise 'matched'/'mismatched' against the expected key, or 'present' when none is expected. */
export function keyStatus(keyHash: string | null, expected: string | null): KeyStatus {
  if (!keyHash) return 'missing';
  if (!expected) return 'present';
  return keyHash === expected ? 'matched' : 'mismatched';
}

/** The request's headers, lower-case, without the ones that carry a key. */
export function safeHeaders(req: http.IncomingMessage, keyHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (keyHeaders.includes(k) || v === undefined) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return headers;
}

/** What both stand-ins record of every request. */
export interface BaseRecord<K extends string> {
  id: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Request headers, lower-case, without the ones that carry a key. */
  headers: Record<string, string>;
  /** The parsed JSON body (null when it was not JSON). */
  body: any;
  apiKey: KeyStatus;
  /** Keyed hash of the key (for keyMatches); never the key. */
  readonly keyHash: string | null;
  model: string | null;
  stream: boolean;
  /** The scenario this request got. */
  scenario: K;
  /** HTTP status sent (0 until the head is written). */
  status: number;
  /** `x-stainless-retry-count` (0 on a first attempt). */
  retryCount: number;
  time: number;
  /** The connection is gone (the answer finished, was cut, or the client went away). */
  closed: boolean;
  /** The client closed the connection before the answer finished. */
  aborted: boolean;
  /** The response was completely written. */
  finished: boolean;
}

/** The fields of a new record, in the order a dump shows them; `keyHash` is not enumerable (not in JSON dumps). */
export function recordFields<K extends string>(
  req: http.IncomingMessage,
  r: { id: string; path: string; headers: Record<string, string>; keyHash: string | null; expected: string | null },
  scenario: K,
): BaseRecord<K> {
  const rec = {
    id: r.id,
    method: req.method ?? 'GET',
    path: r.path,
    headers: r.headers,
    body: null,
    apiKey: keyStatus(r.keyHash, r.expected),
    keyHash: r.keyHash,
    model: null,
    stream: false,
    scenario,
    status: 0,
    retryCount: Number(req.headers['x-stainless-retry-count'] ?? 0) || 0,
    time: Date.now(),
    closed: false,
    aborted: false,
    finished: false,
  };
  Object.defineProperty(rec, 'keyHash', { enumerable: false, value: r.keyHash });
  return rec;
}

/** Keeps the record's finished / closed / aborted up to date, and logs a line (from `line`) when the connection closes. */
export function track(res: http.ServerResponse, rec: BaseRecord<string>, line?: () => string): void {
  res.on('finish', () => {
    rec.finished = true;
  });
  res.on('close', () => {
    rec.closed = true;
    if (!rec.finished) rec.aborted = true;
    if (line) process.stderr.write(line());
  });
}

/** The request body as text and parsed as JSON (null when empty or not JSON); the record gets body, model, stream. */
export async function readBody(
  req: http.IncomingMessage,
  rec: BaseRecord<string>,
): Promise<{ raw: string; body: any }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  let body: any = null;
  try {
    body = raw ? JSON.parse(raw) : null;
  } catch {
    body = null;
  }
  rec.body = body;
  rec.model = typeof body?.model === 'string' ? body.model : null;
  rec.stream = body?.stream === true;
  return { raw, body };
}

/** Closes the connection in the middle of a chunked body: what was written still arrives, then the socket ends. */
export function cut(res: http.ServerResponse): void {
  const s = res.socket;
  if (!s) return;
  s.end();
  setTimeout(() => s.destroy(), 50).unref();
}

/** A server on 127.0.0.1 (`port` 0: any free one) running `handle`; a handler that throws answers 500 with
 *  `bugBody`'s JSON (or, once the head is out, loses its connection). */
export async function listen(
  port: number,
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  bugBody: (e: Error) => unknown,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(bugBody(e as Error)));
      } else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
