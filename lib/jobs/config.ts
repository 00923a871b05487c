// The JSON documents the drift and eval jobs read from JOB_CONFIG (or the file named by JOB_CONFIG_FILE).
// The constructs write them; the jobs validate them again at start-up (a hand-edited ConfigMap must fail
// with a clear message, not halfway through a run). Only plain data here: the construct imports this file
// and it must not pull job runtime code into synth.

/** Format of a tabular input of the drift job. */
export enum DriftDataFormat {
  /** RFC 4180 CSV with a header row. */
  CSV = 'csv',
  /** JSON Lines: one JSON object per line. */
  JSONL = 'jsonl',
}

/** Statistical type of a drift column. */
export enum DriftColumnKind {
  /** Numbers: PSI on reference-quantile bins, Kolmogorov–Smirnov, Jensen–Shannon on the same bins. */
  NUMERIC = 'numeric',
  /** Labels: chi-square test of homogeneity, Jensen–Shannon, PSI over categories. */
  CATEGORICAL = 'categorical',
}

/** A drift statistic that can decide whether a column drifted. */
export enum DriftMethod {
  /** Population Stability Index; drift when `psi >= thresholds.psi`. Numeric and categorical. */
  PSI = 'psi',
  /** Two-sample Kolmogorov–Smirnov; drift when `p < thresholds.ksPValue`. Numeric only. */
  KS = 'ks',
  /** Chi-square test of homogeneity; drift when `p < thresholds.chiSquarePValue`. Categorical only. */
  CHI_SQUARE = 'chi_square',
  /** Jensen–Shannon distance (base 2, in [0, 1]); drift when `distance >= thresholds.jensenShannon`. Both kinds. */
  JENSEN_SHANNON = 'jensen_shannon',
}

/** Where a job pushes its metrics (a Prometheus Pushgateway). */
export interface JobPushgatewayConfig {
  /** Base URL of the Pushgateway, e.g. `http://prometheus-pushgateway.monitoring.svc:9091`. */
  readonly url: string;
  /**
   * Value of the `job` grouping label.
   * @default 'aiplatform-drift' for the drift job, 'aiplatform-eval' for the eval job
   */
  readonly job?: string;
  /**
   * Extra grouping labels (e.g. `{ cluster: 'prod' }`), added to the push URL after the job's own
   * `monitor`/`eval` label.
   * @default - none
   */
  readonly groupingLabels?: { readonly [label: string]: string };
}

