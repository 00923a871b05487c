import { COST_SERIES, PRICE_SOURCES, costPerMillionTokens, costPerMillionTokensOfTotals } from '../../cost/definitions';
import { COST_REPORT_DEFAULTS, CostModelEstimate, CostReportJobConfig, JobExitCode } from '../config';
import { JobError } from '../runtime/errors';
import { JobContext, JobOutcome, JobSpec } from '../runtime/job';
import { MetricRegistry } from '../runtime/metrics';
import { renderCostMarkdown } from './markdown';
import { PromSample, PrometheusClient } from './prometheus';
import { validateCostReportConfig } from './validate';

/** Metric names of the cost report job (lib/jobs/README.md documents them). */
export const COST_REPORT_METRICS = {
  dollars: ['aiplatform_cost_report_model_dollars', 'GPU dollars of the model over the report period.'],
  perMillion: ['aiplatform_cost_report_model_cost_per_million_output_tokens_usd', 'Cost per 1M output tokens of the model over the report period, USD.'],
  gpuHours: ['aiplatform_cost_report_model_gpu_hours', 'GPU-hours of the model over the report period.'],
  idleDollars: ['aiplatform_cost_report_idle_dollars', 'Dollars of GPUs no pod requested over the report period.'],
  totalDollars: ['aiplatform_cost_report_gpu_dollars', 'Dollars of all GPU nodes over the report period.'],
  spotShare: ['aiplatform_cost_report_spot_share', 'Share of GPU-hours on spot nodes over the report period.'],
} as const;

/** The estimate next to the measurement. */
export interface EstimateComparison {
  /** The estimate's range per GPU-hour, USD. */
  readonly gpuHourlyLowUsd: number;
  /** The estimate's range per GPU-hour, USD. */
  readonly gpuHourlyHighUsd: number;
  /** The estimate's cost per 1M output tokens, low and high, at its assumed throughput. */
  readonly costPerMillionOutputTokensLowUsd: number;
  /** High end. */
  readonly costPerMillionOutputTokensHighUsd: number;
  /** Output tokens/s per replica the estimate assumed. */
  readonly tokensPerSecondPerReplica: number;
  /** Measured output tokens/s per replica (per GPU × GPUs per replica). */
  readonly measuredTokensPerSecondPerReplica: number;
  /** `below`, `within` or `above` the estimate's cost per 1M output tokens range. */
  readonly verdict: 'below' | 'within' | 'above' | 'no_tokens';
}

/** One model's line of the report. */
export interface ModelCostLine {
  readonly namespace: string;
  readonly model: string;
  readonly requests: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly gpuHours: number;
  readonly spotGpuHours: number;
  readonly spotShare: number;
  readonly dollars: number;
  readonly dollarsPerGpuHour?: number;
  readonly costPerMillionOutputTokensUsd?: number;
  readonly costPerMillionTokensUsd?: number;
  readonly costPerRequestUsd?: number;
  readonly gpuUtilization?: number;
  readonly latencyP95Seconds?: number;
  readonly estimate?: EstimateComparison;
}

/** The platform totals of the report. */
export interface PlatformCostTotals {
  readonly gpuHours: number;
  readonly spotGpuHours: number;
  readonly spotShare: number;
  readonly dollars: number;
  readonly modelDollars: number;
  readonly idleGpuHours: number;
  readonly idleDollars: number;
  /** GPU dollars neither a serving pod nor idle (GPU pods that are not serving: jobs, notebooks). */
  readonly otherDollars: number;
  /** Dollars per price source (`catalog_on_demand`, `spot_price_history`, `catalog_spot_assumption`). */
  readonly dollarsByPriceSource: { readonly [source: string]: number };
}

/** The report body (the runner adds kind, name and times). */
export interface CostReportBody {
  readonly status: 'ok';
  readonly period: { readonly start: string; readonly end: string; readonly hours: number };
  readonly prometheusUrl: string;
  readonly priceCatalog?: CostReportJobConfig['priceCatalog'];
  readonly platform: PlatformCostTotals;
  readonly models: ModelCostLine[];
  readonly notes: string[];
}

const key = (l: { readonly [k: string]: string }) => `${l.namespace ?? ''}/${l.model ?? ''}`;

/** The PromQL of each figure, over `hours` ending at the query time, integrated on 1-minute steps. */
export function costReportQueries(hours: number): { [name: string]: string } {
  const w = `[${hours}h:1m]`;
  const S = COST_SERIES;
  const perModel = (series: string, scale: string) => `sum by (namespace, model) (sum_over_time(${series}${w})) ${scale}`;
  return {
    gpuHours: perModel(S.modelGpus, '/ 60'),
    spotGpuHours: perModel(`${S.modelGpus}{capacity_type="spot"}`, '/ 60'),
    dollars: perModel(S.modelCost, '/ 60'),
    outputTokens: perModel(S.modelOutputTokens, '* 60'),
    promptTokens: perModel(S.modelPromptTokens, '* 60'),
    requests: perModel(S.modelRequests, '* 60'),
    utilization: `sum by (namespace, model) (sum_over_time(${S.modelUtilization}${w})) / sum by (namespace, model) (count_over_time(${S.modelUtilization}${w}))`,
    latencyP95: `histogram_quantile(0.95, sum by (namespace, model, le) (sum_over_time(aiplatform:serving_e2e_latency_seconds_bucket:rate5m${w})))`,
    totalGpuHours: `sum(sum_over_time(${S.nodeGpus}${w})) / 60`,
    totalSpotGpuHours: `sum(sum_over_time(${S.nodeGpus}{capacity_type="spot"}${w})) / 60`,
    totalDollars: `sum(sum_over_time(${S.nodePrice}${w})) / 60`,
    idleGpuHours: `sum(sum_over_time(${S.idleGpus}${w})) / 60`,
    idleDollars: `sum(sum_over_time(${S.idleCost}${w})) / 60`,
    dollarsBySource: `sum by (price_source) (sum_over_time(${S.nodePrice}${w})) / 60`,
  };
}

