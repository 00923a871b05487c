/* eslint-disable @typescript-eslint/no-explicit-any */
// The cost recording rules and alerts through promtool, on a small synthetic platform:
//   n1  g6e.2xlarge   1 GPU  Karpenter spot, us-east-1a   a spot price of 0.90 $/h is pushed for it
//   n2  g6e.12xlarge  4 GPUs managed node group ON_DEMAND  catalog 10.493 $/h -> 2.62325 $/GPU-h
//   n3  g5.xlarge     1 GPU  Karpenter spot, us-east-1c   no pushed price: catalog 1.006 x 0.4 = 0.4024 $/h; idle
//   n4  m5.large      no GPU (ignored)
// Pods: chat-0 (vLLM, stable revision abc) 1 GPU on n1; chat-1 (vLLM, canary revision def) 1 GPU on n2;
// embed-0 (SGLang) 2 GPUs on n2; jobs/eval-job (not serving) 1 GPU on n2; pending-0 (no node) 1 GPU.
// Engine series are raw vLLM and SGLang counters, mapped by the stack's own signal rules; the cost
// rules read only the common signals. Every expected value below is worked out by hand in the comments.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { CostMonitoring, canaryCostRatioQuery } from '../../lib/cost';
import { costReportQueries } from '../../lib/jobs/cost/run';
import { Duration } from '../../lib/core/units';
import { engineDefinition } from '../../lib/serving/engines';
import { signalRecordingRules } from '../../lib/serving/serving-signals';
import { awsStack, synth } from '../harness/synth';
import { FakeMetrics } from '../serving/fakes';

type Obj = Record<string, any>;
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
const maybe = hasPromtool || process.env.CI ? test : test.skip;

/** The rule groups as the construct renders them (through synth and the release values). */
function renderedGroups(props: Obj): Obj[] {
  const stack = awsStack();
  const metrics = new FakeMetrics(stack, 'metrics');
  new CostMonitoring(stack, 'cost', { metrics, ...props });
  const s = synth(stack);
  const r = Object.values(s.resource?.helm_release ?? {}).find((x: any) => x.name === 'aiplatform-cost') as Obj;
  return (YAML.parse(r.values[0]).manifests as Obj[]).filter((m) => m.kind === 'PrometheusRule').flatMap((m) => m.spec.groups);
}

const signalGroup = {
  name: 'serving-signals',
  interval: '1m',
  rules: signalRecordingRules('serve', [
    { name: 'chat', serviceName: 'serve-chat-engine', engine: engineDefinition('vllm') },
    { name: 'embed', serviceName: 'serve-embed-engine', engine: engineDefinition('sglang') },
  ]),
};

const node = (n: string, type: string, zone: string, capacity: Obj) => ({
  series: `kube_node_labels{node="${n}",label_node_kubernetes_io_instance_type="${type}",label_topology_kubernetes_io_zone="${zone}"${Object.entries(capacity).map(([k, v]) => `,${k}="${v}"`).join('')}}`, values: '1x120',
});
const gpuCap = (n: string, gpus: number) => ({ series: `kube_node_status_capacity{node="${n}",resource="nvidia_com_gpu",unit="integer"}`, values: `${gpus}x120` });
const pod = (ns: string, p: string, n: string, gpus: number, phase = 'Running') => [
  { series: `kube_pod_container_resource_requests{namespace="${ns}",pod="${p}",container="main",node="${n}",resource="nvidia_com_gpu",unit="integer"}`, values: `${gpus}x120` },
  { series: `kube_pod_container_resource_requests{namespace="${ns}",pod="${p}",container="main",node="${n}",resource="cpu",unit="core"}`, values: '4x120' },
  { series: `kube_pod_info{namespace="${ns}",pod="${p}",node="${n}",uid="u-${p}"}`, values: '1x120' },
  { series: `kube_pod_status_phase{namespace="${ns}",pod="${p}",uid="u-${p}",phase="Running"}`, values: `${phase === 'Running' ? 1 : 0}x120` },
  { series: `kube_pod_status_phase{namespace="${ns}",pod="${p}",uid="u-${p}",phase="Pending"}`, values: `${phase === 'Pending' ? 1 : 0}x120` },
];
const engine = (model: string, p: string) => `namespace="serve",service="serve-${model}-engine",pod="${p}"`;
const dcgm = (host: string, gpu: number, ns: string, p: string, util: number) => ({
  series: `DCGM_FI_DEV_GPU_UTIL{Hostname="${host}",gpu="${gpu}",UUID="GPU-${host}-${gpu}",namespace="${ns}",pod="${p}"}`, values: `${util}x120`,
});

