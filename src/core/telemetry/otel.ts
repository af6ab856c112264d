// The OpenTelemetry half of the decision export, loaded only when the export is on (./index.ts imports it lazily):
// each decision a span, plus metrics, to an OTLP/HTTP endpoint (JSON), with the GenAI semantic conventions
// (https://opentelemetry.io/docs/specs/semconv/gen-ai/) and the router's own `llm_router.*` attributes.
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { DecisionRecord } from '../types';
import type { DecisionSink, TelemetryOptions } from './index';

// GenAI attribute names (still "development" in the conventions, so spelled here rather than taken from the
// package's unstable entry point).
const GEN_AI = {
  operation: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  maxTokens: 'gen_ai.request.max_tokens',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  tokenType: 'gen_ai.token.type',
  inputMessages: 'gen_ai.input.messages',
} as const;

/** The attributes of a decision's span: never the prompt unless `includePrompt`. */
export function spanAttributes(rec: DecisionRecord, system: string, includePrompt: boolean): Attributes {
  const a: Attributes = {
    [GEN_AI.operation]: 'chat',
    [GEN_AI.system]: system,
    [GEN_AI.provider]: system,
    [GEN_AI.requestModel]: rec.model,
    'llm_router.decision_id': rec.id,
    'llm_router.tier': rec.tierId,
    'llm_router.tier_index': rec.tier,
    'llm_router.score': rec.score,
    'llm_router.complexity': rec.complexity,
    'llm_router.category': rec.category,
    'llm_router.status': rec.status,
    'llm_router.source': rec.source,
    'llm_router.high_stakes': rec.highStakes,
  };
  if (rec.answeredModel) a[GEN_AI.responseModel] = rec.answeredModel;
  if (rec.usage) {
    a[GEN_AI.inputTokens] = rec.usage.inputTokens + rec.usage.cacheReadTokens + rec.usage.cacheWriteTokens;
    a[GEN_AI.outputTokens] = rec.usage.outputTokens;
    a['llm_router.usage.cache_read_tokens'] = rec.usage.cacheReadTokens;
    a['llm_router.usage.cache_write_tokens'] = rec.usage.cacheWriteTokens;
  }
  if (rec.costUsd !== null) a['llm_router.cost_usd'] = rec.costUsd;
  if (rec.baselineCostUsd !== null) a['llm_router.baseline_cost_usd'] = rec.baselineCostUsd;
  if (rec.ttftMs !== null) a['llm_router.ttft_ms'] = rec.ttftMs;
  if (rec.parentId) a['llm_router.parent_id'] = rec.parentId;
  if (rec.override) a['llm_router.override'] = rec.override;
  if (rec.status === 'error' || rec.status === 'blocked')
    a[ATTR_ERROR_TYPE] = rec.status === 'blocked' ? 'budget_blocked' : 'provider_error';
  if (includePrompt && rec.prompt)
    a[GEN_AI.inputMessages] = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: rec.prompt }] }]);
  return a;
}

export function createOtelSink(o: TelemetryOptions): DecisionSink {
  const base = o.endpoint.replace(/\/+$/, '');
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: o.serviceName ?? 'llm-router',
    ...(o.serviceVersion ? { [ATTR_SERVICE_VERSION]: o.serviceVersion } : {}),
  });
  const spans = new BatchSpanProcessor(
    new OTLPTraceExporter({ url: `${base}/v1/traces`, ...(o.headers ? { headers: o.headers } : {}) }),
    { scheduledDelayMillis: o.exportIntervalMs ?? 5000 },
  );
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [spans] });
  const tracer = tracerProvider.getTracer('llm-router', o.serviceVersion);
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics`, ...(o.headers ? { headers: o.headers } : {}) }),
    exportIntervalMillis: Math.max(1000, o.exportIntervalMs ?? 60_000),
  });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  const meter = meterProvider.getMeter('llm-router', o.serviceVersion);
  const histogram = (name: string, unit: string, description: string) =>
    meter.createHistogram(name, { unit, description });
  const counter = (name: string, unit: string, description: string) => meter.createCounter(name, { unit, description });
  const tokens = histogram('gen_ai.client.token.usage', '{token}', 'Tokens used per model call');
  const duration = histogram('gen_ai.client.operation.duration', 's', 'Duration of a model call');
  const cost = counter('llm_router.cost', 'USD', 'Money spent, from real usage');
  const saved = counter('llm_router.saved', 'USD', 'Saved against sending everything to the top tier');
  const decisions = counter('llm_router.decisions', '{decision}', 'Routing decisions by tier and status');

  return {
    emit(rec) {
      const system = o.systemOf(rec);
      const attributes = spanAttributes(rec, system, o.includePrompt);
      const span = tracer.startSpan(`chat ${rec.model}`, { kind: SpanKind.CLIENT, startTime: rec.time, attributes });
      if (rec.status === 'error' || rec.status === 'blocked')
        span.setStatus({ code: SpanStatusCode.ERROR, message: rec.error ?? rec.status });
      span.end(rec.time + (rec.latencyMs ?? 0));
      const m: Attributes = {
        [GEN_AI.operation]: 'chat',
        [GEN_AI.system]: system,
        [GEN_AI.requestModel]: rec.model,
        'llm_router.tier': rec.tierId,
      };
      decisions.add(1, { ...m, 'llm_router.status': rec.status });
      if (rec.usage) {
        tokens.record(rec.usage.inputTokens + rec.usage.cacheReadTokens + rec.usage.cacheWriteTokens, {
          ...m,
          [GEN_AI.tokenType]: 'input',
        });
        tokens.record(rec.usage.outputTokens, { ...m, [GEN_AI.tokenType]: 'output' });
      }
      if (rec.latencyMs !== null) duration.record(rec.latencyMs / 1000, m);
      if (rec.costUsd !== null) cost.add(rec.costUsd, m);
      if (rec.costUsd !== null && rec.baselineCostUsd !== null && rec.baselineCostUsd > rec.costUsd)
        saved.add(rec.baselineCostUsd - rec.costUsd, m);
    },
    async flush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