function checked(name: string, samples: PromSample[]): PromSample[] {
  for (const s of samples) {
    if (!Number.isFinite(s.value) || s.value < 0) {
      throw new JobError(`bad data: ${name} of ${JSON.stringify(s.labels)} is ${s.value} (expected a finite number >= 0): check the cost recording rules (docs/cost.md)`);
    }
  }
  return samples;
}

function scalar(samples: PromSample[]): number {
  return samples.length ? samples[0].value : 0;
}

function compare(line: Omit<ModelCostLine, 'estimate'>, e: CostModelEstimate): EstimateComparison {
  const low = costPerMillionTokens(e.replicaHourlyLowUsd, e.tokensPerSecondPerReplica);
  const high = costPerMillionTokens(e.replicaHourlyHighUsd, e.tokensPerSecondPerReplica);
  const perGpu = line.gpuHours > 0 ? line.outputTokens / (line.gpuHours * 3600) : 0;
  const actual = line.costPerMillionOutputTokensUsd;
  return {
    gpuHourlyLowUsd: e.replicaHourlyLowUsd / e.gpusPerReplica,
    gpuHourlyHighUsd: e.replicaHourlyHighUsd / e.gpusPerReplica,
    costPerMillionOutputTokensLowUsd: low,
    costPerMillionOutputTokensHighUsd: high,
    tokensPerSecondPerReplica: e.tokensPerSecondPerReplica,
    measuredTokensPerSecondPerReplica: perGpu * e.gpusPerReplica,
    verdict: actual === undefined ? 'no_tokens' : actual < low ? 'below' : actual > high ? 'above' : 'within',
  };
}

/** Queries Prometheus and builds the report. */
export async function buildCostReport(config: CostReportJobConfig, ctx: JobContext): Promise<CostReportBody> {
  const hours = config.periodHours ?? COST_REPORT_DEFAULTS.periodHours;
  const prom = new PrometheusClient(config.prometheusUrl, config.requestTimeoutMs ?? 30000, ctx.limits.maxResponseBytes);
  const q = costReportQueries(hours);
  const r: { [name: string]: PromSample[] } = {};
  for (const [name, expr] of Object.entries(q)) {
    ctx.progress = `query ${name}`;
    r[name] = checked(name, await prom.query(expr, ctx.now));
  }
  const totalGpuHours = scalar(r.totalGpuHours);
  if (r.totalGpuHours.length === 0 || totalGpuHours === 0) {
    throw new JobError(`no GPU cost data in the ${hours} h before ${ctx.now.toISOString()}: ${COST_SERIES.nodeGpus} has no samples at ${config.prometheusUrl} (are the cost recording rules loaded, kube-state-metrics scraped and GPU nodes running? docs/cost.md)`);
  }
  const models = new Map<string, { namespace: string; model: string }>();
  for (const name of ['gpuHours', 'dollars', 'outputTokens', 'requests']) for (const s of r[name]) models.set(key(s.labels), { namespace: s.labels.namespace ?? '', model: s.labels.model ?? '' });
  const get = (name: string, k: string): number | undefined => r[name].find((s) => key(s.labels) === k)?.value;
  const lines: ModelCostLine[] = [...models.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, id]) => {
    const gpuHours = get('gpuHours', k) ?? 0;
    const spotGpuHours = get('spotGpuHours', k) ?? 0;
    const dollars = get('dollars', k) ?? 0;
    const outputTokens = get('outputTokens', k) ?? 0;
    const promptTokens = get('promptTokens', k) ?? 0;
    const requests = get('requests', k) ?? 0;
    const latency = get('latencyP95', k);
    const base = {
      ...id, requests, promptTokens, outputTokens, gpuHours, spotGpuHours,
      spotShare: gpuHours > 0 ? spotGpuHours / gpuHours : 0,
      dollars,
      dollarsPerGpuHour: gpuHours > 0 ? dollars / gpuHours : undefined,
      costPerMillionOutputTokensUsd: costPerMillionTokensOfTotals(dollars, outputTokens),
      costPerMillionTokensUsd: costPerMillionTokensOfTotals(dollars, outputTokens + promptTokens),
      costPerRequestUsd: requests > 0 ? dollars / requests : undefined,
      gpuUtilization: get('utilization', k),
      latencyP95Seconds: latency !== undefined && Number.isFinite(latency) ? latency : undefined,
    };
    const e = config.estimates?.find((x) => x.namespace === id.namespace && x.model === id.model);
    return e ? { ...base, estimate: compare(base, e) } : base;
  });
  const notes: string[] = [];
  for (const e of config.estimates ?? []) {
    if (!models.has(`${e.namespace}/${e.model}`)) notes.push(`${e.namespace}/${e.model} has an estimate but no GPU series in the period (not deployed, or not serving)`);
  }
  const bySource = Object.fromEntries(r.dollarsBySource.map((s) => [s.labels.price_source ?? 'unknown', s.value]));
  if (bySource[PRICE_SOURCES.catalogSpotAssumption] !== undefined) {
    notes.push(`some spot nodes were priced with the catalog's spot assumption (${config.priceCatalog ? `${config.priceCatalog.spotPriceFactor} × on-demand` : 'a share of on-demand'}): no spot price was pushed for their type and zone`);
  }
  const dollars = scalar(r.totalDollars);
  const modelDollars = lines.reduce((n, l) => n + l.dollars, 0);
  const idleDollars = scalar(r.idleDollars);
  const spot = scalar(r.totalSpotGpuHours);
  return {
    status: 'ok',
    period: { start: new Date(ctx.now.getTime() - hours * 3600000).toISOString(), end: ctx.now.toISOString(), hours },
    prometheusUrl: config.prometheusUrl,
    ...(config.priceCatalog ? { priceCatalog: config.priceCatalog } : {}),
    platform: {
      gpuHours: totalGpuHours, spotGpuHours: spot, spotShare: spot / totalGpuHours, dollars, modelDollars,
      idleGpuHours: scalar(r.idleGpuHours), idleDollars, otherDollars: Math.max(0, dollars - modelDollars - idleDollars), dollarsByPriceSource: bySource,
    },
    models: lines,
    notes,
  };
}

