import { createHash } from 'crypto';
import { EvalChatMessage, EVAL_DEFAULTS, EvalJobConfig, EvalScorer, JobExitCode } from '../config';
import { JobError, errorMessage } from '../runtime/errors';
import { displayUrl } from '../runtime/http';
import { JobContext, JobOutcome, JobSpec } from '../runtime/job';
import { MetricRegistry } from '../runtime/metrics';
import { mean, percentile } from '../runtime/stats';
import { EvalRow, parseDataset } from './dataset';
import { GateResult, checkRegression, checkThresholds } from './gates';
import { ChatClient, ChatResult, mapConcurrent } from './openai';
import { Judge, ScoreResult, score } from './scorers';
import { validateEvalConfig } from './validate';

/** Metric names of the eval job (lib/jobs/README.md documents them; alert rules match on them). */
export const EVAL_METRICS = {
  passRate: ['aiplatform_eval_pass_rate', 'Share of dataset rows whose scorers all passed.'],
  scorerPassRate: ['aiplatform_eval_scorer_pass_rate', 'Share of rows using the scorer that passed it.'],
  rows: ['aiplatform_eval_rows', 'Rows evaluated.'],
  errors: ['aiplatform_eval_errors', 'Rows whose model request (after retries) or judge call failed.'],
  errorRate: ['aiplatform_eval_error_rate', 'errors / rows.'],
  latencyP50: ['aiplatform_eval_latency_p50_seconds', 'Median latency of successful model requests.'],
  latencyP95: ['aiplatform_eval_latency_p95_seconds', '95th percentile latency of successful model requests (linear interpolation).'],
  tokensPerSecond: ['aiplatform_eval_tokens_per_second', 'Sum of usage.completion_tokens over the sum of request latencies.'],
  judgeScore: ['aiplatform_eval_judge_score_mean', 'Mean judge score, normalized to 0..1.'],
  gatePassed: ['aiplatform_eval_gate_passed', '1 when every gate passed, 0 when one failed.'],
  gateCheck: ['aiplatform_eval_gate_check_passed', '1 when the gate on the metric passed (skipped regression gates count as passed).'],
} as const;

/** The baseline a regression gate compares with. */
export interface Baseline {
  /** Where it came from (URL or MLflow run). */
  readonly source: string;
  /** Its metrics. */
  readonly metrics: { readonly [k: string]: number };
  /** Hash of the dataset it ran on. */
  readonly datasetSha256?: string;
}

/** What happened to one row. */
interface RowResult {
  readonly row: EvalRow;
  readonly completion?: ChatResult;
  readonly error?: string;
  readonly scores: ScoreResult[];
  readonly passed: boolean;
}

function messagesOf(row: EvalRow, systemPrompt: string | undefined): EvalChatMessage[] {
  if (typeof row.input !== 'string') return [...row.input];
  return systemPrompt ? [{ role: 'system', content: systemPrompt }, { role: 'user', content: row.input }] : [{ role: 'user', content: row.input }];
}

async function loadBaseline(config: EvalJobConfig, ctx: JobContext): Promise<Baseline | undefined> {
  const reg = config.regression;
  if (!reg) return undefined;
  if (reg.baselineUrl) {
    const url = ctx.expand(reg.baselineUrl);
    const buf = await ctx.storage.readOne(url);
    if (!buf) return undefined;
    let doc: { metrics?: unknown; datasetSha256?: unknown };
    try {
      doc = JSON.parse(buf.toString('utf8')) as typeof doc;
    } catch (e) {
      throw new JobError(`baseline ${url} is not valid JSON: ${errorMessage(e)} (delete it to start a new baseline)`);
    }
    if (typeof doc.metrics !== 'object' || doc.metrics === null) throw new JobError(`baseline ${url} has no "metrics" object`);
    const metrics = Object.fromEntries(Object.entries(doc.metrics).filter(([, v]) => typeof v === 'number')) as { [k: string]: number };
    return { source: url, metrics, datasetSha256: typeof doc.datasetSha256 === 'string' ? doc.datasetSha256 : undefined };
  }
  // validateEvalConfig guarantees mlflow when there is no baselineUrl.
  if (!ctx.mlflow) return undefined;
  const runs = await ctx.mlflow.searchRuns(await ctx.experimentId(), `tags.status = 'passed' and tags.aiplatform_name = '${config.name}'`, ['attributes.start_time DESC'], 1);
  if (runs.length === 0) return undefined;
  return { source: `MLflow run ${runs[0].runId}`, metrics: runs[0].metrics, datasetSha256: runs[0].params.dataset_sha256 };
}

