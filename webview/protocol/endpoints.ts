// The two ends of the panel protocol (webview/protocol.ts re-exports them): the wire messages, the host's endpoint
// (commands and requests in, notifications held until ready, replies out) and the webview's (requests as promises).
import { REPLY, Ready, type CommandType, type NotificationType, type ParamsOf, type RequestType } from './messages';

export interface WireMessage {
  method: string;
  params?: unknown;
  id?: number;
}
export type WireReply =
  | { method: typeof REPLY; id: number; ok: true; result: unknown }
  | { method: typeof REPLY; id: number; ok: false; error: string };

export function isWireMessage(x: unknown): x is WireMessage {
  return typeof x === 'object' && x !== null && typeof (x as { method?: unknown }).method === 'string';
}

// ---------------------------------------------------------------------------------------------------------------
// Host side: receives commands and requests, sends notifications (held until ready) and replies.

type Handler = (params: unknown) => unknown;

export class HostEndpoint {
  private ready = false;
  private readonly queue: WireMessage[] = [];
  private readonly handlers = new Map<string, { kind: 'command' | 'request'; fn: Handler }>();
  private readyListener: ((params: ParamsOf<typeof Ready>, flushed: string[]) => void) | undefined;
  private disposed = false;

  /** `post` delivers one message to the webview (webview.postMessage in VS Code, an HTTP stream in the harness). */
  constructor(
    private readonly post: (msg: WireMessage | WireReply) => unknown,
    private readonly log?: (m: string) => void,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** Called when the webview says `ready`, after the queue is flushed, with the methods of the messages flushed. */
  onReady(fn: (params: ParamsOf<typeof Ready>, flushed: string[]) => void): void {
    this.readyListener = fn;
  }

  onCommand<P>(type: CommandType<P>, fn: (params: P) => void | Promise<void>): void {
    this.handlers.set(type.method, { kind: 'command', fn: fn as Handler });
  }

  onRequest<P, R>(type: RequestType<P, R>, fn: (params: P) => R | Promise<R>): void {
    this.handlers.set(type.method, { kind: 'request', fn: fn as Handler });
  }

  /** Sends a notification now if the webview is ready, otherwise when it is. */
  notify<P>(type: NotificationType<P>, params: P): void {
    if (this.disposed) return;
    const msg: WireMessage = { method: type.method, params };
    if (this.ready) this.send(msg);
    else this.queue.push(msg);
  }

  /** Drops queued notifications of this type (a newer state replaces an older one still waiting). */
  dropQueued<P>(type: NotificationType<P>): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].method === type.method) this.queue.splice(i, 1);
  }

  /** Feed every message the webview posted here. Unknown or malformed messages are logged and ignored. */
  async receive(raw: unknown): Promise<void> {
    if (this.disposed) return;
    if (!isWireMessage(raw)) {
      this.log?.(`cost panel: ignored a malformed message`);
      return;
    }
    if (raw.method === Ready.method) {
      this.ready = true;
      const pending = this.queue.splice(0);
      for (const m of pending) this.send(m);
      this.readyListener?.(
        (raw.params ?? {}) as ParamsOf<typeof Ready>,
        pending.map((m) => m.method),
      );
      return;
    }
    const h = this.handlers.get(raw.method);
    if (!h) {
      this.log?.(`cost panel: no handler for "${raw.method}"`);
      if (typeof raw.id === 'number')
        this.send({ method: REPLY, id: raw.id, ok: false, error: `Unknown request "${raw.method}"` });
      return;
    }
    if (h.kind === 'command') {
      try {
        await h.fn(raw.params ?? {});
      } catch (e) {
        this.log?.(`cost panel: ${raw.method} failed: ${errText(e)}`);
      }
      return;
    }
    if (typeof raw.id !== 'number') {
      this.log?.(`cost panel: request "${raw.method}" without id`);
      return;
    }
    try {
      const result = await h.fn(raw.params ?? {});
      this.send({ method: REPLY, id: raw.id, ok: true, result });
    } catch (e) {
      this.log?.(`cost panel: ${raw.method} failed: ${errText(e)}`);
      this.send({ method: REPLY, id: raw.id, ok: false, error: errText(e) });
    }
  }

  /** The webview went away (it will say ready again when it comes back): queue until then. */
  reset(): void {
    this.ready = false;
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    this.handlers.clear();
  }

  private send(m: WireMessage | WireReply): void {
    if (this.disposed) return;
    try {
      void this.post(m);
    } catch (e) {
      this.log?.(`cost panel: post failed: ${errText(e)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Webview side: sends commands and requests (pending replies kept as promises by id), receives notifications.

export class WebviewEndpoint {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly listeners = new Map<string, ((params: unknown) => void)[]>();

  constructor(private readonly post: (msg: WireMessage) => void) {}

  send<P>(type: CommandType<P>, params: P): void {
    this.post({ method: type.method, params });
  }

  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ method: type.method, params, id });
    });
  }

  on<P>(type: NotificationType<P>, fn: (params: P) => void): void {
    const list = this.listeners.get(type.method) ?? [];
    list.push(fn as (params: unknown) => void);
    this.listeners.set(type.method, list);
  }

  /** Feed every message event's data here. */
  receive(raw: unknown): void {
    if (!isWireMessage(raw)) return;
    if (raw.method === REPLY) {
      const r = raw as WireReply;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(new Error(r.error));
      return;
    }
    for (const fn of this.listeners.get(raw.method) ?? []) fn(raw.params);
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
