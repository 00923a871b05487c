// promtool cases for every alert the fixture platform (rule-fixture.ts) ships: each alert fires on
// the condition it names and stays quiet otherwise, including the cases that once misbehaved
// (issue 16: forged Pushgateway groups, stale after a Pushgateway restart, XID that never resolves,
// error-rate drift of a model idle in the reference window).
import { PromtoolCase } from '../harness/promtool-cases';
import { FIXTURE as F } from './rule-fixture';

// Labels Prometheus attaches to pushed series from the Pushgateway's scrape target (honorLabels keeps
// the pushed job/namespace; these target labels do not clash).
const PG = 'container="pushgateway",endpoint="http",pod="prometheus-pushgateway-5d8f9",service="prometheus-pushgateway"';
const KSM = 'job="kube-state-metrics",instance="10.0.1.5:8080"';

const evalSel = `job="aiplatform-eval",namespace="${F.servingNamespace}",eval="${F.evaluation}"`;
const driftSel = `job="aiplatform-drift",namespace="${F.jobsNamespace}",monitor="${F.driftMonitor}"`;

/** Labels of the eval alerts: the served model name, the model id beside it. */
const EVAL_LABELS = { namespace: F.servingNamespace, eval: F.evaluation, model: F.servedModel, model_id: F.modelId, severity: 'warning' };
const DRIFT_LABELS = { namespace: F.jobsNamespace, monitor: F.driftMonitor, model: F.servedModel, model_id: F.modelId, severity: 'warning' };

interface JobTarget {
  readonly prefix: string;
  readonly sel: string;
  readonly namespace: string;
  readonly cronJob: string;
  readonly labels: Record<string, string>;
  /** Seconds after which the job is stale (fixture: every 10 minutes: 2 × 600 s + 600 s active + 300 s starting deadline). */
  readonly staleAfter: number;
}

const EVAL: JobTarget = { prefix: 'AiPlatformEval', sel: evalSel, namespace: F.servingNamespace, cronJob: F.evalCronJob, labels: EVAL_LABELS, staleAfter: 2100 };
const DRIFT: JobTarget = { prefix: 'AiPlatformDrift', sel: driftSel, namespace: F.jobsNamespace, cronJob: F.driftCronJob, labels: DRIFT_LABELS, staleAfter: 2100 };