/** The synthetic platform (1-minute samples, 120 minutes). Counters grow by N per minute = N/60 per second. */
const platform = [
  node('n1', 'g6e.2xlarge', 'us-east-1a', { label_karpenter_sh_capacity_type: 'spot' }),
  node('n2', 'g6e.12xlarge', 'us-east-1b', { label_eks_amazonaws_com_capacity_type: 'ON_DEMAND' }),
  node('n3', 'g5.xlarge', 'us-east-1c', { label_karpenter_sh_capacity_type: 'spot' }),
  node('n4', 'm5.large', 'us-east-1a', { label_karpenter_sh_capacity_type: 'on-demand' }),
  gpuCap('n1', 1), gpuCap('n2', 4), gpuCap('n3', 1),
  { series: 'kube_node_status_capacity{node="n4",resource="cpu",unit="core"}', values: '2x120' },
  // Real spot prices pushed by the spot price job: n1's type and zone, plus two that match no node.
  { series: 'aiplatform_spot_price_usd_per_hour{job="aiplatform-spot-prices",instance="",instance_type="g6e.2xlarge",zone="us-east-1a"}', values: '0.9x120' },
  { series: 'aiplatform_spot_price_usd_per_hour{job="aiplatform-spot-prices",instance="",instance_type="g6e.2xlarge",zone="us-east-1b"}', values: '0.95x120' },
  { series: 'aiplatform_spot_price_usd_per_hour{job="aiplatform-spot-prices",instance="",instance_type="g5.xlarge",zone="us-east-1a"}', values: '0.3x120' },
  ...pod('serve', 'chat-0', 'n1', 1), ...pod('serve', 'chat-1', 'n2', 1), ...pod('serve', 'embed-0', 'n2', 2),
  ...pod('jobs', 'eval-job', 'n2', 1), ...pod('serve', 'pending-0', '', 1, 'Pending'),
  { series: 'kube_pod_labels{namespace="serve",pod="chat-0",uid="u-chat-0",label_rollouts_pod_template_hash="abc",label_aiplatform_io_rollout_role="stable"}', values: '1x120' },
  { series: 'kube_pod_labels{namespace="serve",pod="chat-1",uid="u-chat-1",label_rollouts_pod_template_hash="def",label_aiplatform_io_rollout_role="canary"}', values: '1x120' },
  { series: 'kube_pod_labels{namespace="serve",pod="embed-0",uid="u-embed-0"}', values: '1x120' },
  // chat-0: 30 output tok/s, 60 prompt tok/s, 1 req/s. chat-1: 10, 20, 0.5. embed-0 (SGLang): 100, 200, 2.
  { series: `vllm:num_requests_running{${engine('chat', 'chat-0')}}`, values: '3x120' },
  { series: `vllm:generation_tokens_total{${engine('chat', 'chat-0')}}`, values: '0+1800x120' },
  { series: `vllm:prompt_tokens_total{${engine('chat', 'chat-0')}}`, values: '0+3600x120' },
  { series: `vllm:request_success_total{${engine('chat', 'chat-0')},finished_reason="stop"}`, values: '0+60x120' },
  { series: `vllm:num_requests_running{${engine('chat', 'chat-1')}}`, values: '1x120' },
  { series: `vllm:generation_tokens_total{${engine('chat', 'chat-1')}}`, values: '0+600x120' },
  { series: `vllm:prompt_tokens_total{${engine('chat', 'chat-1')}}`, values: '0+1200x120' },
  { series: `vllm:request_success_total{${engine('chat', 'chat-1')},finished_reason="length"}`, values: '0+30x120' },
  { series: `sglang:num_running_reqs{${engine('embed', 'embed-0')}}`, values: '2x120' },
  { series: `sglang:generation_tokens_total{${engine('embed', 'embed-0')}}`, values: '0+6000x120' },
  { series: `sglang:prompt_tokens_total{${engine('embed', 'embed-0')}}`, values: '0+12000x120' },
  { series: `sglang:num_requests_total{${engine('embed', 'embed-0')}}`, values: '0+120x120' },
  // DCGM, with the exporter's pod mapping (honorLabels): chat-0 80 %, chat-1 40 %, embed-0 20 % and 10 %,
  // eval-job 90 %; n3's idle GPU carries the exporter's own pod labels.
  dcgm('n1', 0, 'serve', 'chat-0', 80), dcgm('n2', 0, 'serve', 'chat-1', 40), dcgm('n2', 1, 'serve', 'embed-0', 20), dcgm('n2', 2, 'serve', 'embed-0', 10),
  dcgm('n2', 3, 'jobs', 'eval-job', 90), dcgm('n3', 0, 'gpu-operator', 'nvidia-dcgm-exporter-n3', 0),
];

