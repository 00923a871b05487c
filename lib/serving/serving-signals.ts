// The platform's common serving signals: one set of Prometheus series, recorded per model from
// whichever engine serves it. Autoscaling, alerts, the dashboard, serving drift and cost read
// these names only, so a new engine needs only its own mapping (engines/<engine>.ts). The names
// are a public contract (docs/serving.md, "Common serving signals"): never rename one.
import { EngineDefinition, SignalKey } from './engines/engine';

/**
 * The recorded series. Every series carries `namespace`, `model` (the model's `name`) and
 * `engine`; gauges and histogram rates also carry `pod` (one series per replica).
 */
export const SERVING_SIGNALS = {
  /** Requests waiting for a batch slot, per pod (gauge). */
  requestsWaiting: 'aiplatform:serving_requests_waiting',
  /** Requests being processed, per pod (gauge); `count` of it is the number of replicas reporting. */
  requestsRunning: 'aiplatform:serving_requests_running',
  /** KV-cache usage 0–1, per pod (gauge). */
  kvCacheUsage: 'aiplatform:serving_kv_cache_usage_ratio',
  /** Time to first token, per-second rate of histogram buckets over 5m, per pod and `le`. */
  ttftBucket: 'aiplatform:serving_ttft_seconds_bucket:rate5m',
  /** End-to-end request latency, per-second rate of histogram buckets over 5m, per pod and `le`. */
  e2eLatencyBucket: 'aiplatform:serving_e2e_latency_seconds_bucket:rate5m',
  /** Prompt tokens per second over 5m, per pod. */
  promptTokens: 'aiplatform:serving_prompt_tokens:rate5m',
  /** Generated tokens per second over 5m, per pod. */
  generationTokens: 'aiplatform:serving_generation_tokens:rate5m',
  /** Finished requests per second over 5m, per pod and `outcome` (`finished`, `aborted`, `failed`). */
  requests: 'aiplatform:serving_requests:rate5m',
  /** Prompt tokens per request: cumulative histogram buckets (counter semantics), per pod and `le`. */
  requestPromptTokensBucket: 'aiplatform:serving_request_prompt_tokens_bucket',
  /** Generated tokens per request: cumulative histogram buckets (counter semantics), per pod and `le`. */
  requestGenerationTokensBucket: 'aiplatform:serving_request_generation_tokens_bucket',
} as const;

/**
 * The router's request counter (production-stack router, label `model`): it counts requests for a model
 * even with no replica. A router metric, so not in the engine tables (engines/<engine>.ts); the one place
 * the name is written. Source: vllm-project/production-stack src/vllm_router/services/metrics_service
 * (`num_incoming_requests_total`, prefix `vllm:`) and its KEDA tutorial's scale-from-zero query; checked 2026-12-07.
 */
export const ROUTER_REQUESTS_METRIC = 'vllm:num_incoming_requests_total';

const OUTCOME: { readonly [k in SignalKey]?: string } = { requestsFinished: 'finished', requestsAborted: 'aborted', requestsFailed: 'failed' };

/** The recorded series of a signal key. */
export function signalSeries(key: SignalKey): string {
  if (key in OUTCOME) return SERVING_SIGNALS.requests;
  return SERVING_SIGNALS[key as Exclude<SignalKey, 'requestsFinished' | 'requestsAborted' | 'requestsFailed'>];
}

/** A model whose engine feeds the common signals. */
export interface SignalSource {
  /** Model name (the `model` label). */
  readonly name: string;
  /** The engine's Service (the `service` label Prometheus puts on the engine's series). */
  readonly serviceName: string;
  /** The engine. */
  readonly engine: EngineDefinition;
  /** Most sequences batched at once, when set. */
  readonly maxNumSeqs?: number;
}

/** One recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Record<string, string>;
}

/** The recording rules that map each model's raw engine metrics to the common signals. */
export function signalRecordingRules(namespace: string, models: SignalSource[]): RecordingRule[] {
  const rules: RecordingRule[] = [];
  for (const m of models) {
    const selector = `namespace="${namespace}",service="${m.serviceName}"`;
    for (const [key, expr] of Object.entries(m.engine.signals) as [SignalKey, (s: string, m: { maxNumSeqs?: number }) => string][]) {
      const labels: Record<string, string> = { model: m.name, engine: m.engine.id };
      const outcome = OUTCOME[key];
      if (outcome) labels.outcome = outcome;
      rules.push({ record: signalSeries(key), expr: expr(selector, { maxNumSeqs: m.maxNumSeqs }), labels });
    }
  }
  return rules;
}

/** Label matcher of one model's common series. */
export function modelSignalSelector(namespace: string, model: string): string {
  return `namespace="${namespace}",model="${model}"`;
}
