import { DRIFT_DEFAULTS, DriftInputConfig, DriftJobConfig, JobExitCode } from '../config';
import { JobError } from '../runtime/errors';
import { JobContext, JobOutcome, JobSpec } from '../runtime/job';
import { MetricRegistry } from '../runtime/metrics';
import { ColumnResult, DriftAnalysis, analyze } from './analyze';
import { Table, readTable } from './table';
import { validateDriftConfig } from './validate';

/** Metric names of the drift job (lib/jobs/README.md documents them; alert rules match on them). */
export const DRIFT_METRICS = {
  psi: ['aiplatform_drift_psi', 'Population Stability Index of the feature, current window vs reference.'],
  ksStatistic: ['aiplatform_drift_ks_statistic', 'Two-sample Kolmogorov-Smirnov statistic D of the numeric feature.'],
  ksPValue: ['aiplatform_drift_ks_pvalue', 'Two-sided Kolmogorov-Smirnov p-value of the numeric feature.'],
  chi2Statistic: ['aiplatform_drift_chi2_statistic', 'Chi-square statistic (test of homogeneity) of the categorical feature.'],
  chi2PValue: ['aiplatform_drift_chi2_pvalue', 'Chi-square p-value of the categorical feature.'],
  js: ['aiplatform_drift_js_distance', 'Jensen-Shannon distance (base 2, 0..1) of the feature.'],
  detected: ['aiplatform_drift_detected', '1 when the feature drifted by its deciding methods, else 0.'],
  missing: ['aiplatform_drift_missing_ratio', 'Share of rows with a missing value for the feature, per window.'],
  datasetDrift: ['aiplatform_dataset_drift', '1 when the share of drifted features reached the dataset threshold.'],
  share: ['aiplatform_drift_share', 'Share of evaluated features that drifted.'],
  rows: ['aiplatform_drift_rows', 'Rows read per window.'],
} as const;

const STATUS_TEXT: { readonly [s: string]: string } = {
  missing_in_current: 'missing from the current window',
  empty_in_current: 'all values missing in the current window',
};

function describe(c: ColumnResult): string {
  if (c.status !== 'ok') return `${c.column}: ${STATUS_TEXT[c.status] ?? c.status}`;
  const parts: string[] = [];
  if (c.psi !== undefined) parts.push(`psi ${c.psi.toFixed(4)}`);
  if (c.ks) parts.push(`ks D ${c.ks.statistic.toFixed(4)} p ${c.ks.pValue.toPrecision(3)}`);
  if (c.chiSquare) parts.push(`chi2 ${c.chiSquare.statistic.toFixed(3)} p ${c.chiSquare.pValue.toPrecision(3)}`);
  if (c.jensenShannon !== undefined) parts.push(`js ${c.jensenShannon.toFixed(4)}`);
  return `${c.column} (${c.kind}): ${parts.join(', ')}${c.drifted ? ` -> DRIFT by ${c.flaggedBy.join(', ')}` : ''}`;
}

async function load(ctx: JobContext, input: DriftInputConfig, which: string): Promise<{ url: string; objects: string[]; table: Table }> {
  const url = ctx.expand(input.url);
  ctx.progress = `reading the ${which} window`;
  const objects = await ctx.storage.readAll(url, ctx.inputBudget());
  const table = readTable(objects, input.format, input.delimiter ?? ',');
  ctx.log.info(`${which}: ${table.rows} rows, ${table.columns.length} columns from ${objects.length} object(s) at ${url}`);
  return { url, objects: objects.map((o) => o.name), table };
}

function metricsOf(config: DriftJobConfig, a: DriftAnalysis, refRows: number, curRows: number): MetricRegistry {
  const reg = new MetricRegistry();
  const monitor = config.name;
  const m = DRIFT_METRICS;
  for (const c of a.columns) {
    if (!c.evaluated) continue;
    const l = { monitor, feature: c.column };
    if (c.psi !== undefined) reg.gauge(m.psi[0], m.psi[1], l, c.psi);
    if (c.ks) {
      reg.gauge(m.ksStatistic[0], m.ksStatistic[1], l, c.ks.statistic);
      reg.gauge(m.ksPValue[0], m.ksPValue[1], l, c.ks.pValue);
    }
    if (c.chiSquare) {
      reg.gauge(m.chi2Statistic[0], m.chi2Statistic[1], l, c.chiSquare.statistic);
      reg.gauge(m.chi2PValue[0], m.chi2PValue[1], l, c.chiSquare.pValue);
    }
    if (c.jensenShannon !== undefined) reg.gauge(m.js[0], m.js[1], l, c.jensenShannon);
    reg.gauge(m.detected[0], m.detected[1], l, c.drifted ? 1 : 0);
    if (c.reference) reg.gauge(m.missing[0], m.missing[1], { ...l, window: 'reference' }, c.reference.missingShare);
    if (c.current) reg.gauge(m.missing[0], m.missing[1], { ...l, window: 'current' }, c.current.missingShare);
  }
  reg.gauge(m.datasetDrift[0], m.datasetDrift[1], { monitor }, a.datasetDrift ? 1 : 0);
  reg.gauge(m.share[0], m.share[1], { monitor }, a.share);
  reg.gauge(m.rows[0], m.rows[1], { monitor, window: 'reference' }, refRows);
  reg.gauge(m.rows[0], m.rows[1], { monitor, window: 'current' }, curRows);
  return reg;
}