/** Runs the report for the runner: JSON report, Markdown, metrics and MLflow. */
export async function executeCostReport(config: CostReportJobConfig, ctx: JobContext): Promise<JobOutcome> {
  const report = await buildCostReport(config, ctx);
  const reg = new MetricRegistry();
  const m = COST_REPORT_METRICS;
  const mlMetrics: { [k: string]: number } = {
    gpu_dollars: report.platform.dollars, gpu_hours: report.platform.gpuHours, idle_dollars: report.platform.idleDollars,
    idle_gpu_hours: report.platform.idleGpuHours, spot_share: report.platform.spotShare, other_dollars: report.platform.otherDollars,
  };
  for (const l of report.models) {
    const labels = { report: config.name, namespace: l.namespace, model: l.model };
    reg.gauge(m.dollars[0], m.dollars[1], labels, l.dollars);
    reg.gauge(m.gpuHours[0], m.gpuHours[1], labels, l.gpuHours);
    if (l.costPerMillionOutputTokensUsd !== undefined) reg.gauge(m.perMillion[0], m.perMillion[1], labels, l.costPerMillionOutputTokensUsd);
    const p = `${l.namespace}.${l.model}`;
    mlMetrics[`dollars.${p}`] = l.dollars;
    mlMetrics[`gpu_hours.${p}`] = l.gpuHours;
    if (l.costPerMillionOutputTokensUsd !== undefined) mlMetrics[`cost_per_million_output_tokens.${p}`] = l.costPerMillionOutputTokensUsd;
    if (l.gpuUtilization !== undefined) mlMetrics[`gpu_utilization.${p}`] = l.gpuUtilization;
  }
  reg.gauge(m.idleDollars[0], m.idleDollars[1], { report: config.name }, report.platform.idleDollars);
  reg.gauge(m.totalDollars[0], m.totalDollars[1], { report: config.name }, report.platform.dollars);
  reg.gauge(m.spotShare[0], m.spotShare[1], { report: config.name }, report.platform.spotShare);
  const extraWrites = config.markdownUrl
    ? [{ url: ctx.expand(config.markdownUrl), body: Buffer.from(renderCostMarkdown(config.name, report)), contentType: 'text/markdown; charset=utf-8' }]
    : [];
  const p = report.platform;
  return {
    exitCode: JobExitCode.OK,
    summary: `${p.dollars.toFixed(2)} USD of GPUs over ${report.period.hours} h (${p.idleDollars.toFixed(2)} idle, spot share ${(p.spotShare * 100).toFixed(1)}%), ${report.models.length} model(s)`,
    metrics: reg,
    report: report as unknown as { [k: string]: unknown },
    mlflow: { params: { prometheus_url: config.prometheusUrl, period_hours: String(report.period.hours) }, metrics: mlMetrics, tags: { status: 'ok' } },
    extraWrites,
  };
}

/** The cost report job for the runner. */
export const COST_REPORT_JOB: JobSpec<CostReportJobConfig> = {
  kind: 'cost',
  label: 'report',
  defaultPushJob: COST_REPORT_DEFAULTS.pushgatewayJob,
  validate: validateCostReportConfig,
  execute: executeCostReport,
};