const stable = 'namespace="serve",model="chat",revision="abc",role="stable"';
const canary = 'namespace="serve",model="chat",revision="def",role="canary"';
const embed = 'namespace="serve",model="embed"';
/** [series selector, hand-computed value, tolerance]: 0.005 for dollars (half a cent), 1e-6 for ratios and per-request cents. */
const CENT = 0.005;
const expected: [string, number, number][] = [
  // Node prices: n1 the pushed spot price; n2 the catalog's on-demand price; n3 1.006 x 0.4.
  ['aiplatform:gpu_node_price_usd_per_hour{node="n1",price_source="spot_price_history",capacity_type="spot",instance_type="g6e.2xlarge",zone="us-east-1a"}', 0.9, CENT],
  ['aiplatform:gpu_node_price_usd_per_hour{node="n2",price_source="catalog_on_demand",capacity_type="on_demand"}', 10.493, CENT],
  ['aiplatform:gpu_node_price_usd_per_hour{node="n3",price_source="catalog_spot_assumption",capacity_type="spot"}', 0.4024, CENT],
  ['aiplatform:gpu_node_gpu_price_usd_per_hour{node="n2"}', 2.62325, CENT], // 10.493 / 4
  ['aiplatform:pod_gpus{namespace="serve",pod="embed-0",node="n2"}', 2, 1e-9],
  // Model spend: chat stable 1 GPU x 0.90; chat canary 1 x 2.62325; embed 2 x 2.62325 = 5.2465.
  [`aiplatform:model_cost_usd_per_hour{${stable}}`, 0.9, CENT],
  [`aiplatform:model_cost_usd_per_hour{${canary}}`, 2.62325, CENT],
  [`aiplatform:model_cost_usd_per_hour{${embed}}`, 5.2465, CENT],
  [`aiplatform:model_gpus{${stable},capacity_type="spot"}`, 1, 1e-9],
  [`aiplatform:model_gpus{${embed},capacity_type="on_demand"}`, 2, 1e-9],
  [`aiplatform:model_output_tokens_per_second{${stable}}`, 30, 1e-6],
  [`aiplatform:model_prompt_tokens_per_second{${embed}}`, 200, 1e-6],
  [`aiplatform:model_requests_per_second{${canary}}`, 0.5, 1e-6],
  // Per 1M output tokens: 0.90 / 3600 / 30 x 1e6 = 8.3333; 2.62325 / 3600 / 10 x 1e6 = 72.8681; 5.2465 / 3600 / 100 x 1e6 = 14.5736.
  [`aiplatform:model_cost_per_million_output_tokens_usd{${stable}}`, 8.3333, CENT],
  [`aiplatform:model_cost_per_million_output_tokens_usd{${canary}}`, 72.8681, CENT],
  [`aiplatform:model_cost_per_million_output_tokens_usd{${embed}}`, 14.5736, CENT],
  // Per 1M tokens (prompt + output): 0.90 / 3600 / 90 x 1e6 = 2.7778; 2.62325 / 3600 / 30 x 1e6 = 24.2894; 5.2465 / 3600 / 300 x 1e6 = 4.8579.
  [`aiplatform:model_cost_per_million_tokens_usd{${stable}}`, 2.7778, CENT],
  [`aiplatform:model_cost_per_million_tokens_usd{${canary}}`, 24.2894, CENT],
  [`aiplatform:model_cost_per_million_tokens_usd{${embed}}`, 4.8579, CENT],
  // Per request: 0.90 / 3600 / 1 = 0.00025; 2.62325 / 3600 / 0.5 = 0.00145736; 5.2465 / 3600 / 2 = 0.00072868.
  [`aiplatform:model_cost_per_request_usd{${stable}}`, 0.00025, 1e-6],
  [`aiplatform:model_cost_per_request_usd{${canary}}`, 0.00145736, 1e-6],
  [`aiplatform:model_cost_per_request_usd{${embed}}`, 0.00072868, 1e-6],
  // Utilization: chat-0 0.80, chat-1 0.40, embed (0.20 + 0.10) / 2 = 0.15.
  [`aiplatform:model_gpu_utilization_ratio{${stable}}`, 0.8, 1e-9],
  [`aiplatform:model_gpu_utilization_ratio{${canary}}`, 0.4, 1e-9],
  [`aiplatform:model_gpu_utilization_ratio{${embed}}`, 0.15, 1e-9],
  ['aiplatform:serving_pod_gpu_utilization_ratio{namespace="serve",pod="embed-0"}', 0.15, 1e-9],
  [`aiplatform:model_spot_gpu_share{${stable}}`, 1, 1e-9],
  [`aiplatform:model_spot_gpu_share{${embed}}`, 0, 1e-9],
  // Idle: n3's one GPU (n2: 4 - chat-1 - embed-0 x2 - eval-job = 0; n1: 1 - 1 = 0): 0.4024 $/h.
  ['aiplatform:gpu_idle_gpus', 1, 1e-9],
  ['aiplatform:gpu_idle_cost_usd_per_hour', 0.4024, CENT],
  ['aiplatform:gpu_node_idle_gpus{node="n2"}', 0, 1e-9],
  // Cluster: spot 0.90 + 0.4024 = 1.3024 $/h; on demand 10.493 $/h; spot share 2 of 6 GPUs.
  ['aiplatform:gpu_cost_usd_per_hour{capacity_type="spot"}', 1.3024, CENT],
  ['aiplatform:gpu_cost_usd_per_hour{capacity_type="on_demand"}', 10.493, CENT],
  ['aiplatform:gpu_spot_share', 2 / 6, 1e-9],
  // Rollout hook: canary / stable cost per 1M output tokens = 72.8681 / 8.3333 = 8.7442.
  [canaryCostRatioQuery('serve', 'chat'), 8.74417, 1e-4],
];
/**
 * The report job's queries over the second hour of the platform (steady state): [query, hand-computed
 * value, tolerance]. The range `[1h:1m]` ending at 120m holds 61 one-minute steps in promtool 2.42
 * (ranges closed at both ends; Prometheus 3 leaves the start out: 60), so each value is x 61/60.
 */
