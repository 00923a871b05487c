import { Duration } from '../core/units';
import { JsonObject, JsonValue } from '../k8s/values';
import { PrometheusRuleGroup } from './monitoring-objects';

// GPU dashboard and alert rules built from the DCGM exporter's metrics (the GPU operator's
// exporter, default counter set). Labels the exporter attaches: `Hostname` (the node), `gpu`
// (index), `UUID`, `modelName`, and `pod`/`namespace`/`container` of the pod using the GPU.

/** DCGM exporter metric names the dashboard and alerts use. */
export const DCGM_METRICS = {
  /** GPU utilisation, percent. */
  GPU_UTIL: 'DCGM_FI_DEV_GPU_UTIL',
  /** Framebuffer memory used, MiB. */
  FB_USED: 'DCGM_FI_DEV_FB_USED',
  /** Framebuffer memory free, MiB. */
  FB_FREE: 'DCGM_FI_DEV_FB_FREE',
  /** Power draw, watts. */
  POWER_USAGE: 'DCGM_FI_DEV_POWER_USAGE',
  /** GPU temperature, °C. */
  GPU_TEMP: 'DCGM_FI_DEV_GPU_TEMP',
  /** Value of the last XID error (0 when none). */
  XID_ERRORS: 'DCGM_FI_DEV_XID_ERRORS',
} as const;

/** Selector of the DCGM exporter's scrape targets (the GPU operator's Service `nvidia-dcgm-exporter`). */
export const DCGM_EXPORTER_JOB_SELECTOR = 'job=~".*dcgm-exporter.*"';

/**
 * XID codes that mean the GPU or its memory is failing (uncorrectable ECC, row remapping failure,
 * fallen off the bus, NVLink errors): the node should be drained and replaced.
 */
export const FATAL_XID_CODES: readonly number[] = [48, 63, 64, 74, 79, 94, 95];

/** UID of the GPU dashboard (stable: links and bookmarks use it). */
export const GPU_DASHBOARD_UID = 'ai-platform-gpus';

/**
 * How long the XID alerts stay active after the gauge changed: an application XID for 15 minutes,
 * a fatal one for an hour (time to cordon and drain). A fatal XID also raises `GpuXidError`;
 * Alertmanager inhibits it for the same GPU (see {@link GPU_INHIBIT_RULES}).
 */
const XID_WINDOWS = { any: '15m', fatal: '1h' } as const;

/**
 * Alertmanager inhibition rules of the GPU alerts: a fatal XID silences the XID warning of the same
 * GPU (`Hostname`, `gpu`). kube-prometheus-stack's own rules inhibit only within one alert name.
 */
export const GPU_INHIBIT_RULES: readonly { [k: string]: string[] }[] = [
  { source_matchers: ['alertname = "GpuFatalXidError"'], target_matchers: ['alertname = "GpuXidError"'], equal: ['Hostname', 'gpu'] },
];

/** Options of {@link gpuAlertRuleGroups}. */
export interface GpuAlertOptions {
  /**
   * GPU temperature that raises `GpuHighTemperature` after 5 minutes, °C. Datacenter GPUs slow
   * down (thermal throttling) from about 85-90 °C.
   * @default 85
   */
  readonly temperatureThresholdCelsius?: number;
}

