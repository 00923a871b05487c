import { JobMlflowConfig } from '../config';
import { JobError } from './errors';
import { HttpError, HttpResponse, displayUrl, httpRequest, withRetries } from './http';

/** A run as returned by runs/search. */
export interface MlflowRun {
  /** Run id. */
  readonly runId: string;
  /** Start time (ms since epoch). */
  readonly startTime: number;
  /** Latest value of each metric. */
  readonly metrics: { readonly [key: string]: number };
  /** Params. */
  readonly params: { readonly [key: string]: string };
  /** Tags. */
  readonly tags: { readonly [key: string]: string };
}

/** A created run. */
export interface CreatedRun {
  /** Run id. */
  readonly runId: string;
  /** Experiment id. */
  readonly experimentId: string;
  /** The run's artifact URI (`mlflow-artifacts:/…` when the server proxies artifacts). */
  readonly artifactUri: string;
}

// Limits of runs/log-batch (MLflow REST API): split larger batches into several calls.
const MAX_METRICS_PER_BATCH = 1000;
const MAX_PARAMS_PER_BATCH = 100;
const MAX_PARAM_VALUE = 6000;

/** MLflow keys allow alphanumerics, `_ - . / space`; anything else (from column names) becomes `_`. */
export function mlflowKey(s: string): string {
  return s.replace(/[^A-Za-z0-9_\-./ ]/g, '_').slice(0, 250);
}

