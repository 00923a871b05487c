// ServiceMonitors, recording rules (raw engine metrics -> common serving signals), alert rules and
// the Grafana dashboard of a serving stack (pure functions). Alerts and the dashboard read the
// common signals only (serving-signals.ts), so they hold for every engine.
import { JsonObject, KubernetesObject } from '../k8s/values';
import { grafanaDashboard, grafanaPanel } from '../observability/grafana-panel';
import { allEnginesSelector, routerSelector } from './engine-manifests';
import { ROUTER_REQUESTS_METRIC, SERVING_SIGNALS, SignalSource, modelSignalSelector, signalRecordingRules } from './serving-signals';

/** One model as the dashboard and the alerts see it. */
export interface MonitoredModel {
  /** Model name (the `model` label of the common signals). */
  readonly name: string;
  /** Engine Deployment name. */
  readonly deploymentName: string;
  /** On-demand price of one replica's GPUs (cheapest instance type in the pool), USD per hour. */
  readonly replicaHourlyUsd: number;
}

/** Thresholds of the alert rules. */
export interface AlertThresholds {
  /** Waiting requests per replica. */
  readonly queueDepth: number;
  /** p95 end-to-end latency, seconds. */
  readonly latencyP95Seconds: number;
  /** KV-cache usage fraction. */
  readonly kvCacheUsage: number;
  /** How long a model may have no ready replica while some are wanted (the cold-start budget), minutes. */
  readonly noReplicaMinutes: number;
}

/** Escapes a literal for a PromQL regular-expression matcher. */
export function promRegexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}

/**
 * ServiceMonitors for the engines and the router, carrying the backbone's selection labels. When an
 * engine of the stack guards `/metrics` with its API key (llama.cpp), the engine scrape sends the
 * key as a bearer token (engines whose `/metrics` is open ignore it).
 */
export function renderServiceMonitors(release: string, namespace: string, labels: Record<string, string>, bearer?: { readonly name: string; readonly key: string }): KubernetesObject[] {
  const engineEndpoint: JsonObject = { port: 'http', path: '/metrics', interval: '15s', scrapeTimeout: '10s' };
  if (bearer) engineEndpoint.authorization = { type: 'Bearer', credentials: { name: bearer.name, key: bearer.key } };
  return [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: `${release}-engines`, namespace, labels: { ...labels } },
      spec: {
        selector: { matchLabels: allEnginesSelector(release) },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [engineEndpoint],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: `${release}-router`, namespace, labels: { ...labels } },
      spec: {
        selector: { matchLabels: routerSelector(release) },
        namespaceSelector: { matchNames: [namespace] },
        // The chart names the router Service port `router-sport`.
        endpoints: [{ port: 'router-sport', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }],
      },
    },
  ];
}

/**
 * The recording rules of a stack: each model's raw engine metrics mapped to the common serving
 * signals (one PrometheusRule, evaluated before any alert or query reads the signals).
 */
export function renderSignalRules(release: string, namespace: string, labels: Record<string, string>, models: SignalSource[]): KubernetesObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${release}-serving-signals`, namespace, labels: { ...labels } },
    spec: {
      groups: [{ name: `${release}-serving-signals`, interval: '15s', rules: signalRecordingRules(namespace, models) as unknown as JsonObject[] }],
    },
  };
}

/**
 * Alert rules of a stack: high queue, high p95 latency, KV-cache saturation, no ready replicas. The
 * names keep their `Vllm` prefix (alert routing keys on them); the `engine` label says which engine.
 */
export function renderAlertRules(release: string, namespace: string, labels: Record<string, string>, models: MonitoredModel[], t: AlertThresholds): KubernetesObject {
  const engines = `namespace="${namespace}",model!=""`;
  const S = SERVING_SIGNALS;
  const deployments = models.map((m) => promRegexEscape(m.deploymentName)).join('|');
  const rule = (alert: string, expr: string, forDuration: string, severity: string, summary: string, description: string): JsonObject => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity, namespace, release },
    annotations: { summary, description },
  });
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${release}-vllm`, namespace, labels: { ...labels } },
    spec: {
      groups: [
        {
          name: `${release}-vllm`,
          rules: [
            rule(
              'VllmQueueHigh',
              `sum by (model, engine) (${S.requestsWaiting}{${engines}}) / count by (model, engine) (${S.requestsWaiting}{${engines}}) > ${t.queueDepth}`,
              '10m',
              'warning',
              'Model {{ $labels.model }} has a long queue',
              `More than ${t.queueDepth} requests wait per replica of {{ $labels.model }} (now {{ $value | humanize }}): the autoscaler is at its maximum or GPU capacity is missing.`,
            ),
            rule(
              'VllmLatencyHigh',
              `histogram_quantile(0.95, sum by (le, model, engine) (${S.e2eLatencyBucket}{${engines}})) > ${t.latencyP95Seconds}`,
              '10m',
              'warning',
              'Model {{ $labels.model }} is slow',
              `p95 end-to-end latency of {{ $labels.model }} is {{ $value | humanizeDuration }} (threshold ${t.latencyP95Seconds}s).`,
            ),
            rule(
              'VllmKvCacheSaturated',
              `max by (model, engine) (${S.kvCacheUsage}{${engines}}) > ${t.kvCacheUsage}`,
              '10m',
              'warning',
              'Model {{ $labels.model }} has a full KV cache',
              `KV-cache usage of {{ $labels.model }} is {{ $value | humanizePercentage }}: requests are preempted; add replicas or lower max-model-len.`,
            ),
            rule(
              'VllmNoReadyReplicas',
              `(kube_deployment_spec_replicas{namespace="${namespace}",deployment=~"${deployments}"} > 0) and on (namespace, deployment) (kube_deployment_status_replicas_available{namespace="${namespace}",deployment=~"${deployments}"} == 0)`,
              `${t.noReplicaMinutes}m`,
              'critical',
              'vLLM deployment {{ $labels.deployment }} has no ready replica',
              `{{ $labels.deployment }} wants replicas but none has been ready for ${t.noReplicaMinutes} minutes (longer than its cold-start budget): check GPU capacity, image pull and model download.`,
            ),
          ],
        },
      ],
    },
  };
}