const Q = costReportQueries(1);
const K = 61 / 60;
const only = (label: string, value: string) => ` and on (${label}) label_replace(vector(1), "${label}", "${value}", "", "")`;
const reportChecks: [string, number, number][] = [
  // chat: 2 GPUs (1 spot) for 1 h; 0.90 + 2.62325 = 3.52325 $/h; (30 + 10) tok/s x 3600 s = 144000 output tokens; 1.5 req/s -> 5400.
  [Q.gpuHours + only('model', 'chat'), 2 * K, 1e-6],
  [Q.spotGpuHours + only('model', 'chat'), 1 * K, 1e-6],
  [Q.dollars + only('model', 'chat'), 3.52325 * K, CENT],
  [Q.outputTokens + only('model', 'chat'), 144000 * K, 1e-3],
  [Q.requests + only('model', 'chat'), 5400 * K, 1e-3],
  // embed: 2 GPUs, 5.2465 $/h, 200 prompt tok/s x 3600 = 720000; utilization 0.15.
  [Q.dollars + only('model', 'embed'), 5.2465 * K, CENT],
  [Q.promptTokens + only('model', 'embed'), 720000 * K, 1e-3],
  [Q.utilization + only('model', 'embed'), 0.15, 1e-9],
  // Platform: 6 GPUs, 2 on spot; 0.90 + 10.493 + 0.4024 = 11.7954 $/h; idle 1 GPU, 0.4024 $/h.
  [Q.totalGpuHours, 6 * K, 1e-6], [Q.totalSpotGpuHours, 2 * K, 1e-6], [Q.totalDollars, 11.7954 * K, CENT], [Q.idleGpuHours, 1 * K, 1e-6], [Q.idleDollars, 0.4024 * K, CENT],
  [Q.dollarsBySource + only('price_source', 'spot_price_history'), 0.9 * K, CENT],
];
/** How many series each rule records (the right set of nodes, pods and models, no more). */
const counts: [string, number][] = [
  ['aiplatform:gpu_node_info', 3], ['aiplatform:gpu_node_price_usd_per_hour', 3], ['aiplatform:pod_gpus', 4], ['aiplatform:serving_pod_info', 3],
  ['aiplatform:serving_pod_cost_usd_per_hour', 3], ['aiplatform:model_cost_usd_per_hour', 3], ['aiplatform:model_cost_per_million_output_tokens_usd', 3],
  ['aiplatform:model_gpu_utilization_ratio', 3], ['aiplatform:gpu_node_idle_gpus', 3],
];