function jobHealthCases(t: JobTarget): PromtoolCase[] {
  const cron = `namespace="${t.namespace}",cronjob="${t.cronJob}",${KSM}`;
  const failedAlert = `${t.prefix}JobFailed`;
  const staleAlert = `${t.prefix}JobStale`;
  return [
    {
      name: `${failedAlert}: the last run pushed failed=1`,
      series: [{ series: `aiplatform_job_failed{${t.sel},${PG}}`, values: '0x5 1x10' }],
      expect: [{ at: '3m', alert: failedAlert, fires: [] }, { at: '10m', alert: failedAlert, fires: [t.labels] }],
    },
    {
      name: `${failedAlert}: the Kubernetes Job was killed (deadline) after the last success, without a push`,
      series: [
        { series: `kube_job_status_start_time{namespace="${t.namespace}",job_name="${t.cronJob}-29000100",${KSM}}`, values: '600x20' },
        { series: `kube_job_status_failed{namespace="${t.namespace}",job_name="${t.cronJob}-29000100",reason="DeadlineExceeded",${KSM}}`, values: '1x20' },
        { series: `kube_cronjob_status_last_successful_time{${cron}}`, values: '60x20' },
      ],
      expect: [{ at: '10m', alert: failedAlert, fires: [omit(t.labels, [])] }],
    },
    {
      name: `${failedAlert}: quiet when the last run succeeded and no Job failed`,
      series: [
        { series: `aiplatform_job_failed{${t.sel},${PG}}`, values: '0x20' },
        { series: `kube_job_status_failed{namespace="${t.namespace}",job_name="${t.cronJob}-29000100",reason="DeadlineExceeded",${KSM}}`, values: '0x20' },
        { series: `kube_job_status_start_time{namespace="${t.namespace}",job_name="${t.cronJob}-29000100",${KSM}}`, values: '600x20' },
        { series: `kube_cronjob_status_last_successful_time{${cron}}`, values: '900x20' },
      ],
      expect: [{ at: '15m', alert: failedAlert, fires: [] }],
    },
    {
      name: `${staleAlert}: no success pushed for longer than the window`,
      series: [
        { series: `aiplatform_job_last_success_timestamp_seconds{${t.sel},${PG}}`, values: '60x50' },
        { series: `kube_cronjob_created{${cron}}`, values: '0x50' },
        { series: `kube_cronjob_spec_suspend{${cron}}`, values: '0x50' },
      ],
      expect: [{ at: '30m', alert: staleAlert, fires: [] }, { at: '40m', alert: staleAlert, fires: [t.labels] }],
    },
    {
      name: `${staleAlert}: a CronJob that never succeeded, older than the window`,
      series: [
        { series: `kube_cronjob_created{${cron}}`, values: '0x50' },
        { series: `kube_cronjob_spec_suspend{${cron}}`, values: '0x50' },
      ],
      expect: [{ at: '40m', alert: staleAlert, fires: [t.labels] }],
    },
    {
      name: `${staleAlert}: quiet for a healthy job`,
      series: [
        { series: `aiplatform_job_last_success_timestamp_seconds{${t.sel},${PG}}`, values: '0+60x50' },
        { series: `kube_cronjob_created{${cron}}`, values: '0x50' },
        { series: `kube_cronjob_spec_suspend{${cron}}`, values: '0x50' },
      ],
      expect: [{ at: '40m', alert: staleAlert, fires: [] }],
    },
    {
      name: `${staleAlert}: quiet when suspended`,
      series: [
        { series: `kube_cronjob_created{${cron}}`, values: '0x50' },
        { series: `kube_cronjob_spec_suspend{${cron}}`, values: '1x50' },
      ],
      expect: [{ at: '40m', alert: staleAlert, fires: [] }],
    },
    {
      // Issue 16 item 11: the Pushgateway restarted without persistence at 30m (the pushed series end);
      // the CronJob keeps succeeding (kube-state-metrics says so).
      name: `${staleAlert}: quiet for a healthy job after a Pushgateway restart lost its pushes`,
      series: [
        { series: `aiplatform_job_last_success_timestamp_seconds{${t.sel},${PG}}`, values: '0+60x30 stale' },
        { series: `kube_cronjob_status_last_successful_time{${cron}}`, values: '0+60x50' },
        { series: `kube_cronjob_created{${cron}}`, values: '0x50' },
        { series: `kube_cronjob_spec_suspend{${cron}}`, values: '0x50' },
      ],
      expect: [{ at: '45m', alert: staleAlert, fires: [] }],
    },
  ];
}

