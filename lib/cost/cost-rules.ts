// Live unit economics as Prometheus rules (pure functions): the price of every GPU node (catalog
// on-demand prices as constant series, the spot price pushed by the spot price job or the catalog's
// spot assumption), the attribution of GPU spend to models (and rollout revisions) from the pods' GPU
// requests, idle spend, tokens and requests from the common serving signals, GPU utilization from
// DCGM, spot share; alerts on cost per 1M tokens regressions, idle spend and low utilization; the
// Grafana dashboard. Reads only kube-state-metrics, DCGM and the common serving signals
// (lib/serving/serving-signals.ts), never an engine's own metric names. docs/cost.md documents them.
import { Duration } from '../core/units';
import { GPU_INSTANCE_TYPES, GPU_PRICE_SOURCE } from '../gpu/catalog';
import { JsonObject } from '../k8s/values';
import { grafanaDashboard, grafanaPanel } from '../observability/grafana-panel';
import { PrometheusRuleEntry, PrometheusRuleGroup } from '../observability/monitoring-objects';
import { SERVING_SIGNALS } from '../serving/serving-signals';
import { CAPACITY_TYPES, COST_SERIES, PRICE_SOURCES, ROLLOUT_REVISION_POD_LABEL, ROLLOUT_ROLE_POD_LABEL, kubeStateMetricsLabel } from './definitions';
import { byCodeUnit } from '../core/names';

/** Node labels the cost rules read from `kube_node_labels` (kube-state-metrics must allow them). */
export const COST_NODE_LABELS = {
  /** Well-known label set by the kubelet from the cloud provider. */
  instanceType: 'node.kubernetes.io/instance-type',
  /** Well-known zone label. */
  zone: 'topology.kubernetes.io/zone',
  /** Karpenter: `spot`, `on-demand` or `reserved`. */
  karpenterCapacityType: 'karpenter.sh/capacity-type',
  /** EKS managed node groups: `SPOT` or `ON_DEMAND`. */
  eksCapacityType: 'eks.amazonaws.com/capacityType',
} as const;

/**
 * kube-state-metrics `--metric-labels-allowlist` entries the cost rules need: the node labels above
 * and the rollout pod labels (revision and role).
 */
export function costMetricLabelsAllowlist(): string[] {
  const n = COST_NODE_LABELS;
  return [
    `nodes=[${[n.instanceType, n.zone, n.karpenterCapacityType, n.eksCapacityType].join(',')}]`,
    `pods=[${[ROLLOUT_REVISION_POD_LABEL, ROLLOUT_ROLE_POD_LABEL].join(',')}]`,
  ];
}

/** Evaluation interval of the cost rules (the report integrates the series over 1-minute steps). */
export const COST_RULE_INTERVAL = Duration.minutes(1);

/** Options of the cost rules. */
export interface CostRuleOptions {
  /** Spot price as a share of on-demand where no spot price was pushed (0–1]. */
  readonly spotPriceFactor: number;
}

/** Thresholds of the cost alerts. */
export interface CostAlertThresholds {
  /** Cost per 1M output tokens over the last `regressionWindow` may be at most this much dearer than a week earlier (0.25 = 25 %). */
  readonly costRegressionRatio: number;
  /** Window compared with the same window a week earlier. */
  readonly regressionWindow: Duration;
  /** How long the regression must hold. */
  readonly regressionFor: Duration;
  /** Idle GPU spend of the cluster above which `AiPlatformGpuIdleSpendHigh` fires, USD/h. */
  readonly idleSpendUsdPerHour: number;
  /** How long idle spend must stay above the threshold. */
  readonly idleSpendFor: Duration;
  /** GPU utilization (0–1) of a model below which `AiPlatformModelGpuUtilizationLow` fires. */
  readonly minUtilization: number;
  /** How long utilization must stay below the threshold. */
  readonly utilizationFor: Duration;
}

const MODEL = 'namespace, model, revision, role';
const S = COST_SERIES;

function ksm(key: string): string {
  return kubeStateMetricsLabel(key);
}

/**
 * The catalog prices as constant series: one rule per instance type, and one deriving the assumed
 * spot prices from them (on-demand × the spot factor).
 */
function catalogPriceRules(spotFactor: number): PrometheusRuleEntry[] {
  const rules: PrometheusRuleEntry[] = Object.values(GPU_INSTANCE_TYPES)
    .sort((a, b) => byCodeUnit(a.name, b.name))
    .map((t) => ({ record: S.onDemandPrice, expr: `vector(${t.onDemandHourlyUsd})`, labels: { instance_type: t.name, price_source: PRICE_SOURCES.catalogOnDemand } }));
  rules.push({ record: S.spotAssumedPrice, expr: `label_replace(${S.onDemandPrice} * ${spotFactor}, "price_source", "${PRICE_SOURCES.catalogSpotAssumption}", "", "")`, labels: {} });
  return rules;
}