function mlflowMetrics(a: DriftAnalysis, refRows: number, curRows: number): { [k: string]: number } {
  const out: { [k: string]: number } = {
    drift_share: a.share, dataset_drift: a.datasetDrift ? 1 : 0, columns_evaluated: a.evaluated, columns_drifted: a.drifted,
    rows_reference: refRows, rows_current: curRows,
  };
  for (const c of a.columns) {
    if (!c.evaluated) continue;
    out[`drifted.${c.column}`] = c.drifted ? 1 : 0;
    if (c.psi !== undefined) out[`psi.${c.column}`] = c.psi;
    if (c.ks) {
      out[`ks_statistic.${c.column}`] = c.ks.statistic;
      out[`ks_pvalue.${c.column}`] = c.ks.pValue;
    }
    if (c.chiSquare) {
      out[`chi2_statistic.${c.column}`] = c.chiSquare.statistic;
      out[`chi2_pvalue.${c.column}`] = c.chiSquare.pValue;
    }
    if (c.jensenShannon !== undefined) out[`js_distance.${c.column}`] = c.jensenShannon;
  }
  return out;
}

/** Reads both windows, compares them and describes the results for the runner. */
export async function executeDrift(config: DriftJobConfig, ctx: JobContext): Promise<JobOutcome> {
  const ref = await load(ctx, config.reference, 'reference');
  if (ref.objects.length === 0) throw new JobError(`reference: no data at ${ref.url} (no such object or file, or nothing under the prefix)`);
  if (ref.table.rows === 0) throw new JobError(`reference: ${ref.url} has no rows`);
  const cur = await load(ctx, config.current, 'current');
  const params = {
    reference_url: ref.url, current_url: cur.url, bins: String(config.bins ?? DRIFT_DEFAULTS.bins),
    dataset_drift_share: String(config.datasetDriftShare ?? DRIFT_DEFAULTS.datasetDriftShare),
    numeric_methods: (config.numericMethods ?? DRIFT_DEFAULTS.numericMethods).join(','),
    categorical_methods: (config.categoricalMethods ?? DRIFT_DEFAULTS.categoricalMethods).join(','),
    thresholds: JSON.stringify({ ...DRIFT_DEFAULTS.thresholds, ...config.thresholds }),
  };
  const inputs = { reference: { url: ref.url, objects: ref.objects, rows: ref.table.rows }, current: { url: cur.url, objects: cur.objects, rows: cur.table.rows } };
  if (cur.table.rows === 0) {
    const why = cur.objects.length === 0 ? `no data at ${cur.url} (no such object or file, or nothing under the prefix)` : `${cur.url} has no rows`;
    if (!config.allowEmptyCurrent) throw new JobError(`current window is empty: ${why} (set allowEmptyCurrent to accept empty windows)`);
    ctx.log.warn(`current window is empty: ${why}; nothing compared (allowEmptyCurrent)`);
    const reg = new MetricRegistry();
    reg.gauge(DRIFT_METRICS.rows[0], DRIFT_METRICS.rows[1], { monitor: config.name, window: 'reference' }, ref.table.rows);
    reg.gauge(DRIFT_METRICS.rows[0], DRIFT_METRICS.rows[1], { monitor: config.name, window: 'current' }, 0);
    return {
      exitCode: JobExitCode.OK, summary: 'skipped: the current window is empty', metrics: reg,
      report: { status: 'skipped', reason: `current window is empty: ${why}`, ...inputs },
      mlflow: { params, metrics: { rows_reference: ref.table.rows, rows_current: 0 }, tags: { status: 'skipped' } },
    };
  }
  const a = analyze(config, ref.table, cur.table);
  for (const n of a.notes) ctx.log.warn(n);
  for (const c of a.columns) {
    for (const n of c.notes) ctx.log.warn(`${c.column}: ${n}`);
    if (c.evaluated) ctx.log.info(describe(c));
  }
  if (a.evaluated === 0) {
    throw new JobError(`no column could be compared: ${a.columns.map((c) => `${c.column} (${c.status})`).join(', ') || 'the reference has no columns'}`);
  }
  const threshold = config.datasetDriftShare ?? DRIFT_DEFAULTS.datasetDriftShare;
  const verdict = a.datasetDrift ? 'DATASET DRIFT' : 'no dataset drift';
  const summary = `${verdict}: ${a.drifted}/${a.evaluated} columns drifted (share ${a.share.toFixed(3)}, threshold ${threshold})`;
  const failed = a.datasetDrift && config.failOnDrift === true;
  return {
    exitCode: failed ? JobExitCode.CHECK_FAILED : JobExitCode.OK,
    summary: failed ? `${summary}; exiting 2 (failOnDrift)` : summary,
    metrics: metricsOf(config, a, ref.table.rows, cur.table.rows),
    report: {
      status: 'ok', datasetDrift: a.datasetDrift, driftShare: a.share, datasetDriftShare: threshold,
      columnsEvaluated: a.evaluated, columnsDrifted: a.drifted, ...inputs, notes: a.notes, columns: a.columns,
    },
    mlflow: { params, metrics: mlflowMetrics(a, ref.table.rows, cur.table.rows), tags: { status: a.datasetDrift ? 'drift' : 'no_drift' } },
  };
}

/** The drift job for {@link runJob}. */
export const DRIFT_JOB: JobSpec<DriftJobConfig> = {
  kind: 'drift',
  label: 'monitor',
  defaultPushJob: DRIFT_DEFAULTS.pushgatewayJob,
  validate: validateDriftConfig,
  execute: executeDrift,
};