/** MLflow tracking server the job logs its run to (REST API 2.0). */
export interface JobMlflowConfig {
  /** Tracking server URL, e.g. `http://mlflow.mlflow.svc:5000`. */
  readonly trackingUri: string;
  /**
   * Experiment the runs are logged to; created when absent.
   * @default `drift-<name>` or `eval-<name>`
   */
  readonly experimentName?: string;
  /**
   * Name of the env var holding the basic-auth user name (MLflow auth app).
   * @default - no basic auth
   */
  readonly usernameEnv?: string;
  /**
   * Name of the env var holding the basic-auth password; required with `usernameEnv`.
   * @default - no basic auth
   */
  readonly passwordEnv?: string;
  /**
   * Name of the env var holding a bearer token (used when no basic auth is configured).
   * @default - no token
   */
  readonly tokenEnv?: string;
  /**
   * Extra tags set on every run.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
}

/** S3 client options. Credentials always come from the environment (IRSA or AWS_ACCESS_KEY_ID). */
export interface JobS3Options {
  /**
   * Region of the buckets.
   * @default the AWS_REGION env var, then AWS_DEFAULT_REGION (IRSA sets AWS_REGION)
   */
  readonly region?: string;
  /**
   * Endpoint of an S3-compatible store (MinIO, tests). Path-style addressing is used with it.
   * @default the AWS_ENDPOINT_URL_S3 env var, then AWS_ENDPOINT_URL, then AWS's regional endpoint
   */
  readonly endpoint?: string;
}

/**
 * Bounds of one run, so that a hostile or runaway input ends the run with exit 1 and one line (and a
 * pushed failure) instead of a heap dump or a Kubernetes kill. The constructs derive them from the pod's
 * memory limit and `activeDeadlineSeconds`.
 */
export interface JobLimits {
  /**
   * Bytes read from one input location (all its objects together, counted after gunzip): a drift window,
   * the eval dataset.
   * @default 67108864 (64 MiB)
   */
  readonly maxInputBytes?: number;
  /**
   * Bytes of one HTTP response body (model, judge, MLflow, STS, S3 listings; S3/HTTP inputs use
   * `maxInputBytes`).
   * @default 8388608 (8 MiB)
   */
  readonly maxResponseBytes?: number;
  /**
   * Seconds the run may take from the start of the process. Past it the job stops, records a failure
   * (Pushgateway, report, MLflow) and exits 1. Set below the Job's `activeDeadlineSeconds`, so that the
   * failure is recorded before Kubernetes kills the pod.
   * @default - no deadline of its own
   */
  readonly deadlineSeconds?: number;
}

/** Fields shared by the drift and eval job configs. */
export interface JobCommonConfig {
  /**
   * Name of the monitor or evaluation: the `monitor`/`eval` label of every metric, the MLflow run name
   * prefix. Letters, digits, `.`, `_`, `-`; at most 128 characters.
   */
  readonly name: string;
  /**
   * Where the JSON report is written: `s3://bucket/key`, `file:///path` or an `http(s)://` URL (PUT).
   * Date templates are expanded (see lib/jobs/README.md).
   * @default - no report file (the report still goes to MLflow when configured)
   */
  readonly reportUrl?: string;
  /**
   * Pushgateway to push metrics to.
   * @default - no metrics pushed
   */
  readonly pushgateway?: JobPushgatewayConfig;
  /**
   * MLflow server to log the run to.
   * @default - no MLflow run
   */
  readonly mlflow?: JobMlflowConfig;
  /**
   * S3 client options for `s3://` inputs and outputs.
   * @default - region and endpoint from the environment
   */
  readonly s3?: JobS3Options;
  /**
   * Timeout of each call to storage, the Pushgateway and MLflow, in milliseconds.
   * @default 30000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Size and time bounds of the run.
   * @default - see JobLimits
   */
  readonly limits?: JobLimits;
}

/** Drift thresholds; each applies only when its method decides drift for the column. */
export interface DriftThresholds {
  /**
   * PSI at or above which the column drifted.
   * @default 0.2 (the usual "significant shift" level of PSI)
   */
  readonly psi?: number;
  /**
   * Kolmogorov–Smirnov p-value below which the column drifted.
   * @default 0.05
   */
  readonly ksPValue?: number;
  /**
   * Chi-square p-value below which the column drifted.
   * @default 0.05
   */
  readonly chiSquarePValue?: number;
  /**
   * Jensen–Shannon distance (base 2) at or above which the column drifted.
   * @default 0.1
   */
  readonly jensenShannon?: number;
}

/** One input dataset of the drift job. */
export interface DriftInputConfig {
  /**
   * `s3://bucket/key-or-prefix`, `file:///path` (file or directory) or `http(s)://` URL; date templates
   * are expanded. A prefix or directory reads every object under it.
   */
  readonly url: string;
  /**
   * Format of the objects.
   * @default - from each object's extension (`.csv`, `.jsonl`, `.ndjson`, optionally `.gz`)
   */
  readonly format?: DriftDataFormat;
  /**
   * CSV field delimiter (one character).
   * @default ','
   */
  readonly delimiter?: string;
}

/** Per-column settings of the drift job. */
export interface DriftColumnConfig {
  /** Column name (CSV header or JSON key). */
  readonly name: string;
  /**
   * Statistical type.
   * @default - inferred from the reference: numeric when every non-missing value is a number
   */
  readonly kind?: DriftColumnKind;
  /**
   * Methods that decide drift for this column (any one flagging it is enough).
   * @default the job's `numericMethods` or `categoricalMethods`
   */
  readonly methods?: DriftMethod[];
  /**
   * Thresholds for this column, merged over the job's `thresholds`.
   * @default - the job's thresholds
   */
  readonly thresholds?: DriftThresholds;
  /**
   * Number of reference-quantile bins for PSI and Jensen–Shannon on a numeric column.
   * @default the job's `bins`
   */
  readonly bins?: number;
}

/**
 * Config of the DriftMonitor job (`assets/jobs/drift.js`). Its own members (what the job compares and
 * how it decides drift) are declared once, here: `DriftMonitorOptions` takes them from this interface
 * (`DriftCheckOptions`), so the construct and the job share one TSDoc.
 */
export interface DriftJobConfig extends JobCommonConfig {
  /**
   * Reference dataset (training data or a known-good window). A `DriftMonitor` reads `s3://` or
   * `http(s)://` URLs (date templates allowed); `file:///` is for the job run by hand.
   */
  readonly reference: DriftInputConfig;
  /** Current window, usually templated by date (e.g. `s3://bucket/traffic/{{date-1d}}/`); URLs as for `reference`. */
  readonly current: DriftInputConfig;
  /**
   * Per-column settings (kind, deciding methods, thresholds, bins). Columns not listed are still
   * checked with the defaults unless `onlyDeclaredColumns` is set.
   * @default - every column inferred and checked with the defaults
   */
  readonly columns?: DriftColumnConfig[];
  /**
   * Check only the columns listed in `columns`.
   * @default false
   */
  readonly onlyDeclaredColumns?: boolean;
  /**
   * Columns never checked (ids, timestamps, free text).
   * @default - none
   */
  readonly ignoreColumns?: string[];
  /**
   * Default thresholds: `psi` (> 0), `ksPValue`, `chiSquarePValue` and `jensenShannon` (in (0, 1]).
   * @default - psi 0.2, ksPValue 0.05, chiSquarePValue 0.05, jensenShannon 0.1 (see DriftThresholds)
   */
  readonly thresholds?: DriftThresholds;
  /**
   * Methods deciding drift on numeric columns (psi, ks, jensen_shannon).
   * @default [DriftMethod.PSI] (PSI does not shrink to "significant" on large windows as p-values do)
   */
  readonly numericMethods?: DriftMethod[];
  /**
   * Methods deciding drift on categorical columns (psi, chi_square, jensen_shannon).
   * @default [DriftMethod.JENSEN_SHANNON] (bounded, and independent of the window size)
   */
  readonly categoricalMethods?: DriftMethod[];
  /**
   * Number of reference-quantile bins for numeric PSI and Jensen–Shannon (2–100).
   * @default 10
   */
  readonly bins?: number;
  /**
   * Proportion substituted for an empty PSI bin, so that `ln(0)` never occurs (0–0.1].
   * @default 0.0001
   */
  readonly psiEpsilon?: number;
  /**
   * Share of drifted columns at or above which the dataset drifted (0–1].
   * @default 0.5
   */
  readonly datasetDriftShare?: number;
  /**
   * Raw values treated as missing (compared after trimming). JSON null and absent keys are always missing.
   * @default ['', 'NaN', 'nan', 'null', 'NULL', 'N/A']
   */
  readonly missingValues?: string[];
  /**
   * An empty current window is a skipped run (exit 0, a report of status `skipped`), not a failure.
   * @default false (an empty window usually means the pipeline feeding it broke)
   */
  readonly allowEmptyCurrent?: boolean;
  /**
   * Exit with code 2 (a failed Job, never retried) when the dataset drifted, for pipelines that gate on drift.
   * @default false (drift is reported as metrics and alerts; the Job succeeds)
   */
  readonly failOnDrift?: boolean;
}

/** An OpenAI-compatible chat completions endpoint. */
export interface EvalModelEndpoint {
  /**
   * Base URL: `http://host:port` or `http://host:port/v1`; `/v1/chat/completions` (or
   * `/chat/completions` after a `/v1`) is appended.
   */
  readonly baseUrl: string;
  /** Model name sent in the request (`model`). */
  readonly model: string;
  /**
   * Name of the env var holding the API key, sent as `Authorization: Bearer <key>`.
   * @default - no Authorization header
   */
  readonly apiKeyEnv?: string;
  /**
   * Timeout of one request, in milliseconds.
   * @default 60000
   */
  readonly timeoutMs?: number;
  /**
   * Retries after a 429, a 5xx, a timeout or a network error.
   * @default 3
   */
  readonly maxRetries?: number;
  /**
   * First retry delay in milliseconds; doubles per retry, with jitter, capped by `retryMaxDelayMs`.
   * A `Retry-After` header is honoured up to the cap.
   * @default 500
   */
  readonly retryBaseDelayMs?: number;
  /**
   * Cap of one retry delay, in milliseconds.
   * @default 10000
   */
  readonly retryMaxDelayMs?: number;
  /**
   * Sampling temperature.
   * @default 0 (evaluations should be repeatable)
   */
  readonly temperature?: number;
  /**
   * `max_tokens` of each request.
   * @default - the server's default
   */
  readonly maxTokens?: number;
  /**
   * System message prepended to rows whose input is a plain string.
   * @default - none
   */
  readonly systemPrompt?: string;
}

/** The LLM-as-judge endpoint and rubric. */
export interface EvalJudgeConfig extends EvalModelEndpoint {
  /**
   * Default rubric (a row's `options.rubric` replaces it).
   * @default - a generic correctness rubric
   */
  readonly rubric?: string;
  /**
   * Normalized score (0–1) at or above which the judge scorer passes.
   * @default 0.7
   */
  readonly passScore?: number;
  /**
   * Ask the judge for structured output: `response_format` `json_schema` with the verdict's schema
   * (OpenAI, vLLM). Turn off only for a server that rejects `response_format`; the whole reply must
   * still be the verdict object.
   * @default true
   */
  readonly structuredOutput?: boolean;
}

/** An absolute gate on one evaluation metric. */
export interface EvalThresholdGate {
  /**
   * Metric name: `pass_rate`, `pass_rate.<scorer>`, `error_rate`, `errors`, `rows`, `latency_p50_ms`,
   * `latency_p95_ms`, `latency_mean_ms`, `tokens_per_second`, `judge_score_mean`.
   */
  readonly metric: string;
  /**
   * The gate fails when the metric is below this.
   * @default - no lower bound
   */
  readonly min?: number;
  /**
   * The gate fails when the metric is above this.
   * @default - no upper bound
   */
  readonly max?: number;
}

/** A regression gate: the metric may not be worse than the baseline by more than the tolerance. */
export interface EvalRegressionGate {
  /** Metric name (as in EvalThresholdGate). Latencies, `errors` and `error_rate` are lower-is-better. */
  readonly metric: string;
  /**
   * Allowed worsening in the metric's unit (absolute).
   * @default 0
   */
  readonly tolerance?: number;
  /**
   * Allowed worsening relative to the baseline (0.1 = 10 %); when set it replaces `tolerance`.
   * @default - absolute tolerance only
   */
  readonly relativeTolerance?: number;
}

/** Regression check against the last passing run. */
export interface EvalRegressionConfig {
  /**
   * Gates against the baseline.
   * @default [{ metric: 'pass_rate', tolerance: 0.02 }]
   */
  readonly gates?: EvalRegressionGate[];
  /**
   * Baseline JSON (`s3://`, `file://`, `http(s)://`): read before the run, rewritten after a passing run.
   * @default - the last MLflow run of the experiment tagged `status=passed` (requires `mlflow`)
   */
  readonly baselineUrl?: string;
  /**
   * Fail the job (exit 1) when no baseline exists, instead of skipping the regression gates.
   * @default false (the first run has no baseline)
   */
  readonly requireBaseline?: boolean;
}

/** Config of the EvalCronJob job (`assets/jobs/eval.js`). */
export interface EvalJobConfig extends JobCommonConfig {
  /** JSON Lines dataset: `s3://`, `file://` or `http(s)://`, a file or a prefix. */
  readonly datasetUrl: string;
  /** The model under evaluation. */
  readonly model: EvalModelEndpoint;
  /**
   * Judge endpoint, required when a row uses the `judge` scorer.
   * @default - no judge
   */
  readonly judge?: EvalJudgeConfig;
  /**
   * Requests in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Absolute gates.
   * @default [{ metric: 'pass_rate', min: 0.8 }]
   */
  readonly gates?: EvalThresholdGate[];
  /**
   * Regression gates against a baseline.
   * @default - no regression check
   */
  readonly regression?: EvalRegressionConfig;
}

/** A chat message of the OpenAI API, as an eval dataset row's `input` may list them. */
export interface EvalChatMessage {
  /** `system`, `user`, `assistant` (or another role the server accepts). */
  readonly role: string;
  /** Text content. */
  readonly content: string;
}

/** Scorers a dataset row may name. */
export enum EvalScorer {
  /** Output equals `expected` (options: `trim` default true, `ignoreCase` default false). */
  EXACT = 'exact',
  /** Output contains `expected` (a string or a list of strings, all required; option `ignoreCase`). */
  CONTAINS = 'contains',
  /** Output matches `options.pattern` (or `expected`) with `options.flags`. */
  REGEX = 'regex',
  /** Output is valid JSON (code fences stripped); equal to `expected` when that is given. */
  JSON = 'json',
  /** Output is JSON valid against `options.schema` (or `expected`). */
  JSON_SCHEMA = 'json_schema',
  /** Output's number is within `options.abs` or `options.rel` of `expected`. */
  NUMERIC = 'numeric',
  /** The request took at most `options.maxMs` (or `expected`) milliseconds. */
  LATENCY = 'latency',
  /** The judge model scores the output against the rubric at or above `passScore`. */
  JUDGE = 'judge',
}

/** Per-row scorer options (see EvalScorer). */
export interface EvalRowOptions {
  /**
   * exact: trim both sides before comparing.
   * @default false
   */
  readonly trim?: boolean;
  /**
   * exact/contains/regex: compare case-insensitively.
   * @default false
   */
  readonly ignoreCase?: boolean;
  /**
   * regex: the pattern (else `expected`).
   * @default - the row's `expected`
   */
  readonly pattern?: string;
  /**
   * regex: flags (`i`, `m`, `s`, `u`).
   * @default - none
   */
  readonly flags?: string;
  /**
   * json_schema: the schema (else `expected`).
   * @default - the row's `expected`
   */
  readonly schema?: { readonly [keyword: string]: unknown } | boolean;
  /**
   * numeric: absolute tolerance.
   * @default 0
   */
  readonly abs?: number;
  /**
   * numeric: tolerance relative to |expected|.
   * @default 0
   */
  readonly rel?: number;
  /**
   * latency: limit in ms (else `expected`).
   * @default - the row's `expected`
   */
  readonly maxMs?: number;
  /**
   * judge: rubric replacing the config's.
   * @default - the judge config's rubric
   */
  readonly rubric?: string;
  /**
   * judge: pass score (0–1) replacing the config's.
   * @default - the judge config's pass score
   */
  readonly passScore?: number;
  /**
   * json/json_schema: strip a surrounding ``` code fence first.
   * @default true
   */
  readonly stripFences?: boolean;
}

/** One dataset row, as written in the JSON Lines file. */
export interface EvalDatasetRow {
  /** Row id in reports (default `<object>:<line>`). */
  readonly id?: string | number;
  /** A user message, or the whole chat. */
  readonly input: string | EvalChatMessage[];
  /** What the scorers compare with. */
  readonly expected?: unknown;
  /** One scorer or several (the row passes when all pass). */
  readonly scorer: string | string[];
  /** Scorer options. */
  readonly options?: EvalRowOptions;
  /** Free-form data, copied to the report. */
  readonly metadata?: unknown;
}

/** Defaults of the drift job, in one place for the job, the construct and the docs. */
export const DRIFT_DEFAULTS = {
  bins: 10,
  psiEpsilon: 1e-4,
  datasetDriftShare: 0.5,
  thresholds: { psi: 0.2, ksPValue: 0.05, chiSquarePValue: 0.05, jensenShannon: 0.1 },
  numericMethods: [DriftMethod.PSI],
  categoricalMethods: [DriftMethod.JENSEN_SHANNON],
  missingValues: ['', 'NaN', 'nan', 'null', 'NULL', 'N/A'],
  pushgatewayJob: 'aiplatform-drift',
} as const;

/** Defaults of the eval job. */
export const EVAL_DEFAULTS = {
  concurrency: 4,
  timeoutMs: 60000,
  maxRetries: 3,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 10000,
  temperature: 0,
  judgePassScore: 0.7,
  gates: [{ metric: 'pass_rate', min: 0.8 }],
  regressionGates: [{ metric: 'pass_rate', tolerance: 0.02 }],
  pushgatewayJob: 'aiplatform-eval',
} as const;

/** Defaults of {@link JobLimits}. */
export const JOB_LIMIT_DEFAULTS = {
  maxInputBytes: 64 * 1024 * 1024,
  maxResponseBytes: 8 * 1024 * 1024,
} as const;

/** Default timeout of storage, Pushgateway and MLflow calls, in milliseconds. */
export const JOB_DEFAULT_REQUEST_TIMEOUT_MS = 30000;

/** Exit codes of both jobs (the CronJob's failure semantics and the alert rules rely on them). */
export enum JobExitCode {
  /** The job ran; drift (without failOnDrift) is reported as metrics, not as an exit code. */
  OK = 0,
  /** The job could not do its work: bad config or input, unreachable endpoint, output not written. */
  JOB_ERROR = 1,
  /** The job ran and its verdict is negative: an eval gate failed, or drift with `failOnDrift`. */
  CHECK_FAILED = 2,
}

/** The pre-deployment estimate of one model (from `platformCostReport`), shown next to the measurement. */
export interface CostModelEstimate {
  /** Namespace of the serving stack (the `namespace` label). */
  readonly namespace: string;
  /** Model name (the `model` label). */
  readonly model: string;
  /** GPUs per replica (tensor parallel size). */
  readonly gpusPerReplica: number;
  /** Cheapest hourly price of one replica (spot where the pool allows it), USD. */
  readonly replicaHourlyLowUsd: number;
  /** Dearest hourly price of one replica, USD. */
  readonly replicaHourlyHighUsd: number;
  /** Output tokens per second per replica the estimate assumed. */
  readonly tokensPerSecondPerReplica: number;
}

/** Config of the GPU utilization and inference cost report job (`assets/jobs/cost.js`). */
export interface CostReportJobConfig extends JobCommonConfig {
  /** Prometheus base URL (the HTTP API `/api/v1/query` is called under it). */
  readonly prometheusUrl: string;
  /**
   * Hours the report covers, ending at the run time.
   * @default 168 (one week)
   */
  readonly periodHours?: number;
  /**
   * Where the Markdown report is written (same forms and templates as `reportUrl`).
   * @default - no Markdown file
   */
  readonly markdownUrl?: string;
  /**
   * The pre-deployment estimate per model, for the estimate-vs-actual table.
   * @default - no estimate column
   */
  readonly estimates?: CostModelEstimate[];
  /**
   * Where the catalog prices come from and when they were read, quoted in the report.
   * @default - not quoted
   */
  readonly priceCatalog?: { readonly source: string; readonly date: string; readonly spotPriceFactor: number };
}

/** Defaults of the cost report job. */
export const COST_REPORT_DEFAULTS = {
  periodHours: 168,
  pushgatewayJob: 'aiplatform-cost-report',
} as const;

/** Config of the spot price job (`assets/jobs/spot-prices.js`): current spot prices of GPU types to the Pushgateway. */
export interface SpotPriceJobConfig extends JobCommonConfig {
  /** AWS region whose spot prices are read (every availability zone of it). */
  readonly region: string;
  /** Instance types to price (at most 100). */
  readonly instanceTypes: string[];
  /**
   * EC2 endpoint override (tests, private endpoints); `AWS_ENDPOINT_URL_EC2` / `AWS_ENDPOINT_URL` also apply.
   * @default - `https://ec2.<region>.amazonaws.com`
   */
  readonly ec2Endpoint?: string;
}

/** Defaults of the spot price job. */
export const SPOT_PRICE_DEFAULTS = {
  pushgatewayJob: 'aiplatform-spot-prices',
  productDescription: 'Linux/UNIX',
} as const;
