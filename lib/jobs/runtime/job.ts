import { readFileSync } from 'fs';
import { JOB_DEFAULT_REQUEST_TIMEOUT_MS, JOB_LIMIT_DEFAULTS, JobCommonConfig, JobExitCode } from '../config';
import { JobError, errorMessage } from './errors';
import { Logger, createLogger } from './log';
import { MetricRegistry, pushMetrics, pushgatewayUrl } from './metrics';
import { CreatedRun, MlflowClient } from './mlflow';
import { ReadBudget, Storage, readBudget } from './storage';
import { expandTemplate, runTime } from './template';
import { readConfigJson } from './validate';

/** What a job body gets: its environment, clocks, logger and I/O. */
export interface JobContext {
  /** Process environment (secrets are read from the env vars the config names). */
  readonly env: NodeJS.ProcessEnv;
  /** The instant date templates are relative to (JOB_NOW or now). */
  readonly now: Date;
  /** Logger. */
  readonly log: Logger;
  /** Inputs and outputs on S3, files and HTTP. */
  readonly storage: Storage;
  /** MLflow client when the config has `mlflow`. */
  readonly mlflow?: MlflowClient;
  /** Experiment id, resolved once (created when absent). */
  experimentId(): Promise<string>;
  /** Expands date templates relative to `now`. */
  expand(template: string): string;
  /** Resolved size limits. */
  readonly limits: { readonly maxInputBytes: number; readonly maxResponseBytes: number };
  /** A fresh budget of `limits.maxInputBytes` for reading one input location. */
  inputBudget(): ReadBudget;
  /** What the run is doing, for the deadline message (`12/40 rows done`). */
  progress: string;
}

/** An extra object the job writes after its results are recorded (e.g. the eval baseline). */
export interface ExtraWrite {
  /** Destination URL (already expanded). */
  readonly url: string;
  /** Contents. */
  readonly body: Buffer;
  /** Content type. */
  readonly contentType: string;
}

/** The results of a job body that ran to the end. */
export interface JobOutcome {
  /** OK, or CHECK_FAILED when the verdict is negative (a failed gate, drift with failOnDrift). */
  readonly exitCode: JobExitCode;
  /** One-line summary for the log. */
  readonly summary: string;
  /** Result metrics (the runner adds the job status metrics). */
  readonly metrics: MetricRegistry;
  /** The JSON report (the runner adds timing and the MLflow run id). */
  readonly report: { [key: string]: unknown };
  /** MLflow params, metrics and tags of the run. */
  readonly mlflow: { readonly params: { [k: string]: string }; readonly metrics: { [k: string]: number }; readonly tags: { [k: string]: string } };
  /** Objects to write once the run is recorded. */
  readonly extraWrites?: ExtraWrite[];
}

/** The description of one job for {@link runJob}. */
export interface JobSpec<C extends JobCommonConfig> {
  /** `drift` or `eval`: log prefix, report kind, MLflow tag. */
  readonly kind: string;
  /** Label naming the instance on every metric (`monitor` or `eval`). */
  readonly label: string;
  /** Default `job` grouping label of the Pushgateway. */
  readonly defaultPushJob: string;
  /** Checks the raw config and returns it typed. */
  validate(raw: unknown): C;
  /** Does the work. Throws JobError for anything the user must fix. */
  execute(config: C, ctx: JobContext): Promise<JobOutcome>;
}

const JOB_METRICS = {
  lastRun: ['aiplatform_job_last_run_timestamp_seconds', 'Unix time the job last ran to an end, successful or not.'],
  lastSuccess: ['aiplatform_job_last_success_timestamp_seconds', 'Unix time the job last completed and recorded its results.'],
  failed: ['aiplatform_job_failed', '1 when the last run of the job failed (bad input, unreachable endpoint, output not written).'],
  duration: ['aiplatform_job_duration_seconds', 'Wall time of the last run of the job.'],
} as const;