function computeMetrics(results: readonly RowResult[]): { metrics: { [k: string]: number }; scorers: { [s: string]: { rows: number; passed: number; passRate: number } } } {
  const n = results.length;
  const errors = results.filter((r) => r.error !== undefined || r.scores.some((s) => s.error)).length;
  const metrics: { [k: string]: number } = {
    rows: n,
    errors,
    error_rate: n ? errors / n : 0,
    pass_rate: n ? results.filter((r) => r.passed).length / n : 0,
  };
  const scorers: { [s: string]: { rows: number; passed: number; passRate: number } } = {};
  for (const r of results) {
    for (const s of r.row.scorers) {
      const e = (scorers[s] ??= { rows: 0, passed: 0, passRate: 0 });
      e.rows++;
      if (r.scores.find((x) => x.scorer === s)?.passed) e.passed++;
    }
  }
  for (const [s, e] of Object.entries(scorers)) {
    e.passRate = e.passed / e.rows;
    metrics[`pass_rate.${s}`] = e.passRate;
  }
  const done = results.map((r) => r.completion).filter((c): c is ChatResult => c !== undefined);
  if (done.length) {
    const lat = done.map((c) => c.latencyMs);
    metrics.latency_p50_ms = percentile(lat, 50);
    metrics.latency_p95_ms = percentile(lat, 95);
    metrics.latency_mean_ms = mean(lat);
    const withUsage = done.filter((c) => c.completionTokens !== undefined);
    const seconds = withUsage.reduce((s, c) => s + c.latencyMs, 0) / 1000;
    if (withUsage.length && seconds > 0) metrics.tokens_per_second = withUsage.reduce((s, c) => s + (c.completionTokens ?? 0), 0) / seconds;
  }
  const judged = results.flatMap((r) => r.scores).filter((s) => s.score !== undefined).map((s) => s.score as number);
  if (judged.length) metrics.judge_score_mean = mean(judged);
  return { metrics, scorers };
}

function registryOf(config: EvalJobConfig, metrics: { readonly [k: string]: number }, scorers: { readonly [s: string]: { passRate: number } }, gates: readonly GateResult[], passed: boolean): MetricRegistry {
  const reg = new MetricRegistry();
  const l = { eval: config.name };
  const m = EVAL_METRICS;
  reg.gauge(m.passRate[0], m.passRate[1], l, metrics.pass_rate);
  for (const [s, e] of Object.entries(scorers)) reg.gauge(m.scorerPassRate[0], m.scorerPassRate[1], { ...l, scorer: s }, e.passRate);
  reg.gauge(m.rows[0], m.rows[1], l, metrics.rows);
  reg.gauge(m.errors[0], m.errors[1], l, metrics.errors);
  reg.gauge(m.errorRate[0], m.errorRate[1], l, metrics.error_rate);
  if (metrics.latency_p50_ms !== undefined) reg.gauge(m.latencyP50[0], m.latencyP50[1], l, metrics.latency_p50_ms / 1000);
  if (metrics.latency_p95_ms !== undefined) reg.gauge(m.latencyP95[0], m.latencyP95[1], l, metrics.latency_p95_ms / 1000);
  if (metrics.tokens_per_second !== undefined) reg.gauge(m.tokensPerSecond[0], m.tokensPerSecond[1], l, metrics.tokens_per_second);
  if (metrics.judge_score_mean !== undefined) reg.gauge(m.judgeScore[0], m.judgeScore[1], l, metrics.judge_score_mean);
  reg.gauge(m.gatePassed[0], m.gatePassed[1], l, passed ? 1 : 0);
  for (const g of gates) reg.gauge(m.gateCheck[0], m.gateCheck[1], { ...l, gate: g.type, metric: g.metric }, g.passed ? 1 : 0);
  return reg;
}