interface RawRun {
  info?: { run_id?: string; start_time?: number | string; artifact_uri?: string; experiment_id?: string };
  data?: { metrics?: { key: string; value: number }[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
}

/** The MLflow REST API 2.0 calls the jobs make. */
export class MlflowClient {
  private readonly base: string;
  private readonly headers: { [name: string]: string };

  /**
   * @param config tracking URI and the env var names of the credentials
   * @param env process environment (the credentials themselves)
   * @param timeoutMs timeout of each call
   */
  public constructor(config: JobMlflowConfig, env: NodeJS.ProcessEnv, private readonly timeoutMs: number) {
    this.base = config.trackingUri.replace(/\/+$/, '');
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    const secret = (name: string | undefined, what: string): string | undefined => {
      if (!name) return undefined;
      const v = env[name];
      if (!v) throw new JobError(`mlflow.${what} names the env var ${name}, which is not set (mount it from a Kubernetes Secret)`);
      return v;
    };
    const user = secret(config.usernameEnv, 'usernameEnv');
    const pass = secret(config.passwordEnv, 'passwordEnv');
    const token = secret(config.tokenEnv, 'tokenEnv');
    if (user !== undefined) this.headers.authorization = `Basic ${Buffer.from(`${user}:${pass ?? ''}`).toString('base64')}`;
    else if (token !== undefined) this.headers.authorization = `Bearer ${token}`;
  }

  private async call(method: string, endpoint: string, body?: unknown, okCodes: string[] = []): Promise<{ json: Record<string, unknown>; errorCode?: string }> {
    const url = `${this.base}/api/2.0/mlflow/${endpoint}`;
    const what = `MLflow ${method} ${displayUrl(url)}`;
    const res: HttpResponse = await withRetries({ maxRetries: 2, baseDelayMs: 200, maxDelayMs: 2000 }, async () => {
      const r = await httpRequest(url, { method, headers: this.headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: this.timeoutMs });
      if (r.status === 429 || r.status >= 500) throw new HttpError(`${what}: HTTP ${r.status} ${r.body.toString('utf8').slice(0, 200)}`, r.status, true);
      return r;
    });
    let json: Record<string, unknown> = {};
    try {
      json = res.body.length ? (JSON.parse(res.body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      // Non-JSON bodies (a proxy's HTML error page) are reported with the status below.
    }
    if (res.status >= 200 && res.status < 300) return { json };
    const code = typeof json.error_code === 'string' ? json.error_code : undefined;
    if (code && okCodes.includes(code)) return { json, errorCode: code };
    const msg = typeof json.message === 'string' ? json.message : res.body.toString('utf8').replace(/\s+/g, ' ').slice(0, 200);
    const hint = res.status === 401 || res.status === 403 ? ' (check mlflow.usernameEnv/passwordEnv)' : '';
    throw new JobError(`${what}: HTTP ${res.status}${code ? ` ${code}` : ''}: ${msg}${hint}`);
  }

  /** Experiment id by name, creating the experiment when absent (tolerating a concurrent creation). */
  public async getOrCreateExperiment(name: string): Promise<string> {
    const get = async (): Promise<string | undefined> => {
      const r = await this.call('GET', `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`, undefined, ['RESOURCE_DOES_NOT_EXIST']);
      const exp = r.json.experiment as { experiment_id?: string; lifecycle_stage?: string } | undefined;
      if (exp?.lifecycle_stage === 'deleted') throw new JobError(`MLflow experiment "${name}" is deleted: restore it or set mlflow.experimentName`);
      return r.errorCode ? undefined : exp?.experiment_id;
    };
    const existing = await get();
    if (existing) return existing;
    const created = await this.call('POST', 'experiments/create', { name }, ['RESOURCE_ALREADY_EXISTS']);
    if (!created.errorCode && typeof created.json.experiment_id === 'string') return created.json.experiment_id;
    const again = await get();
    if (!again) throw new JobError(`MLflow experiment "${name}" could not be created or found`);
    return again;
  }

  /** Creates a run (status RUNNING). */
  public async createRun(experimentId: string, runName: string, tags: { readonly [k: string]: string }, startTime: number): Promise<CreatedRun> {
    const r = await this.call('POST', 'runs/create', {
      experiment_id: experimentId,
      run_name: runName,
      start_time: startTime,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    const run = r.json.run as RawRun | undefined;
    const runId = run?.info?.run_id;
    if (!runId) throw new JobError('MLflow runs/create returned no run id');
    return { runId, experimentId, artifactUri: run?.info?.artifact_uri ?? '' };
  }

  /** Logs params, metrics and tags, in as many runs/log-batch calls as the API limits require. */
  public async logBatch(runId: string, params: { readonly [k: string]: string }, metrics: { readonly [k: string]: number }, tags: { readonly [k: string]: string }, timestamp: number): Promise<void> {
    const p = Object.entries(params).map(([key, value]) => ({ key: mlflowKey(key), value: value.slice(0, MAX_PARAM_VALUE) }));
    // JSON has no NaN/Infinity and MLflow would reject them: non-finite values stay in the report only.
    const m = Object.entries(metrics).filter(([, v]) => Number.isFinite(v)).map(([key, value]) => ({ key: mlflowKey(key), value, timestamp, step: 0 }));
    const t = Object.entries(tags).map(([key, value]) => ({ key, value: value.slice(0, MAX_PARAM_VALUE) }));
    let first = true;
    while (first || p.length || m.length) {
      first = false;
      await this.call('POST', 'runs/log-batch', {
        run_id: runId,
        params: p.splice(0, MAX_PARAMS_PER_BATCH),
        metrics: m.splice(0, MAX_METRICS_PER_BATCH - MAX_PARAMS_PER_BATCH),
        tags: t.splice(0, t.length),
      });
    }
  }

  /** Ends a run. */
  public async updateRun(runId: string, status: 'FINISHED' | 'FAILED', endTime: number): Promise<void> {
    await this.call('POST', 'runs/update', { run_id: runId, status, end_time: endTime });
  }

  /**
   * Uploads an artifact through the tracking server's artifact proxy
   * (`PUT /api/2.0/mlflow-artifacts/artifacts/<path>`), under the run's `mlflow-artifacts:` URI when it
   * has one, else under `<experiment_id>/<run_id>/artifacts` (the server's default layout).
   */
  public async uploadArtifact(run: CreatedRun, artifactPath: string, body: Buffer, contentType: string): Promise<void> {
    const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(run.artifactUri);
    const root = proxied ? proxied[1].replace(/\/+$/, '') : `${run.experimentId}/${run.runId}/artifacts`;
    const path = `${root}/${artifactPath}`.split('/').map(encodeURIComponent).join('/');
    const url = `${this.base}/api/2.0/mlflow-artifacts/artifacts/${path}`;
    const res = await withRetries({ maxRetries: 2, baseDelayMs: 200, maxDelayMs: 2000 }, async () => {
      const r = await httpRequest(url, { method: 'PUT', headers: { ...this.headers, 'content-type': contentType }, body, timeoutMs: this.timeoutMs });
      if (r.status === 429 || r.status >= 500) throw new HttpError(`MLflow artifact upload: HTTP ${r.status}`, r.status, true);
      return r;
    });
    if (res.status < 200 || res.status >= 300) {
      const hint = res.status === 404 ? ' (is the server started with --serve-artifacts?)' : '';
      throw new JobError(`MLflow artifact upload PUT ${displayUrl(url)}: HTTP ${res.status} ${res.body.toString('utf8').replace(/\s+/g, ' ').slice(0, 200)}${hint}`);
    }
  }

  /** runs/search in one experiment. */
  public async searchRuns(experimentId: string, filter: string, orderBy: string[], maxResults: number): Promise<MlflowRun[]> {
    const r = await this.call('POST', 'runs/search', { experiment_ids: [experimentId], filter, order_by: orderBy, max_results: maxResults });
    const runs = (r.json.runs as RawRun[] | undefined) ?? [];
    const toMap = <V>(xs: { key: string; value: V }[] | undefined): { [k: string]: V } => Object.fromEntries((xs ?? []).map((x) => [x.key, x.value]));
    return runs.map((run) => ({
      runId: run.info?.run_id ?? '',
      startTime: Number(run.info?.start_time ?? 0),
      metrics: toMap(run.data?.metrics),
      params: toMap(run.data?.params),
      tags: toMap(run.data?.tags),
    }));
  }
}