/**
 * Runs a job body and records its results: MLflow run, report, extra writes, then metrics. Every output
 * is attempted even when one fails; any failure makes the run a job failure (exit 1), pushed as
 * `aiplatform_job_failed 1` with POST so the last success timestamp survives. Never throws: returns
 * the exit code, and the error is one line in the log (no stack trace; JOB_DEBUG=1 prints it).
 */
export async function runJob<C extends JobCommonConfig>(spec: JobSpec<C>, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const log = createLogger(spec.kind);
  const started = new Date();
  let config: C;
  let ctx: JobContext;
  try {
    config = spec.validate(readConfigJson(env, (p) => readFileSync(p, 'utf8')));
    ctx = createContext(config, env, log, spec.kind);
  } catch (e) {
    logFailure(log, e, env);
    return exitCodeOf(e);
  }
  const labels = { [spec.label]: config.name };
  let outcome: JobOutcome;
  // performance.timeOrigin: the process start, so node's own start-up counts against the deadline.
  const deadline = runDeadline(config, ctx, performance.timeOrigin);
  try {
    outcome = await Promise.race([spec.execute(config, ctx), deadline.promise]);
  } catch (e) {
    logFailure(log, e, env);
    // Past the deadline the remaining time is short: record the failure with short timeouts.
    const recording = recordFailure(spec, config, ctx, labels, started, errorMessage(e), undefined, deadline.expired() ? DEADLINE_RECORD_TIMEOUT_MS : undefined);
    if (deadline.expired()) {
      let cap: NodeJS.Timeout | undefined;
      await Promise.race([recording, new Promise<void>((r) => (cap = setTimeout(r, DEADLINE_RECORD_BUDGET_MS)))]);
      clearTimeout(cap);
    } else {
      await recording;
    }
    return exitCodeOf(e);
  } finally {
    deadline.cancel();
  }
  const problems = await recordOutcome(spec, config, ctx, labels, started, outcome);
  if (problems.length) {
    for (const p of problems) log.error(p);
    await recordFailure(spec, config, ctx, labels, started, problems.join('; '), outcome.metrics);
    return JobExitCode.JOB_ERROR;
  }
  log.info(outcome.summary);
  return outcome.exitCode;
}

/** Timeout of each call that records a failure after the run deadline passed. */
const DEADLINE_RECORD_TIMEOUT_MS = 5000;

/** Cap of the whole failure recording after the run deadline passed (the Job's own deadline is near). */
const DEADLINE_RECORD_BUDGET_MS = 20000;

/**
 * A promise that rejects with a JobError when `limits.deadlineSeconds` have passed since the process
 * started; it never settles without a deadline. The work it races keeps running in the background, but
 * the runner records the failure and the process exits.
 */
function runDeadline(config: JobCommonConfig, ctx: JobContext, origin: number): { promise: Promise<never>; cancel: () => void; expired: () => boolean } {
  const seconds = config.limits?.deadlineSeconds;
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const promise = new Promise<never>((_resolve, reject) => {
    if (seconds === undefined) return;
    timer = setTimeout(() => {
      expired = true;
      const doing = ctx.progress ? ` (${ctx.progress})` : '';
      reject(new JobError(`the run did not finish within its deadline of ${seconds} s${doing}: stopped so the failure is recorded before the Job's activeDeadlineSeconds (JOB_CONFIG.limits.deadlineSeconds; a model that does not answer, or a window too large for the time)`));
    }, Math.max(0, origin + seconds * 1000 - Date.now()));
  });
  return { promise, cancel: () => clearTimeout(timer), expired: () => expired };
}

function exitCodeOf(e: unknown): number {
  return e instanceof JobError ? e.exitCode : JobExitCode.JOB_ERROR;
}