/**
 * The per-1M-output-tokens cost of a model: replicas × replica price ÷ 3600 ÷ output tokens/s × 1e6
 * (the price is the cheapest on-demand instance type of the pool, per GPU × tensor parallel).
 */
export function costPerMillionTokensExpr(namespace: string, m: MonitoredModel): string {
  const sel = modelSignalSelector(namespace, m.name);
  return `(count(${SERVING_SIGNALS.requestsRunning}{${sel}}) * ${m.replicaHourlyUsd.toFixed(4)}) / 3600 / sum(avg_over_time(${SERVING_SIGNALS.generationTokens}{${sel}}[15m])) * 1e6`;
}

/** The Grafana dashboard of a stack (JSON model). */
export function buildDashboard(release: string, namespace: string, models: MonitoredModel[]): JsonObject {
  const engines = `namespace="${namespace}",model!=""`;
  const S = SERVING_SIGNALS;
  const w = (x: number, y: number, wd = 12, h = 8): JsonObject => ({ x, y, w: wd, h });
  type Spec = [title: string, type: string, exprs: [string, string][], gridPos: JsonObject, unit: string];
  const specs: Spec[] = [
    ['Output tokens/s', 'timeseries', [[`sum by (model) (${S.generationTokens}{${engines}})`, '{{model}}']], w(0, 0), 'short'],
    ['Prompt tokens/s', 'timeseries', [[`sum by (model) (${S.promptTokens}{${engines}})`, '{{model}}']], w(12, 0), 'short'],
    ['Requests running / waiting', 'timeseries', [
      [`sum by (model) (${S.requestsRunning}{${engines}})`, 'running {{model}}'],
      [`sum by (model) (${S.requestsWaiting}{${engines}})`, 'waiting {{model}}'],
    ], w(0, 8), 'short'],
    ['KV-cache usage', 'timeseries', [[`max by (model) (${S.kvCacheUsage}{${engines}})`, '{{model}}']], w(12, 8), 'percentunit'],
    ['Latency p95', 'timeseries', [
      [`histogram_quantile(0.95, sum by (le, model) (${S.e2eLatencyBucket}{${engines}}))`, 'e2e {{model}}'],
      [`histogram_quantile(0.95, sum by (le, model) (${S.ttftBucket}{${engines}}))`, 'TTFT {{model}}'],
    ], w(0, 16), 's'],
    ['Ready replicas', 'timeseries', [[`count by (model) (${S.requestsRunning}{${engines}})`, '{{model}}']], w(12, 16), 'short'],
    ['Requests/s by outcome', 'timeseries', [[`sum by (model, outcome) (${S.requests}{${engines}})`, '{{outcome}} {{model}}']], w(0, 24), 'reqps'],
    ['Router: incoming requests/s', 'timeseries', [[`sum by (model) (rate(${ROUTER_REQUESTS_METRIC}{namespace="${namespace}"}[5m]))`, '{{model}}']], w(12, 24), 'reqps'],
    ...models.map((m, i): Spec =>
      [`Est. cost per 1M output tokens: ${m.name} (USD ${m.replicaHourlyUsd.toFixed(2)}/h per replica on demand)`, 'stat', [[costPerMillionTokensExpr(namespace, m), m.name]], w((i % 3) * 8, 32 + Math.floor(i / 3) * 6, 8, 6), 'currencyUSD'],
    ),
  ];
  const panels = specs.map(([title, type, exprs, gridPos, unit], i) => grafanaPanel(i + 1, title, type, exprs, gridPos, unit));
  return grafanaDashboard({
    uid: `vllm-${release}`.slice(0, 40),
    title: `Serving: ${release} (${namespace})`,
    tags: ['vllm', 'serving', 'cdktf-ai-platform'],
    from: 'now-6h',
    refresh: '30s',
    panels,
  });
}

/** The dashboard as a ConfigMap Grafana's sidecar loads (in the backbone's namespace, with its labels). */
export function renderDashboardConfigMap(release: string, namespace: string, dashboardNamespace: string, labels: Record<string, string>, models: MonitoredModel[]): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${release}-vllm-dashboard`, namespace: dashboardNamespace, labels: { ...labels } },
    data: { [`vllm-${release}.json`]: JSON.stringify(buildDashboard(release, namespace, models)) },
  };
}