function omit(o: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

const gpu = 'Hostname="ip-10-0-1-5",gpu="0",UUID="GPU-1",modelName="NVIDIA L40S",job="nvidia-dcgm-exporter",instance="10.0.1.5:9400"';
const GPU_LABELS = { Hostname: 'ip-10-0-1-5', gpu: '0' };

const GPU_CASES: PromtoolCase[] = [
  {
    name: 'GpuXidError: an XID appears',
    series: [{ series: `DCGM_FI_DEV_XID_ERRORS{${gpu}}`, values: '0x5 13x20' }],
    expect: [{ at: '3m', alert: 'GpuXidError', fires: [] }, { at: '10m', alert: 'GpuXidError', fires: [{ ...GPU_LABELS, severity: 'warning' }] }],
  },
  {
    // Issue 16 item 12: the exporter keeps the last XID as the value (NVIDIA/dcgm-exporter#500).
    name: 'GpuXidError: resolves once no new XID came within the window although the gauge keeps the last one',
    series: [{ series: `DCGM_FI_DEV_XID_ERRORS{${gpu}}`, values: '0x5 13x40' }],
    expect: [{ at: '25m', alert: 'GpuXidError', fires: [] }],
  },
  {
    name: 'GpuXidError: quiet without XID',
    series: [{ series: `DCGM_FI_DEV_XID_ERRORS{${gpu}}`, values: '0x30' }],
    expect: [{ at: '25m', alert: 'GpuXidError', fires: [] }],
  },
  {
    name: 'GpuFatalXidError: XID 79 (fallen off the bus)',
    series: [{ series: `DCGM_FI_DEV_XID_ERRORS{${gpu}}`, values: '0x5 79x80' }],
    expect: [
      { at: '10m', alert: 'GpuFatalXidError', fires: [{ ...GPU_LABELS, severity: 'critical' }] },
      { at: '10m', alert: 'GpuXidError', fires: [{ ...GPU_LABELS, severity: 'warning' }] },
      // Issue 16 item 12: resolves after the window; the node was meant to be replaced by then.
      { at: '70m', alert: 'GpuFatalXidError', fires: [] },
    ],
  },
  {
    name: 'GpuFatalXidError: quiet for an application XID (13)',
    series: [{ series: `DCGM_FI_DEV_XID_ERRORS{${gpu}}`, values: '0x5 13x20' }],
    expect: [{ at: '10m', alert: 'GpuFatalXidError', fires: [] }],
  },
  {
    name: 'GpuHighTemperature: above 85 °C for 5 minutes',
    series: [{ series: `DCGM_FI_DEV_GPU_TEMP{${gpu}}`, values: '70x5 90x20' }],
    expect: [{ at: '8m', alert: 'GpuHighTemperature', fires: [] }, { at: '15m', alert: 'GpuHighTemperature', fires: [{ ...GPU_LABELS, severity: 'warning' }] }],
  },
  {
    name: 'GpuHighTemperature: quiet at 80 °C',
    series: [{ series: `DCGM_FI_DEV_GPU_TEMP{${gpu}}`, values: '80x30' }],
    expect: [{ at: '20m', alert: 'GpuHighTemperature', fires: [] }],
  },
  {
    name: 'DcgmExporterDown: scrapes fail for 5 minutes',
    series: [{ series: 'up{job="nvidia-dcgm-exporter",instance="10.0.1.5:9400",node="ip-10-0-1-5"}', values: '1x2 0x20' }],
    expect: [{ at: '10m', alert: 'DcgmExporterDown', fires: [{ job: 'nvidia-dcgm-exporter', instance: '10.0.1.5:9400', node: 'ip-10-0-1-5', severity: 'warning' }] }],
  },
  {
    name: 'DcgmExporterDown: quiet while scrapes succeed',
    series: [{ series: 'up{job="nvidia-dcgm-exporter",instance="10.0.1.5:9400",node="ip-10-0-1-5"}', values: '1x20' }],
    expect: [{ at: '10m', alert: 'DcgmExporterDown', fires: [] }],
  },
  {
    name: 'DcgmExporterMissing: a GPU node without exporter target',
    series: [{ series: `kube_node_status_capacity{node="ip-10-0-1-5",resource="nvidia_com_gpu",unit="integer",${KSM}}`, values: '1x30' }],
    expect: [{ at: '20m', alert: 'DcgmExporterMissing', fires: [{ node: 'ip-10-0-1-5', severity: 'warning' }] }],
  },
  {
    name: 'DcgmExporterMissing: quiet when the node has a healthy exporter',
    series: [
      { series: `kube_node_status_capacity{node="ip-10-0-1-5",resource="nvidia_com_gpu",unit="integer",${KSM}}`, values: '1x30' },
      { series: 'up{job="nvidia-dcgm-exporter",instance="10.0.1.5:9400",node="ip-10-0-1-5"}', values: '1x30' },
    ],
    expect: [{ at: '20m', alert: 'DcgmExporterMissing', fires: [] }],
  },
];

// Raw vLLM series as Prometheus scrapes them from the engine Service; the stack's recording rules
// map them to the common serving signals the alerts read.
const eng = `namespace="${F.servingNamespace}",service="${F.deployment}-engine",model_name="${F.servedModel}",pod="${F.deployment}-engine-abc"`;
const SERVING_LABELS = { model: F.servedModel, engine: 'vllm', namespace: F.servingNamespace, release: F.servingRelease };

const SERVING_CASES: PromtoolCase[] = [
  {
    name: 'VllmQueueHigh: 20 waiting per replica for 10 minutes',
    series: [{ series: `vllm:num_requests_waiting{${eng}}`, values: '20x30' }],
    expect: [{ at: '15m', alert: 'VllmQueueHigh', fires: [{ ...SERVING_LABELS, severity: 'warning' }] }],
  },
  {
    name: 'VllmQueueHigh: quiet with a short queue',
    series: [{ series: `vllm:num_requests_waiting{${eng}}`, values: '2x30' }],
    expect: [{ at: '15m', alert: 'VllmQueueHigh', fires: [] }],
  },
  {
    name: 'VllmLatencyHigh: p95 above 60 s for 10 minutes',
    series: [
      { series: `vllm:e2e_request_latency_seconds_bucket{${eng},le="1"}`, values: '0x30' },
      { series: `vllm:e2e_request_latency_seconds_bucket{${eng},le="120"}`, values: '0+10x30' },
      { series: `vllm:e2e_request_latency_seconds_bucket{${eng},le="+Inf"}`, values: '0+10x30' },
    ],
    expect: [{ at: '20m', alert: 'VllmLatencyHigh', fires: [{ ...SERVING_LABELS, severity: 'warning' }] }],
  },
  {
    name: 'VllmLatencyHigh: quiet under a second',
    series: [
      { series: `vllm:e2e_request_latency_seconds_bucket{${eng},le="1"}`, values: '0+10x30' },
      { series: `vllm:e2e_request_latency_seconds_bucket{${eng},le="120"}`, values: '0+10x30' },
      { series: `vllm:e2e_request_latency_seconds_bucket{${eng},le="+Inf"}`, values: '0+10x30' },
    ],
    expect: [{ at: '20m', alert: 'VllmLatencyHigh', fires: [] }],
  },
  {
    name: 'VllmKvCacheSaturated: 99% for 10 minutes',
    series: [{ series: `vllm:kv_cache_usage_perc{${eng}}`, values: '0.99x30' }],
    expect: [{ at: '15m', alert: 'VllmKvCacheSaturated', fires: [{ ...SERVING_LABELS, severity: 'warning' }] }],
  },
  {
    name: 'VllmKvCacheSaturated: quiet at 50%',
    series: [{ series: `vllm:kv_cache_usage_perc{${eng}}`, values: '0.5x30' }],
    expect: [{ at: '15m', alert: 'VllmKvCacheSaturated', fires: [] }],
  },
  {
    name: 'VllmNoReadyReplicas: replicas wanted, none available for 20 minutes',
    series: [
      { series: `kube_deployment_spec_replicas{namespace="${F.servingNamespace}",deployment="${F.deployment}-engine",${KSM}}`, values: '1x40' },
      { series: `kube_deployment_status_replicas_available{namespace="${F.servingNamespace}",deployment="${F.deployment}-engine",${KSM}}`, values: '0x40' },
    ],
    expect: [{ at: '25m', alert: 'VllmNoReadyReplicas', fires: [{ namespace: F.servingNamespace, deployment: `${F.deployment}-engine`, job: 'kube-state-metrics', instance: '10.0.1.5:8080', release: F.servingRelease, severity: 'critical' }] }],
  },
  {
    name: 'VllmNoReadyReplicas: quiet when scaled to zero',
    series: [
      { series: `kube_deployment_spec_replicas{namespace="${F.servingNamespace}",deployment="${F.deployment}-engine",${KSM}}`, values: '0x40' },
      { series: `kube_deployment_status_replicas_available{namespace="${F.servingNamespace}",deployment="${F.deployment}-engine",${KSM}}`, values: '0x40' },
    ],
    expect: [{ at: '25m', alert: 'VllmNoReadyReplicas', fires: [] }],
  },
];

// Serving-signal drift: fixture windows are 10m current, 10m reference ending 1h earlier, for 5m.
const srv = eng;
const DRIFT_ALERT_LABELS = { namespace: F.servingNamespace, monitor: F.driftMonitor, model: F.servedModel, severity: 'warning' };

/** Token histograms: 20 requests a minute, all under 100 tokens until `shiftAt` minutes, then 100–1000. */
function tokenSeries(metric: string, shiftAt: number | undefined, total = 100): { series: string; values: string }[] {
  const small = shiftAt === undefined ? `0+20x${total}` : `0+20x${shiftAt} ${20 * shiftAt}x${total - shiftAt}`;
  return [
    { series: `${metric}_bucket{${srv},le="100"}`, values: small },
    { series: `${metric}_bucket{${srv},le="1000"}`, values: `0+20x${total}` },
    { series: `${metric}_bucket{${srv},le="+Inf"}`, values: `0+20x${total}` },
  ];
}

function tokenDriftCases(alert: string, metric: string): PromtoolCase[] {
  const other = metric.includes('prompt') ? 'vllm:request_generation_tokens' : 'vllm:request_prompt_tokens';
  return [
    {
      name: `${alert}: lengths grew tenfold against the same window an hour earlier`,
      series: [...tokenSeries(metric, 60), ...tokenSeries(other, undefined)],
      expect: [{ at: '85m', alert, fires: [0.5, 0.95].map((q) => ({ ...DRIFT_ALERT_LABELS, quantile: String(q) })) }],
    },
    {
      name: `${alert}: quiet when the distribution is unchanged`,
      series: [...tokenSeries(metric, undefined), ...tokenSeries(other, undefined)],
      expect: [{ at: '85m', alert, fires: [] }],
    },
  ];
}

/** Requests a minute (counter increments) of a finished_reason from minute `from`. */
function successSeries(reason: string, perMinute: number, from = 0, total = 100): InputSeriesLike {
  const values = from === 0 ? `0+${perMinute}x${total}` : `0x${from} 0+${perMinute}x${total - from}`;
  return { series: `vllm:request_success_total{${srv},finished_reason="${reason}"}`, values };
}
type InputSeriesLike = { series: string; values: string };

const SERVING_DRIFT_CASES: PromtoolCase[] = [
  ...tokenDriftCases('AiPlatformServingPromptTokensDrift', 'vllm:request_prompt_tokens'),
  ...tokenDriftCases('AiPlatformServingGenerationTokensDrift', 'vllm:request_generation_tokens'),
  {
    name: 'AiPlatformServingErrorRateDrift: 1% errors in the reference window, 20% from minute 60',
    series: [
      { series: `vllm:request_success_total{${srv},finished_reason="stop"}`, values: '0+99x60 5940+80x40' },
      { series: `vllm:request_success_total{${srv},finished_reason="error"}`, values: '0+1x60 60+20x40' },
      { series: `vllm:request_prompt_tokens_bucket{${srv},le="+Inf"}`, values: '0+100x100' },
    ],
    expect: [{ at: '85m', alert: 'AiPlatformServingErrorRateDrift', fires: [DRIFT_ALERT_LABELS] }],
  },
  {
    // Issue 16 item 13: 0/0 in the reference window must not hide the alert.
    name: 'AiPlatformServingErrorRateDrift: fires for a model idle in the reference window',
    series: [
      successSeries('stop', 80, 60),
      successSeries('error', 20, 60),
      { series: `vllm:request_prompt_tokens_bucket{${srv},le="+Inf"}`, values: '0x60 0+100x40' },
    ],
    expect: [{ at: '85m', alert: 'AiPlatformServingErrorRateDrift', fires: [DRIFT_ALERT_LABELS] }],
  },
  {
    name: 'AiPlatformServingErrorRateDrift: quiet when the error rate is unchanged',
    series: [
      successSeries('stop', 95),
      successSeries('error', 5),
      { series: `vllm:request_prompt_tokens_bucket{${srv},le="+Inf"}`, values: '0+100x100' },
    ],
    expect: [{ at: '85m', alert: 'AiPlatformServingErrorRateDrift', fires: [] }],
  },
  {
    name: 'AiPlatformServingErrorRateDrift: quiet for an idle-reference model with too few requests now',
    series: [
      successSeries('stop', 4, 60),
      successSeries('error', 1, 60),
      { series: `vllm:request_prompt_tokens_bucket{${srv},le="+Inf"}`, values: '0x60 0+5x40' },
    ],
    expect: [{ at: '85m', alert: 'AiPlatformServingErrorRateDrift', fires: [] }],
  },
];

// A foreign group: same job and job-name labels, another `instance` (pushed by something else).
const FOREIGN = 'instance="forged"';

const VERDICT_CASES: PromtoolCase[] = [
  {
    name: 'AiPlatformEvalGateFailed: the last run failed a gate',
    series: [{ series: `aiplatform_eval_gate_passed{${evalSel},${PG}}`, values: '1x5 0x20' }],
    expect: [{ at: '3m', alert: 'AiPlatformEvalGateFailed', fires: [] }, { at: '10m', alert: 'AiPlatformEvalGateFailed', fires: [EVAL_LABELS] }],
  },
  {
    // Issue 16 item 1: a sibling group claiming a pass must not hide the failure.
    name: 'AiPlatformEvalGateFailed: fires although a foreign group pushed a pass',
    series: [
      { series: `aiplatform_eval_gate_passed{${evalSel},${PG}}`, values: '0x20' },
      { series: `aiplatform_eval_gate_passed{${evalSel},${FOREIGN},${PG}}`, values: '1x20' },
    ],
    expect: [{ at: '10m', alert: 'AiPlatformEvalGateFailed', fires: [EVAL_LABELS] }],
  },
  {
    name: 'AiPlatformEvalGateFailed: quiet when the gates passed, whatever a foreign group says',
    series: [
      { series: `aiplatform_eval_gate_passed{${evalSel},${PG}}`, values: '1x20' },
      { series: `aiplatform_eval_gate_passed{${evalSel},${FOREIGN},${PG}}`, values: '0x20' },
    ],
    expect: [{ at: '10m', alert: 'AiPlatformEvalGateFailed', fires: [] }],
  },
  {
    name: 'AiPlatformEvalPassRateLow: pass rate 0.5 under 0.85',
    series: [
      { series: `aiplatform_eval_pass_rate{${evalSel},${PG}}`, values: '0.5x20' },
      { series: `aiplatform_eval_pass_rate{${evalSel},${FOREIGN},${PG}}`, values: '1x20' },
    ],
    expect: [{ at: '10m', alert: 'AiPlatformEvalPassRateLow', fires: [EVAL_LABELS] }],
  },
  {
    name: 'AiPlatformEvalPassRateLow: quiet at 0.9',
    series: [{ series: `aiplatform_eval_pass_rate{${evalSel},${PG}}`, values: '0.9x20' }],
    expect: [{ at: '10m', alert: 'AiPlatformEvalPassRateLow', fires: [] }],
  },
  {
    name: 'AiPlatformDatasetDrift: the last run found dataset drift',
    series: [
      { series: `aiplatform_dataset_drift{${driftSel},${PG}}`, values: '1x20' },
      { series: `aiplatform_dataset_drift{${driftSel},${FOREIGN},${PG}}`, values: '0x20' },
    ],
    expect: [{ at: '10m', alert: 'AiPlatformDatasetDrift', fires: [DRIFT_LABELS] }],
  },
  {
    name: 'AiPlatformDatasetDrift: quiet without drift; a foreign group cannot raise it',
    series: [
      { series: `aiplatform_dataset_drift{${driftSel},${PG}}`, values: '0x20' },
      { series: `aiplatform_dataset_drift{${driftSel},${FOREIGN},${PG}}`, values: '1x20' },
    ],
    expect: [{ at: '10m', alert: 'AiPlatformDatasetDrift', fires: [] }],
  },
  {
    name: 'AiPlatformFeatureDrift: column age drifted',
    series: [
      { series: `aiplatform_drift_detected{${driftSel},feature="age",${PG}}`, values: '1x20' },
      { series: `aiplatform_drift_detected{${driftSel},feature="country",${PG}}`, values: '0x20' },
    ],
    expect: [{ at: '10m', alert: 'AiPlatformFeatureDrift', fires: [{ ...DRIFT_LABELS, feature: 'age', severity: 'info' }] }],
  },
  {
    name: 'AiPlatformFeatureDrift: quiet when no column drifted',
    series: [{ series: `aiplatform_drift_detected{${driftSel},feature="age",${PG}}`, values: '0x20' }],
    expect: [{ at: '10m', alert: 'AiPlatformFeatureDrift', fires: [] }],
  },
];

/** Every case, for every alert of the fixture platform. */
export const ALERT_CASES: PromtoolCase[] = [
  ...GPU_CASES,
  ...SERVING_CASES,
  ...SERVING_DRIFT_CASES,
  ...VERDICT_CASES,
  ...jobHealthCases(EVAL),
  ...jobHealthCases(DRIFT),
];