/** GPU nodes normalized: node, instance type, capacity type, zone. */
function nodeInfoRules(): PrometheusRuleEntry[] {
  const karpenter = ksm(COST_NODE_LABELS.karpenterCapacityType);
  const eks = ksm(COST_NODE_LABELS.eksCapacityType);
  const gpuNodes = 'max by (node) (kube_node_status_capacity{resource="nvidia_com_gpu"}) > 0';
  const info = (selector: string, capacityType: string): PrometheusRuleEntry => ({
    record: S.nodeInfo,
    expr: `max by (node, instance_type, capacity_type, zone) (label_replace(label_replace(label_replace(${selector}, "capacity_type", "${capacityType}", "", ""), "instance_type", "$1", "${ksm(COST_NODE_LABELS.instanceType)}", "(.*)"), "zone", "$1", "${ksm(COST_NODE_LABELS.zone)}", "(.*)")) and on (node) (${gpuNodes})`,
    labels: {},
  });
  return [
    info(`(kube_node_labels{${karpenter}="spot"} or kube_node_labels{${eks}="SPOT"})`, CAPACITY_TYPES.spot),
    info(`(kube_node_labels{${karpenter}="on-demand"} or kube_node_labels{${eks}="ON_DEMAND"})`, CAPACITY_TYPES.onDemand),
    info(`kube_node_labels{${karpenter}="reserved"}`, CAPACITY_TYPES.reserved),
    // Anything else (no label, a managed node group's CAPACITY_BLOCK, a value added later): priced on demand.
    info(`(kube_node_labels unless on (node) (kube_node_labels{${karpenter}=~"spot|on-demand|reserved"} or kube_node_labels{${eks}=~"SPOT|ON_DEMAND"}))`, CAPACITY_TYPES.unknown),
  ];
}

