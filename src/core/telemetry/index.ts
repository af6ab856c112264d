// Opt-in export of decisions as OpenTelemetry spans and metrics (off by default). This module holds no OpenTelemetry
// code: ./otel.ts (the SDK and the OTLP/HTTP exporters) is loaded on the first decision to export, so neither the
// editor's activation nor a CLI run without the export ever loads it. Decisions are taken from the store as their
// outcome is written (a store wrapper): whatever records a decision (the editor, the CLI, serve) exports it.
import type { DecisionStore } from '../store/api';
import type { DecisionRecord, RouterConfig } from '../types';

export interface TelemetryOptions {
  /** OTLP/HTTP base URL ("http://localhost:4318"): spans go to /v1/traces, metrics to /v1/metrics. */
  endpoint: string;
  /** Send the prompt (as the store keeps it: a preview by default) with each span. Off by default. */
  includePrompt: boolean;
  /** gen_ai.system of a decision ("anthropic", "openai", …). */
  systemOf: (rec: DecisionRecord) => string;
  /** Headers for the collector (from OTEL_EXPORTER_OTLP_HEADERS; never a setting). */
  headers?: Record<string, string>;
  serviceName?: string;
  serviceVersion?: string;
  /** Batch delay for spans and the metric interval, ms (defaults 5 s and 60 s). */
  exportIntervalMs?: number;
  /** Told when the export fails (a collector down): once per failure, in words. */
  onError?: (message: string) => void;
}

/** Where decisions go once the OpenTelemetry half is loaded. */
export interface DecisionSink {
  emit(rec: DecisionRecord): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Statuses that end a decision: it is exported then, once. */
const FINAL = new Set<DecisionRecord['status']>(['ok', 'error', 'cancelled', 'blocked']);

/** gen_ai.system from the tier that answered: its provider ("anthropic", "openai", "vscode"). */
export function systemFromConfig(config: RouterConfig): (rec: DecisionRecord) => string {
  return (rec) => config.tiers.find((t) => t.id === rec.tierId)?.provider ?? 'anthropic';
}

/** Parses OTEL_EXPORTER_OTLP_HEADERS ("k1=v1,k2=v2", values URL-encoded) as the OpenTelemetry spec writes it. */
export function otlpHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  const raw = env.OTEL_EXPORTER_OTLP_HEADERS;
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export class DecisionExporter {
  private sink: Promise<DecisionSink> | null = null;
  private readonly pending = new Set<Promise<unknown>>();
  /** Decisions handed to OpenTelemetry so far. */
  exported = 0;

  constructor(private readonly o: TelemetryOptions) {}

  /** Exports one finished decision (loads the OpenTelemetry half the first time). */
  record(rec: DecisionRecord): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.sink ??= Promise.resolve().then(() => (require('./otel') as typeof import('./otel')).createOtelSink(this.o));
    const p = this.sink
      .then((s) => {
        s.emit(rec);
        this.exported++;
      })
      .catch((e: unknown) => this.failed(e));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Sends what is batched now. */
  flush(): Promise<void> {
    return this.settle((s) => s.flush());
  }

  /** Sends what is left and stops (shutting down flushes; no second export of the same metrics). */
  async shutdown(): Promise<void> {
    await this.settle((s) => s.shutdown());
    this.sink = null;
  }

  /** Waits for the exports under way, then runs `step` on the sink if it was loaded (a failure is reported, not thrown). */
  private async settle(step: (s: DecisionSink) => Promise<void>): Promise<void> {
    await Promise.all(this.pending);
    if (this.sink) await step(await this.sink).catch((e: unknown) => this.failed(e));
  }

  private failed(e: unknown): void {
    this.o.onError?.(`OpenTelemetry export failed: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** The store, with every decision that reaches its outcome also handed to `exporter`. Everything else unchanged. */
export function exportingStore(store: DecisionStore, exporter: DecisionExporter): DecisionStore {
  const tap = (id: string) => {
    const rec = store.getDecision(id);
    if (rec && FINAL.has(rec.status)) exporter.record(rec);
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'insertDecision') {
        return (rec: DecisionRecord) => {
          target.insertDecision(rec);
          if (FINAL.has(rec.status)) tap(rec.id);
        };
      }
      if (prop === 'updateDecision') {
        return (id: string, patch: Partial<DecisionRecord>) => {
          target.updateDecision(id, patch);
          if (patch.status && FINAL.has(patch.status)) tap(id);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The store to give the service: unchanged when the export is off (nothing of OpenTelemetry is loaded then),
 *  else wrapped so each finished decision is exported. */
export function withTelemetry(
  s: { telemetry: { enabled: boolean; endpoint: string; includePrompt: boolean } },
  store: DecisionStore,
  config: RouterConfig,
  extra: Partial<Omit<TelemetryOptions, 'endpoint' | 'includePrompt' | 'systemOf'>> = {},
): { store: DecisionStore; exporter: DecisionExporter | null } {
  if (!s.telemetry.enabled) return { store, exporter: null };
  const headers = extra.headers ?? otlpHeaders();
  const exporter = new DecisionExporter({
    ...extra,
    endpoint: s.telemetry.endpoint,
    includePrompt: s.telemetry.includePrompt,
    systemOf: systemFromConfig(config),
    ...(headers ? { headers } : {}),
  });
  return { store: exportingStore(store, exporter), exporter };
}