function logFailure(log: Logger, e: unknown, env: NodeJS.ProcessEnv): void {
  // JobError, HttpError and system errors already name what failed. Only a programming error (TypeError
  // and the like) is ours, and says so; either way one line.
  const bug = e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError;
  log.error(bug ? `unexpected error (a bug; JOB_DEBUG=1 prints the stack): ${errorMessage(e)}` : errorMessage(e));
  if (env.JOB_DEBUG === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
}

function createContext(config: JobCommonConfig, env: NodeJS.ProcessEnv, log: Logger, kind: string): JobContext {
  const now = runTime(env);
  const timeoutMs = config.requestTimeoutMs ?? JOB_DEFAULT_REQUEST_TIMEOUT_MS;
  const limits = {
    maxInputBytes: config.limits?.maxInputBytes ?? JOB_LIMIT_DEFAULTS.maxInputBytes,
    maxResponseBytes: config.limits?.maxResponseBytes ?? JOB_LIMIT_DEFAULTS.maxResponseBytes,
  };
  const storage = new Storage(env, timeoutMs, config.s3, `aiplatform-${kind}-${Math.floor(Date.now() / 1000)}`, limits.maxResponseBytes);
  const mlflow = config.mlflow ? new MlflowClient(config.mlflow, env, timeoutMs) : undefined;
  let experiment: Promise<string> | undefined;
  return {
    env,
    now,
    log,
    storage,
    mlflow,
    expand: (t) => expandTemplate(t, now),
    limits,
    inputBudget: () => readBudget(limits.maxInputBytes),
    progress: '',
    experimentId: () => {
      if (!mlflow || !config.mlflow) return Promise.reject(new JobError('mlflow is not configured'));
      experiment ??= mlflow.getOrCreateExperiment(config.mlflow.experimentName ?? `${kind}-${config.name}`);
      return experiment;
    },
  };
}

function jobMetrics(reg: MetricRegistry, labels: { [k: string]: string }, started: Date, success: boolean): void {
  const end = Date.now();
  reg.gauge(JOB_METRICS.lastRun[0], JOB_METRICS.lastRun[1], labels, Math.floor(end / 1000));
  if (success) reg.gauge(JOB_METRICS.lastSuccess[0], JOB_METRICS.lastSuccess[1], labels, Math.floor(end / 1000));
  reg.gauge(JOB_METRICS.failed[0], JOB_METRICS.failed[1], labels, success ? 0 : 1);
  reg.gauge(JOB_METRICS.duration[0], JOB_METRICS.duration[1], labels, (end - started.getTime()) / 1000);
}

function pushUrl<C extends JobCommonConfig>(spec: JobSpec<C>, config: C): string | undefined {
  const pg = config.pushgateway;
  if (!pg) return undefined;
  const grouping: [string, string][] = [['job', pg.job ?? spec.defaultPushJob], [spec.label, config.name]];
  for (const [k, v] of Object.entries(pg.groupingLabels ?? {})) grouping.push([k, v]);
  return pushgatewayUrl(pg.url, grouping);
}

function runTags<C extends JobCommonConfig>(spec: JobSpec<C>, config: C, extra: { [k: string]: string }): { [k: string]: string } {
  return { ...config.mlflow?.tags, aiplatform_job: spec.kind, aiplatform_name: config.name, ...extra };
}

function runName(config: JobCommonConfig, ctx: JobContext): string {
  return `${config.name}-${ctx.expand('{{datetime}}')}`;
}

async function recordOutcome<C extends JobCommonConfig>(spec: JobSpec<C>, config: C, ctx: JobContext, labels: { [k: string]: string }, started: Date, outcome: JobOutcome): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      problems.push(`${what}: ${errorMessage(e)}`);
    }
  };
  const report: { [k: string]: unknown } = { kind: spec.kind, name: config.name, runTime: ctx.now.toISOString(), startedAt: started.toISOString(), ...outcome.report };
  if (ctx.mlflow) {
    const mlflow = ctx.mlflow;
    await attempt('MLflow', async () => {
      const run = await mlflow.createRun(await ctx.experimentId(), runName(config, ctx), runTags(spec, config, {}), started.getTime());
      report.mlflowRunId = run.runId;
      report.finishedAt = new Date().toISOString();
      try {
        await mlflow.logBatch(run.runId, outcome.mlflow.params, outcome.mlflow.metrics, outcome.mlflow.tags, Date.now());
        await mlflow.uploadArtifact(run, `${spec.kind}-report.json`, Buffer.from(JSON.stringify(report, null, 2)), 'application/json');
        await mlflow.updateRun(run.runId, 'FINISHED', Date.now());
      } catch (e) {
        // Do not leave the run RUNNING forever in the UI.
        await mlflow.updateRun(run.runId, 'FAILED', Date.now()).catch(() => undefined);
        throw e;
      }
      ctx.log.info(`MLflow run ${run.runId} in experiment ${run.experimentId}`);
    });
  }
  report.finishedAt ??= new Date().toISOString();
  if (config.reportUrl) {
    const url = ctx.expand(config.reportUrl);
    await attempt(`report ${url}`, async () => {
      await ctx.storage.write(url, Buffer.from(JSON.stringify(report, null, 2)), 'application/json');
      ctx.log.info(`report written to ${url}`);
    });
  }
  if (problems.length === 0) {
    for (const w of outcome.extraWrites ?? []) {
      await attempt(`write ${w.url}`, async () => {
        await ctx.storage.write(w.url, w.body, w.contentType);
        ctx.log.info(`wrote ${w.url}`);
      });
    }
  }
  const url = pushUrl(spec, config);
  if (url && problems.length === 0) {
    jobMetrics(outcome.metrics, labels, started, true);
    await attempt('Pushgateway', async () => {
      await pushMetrics(url, outcome.metrics.toFamilies(), 'PUT', config.requestTimeoutMs ?? JOB_DEFAULT_REQUEST_TIMEOUT_MS);
      ctx.log.info(`metrics pushed to ${url}`);
    });
  }
  return problems;
}