/** The recording rules, in evaluation order (each rule reads only series recorded above it or raw series). */
export function costRecordingRules(o: CostRuleOptions): PrometheusRuleEntry[] {
  const spot = `capacity_type="${CAPACITY_TYPES.spot}"`;
  const pushedSpot = `label_replace(max by (instance_type, zone) (${S.spotPricePushed}), "price_source", "${PRICE_SOURCES.spotPriceHistory}", "", "")`;
  const podInfo = `(max by (namespace, pod, model, engine) (${SERVING_SIGNALS.requestsRunning}) * 0 + 1)`;
  const rolloutLabels = `max by (namespace, pod, revision, role) (label_replace(label_replace(kube_pod_labels{${ksm(ROLLOUT_REVISION_POD_LABEL)}!=""}, "revision", "$1", "${ksm(ROLLOUT_REVISION_POD_LABEL)}", "(.*)"), "role", "$1", "${ksm(ROLLOUT_ROLE_POD_LABEL)}", "(.*)"))`;
  const withRollout = (series: string) => `${series} * on (namespace, pod) group_left(revision, role) ${S.servingPodInfo}`;
  const perModel = (series: string) => `sum by (${MODEL}) (${withRollout(series)})`;
  const r = (record: string, expr: string): PrometheusRuleEntry => ({ record, expr, labels: {} });
  return [
    ...catalogPriceRules(o.spotPriceFactor),
    ...nodeInfoRules(),
    r(S.nodeGpus, `max by (node) (kube_node_status_capacity{resource="nvidia_com_gpu"}) * on (node) group_left(instance_type, capacity_type, zone) ${S.nodeInfo}`),
    // Prices: on demand from the catalog; spot from the pushed spot price of the type in the node's
    // zone, else the catalog's spot assumption. price_source says which.
    r(S.nodePrice, `${S.nodeInfo}{capacity_type!="${CAPACITY_TYPES.spot}"} * on (instance_type) group_left(price_source) ${S.onDemandPrice}`),
    r(S.nodePrice, `${S.nodeInfo}{${spot}} * on (instance_type, zone) group_left(price_source) ${pushedSpot}`),
    r(S.nodePrice, `(${S.nodeInfo}{${spot}} unless on (instance_type, zone) ${S.spotPricePushed}) * on (instance_type) group_left(price_source) ${S.spotAssumedPrice}`),
    r(S.nodeGpuPrice, `${S.nodePrice} / on (node) group_left() ${S.nodeGpus}`),
    // GPU requests of running pods, on the node kube_pod_info places them.
    r(S.podGpus, `sum by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) * on (namespace, pod) group_left(node) max by (namespace, pod, node) (kube_pod_info{node!=""}) * on (namespace, pod) group_left() (max by (namespace, pod) (kube_pod_status_phase{phase="Running"}) == 1)`),
    // Serving pods: the pods reporting the common signals, with the rollout revision and role when set.
    r(S.servingPodInfo, `(${podInfo} * on (namespace, pod) group_left(revision, role) ${rolloutLabels}) or on (namespace, pod) ${podInfo}`),
    r(S.servingPodGpus, `${S.podGpus} * on (namespace, pod) group_left(model, engine, revision, role) ${S.servingPodInfo} * on (node) group_left(instance_type, capacity_type) ${S.nodeInfo}`),
    r(S.servingPodCost, `${S.servingPodGpus} * on (node) group_left(price_source) ${S.nodeGpuPrice}`),
    r(S.servingPodUtilization, `avg by (namespace, pod, model, engine, revision, role) (DCGM_FI_DEV_GPU_UTIL{pod!=""} / 100 * on (namespace, pod) group_left(model, engine, revision, role) ${S.servingPodInfo})`),
    // Per model (and revision/role).
    r(S.modelGpus, `sum by (${MODEL}, capacity_type) (${S.servingPodGpus})`),
    r(S.modelCost, `sum by (${MODEL}) (${S.servingPodCost})`),
    r(S.modelOutputTokens, perModel(SERVING_SIGNALS.generationTokens)),
    r(S.modelPromptTokens, perModel(SERVING_SIGNALS.promptTokens)),
    r(S.modelRequests, perModel(SERVING_SIGNALS.requests)),
    r(S.modelCostPerMillionOutputTokens, `${S.modelCost} / 3600 / (${S.modelOutputTokens} > 0) * 1e6`),
    r(S.modelCostPerMillionTokens, `${S.modelCost} / 3600 / ((${S.modelPromptTokens} + ${S.modelOutputTokens}) > 0) * 1e6`),
    r(S.modelCostPerRequest, `${S.modelCost} / 3600 / (${S.modelRequests} > 0)`),
    r(S.modelUtilization, `avg by (${MODEL}) (DCGM_FI_DEV_GPU_UTIL{pod!=""} / 100 * on (namespace, pod) group_left(model, revision, role) ${S.servingPodInfo})`),
    r(S.modelSpotShare, `(sum by (${MODEL}) (${S.modelGpus}{${spot}}) or sum by (${MODEL}) (${S.modelGpus}) * 0) / sum by (${MODEL}) (${S.modelGpus})`),
    // Idle: GPUs of a node no running pod requests.
    r(S.nodeIdleGpus, `clamp_min(${S.nodeGpus} - on (node) group_left() sum by (node) (${S.podGpus}), 0) or ${S.nodeGpus}`),
    r(S.nodeIdleCost, `${S.nodeIdleGpus} * on (node) group_left(price_source) ${S.nodeGpuPrice}`),
    r(S.idleGpus, `sum(${S.nodeIdleGpus})`),
    r(S.idleCost, `sum(${S.nodeIdleCost})`),
    r(S.gpuCost, `sum by (capacity_type) (${S.nodePrice})`),
    r(S.spotShare, `(sum(${S.nodeGpus}{${spot}}) or vector(0)) / sum(${S.nodeGpus})`),
  ];
}

/** The recording rule group (one group: rules are evaluated in order, each sees the ones above). */
export function costRecordingRuleGroups(o: CostRuleOptions): PrometheusRuleGroup[] {
  return [{ name: 'aiplatform-cost', interval: COST_RULE_INTERVAL, rules: costRecordingRules(o) }];
}

const dollars = (x: number) => x.toFixed(2);

/** The alert rules. */
export function costAlertRuleGroups(t: CostAlertThresholds): PrometheusRuleGroup[] {
  const w = t.regressionWindow.toGoDuration();
  const perToken = (offset: string) =>
    `(sum by (namespace, model) (avg_over_time(${S.modelCost}[${w}]${offset})) / sum by (namespace, model) (avg_over_time(${S.modelOutputTokens}[${w}]${offset})))`;
  const pct = Math.round(t.costRegressionRatio * 100);
  return [{
    name: 'aiplatform-cost-alerts',
    rules: [
      {
        alert: 'AiPlatformCostPerMillionTokensRegressed',
        expr: `${perToken('')} / ${perToken(' offset 1w')} > ${1 + t.costRegressionRatio}`,
        forDuration: t.regressionFor,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Model {{ $labels.model }} costs more per token than a week ago',
          description: `Cost per 1M output tokens of {{ $labels.model }} (namespace {{ $labels.namespace }}) over the last ${w} is {{ $value | humanizePercentage }} of the same ${w} a week ago (threshold +${pct}%): throughput fell (longer prompts, smaller batches, a slower revision) or GPUs got dearer (on-demand instead of spot). See docs/cost.md.`,
        },
      },
      {
        alert: 'AiPlatformGpuIdleSpendHigh',
        expr: `${S.idleCost} > ${t.idleSpendUsdPerHour}`,
        forDuration: t.idleSpendFor,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Idle GPUs cost more than the threshold',
          description: `GPUs no pod requests cost {{ $value | printf "%.2f" }} USD/h (threshold ${dollars(t.idleSpendUsdPerHour)} USD/h for ${t.idleSpendFor.toGoDuration()}): lower minReplicas, let the autoscaler consolidate, or pick smaller instance types. See docs/cost.md.`,
        },
      },
      {
        alert: 'AiPlatformModelGpuUtilizationLow',
        expr: `${S.modelUtilization} < ${t.minUtilization}`,
        forDuration: t.utilizationFor,
        labels: { severity: 'info' },
        annotations: {
          summary: 'Model {{ $labels.model }} uses little of its GPUs',
          description: `GPU utilization of {{ $labels.model }} (namespace {{ $labels.namespace }}) is {{ $value | humanizePercentage }} (threshold ${Math.round(t.minUtilization * 100)}% for ${t.utilizationFor.toGoDuration()}): fewer replicas, a smaller GPU, or MIG slices would cost less. See docs/cost.md.`,
        },
      },
    ],
  }];
}