function rowReport(r: RowResult): { [k: string]: unknown } {
  const out = r.completion?.content;
  return {
    id: r.row.id,
    where: r.row.where,
    passed: r.passed,
    scorers: r.scores.map((s) => ({ scorer: s.scorer, passed: s.passed, ...(s.score !== undefined ? { score: s.score } : {}), ...(s.detail ? { detail: s.detail } : {}) })),
    ...(r.completion ? { latencyMs: Math.round(r.completion.latencyMs * 10) / 10, completionTokens: r.completion.completionTokens, attempts: r.completion.attempts } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(out !== undefined ? { output: out.length > 2000 ? `${out.slice(0, 2000)}...` : out } : {}),
    ...(r.row.metadata !== undefined ? { metadata: r.row.metadata } : {}),
  };
}

/** Runs the dataset through the model, scores it, checks the gates and describes the results for the runner. */
export async function executeEval(config: EvalJobConfig, ctx: JobContext): Promise<JobOutcome> {
  const datasetUrl = ctx.expand(config.datasetUrl);
  const objects = await ctx.storage.readAll(datasetUrl, ctx.inputBudget());
  if (objects.length === 0) throw new JobError(`dataset: no data at ${datasetUrl} (no such object or file, or nothing under the prefix)`);
  const rows = parseDataset(objects);
  if (rows.length === 0) throw new JobError(`dataset ${datasetUrl} has no rows`);
  const hash = createHash('sha256');
  for (const o of objects) hash.update(o.body);
  const datasetSha256 = hash.digest('hex');
  if (!config.judge && rows.some((r) => r.scorers.includes(EvalScorer.JUDGE))) {
    const where = rows.find((r) => r.scorers.includes(EvalScorer.JUDGE))?.where;
    throw new JobError(`dataset ${where} uses the judge scorer but the config has no judge endpoint (JOB_CONFIG.judge)`);
  }
  const model = new ChatClient(config.model, ctx.env, 'model', ctx.limits.maxResponseBytes);
  const judge: Judge | undefined = config.judge ? { client: new ChatClient(config.judge, ctx.env, 'judge', ctx.limits.maxResponseBytes), rubric: config.judge.rubric, passScore: config.judge.passScore, structuredOutput: config.judge.structuredOutput ?? true } : undefined;
  ctx.log.info(`dataset: ${rows.length} rows from ${objects.length} object(s) at ${datasetUrl}; model ${config.model.model} at ${displayUrl(model.url)}`);

  // The baseline is read before any model call: an unreachable MLflow should cost nothing.
  const baseline = await loadBaseline(config, ctx);
  const notes: string[] = [];
  if (config.regression) {
    if (!baseline) {
      if (config.regression.requireBaseline) throw new JobError('no baseline found and regression.requireBaseline is set (run once without it, or write the baseline file)');
      notes.push('no baseline yet: regression gates skipped (this run becomes the baseline if it passes)');
    } else if (baseline.datasetSha256 && baseline.datasetSha256 !== datasetSha256) {
      notes.push(`the baseline (${baseline.source}) ran on a different dataset version: the comparison may not be like for like`);
    }
  }
  for (const n of notes) ctx.log.warn(n);

  const concurrency = config.concurrency ?? EVAL_DEFAULTS.concurrency;
  let done = 0;
  ctx.progress = `0/${rows.length} rows done`;
  let nextReport = 0.1;
  const results = await mapConcurrent(rows, concurrency, async (row): Promise<RowResult> => {
    let result: RowResult;
    try {
      const completion = await model.complete(messagesOf(row, config.model.systemPrompt));
      const scores: ScoreResult[] = [];
      for (const s of row.scorers) scores.push(await score(row, s, completion, judge));
      result = { row, completion, scores, passed: scores.every((s) => s.passed) };
    } catch (e) {
      const error = errorMessage(e);
      result = { row, error, scores: row.scorers.map((s) => ({ scorer: s, passed: false, detail: 'no model output', error: true })), passed: false };
    }
    done++;
    ctx.progress = `${done}/${rows.length} rows done`;
    if (done / rows.length >= nextReport && done < rows.length) {
      ctx.log.info(`progress: ${done}/${rows.length} rows`);
      while (nextReport <= done / rows.length) nextReport += 0.1;
    }
    return result;
  });

  const failedRequests = results.filter((r) => r.error !== undefined);
  if (failedRequests.length === results.length) {
    throw new JobError(`every request to the model failed (${results.length} rows); last error: ${failedRequests[failedRequests.length - 1].error}`);
  }
  for (const r of failedRequests.slice(0, 5)) ctx.log.warn(`row ${r.row.id}: ${r.error}`);
  if (failedRequests.length > 5) ctx.log.warn(`... and ${failedRequests.length - 5} more failed requests (see the report)`);

  const { metrics, scorers } = computeMetrics(results);
  const gates = [
    ...checkThresholds(config.gates ?? EVAL_DEFAULTS.gates, metrics),
    ...(config.regression && baseline ? checkRegression(config.regression.gates ?? EVAL_DEFAULTS.regressionGates, metrics, baseline.metrics) : []),
  ];
  const failed = gates.filter((g) => !g.passed);
  const passed = failed.length === 0;
  for (const g of gates) (g.passed ? ctx.log.info : ctx.log.warn)(`gate ${g.type}: ${g.message}`);

  const status = passed ? 'passed' : 'failed';
  const passedRows = results.filter((r) => r.passed).length;
  const p95 = metrics.latency_p95_ms !== undefined ? `, p95 ${Math.round(metrics.latency_p95_ms)} ms` : '';
  const head = `pass_rate ${metrics.pass_rate.toFixed(3)} (${passedRows}/${rows.length})${p95}, ${metrics.errors} errors`;
  const summary = passed ? `PASSED: ${head}; ${gates.length} gates passed` : `FAILED: ${head}; failed gates: ${failed.map((g) => g.message).join('; ')}; exiting 2`;
  const baselineDoc = { kind: 'eval-baseline', name: config.name, runTime: ctx.now.toISOString(), model: config.model.model, datasetUrl, datasetSha256, metrics };
  const extraWrites = passed && config.regression?.baselineUrl
    ? [{ url: ctx.expand(config.regression.baselineUrl), body: Buffer.from(JSON.stringify(baselineDoc, null, 2)), contentType: 'application/json' }]
    : [];
  return {
    exitCode: passed ? JobExitCode.OK : JobExitCode.CHECK_FAILED,
    summary,
    metrics: registryOf(config, metrics, scorers, gates, passed),
    report: {
      status,
      model: { baseUrl: displayUrl(config.model.baseUrl), model: config.model.model },
      dataset: { url: datasetUrl, objects: objects.map((o) => o.name), rows: rows.length, sha256: datasetSha256 },
      metrics,
      scorers,
      gates,
      failedGates: failed.map((g) => g.message),
      baseline: baseline ?? null,
      notes,
      rows: results.map(rowReport),
    },
    mlflow: {
      params: {
        model: config.model.model, base_url: displayUrl(config.model.baseUrl), dataset_url: datasetUrl, dataset_sha256: datasetSha256,
        concurrency: String(concurrency), temperature: String(config.model.temperature ?? EVAL_DEFAULTS.temperature),
        gates: JSON.stringify(config.gates ?? EVAL_DEFAULTS.gates), ...(config.judge ? { judge_model: config.judge.model } : {}),
      },
      metrics: { ...metrics, gate_passed: passed ? 1 : 0 },
      tags: { status },
    },
    extraWrites,
  };
}

/** The eval job for {@link runJob}. */
export const EVAL_JOB: JobSpec<EvalJobConfig> = {
  kind: 'eval',
  label: 'eval',
  defaultPushJob: EVAL_DEFAULTS.pushgatewayJob,
  validate: validateEvalConfig,
  execute: executeEval,
};