/** Best effort: every step may itself fail (the failure may be that very endpoint); each is logged, none throws. */
async function recordFailure<C extends JobCommonConfig>(spec: JobSpec<C>, config: C, ctx: JobContext, labels: { [k: string]: string }, started: Date, message: string, results: MetricRegistry | undefined, timeoutMs?: number): Promise<void> {
  const warn = (what: string) => (e: unknown) => ctx.log.warn(`could not record the failure in ${what}: ${errorMessage(e)}`);
  const url = pushUrl(spec, config);
  if (url) {
    const reg = results ?? new MetricRegistry();
    jobMetrics(reg, labels, started, false);
    await pushMetrics(url, reg.toFamilies(), 'POST', timeoutMs ?? config.requestTimeoutMs ?? JOB_DEFAULT_REQUEST_TIMEOUT_MS).catch(warn('the Pushgateway'));
  }
  if (config.reportUrl) {
    const report = { kind: spec.kind, name: config.name, status: 'error', error: message, runTime: ctx.now.toISOString(), startedAt: started.toISOString(), finishedAt: new Date().toISOString() };
    let target: string | undefined;
    try {
      target = ctx.expand(config.reportUrl);
    } catch {
      target = undefined;
    }
    if (target) await ctx.storage.write(target, Buffer.from(JSON.stringify(report, null, 2)), 'application/json').catch(warn('the report'));
  }
  // After an output failure the MLflow run (if any) was already marked FAILED where it was created.
  if (ctx.mlflow && results === undefined) {
    const mlflow = ctx.mlflow;
    await (async () => {
      const run: CreatedRun = await mlflow.createRun(await ctx.experimentId(), runName(config, ctx), runTags(spec, config, { status: 'error' }), started.getTime());
      await mlflow.logBatch(run.runId, {}, {}, { error: message }, Date.now());
      await mlflow.updateRun(run.runId, 'FAILED', Date.now());
    })().catch(warn('MLflow'));
  }
}

/**
 * Entry point of a bundle: runs the job and exits with its code. process.exit because a stray socket or
 * timer must not keep a finished CronJob pod alive; the last-resort handlers keep even an error escaping
 * a callback to one line and exit 1 instead of Node's stack dump.
 */
export function runMain<C extends JobCommonConfig>(spec: JobSpec<C>): void {
  const log = createLogger(spec.kind);
  const fatal = (e: unknown): void => {
    log.error(`unexpected error (a bug; JOB_DEBUG=1 prints the stack): ${errorMessage(e)}`);
    if (process.env.JOB_DEBUG === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(JobExitCode.JOB_ERROR);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  void runJob(spec).then((code) => process.exit(code));
}
