// ServiceMonitors, alert rules and the Grafana dashboard of a serving stack (pure functions).
import { JsonObject, KubernetesObject } from '../k8s/values';
import { allEnginesSelector, routerSelector } from './engine-manifests';

/** One model as the dashboard and the alerts see it. */
export interface MonitoredModel {
  /** Served model name (the `model_name` label vLLM puts on its metrics). */
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

/** The KV-cache gauge under its current name, or its pre-0.10 name (`or` keeps whichever exists). */
export function kvCacheUsageExpr(selector: string): string {
  return `(vllm:kv_cache_usage_perc{${selector}} or vllm:gpu_cache_usage_perc{${selector}})`;
}

/** Label matcher of one model's engine series. */
export function engineSeries(namespace: string, model: string): string {
  return `namespace="${namespace}",model_name="${model}"`;
}

/** Escapes a literal for a PromQL regular-expression matcher. */
export function promRegexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}

/** ServiceMonitors for the engines and the router, carrying the backbone's selection labels. */
export function renderServiceMonitors(release: string, namespace: string, labels: Record<string, string>): KubernetesObject[] {
  return [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: `${release}-engines`, namespace, labels: { ...labels } },
      spec: {
        selector: { matchLabels: allEnginesSelector(release) },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{ port: 'http', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }],
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

/** Alert rules of a stack: high queue, high p95 latency, KV-cache saturation, no ready replicas. */
export function renderAlertRules(release: string, namespace: string, labels: Record<string, string>, models: MonitoredModel[], t: AlertThresholds): KubernetesObject {
  const engines = `namespace="${namespace}",model_name!=""`;
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
              `sum by (model_name) (vllm:num_requests_waiting{${engines}}) / count by (model_name) (vllm:num_requests_waiting{${engines}}) > ${t.queueDepth}`,
              '10m',
              'warning',
              'vLLM model {{ $labels.model_name }} has a long queue',
              `More than ${t.queueDepth} requests wait per replica of {{ $labels.model_name }} (now {{ $value | humanize }}): the autoscaler is at its maximum or GPU capacity is missing.`,
            ),
            rule(
              'VllmLatencyHigh',
              `histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket{${engines}}[5m]))) > ${t.latencyP95Seconds}`,
              '10m',
              'warning',
              'vLLM model {{ $labels.model_name }} is slow',
              `p95 end-to-end latency of {{ $labels.model_name }} is {{ $value | humanizeDuration }} (threshold ${t.latencyP95Seconds}s).`,
            ),
            rule(
              'VllmKvCacheSaturated',
              `max by (model_name) ${kvCacheUsageExpr(engines)} > ${t.kvCacheUsage}`,
              '10m',
              'warning',
              'vLLM model {{ $labels.model_name }} has a full KV cache',
              `KV-cache usage of {{ $labels.model_name }} is {{ $value | humanizePercentage }}: requests are preempted; add replicas or lower max-model-len.`,
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

function panel(id: number, title: string, type: string, exprs: [string, string][], gridPos: JsonObject, unit: string): JsonObject {
  return {
    id,
    title,
    type,
    datasource: { type: 'prometheus', uid: '$datasource' },
    gridPos,
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: exprs.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), expr, legendFormat, datasource: { type: 'prometheus', uid: '$datasource' } })),
  };
}

/**
 * The per-1M-output-tokens cost of a model: replicas × replica price ÷ 3600 ÷ output tokens/s × 1e6
 * (the price is the cheapest on-demand instance type of the pool, per GPU × tensor parallel).
 */
export function costPerMillionTokensExpr(namespace: string, m: MonitoredModel): string {
  const sel = engineSeries(namespace, m.name);
  return `(count(vllm:num_requests_running{${sel}}) * ${m.replicaHourlyUsd.toFixed(4)}) / 3600 / sum(rate(vllm:generation_tokens_total{${sel}}[15m])) * 1e6`;
}

/** The Grafana dashboard of a stack (JSON model). */
export function buildDashboard(release: string, namespace: string, models: MonitoredModel[]): JsonObject {
  const engines = `namespace="${namespace}",model_name!=""`;
  const w = (x: number, y: number, wd = 12, h = 8): JsonObject => ({ x, y, w: wd, h });
  type Spec = [title: string, type: string, exprs: [string, string][], gridPos: JsonObject, unit: string];
  const specs: Spec[] = [
    ['Output tokens/s', 'timeseries', [[`sum by (model_name) (rate(vllm:generation_tokens_total{${engines}}[5m]))`, '{{model_name}}']], w(0, 0), 'short'],
    ['Prompt tokens/s', 'timeseries', [[`sum by (model_name) (rate(vllm:prompt_tokens_total{${engines}}[5m]))`, '{{model_name}}']], w(12, 0), 'short'],
    ['Requests running / waiting', 'timeseries', [
      [`sum by (model_name) (vllm:num_requests_running{${engines}})`, 'running {{model_name}}'],
      [`sum by (model_name) (vllm:num_requests_waiting{${engines}})`, 'waiting {{model_name}}'],
    ], w(0, 8), 'short'],
    ['KV-cache usage', 'timeseries', [[`max by (model_name) ${kvCacheUsageExpr(engines)}`, '{{model_name}}']], w(12, 8), 'percentunit'],
    ['Latency p95', 'timeseries', [
      [`histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket{${engines}}[5m])))`, 'e2e {{model_name}}'],
      [`histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:time_to_first_token_seconds_bucket{${engines}}[5m])))`, 'TTFT {{model_name}}'],
    ], w(0, 16), 's'],
    ['Ready replicas', 'timeseries', [[`count by (model_name) (vllm:num_requests_running{${engines}})`, '{{model_name}}']], w(12, 16), 'short'],
    ['Router: incoming requests/s', 'timeseries', [[`sum by (model) (rate(vllm:num_incoming_requests_total{namespace="${namespace}"}[5m]))`, '{{model}}']], w(0, 24, 24), 'reqps'],
    ...models.map((m, i): Spec =>
      [`Est. cost per 1M output tokens: ${m.name} (USD ${m.replicaHourlyUsd.toFixed(2)}/h per replica on demand)`, 'stat', [[costPerMillionTokensExpr(namespace, m), m.name]], w((i % 3) * 8, 32 + Math.floor(i / 3) * 6, 8, 6), 'currencyUSD'],
    ),
  ];
  const panels = specs.map(([title, type, exprs, gridPos, unit], i) => panel(i + 1, title, type, exprs, gridPos, unit));
  return {
    uid: `vllm-${release}`.slice(0, 40),
    title: `vLLM serving: ${release} (${namespace})`,
    tags: ['vllm', 'serving', 'cdktf-ai-platform'],
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: { list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' }] },
    panels,
  };
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