/** Alert rules on GPU health: XID errors, temperature, and the exporter being down or missing. */
export function gpuAlertRuleGroups(options: GpuAlertOptions = {}): PrometheusRuleGroup[] {
  const threshold = options.temperatureThresholdCelsius ?? 85;
  const m = DCGM_METRICS;
  // The exporter keeps the last XID as the gauge's value until it restarts (NVIDIA/dcgm-exporter#500):
  // an XID is an event, seen as a change of the gauge within a window; the value says which XID.
  const xid = `${m.XID_ERRORS}{${DCGM_EXPORTER_JOB_SELECTOR}}`;
  const changed = (window: string) => `on (Hostname, gpu) (max by (Hostname, gpu) (changes(${xid}[${window}])) > 0)`;
  const fatal = FATAL_XID_CODES.map((c) => `${xid} == ${c}`).join(' or ');
  return [
    {
      name: 'gpu-health',
      rules: [
        {
          alert: 'GpuXidError',
          expr: `(max by (Hostname, gpu) (${xid}) > 0) and ${changed(XID_WINDOWS.any)}`,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'GPU reported an XID error',
            description: `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID {{ $value }} in the last ${XID_WINDOWS.any}. Application XIDs (13, 31, 43) point at the workload; others at the driver or hardware.`,
          },
        },
        {
          alert: 'GpuFatalXidError',
          expr: `max by (Hostname, gpu) (${fatal}) and ${changed(XID_WINDOWS.fatal)}`,
          labels: { severity: 'critical' },
          annotations: {
            summary: 'GPU hardware failure (fatal XID)',
            description: `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID {{ $value }} in the last ${XID_WINDOWS.fatal} (ECC, row remapping, NVLink or fallen off the bus): cordon and drain the node and replace it.`,
          },
        },
        {
          alert: 'GpuHighTemperature',
          expr: `max by (Hostname, gpu) (${m.GPU_TEMP}{${DCGM_EXPORTER_JOB_SELECTOR}}) > ${threshold}`,
          forDuration: Duration.minutes(5),
          labels: { severity: 'warning' },
          annotations: {
            summary: 'GPU is running hot',
            description: `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has been above ${threshold} °C for 5 minutes ({{ $value }} °C): it throttles and may fail.`,
          },
        },
      ],
    },
    {
      name: 'gpu-exporter',
      rules: [
        {
          alert: 'DcgmExporterDown',
          expr: `up{${DCGM_EXPORTER_JOB_SELECTOR}} == 0`,
          forDuration: Duration.minutes(5),
          labels: { severity: 'warning' },
          annotations: {
            summary: 'DCGM exporter is not answering',
            description: 'The DCGM exporter target {{ $labels.instance }} ({{ $labels.node }}) has failed its scrapes for 5 minutes: GPU metrics and GPU alerts of that node are blind.',
          },
        },
        {
          // A GPU node without a healthy exporter target: catches exporters that never started
          // (absent targets make `up == 0` silent). Nodes get 15 minutes for driver validation.
          alert: 'DcgmExporterMissing',
          expr: `(max by (node) (kube_node_status_capacity{resource="nvidia_com_gpu"}) > 0) unless on (node) (max by (node) (up{${DCGM_EXPORTER_JOB_SELECTOR}}) == 1)`,
          forDuration: Duration.minutes(15),
          labels: { severity: 'warning' },
          annotations: {
            summary: 'GPU node without DCGM exporter',
            description: 'Node {{ $labels.node }} advertises GPUs but no DCGM exporter has been scraped there for 15 minutes.',
          },
        },
      ],
    },
  ];
}

interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly targets: { expr: string; legend: string }[];
  readonly max?: number;
}

const HOST = 'Hostname=~"$Hostname"';
// Metrics of GPUs no pod uses carry the exporter's own pod (honorLabels fills in the target's).
const WORKLOAD = `${HOST}, pod!="", pod!~"nvidia-dcgm-exporter.*"`;

function panel(id: number, spec: PanelSpec, x: number, y: number): JsonObject {
  const defaults: JsonObject = { unit: spec.unit, min: 0 };
  if (spec.max !== undefined) defaults.max = spec.max;
  return {
    id,
    type: 'timeseries',
    title: spec.title,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { h: 8, w: 12, x, y },
    fieldConfig: { defaults, overrides: [] },
    options: { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: spec.targets.map((t, i): JsonValue => ({
      datasource: { type: 'prometheus', uid: '${datasource}' },
      expr: t.expr,
      legendFormat: t.legend,
      refId: String.fromCharCode(65 + i),
    })),
  };
}

function row(id: number, title: string, y: number): JsonObject {
  return { id, type: 'row', title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] };
}

