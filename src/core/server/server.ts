// `llm-router serve` and "LLM Router: Start Local Endpoint": a local HTTP endpoint speaking the Anthropic Messages
// API and OpenAI Chat Completions, every request routed, recorded (source 'endpoint') and budgeted like the
// extension's own. Plain node:http: five routes (./routes), no framework needed.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentRouter } from '../agentRun';
import { redactSecrets } from '../redact';
import type { EndpointBackend } from './dispatch';
import { apiOf, asHttpError, handle, sendError, type RouteContext } from './routes';
import { allowedHosts, RateLimiter } from './security';

export interface EndpointOptions {
  backend: EndpointBackend;
  /** The bearer token every request must carry. */
  token: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 8 MB. */
  maxBodyBytes?: number;
  /** Requests a minute (token bucket; default 600, burst a sixth of it); Infinity for no limit. */
  ratePerMinute?: number;
  rateBurst?: number;
  /** One line per request (already scrubbed of the keys and the token). */
  log?(line: string): void;
}

export interface Endpoint {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Requests answered so far (any status). */
  readonly requests: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

export async function startEndpoint(opts: EndpointOptions): Promise<Endpoint> {
  const host = opts.host ?? '127.0.0.1';
  const be = opts.backend;
  const ctx: RouteContext = {
    be,
    token: opts.token,
    hosts: new Set(),
    agents: new AgentRouter(),
    limiter: new RateLimiter(opts.ratePerMinute ?? 600, opts.rateBurst),
    maxBody: opts.maxBodyBytes ?? DEFAULT_MAX_BODY,
    scrub: (s) => redactSecrets(s, [...be.secrets(), opts.token]),
  };
  const log = (line: string) => {
    try {
      opts.log?.(ctx.scrub(line));
    } catch {
      /* a log must not fail a request */
    }
  };
  let count = 0;
  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    count++;
    handle(ctx, req, res).then(
      (what) => log(`${req.method} ${req.url} ${res.statusCode} ${what} ${Math.round(performance.now() - t0)} ms`),
      (e: unknown) => {
        const he = asHttpError(e);
        try {
          sendError(ctx, res, apiOf((req.url ?? '/').split('?')[0], req.headers), he);
        } catch {
          res.destroy();
        }
        log(
          `${req.method} ${req.url} ${he.status} ${he.message.slice(0, 200)} ${Math.round(performance.now() - t0)} ms`,
        );
      },
    );
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // answers may stream for minutes
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  ctx.hosts = allowedHosts(host, port);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    get requests() {
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