function runPromtool(groups: Obj[], tests: Obj | Obj[], evalInterval: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-rules-'));
  try {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify({ groups }));
    const checked = spawnSync('promtool', ['check', 'rules', 'rules.yaml'], { cwd: dir, encoding: 'utf8' });
    if (checked.status !== 0) throw new Error(`promtool check rules failed:\n${checked.stdout}\n${checked.stderr}`);
    fs.writeFileSync(path.join(dir, 'tests.yaml'), YAML.stringify({ rule_files: ['rules.yaml'], evaluation_interval: evalInterval, tests: Array.isArray(tests) ? tests : [tests] }));
    const run = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`promtool test rules failed:\n${run.stdout}\n${run.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

maybe('cost rules price nodes, attribute spend to models and revisions, and the idle and utilization alerts fire and stay quiet (promtool)', () => {
  // Idle threshold 0.40 $/h (n3 costs 0.4024) and the default utilization threshold 0.3 (embed: 0.15), both for 30m
  // here (the defaults, 3h, are checked below without promtool).
  const groups = [signalGroup, ...renderedGroups({ idleSpendThresholdUsdPerHour: 0.4, idleSpendFor: Duration.minutes(30), utilizationFor: Duration.minutes(30) })];
  const idle = { alertname: 'AiPlatformGpuIdleSpendHigh', severity: 'warning' };
  const low = { alertname: 'AiPlatformModelGpuUtilizationLow', severity: 'info', namespace: 'serve', model: 'embed' };
  // A second, separate cluster: a managed node group's Capacity Block node (CAPACITY_BLOCK, neither spot nor
  // on demand) is still a GPU node, capacity type "unknown", priced on demand (p5.4xlarge 6.88 $/h), idle.
  const capacityBlock = {
    interval: '1m',
    input_series: [node('n5', 'p5.4xlarge', 'us-east-1d', { label_eks_amazonaws_com_capacity_type: 'CAPACITY_BLOCK' }), gpuCap('n5', 1)],
    promql_expr_test: [
      { expr: 'aiplatform:gpu_node_price_usd_per_hour', eval_time: '5m', exp_samples: [{ labels: 'aiplatform:gpu_node_price_usd_per_hour{node="n5",instance_type="p5.4xlarge",capacity_type="unknown",zone="us-east-1d",price_source="catalog_on_demand"}', value: 6.88 }] },
      { expr: 'aiplatform:gpu_idle_cost_usd_per_hour', eval_time: '5m', exp_samples: [{ labels: 'aiplatform:gpu_idle_cost_usd_per_hour', value: 6.88 }] },
    ],
  };
  runPromtool(groups, [capacityBlock, {
    interval: '1m',
    input_series: platform,
    promql_expr_test: [
      // Each selector matches exactly one series, within the tolerance of the hand-computed value.
      ...expected.map(([expr, value, tol]) => ({ expr: `count((abs((${expr}) - ${value}) < bool ${tol}) == 1) == count(${expr})`, eval_time: '10m', exp_samples: [{ labels: '{}', value: 1 }] })),
      ...counts.map(([series, n]) => ({ expr: `count(${series})`, eval_time: '10m', exp_samples: [{ labels: '{}', value: n }] })),
      // The report job's queries over the recorded series (1 h ending at 120m, 1-minute steps).
      ...reportChecks.map(([expr, value, tol]) => ({ expr: `count((abs((${expr}) - ${value}) < bool ${tol}) == 1) == count(${expr})`, eval_time: '120m', exp_samples: [{ labels: '{}', value: 1 }] })),
    ],
    alert_rule_test: [
      { eval_time: '25m', alertname: 'AiPlatformGpuIdleSpendHigh', exp_alerts: [] },
      { eval_time: '35m', alertname: 'AiPlatformGpuIdleSpendHigh', exp_alerts: [{ exp_labels: idle, exp_annotations: {
        summary: 'Idle GPUs cost more than the threshold',
        description: 'GPUs no pod requests cost 0.40 USD/h (threshold 0.40 USD/h for 30m): lower minReplicas, let the autoscaler consolidate, or pick smaller instance types. See docs/cost.md.',
      } }] },
      { eval_time: '25m', alertname: 'AiPlatformModelGpuUtilizationLow', exp_alerts: [] },
      { eval_time: '35m', alertname: 'AiPlatformModelGpuUtilizationLow', exp_alerts: [{ exp_labels: low, exp_annotations: {
        summary: 'Model embed uses little of its GPUs',
        description: 'GPU utilization of embed (namespace serve) is 15% (threshold 30% for 30m): fewer replicas, a smaller GPU, or MIG slices would cost less. See docs/cost.md.',
      } }] },
      // No regression without a week of history.
      { eval_time: '40m', alertname: 'AiPlatformCostPerMillionTokensRegressed', exp_alerts: [] },
    ],
  }], '1m');
});

maybe('AiPlatformCostPerMillionTokensRegressed fires when a model\'s throughput halves against last week, not for a steady one (promtool)', () => {
  // Eight days at 1-hour steps; the common signals are fed directly (their mapping is tested above).
  // After 7 days embed's output halves (100 -> 50 tok/s) at the same GPU spend: cost per token x2.
  const groups = renderedGroups({});
  const steps = 8 * 24;
  const keep = (s: Obj) => ({ series: s.series, values: s.values.replace(/x120$/, `x${steps}`) });
  const infra = platform.filter((s) => !/^(vllm|sglang):/.test(s.series)).map(keep);
  const sig = (name: string, model: string, p: string, values: string) => ({ series: `${name}{namespace="serve",model="${model}",engine="x",pod="${p}"}`, values });
  const week = 7 * 24;
  const series = [
    ...infra,
    sig('aiplatform:serving_requests_running', 'chat', 'chat-0', `1x${steps}`), sig('aiplatform:serving_requests_running', 'chat', 'chat-1', `1x${steps}`), sig('aiplatform:serving_requests_running', 'embed', 'embed-0', `1x${steps}`),
    sig('aiplatform:serving_generation_tokens:rate5m', 'chat', 'chat-0', `30x${steps}`), sig('aiplatform:serving_generation_tokens:rate5m', 'chat', 'chat-1', `10x${steps}`),
    sig('aiplatform:serving_generation_tokens:rate5m', 'embed', 'embed-0', `100x${week} 50x${steps - week - 1}`),
  ];
  const regressed = { alertname: 'AiPlatformCostPerMillionTokensRegressed', severity: 'warning', namespace: 'serve', model: 'embed' };
  // At 7d+7h the last 6h are all at 50 tok/s: cost per token is 2x last week's (200%).
  runPromtool(groups, {
    interval: '1h',
    input_series: series,
    alert_rule_test: [
      { eval_time: '7d1h', alertname: 'AiPlatformCostPerMillionTokensRegressed', exp_alerts: [] },
      { eval_time: '7d7h', alertname: 'AiPlatformCostPerMillionTokensRegressed', exp_alerts: [{ exp_labels: regressed, exp_annotations: {
        summary: 'Model embed costs more per token than a week ago',
        description: 'Cost per 1M output tokens of embed (namespace serve) over the last 6h is 200% of the same 6h a week ago (threshold +25%): throughput fell (longer prompts, smaller batches, a slower revision) or GPUs got dearer (on-demand instead of spot). See docs/cost.md.',
      } }] },
    ],
  }, '1h');
});

test('alert thresholds come from props, with documented defaults', () => {
  const groups = renderedGroups({ costRegressionRatio: 0.5, minGpuUtilization: 0.2, utilizationFor: Duration.hours(6) });
  const alerts = groups.find((g) => g.name === 'aiplatform-cost-alerts')!.rules;
  expect(alerts.find((a: Obj) => a.alert === 'AiPlatformCostPerMillionTokensRegressed').expr).toMatch(/> 1\.5$/);
  expect(alerts.find((a: Obj) => a.alert === 'AiPlatformModelGpuUtilizationLow')).toMatchObject({ expr: 'aiplatform:model_gpu_utilization_ratio < 0.2', for: '6h' });
  expect(alerts.find((a: Obj) => a.alert === 'AiPlatformGpuIdleSpendHigh')).toMatchObject({ expr: 'aiplatform:gpu_idle_cost_usd_per_hour > 5', for: '3h' });
});