/**
 * The GPU dashboard model: utilisation, memory used/free, power and temperature per node, and
 * the same per pod (of the GPUs each pod uses). Datasource and node are dashboard variables
 * (`${datasource}`, `$Hostname`).
 */
export function gpuDashboard(): JsonObject {
  const m = DCGM_METRICS;
  const perNode: PanelSpec[] = [
    { title: 'GPU utilisation per node', unit: 'percent', max: 100, targets: [{ expr: `avg by (Hostname) (${m.GPU_UTIL}{${HOST}})`, legend: '{{Hostname}}' }] },
    {
      title: 'GPU memory per node',
      unit: 'mbytes',
      targets: [
        { expr: `sum by (Hostname) (${m.FB_USED}{${HOST}})`, legend: '{{Hostname}} used' },
        { expr: `sum by (Hostname) (${m.FB_FREE}{${HOST}})`, legend: '{{Hostname}} free' },
      ],
    },
    { title: 'GPU power per node', unit: 'watt', targets: [{ expr: `sum by (Hostname) (${m.POWER_USAGE}{${HOST}})`, legend: '{{Hostname}}' }] },
    { title: 'GPU temperature', unit: 'celsius', targets: [{ expr: `max by (Hostname, gpu) (${m.GPU_TEMP}{${HOST}})`, legend: '{{Hostname}} GPU {{gpu}}' }] },
  ];
  const perPod: PanelSpec[] = [
    { title: 'GPU utilisation per pod', unit: 'percent', max: 100, targets: [{ expr: `avg by (namespace, pod) (${m.GPU_UTIL}{${WORKLOAD}})`, legend: '{{namespace}}/{{pod}}' }] },
    {
      title: 'GPU memory per pod',
      unit: 'mbytes',
      targets: [
        { expr: `sum by (namespace, pod) (${m.FB_USED}{${WORKLOAD}})`, legend: '{{namespace}}/{{pod}} used' },
        { expr: `sum by (namespace, pod) (${m.FB_FREE}{${WORKLOAD}})`, legend: '{{namespace}}/{{pod}} free' },
      ],
    },
    { title: 'GPU power per pod', unit: 'watt', targets: [{ expr: `sum by (namespace, pod) (${m.POWER_USAGE}{${WORKLOAD}})`, legend: '{{namespace}}/{{pod}}' }] },
    { title: 'GPU temperature per pod', unit: 'celsius', targets: [{ expr: `max by (namespace, pod) (${m.GPU_TEMP}{${WORKLOAD}})`, legend: '{{namespace}}/{{pod}}' }] },
  ];
  const panels: JsonValue[] = [];
  let id = 1;
  let y = 0;
  for (const [title, specs] of [['Per node', perNode], ['Per pod', perPod]] as const) {
    panels.push(row(id++, title, y));
    y += 1;
    specs.forEach((s, i) => panels.push(panel(id++, s, (i % 2) * 12, y + Math.floor(i / 2) * 8)));
    y += Math.ceil(specs.length / 2) * 8;
  }
  return {
    uid: GPU_DASHBOARD_UID,
    title: 'GPUs (DCGM)',
    tags: ['gpu', 'dcgm', 'ai-platform'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', hide: 0, current: {} },
        {
          name: 'Hostname',
          label: 'Node',
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          definition: `label_values(${m.GPU_UTIL}, Hostname)`,
          query: { query: `label_values(${m.GPU_UTIL}, Hostname)`, refId: 'Hostname' },
          refresh: 2,
          includeAll: true,
          multi: true,
          sort: 1,
          hide: 0,
          current: { selected: true, text: ['All'], value: ['$__all'] },
        },
      ],
    },
    panels,
  };
}