/**
 * The query comparing a canary's cost per 1M output tokens with the stable's (rollout analysis):
 * canary ÷ stable, above 1 when the canary is dearer. Both sides over `window`.
 */
export function canaryCostRatioQuery(namespace: string, model: string, window = '10m'): string {
  const side = (role: string) =>
    `sum(avg_over_time(${S.modelCost}{namespace="${namespace}",model="${model}",role="${role}"}[${window}])) / sum(avg_over_time(${S.modelOutputTokens}{namespace="${namespace}",model="${model}",role="${role}"}[${window}]))`;
  return `(${side('canary')}) / (${side('stable')})`;
}

/** The Grafana dashboard of the cost series (JSON model). */
export function costDashboard(): JsonObject {
  const panel = (id: number, title: string, type: string, exprs: [string, string][], x: number, y: number, unit: string, w = 12, h = 8): JsonObject =>
    grafanaPanel(id, title, type, exprs, { x, y, w, h }, unit);
  const panels = [
    panel(1, 'Cost per 1M output tokens per model', 'timeseries', [[`sum by (namespace, model) (${S.modelCost}) / 3600 / sum by (namespace, model) (${S.modelOutputTokens}) * 1e6`, '{{model}}']], 0, 0, 'currencyUSD'),
    panel(2, 'Cost per 1M output tokens: canary vs stable', 'timeseries', [[`${S.modelCostPerMillionOutputTokens}{role!=""}`, '{{model}} {{role}} {{revision}}']], 12, 0, 'currencyUSD'),
    panel(3, 'GPU spend per model (USD/h)', 'timeseries', [[`sum by (namespace, model) (${S.modelCost})`, '{{model}}'], [`${S.idleCost}`, 'idle']], 0, 8, 'currencyUSD'),
    panel(4, 'Idle GPU spend (USD/h)', 'stat', [[`${S.idleCost}`, 'idle'], [`${S.idleGpus}`, 'idle GPUs']], 12, 8, 'currencyUSD', 6),
    panel(5, 'Spot share of GPUs', 'stat', [[`${S.spotShare}`, 'cluster']], 18, 8, 'percentunit', 6),
    panel(6, 'GPU utilization per model', 'timeseries', [[`avg by (namespace, model) (${S.modelUtilization})`, '{{model}}']], 0, 16, 'percentunit'),
    panel(7, 'Spot share per model', 'timeseries', [[`sum by (namespace, model) (${S.modelGpus}{capacity_type="spot"}) / sum by (namespace, model) (${S.modelGpus})`, '{{model}}']], 12, 16, 'percentunit'),
    panel(8, 'Cost per request per model', 'timeseries', [[`sum by (namespace, model) (${S.modelCost}) / 3600 / sum by (namespace, model) (${S.modelRequests})`, '{{model}}']], 0, 24, 'currencyUSD'),
    panel(9, 'GPU node prices and their source (USD/h)', 'table', [[`${S.nodePrice}`, '{{node}} {{instance_type}} {{capacity_type}} {{price_source}}']], 12, 24, 'currencyUSD'),
  ];
  return grafanaDashboard({
    uid: 'aiplatform-cost',
    title: 'AI platform: GPU cost and unit economics',
    description: `Live GPU cost per model from node prices (on demand: ${GPU_PRICE_SOURCE.source}, ${GPU_PRICE_SOURCE.date}; spot: pushed spot price or the catalog assumption). docs/cost.md`,
    tags: ['cost', 'gpu', 'cdktf-ai-platform'],
    from: 'now-7d',
    refresh: '5m',
    panels,
  });
}
