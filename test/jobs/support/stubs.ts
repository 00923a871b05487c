// HTTP stand-ins for the services the bundled jobs talk to, on 127.0.0.1 with ephemeral ports.
// Each records what it received so tests assert on the wire format, not on our own client code.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHash } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { signRequest } from '../../../lib/jobs/runtime/aws/sigv4';

/** A request as received. */
export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A running stub. */
export interface Stub {
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

type Handler = (req: Recorded, res: http.ServerResponse) => void | Promise<void>;

/** Starts a server that buffers each request body and hands it to `handler`. */
export async function startStub(handler: Handler): Promise<Stub> {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(rec);
      Promise.resolve(handler(rec, res)).catch((e: Error) => {
        res.writeHead(500);
        res.end(`stub error: ${e.message}`);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

// ---------------------------------------------------------------------------------------------- Pushgateway

/** One parsed sample of the text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: { [k: string]: string };
  readonly value: number;
}

/** A parsed metric family. */
export interface Family {
  help: string;
  type: string;
  samples: Sample[];
}

function unescapeLabel(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * Parses text format 0.0.4 strictly: HELP and TYPE before the samples of a family, no family twice,
 * valid names, quoted and escaped label values, no duplicate series, no timestamps.
 */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const series = new Set<string>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help) {
      if (families.has(help[1])) throw new Error(`family ${help[1]} appears twice`);
      families.set(help[1], { help: help[2].replace(/\\n/g, '\n').replace(/\\\\/g, '\\'), type: '', samples: [] });
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      const f = families.get(type[1]);
      if (!f || f.type || f.samples.length) throw new Error(`TYPE of ${type[1]} out of place`);
      f.type = type[2];
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`malformed line: ${JSON.stringify(line)}`);
    const labels: { [k: string]: string } = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
    const body = m[2] ?? '';
    let pos = 0;
    while (pos < body.length) {
      re.lastIndex = pos;
      const l = re.exec(body);
      if (!l) throw new Error(`malformed labels: ${body}`);
      labels[l[1]] = unescapeLabel(l[2]);
      pos = re.lastIndex;
    }
    const f = families.get(m[1]);
    if (!f || !f.type) throw new Error(`sample of ${m[1]} without HELP/TYPE`);
    const key = `${m[1]}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`duplicate series ${key}`);
    series.add(key);
    const v = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : m[3] === 'NaN' ? NaN : Number(m[3]);
    if (Number.isNaN(v) && m[3] !== 'NaN') throw new Error(`bad value ${m[3]}`);
    f.samples.push({ name: m[1], labels, value: v });
  }
  return families;
}

/** A push received by the Pushgateway stub. */
export interface Push {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly families: Map<string, Family>;
}

/** Finds one sample by name and exact label set. */
export function sampleOf(push: Push, name: string, labels: { [k: string]: string }): number | undefined {
  const key = JSON.stringify(Object.entries(labels).sort());
  return push.families.get(name)?.samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === key)?.value;
}

/** Accepts PUT/POST /metrics/job/... and parses the body (400 on a malformed body, like the real one). */
export async function startPushgateway(): Promise<Stub & { pushes: Push[] }> {
  const pushes: Push[] = [];
  const stub = await startStub((req, res) => {
    if (!req.url.startsWith('/metrics/job/') || !['PUT', 'POST'].includes(req.method)) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      pushes.push({ method: req.method, path: req.url, contentType: String(req.headers['content-type']), families: parseExposition(req.body.toString('utf8')) });
    } catch (e) {
      res.writeHead(400);
      res.end((e as Error).message);
      return;
    }
    res.writeHead(200);
    res.end();
  });
  return { ...stub, pushes };
}

// ---------------------------------------------------------------------------------------------- MLflow

/** A run kept by the MLflow stub. */
export interface StubRun {
  id: string;
  experimentId: string;
  name: string;
  startTime: number;
  status: string;
  tags: { [k: string]: string };
  params: { [k: string]: string };
  metrics: { [k: string]: number };
}

/** MLflow REST 2.0 subset with the artifact proxy; requires basic auth when `auth` is given. */
export async function startMlflow(auth?: { user: string; pass: string }): Promise<Stub & {
  experiments: Map<string, string>; runs: Map<string, StubRun>; artifacts: Map<string, Buffer>; seedRun(expName: string, run: Partial<StubRun>): string;
}> {
  const experiments = new Map<string, string>();
  const runs = new Map<string, StubRun>();
  const artifacts = new Map<string, Buffer>();
  let seq = 0;
  const expId = (name: string): string => {
    if (!experiments.has(name)) experiments.set(name, String(100 + experiments.size));
    return experiments.get(name) as string;
  };
  const stub = await startStub((req, res) => {
    if (auth && req.headers.authorization !== `Basic ${Buffer.from(`${auth.user}:${auth.pass}`).toString('base64')}`) {
      json(res, 401, { error_code: 'UNAUTHENTICATED', message: 'bad credentials' });
      return;
    }
    const u = new URL(req.url, 'http://x');
    const body = req.body.length ? (JSON.parse(req.body.toString('utf8')) as { [k: string]: unknown }) : {};
    const p = u.pathname;
    if (req.method === 'PUT' && p.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      artifacts.set(decodeURIComponent(p.slice('/api/2.0/mlflow-artifacts/artifacts/'.length)), req.body);
      json(res, 200, {});
      return;
    }
    const run = (): StubRun | undefined => runs.get(String(body.run_id));
    switch (`${req.method} ${p}`) {
      case 'GET /api/2.0/mlflow/experiments/get-by-name': {
        const name = u.searchParams.get('experiment_name') ?? '';
        if (!experiments.has(name)) return json(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Could not find experiment with name '${name}'` });
        return json(res, 200, { experiment: { experiment_id: experiments.get(name), name, lifecycle_stage: 'active' } });
      }
      case 'POST /api/2.0/mlflow/experiments/create':
        if (experiments.has(String(body.name))) return json(res, 400, { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'exists' });
        return json(res, 200, { experiment_id: expId(String(body.name)) });
      case 'POST /api/2.0/mlflow/runs/create': {
        const id = `run${++seq}`;
        const tags = Object.fromEntries(((body.tags ?? []) as { key: string; value: string }[]).map((t) => [t.key, t.value]));
        runs.set(id, { id, experimentId: String(body.experiment_id), name: String(body.run_name), startTime: Number(body.start_time), status: 'RUNNING', tags, params: {}, metrics: {} });
        return json(res, 200, { run: { info: { run_id: id, experiment_id: body.experiment_id, artifact_uri: `mlflow-artifacts:/${body.experiment_id}/${id}/artifacts`, status: 'RUNNING' }, data: {} } });
      }
      case 'POST /api/2.0/mlflow/runs/log-batch': {
        const r = run();
        if (!r) return json(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no run' });
        const metrics = (body.metrics ?? []) as { key: string; value: number; timestamp: number }[];
        const params = (body.params ?? []) as { key: string; value: string }[];
        if (metrics.length > 1000 || params.length > 100 || metrics.length + params.length > 1000) return json(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'batch too large' });
        for (const m of metrics) {
          if (typeof m.value !== 'number' || typeof m.timestamp !== 'number') return json(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad metric' });
          r.metrics[m.key] = m.value;
        }
        for (const x of params) r.params[x.key] = x.value;
        for (const t of (body.tags ?? []) as { key: string; value: string }[]) r.tags[t.key] = t.value;
        return json(res, 200, {});
      }
      case 'POST /api/2.0/mlflow/runs/update': {
        const r = run();
        if (!r) return json(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no run' });
        r.status = String(body.status);
        return json(res, 200, { run_info: { run_id: r.id, status: r.status } });
      }
      case 'POST /api/2.0/mlflow/runs/search': {
        // Supports the filter the eval job sends: clauses `tags.<key> = '<value>'` joined by "and".
        const clauses = String(body.filter ?? '').split(/\s+and\s+/i).filter(Boolean).map((c) => {
          const m = /^tags\.(\w+)\s*=\s*'([^']*)'$/.exec(c.trim());
          if (!m) throw new Error(`unsupported filter clause ${c}`);
          return [m[1], m[2]] as const;
        });
        const ids = (body.experiment_ids ?? []) as string[];
        let found = [...runs.values()].filter((r) => ids.includes(r.experimentId) && clauses.every(([k, v]) => r.tags[k] === v));
        if (JSON.stringify(body.order_by) === JSON.stringify(['attributes.start_time DESC'])) found = found.sort((a, b) => b.startTime - a.startTime);
        found = found.slice(0, Number(body.max_results ?? 1000));
        const kv = <V>(o: { [k: string]: V }): { key: string; value: V }[] => Object.entries(o).map(([key, value]) => ({ key, value }));
        return json(res, 200, { runs: found.map((r) => ({ info: { run_id: r.id, start_time: r.startTime, status: r.status }, data: { metrics: kv(r.metrics), params: kv(r.params), tags: kv(r.tags) } })) });
      }
      default:
        return json(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `${req.method} ${p}` });
    }
  });
  const seedRun = (expName: string, r: Partial<StubRun>): string => {
    const id = `seed${++seq}`;
    runs.set(id, { id, experimentId: expId(expName), name: id, startTime: 0, status: 'FINISHED', tags: {}, params: {}, metrics: {}, ...r });
    return id;
  };
  return { ...stub, experiments, runs, artifacts, seedRun };
}

// ---------------------------------------------------------------------------------------------- S3 + STS

/** Static keys the S3 stub accepts, and the temporary ones its STS hands out. */
export const TEST_KEYS = { accessKeyId: 'AKIDTESTSTATIC', secretAccessKey: 'test/secret+static' };
const STS_KEYS = { accessKeyId: 'ASIATESTTEMP', secretAccessKey: 'temp/secret', sessionToken: 'session-token-123' };

/**
 * Path-style S3 (ListObjectsV2 with pages of `pageSize`, GetObject, PutObject) that verifies each
 * request's SigV4 signature from what arrived on the wire, plus STS AssumeRoleWithWebIdentity (POST /).
 */
export async function startS3(opts: { region: string; pageSize?: number; webIdentityToken?: string }): Promise<Stub & { objects: Map<string, Buffer>; signatureFailures: string[] }> {
  const objects = new Map<string, Buffer>();
  const signatureFailures: string[] = [];
  const pageSize = opts.pageSize ?? 2;
  const xml = (res: http.ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  };
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const stub = await startStub((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (req.method === 'POST' && u.pathname === '/') {
      const form = new URLSearchParams(req.body.toString('utf8'));
      if (form.get('Action') !== 'AssumeRoleWithWebIdentity' || form.get('WebIdentityToken') !== opts.webIdentityToken || !form.get('RoleArn')) {
        return xml(res, 403, '<ErrorResponse><Error><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>');
      }
      return xml(res, 200, `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${STS_KEYS.accessKeyId}</AccessKeyId><SecretAccessKey>${STS_KEYS.secretAccessKey}</SecretAccessKey><SessionToken>${STS_KEYS.sessionToken}</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`);
    }
    // Verify the signature from the received request: the host, path and query as they arrived.
    const auth = String(req.headers.authorization ?? '');
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request,SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(auth);
    const keys = m?.[1] === TEST_KEYS.accessKeyId ? TEST_KEYS : m?.[1] === STS_KEYS.accessKeyId ? STS_KEYS : undefined;
    const payloadHash = String(req.headers['x-amz-content-sha256']);
    let ok = !!m && !!keys && m[3] === opts.region && payloadHash === createHash('sha256').update(req.body).digest('hex');
    if (ok && m && keys) {
      const signed = Object.fromEntries(m[4].split(';').filter((h) => !['host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'].includes(h)).map((h) => [h, String(req.headers[h])]));
      const again = signRequest({
        method: req.method, url: new URL(`http://${req.headers.host}${req.url}`), headers: signed, payloadHash, region: opts.region, service: 's3',
        now: new Date(String(req.headers['x-amz-date']).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')),
      }, { ...keys, sessionToken: 'sessionToken' in keys ? String(req.headers['x-amz-security-token']) : undefined });
      ok = again.signature === m[5] && ('sessionToken' in keys ? req.headers['x-amz-security-token'] === keys.sessionToken : true);
    }
    if (!ok) {
      signatureFailures.push(`${req.method} ${req.url}`);
      return xml(res, 403, '<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>');
    }
    const [, bucket, ...rest] = u.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    if (req.method === 'GET' && key === '' && u.searchParams.get('list-type') === '2') {
      const prefix = u.searchParams.get('prefix') ?? '';
      const all = [...objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1)).sort();
      const start = Number(u.searchParams.get('continuation-token') ?? 0);
      const page = all.slice(start, start + pageSize);
      const more = start + pageSize < all.length;
      const contents = page.map((k) => `<Contents><Key>${esc(k)}</Key><Size>${objects.get(`${bucket}/${k}`)?.length}</Size></Contents>`).join('');
      return xml(res, 200, `<ListBucketResult><Name>${bucket}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>${start + pageSize}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`);
    }
    if (req.method === 'GET') {
      const body = objects.get(`${bucket}/${key}`);
      if (!body) return xml(res, 404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${esc(key)}</Key></Error>`);
      res.writeHead(200);
      res.end(body);
      return;
    }
    if (req.method === 'PUT') {
      objects.set(`${bucket}/${key}`, req.body);
      res.writeHead(200);
      res.end();
      return;
    }
    res.writeHead(405);
    res.end();
  });
  return { ...stub, objects, signatureFailures };
}

// ---------------------------------------------------------------------------------------------- OpenAI-compatible model

/** What the fake model answers: a reply, or a failure for the first `failTimes` attempts. */
export interface FakeReply {
  content?: string;
  status?: number;
  failTimes?: number;
  delayMs?: number;
  completionTokens?: number;
}

/** `/v1/chat/completions` answering from `answer(lastUserMessage, model)`; counts attempts per input. */
export async function startModel(answer: (input: string, model: string, body: { [k: string]: unknown }) => FakeReply, apiKey?: string): Promise<Stub & { attempts: Map<string, number>; maxInFlight: () => number }> {
  const attempts = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const stub = await startStub(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return json(res, 404, { error: { message: 'not found' } });
    if (apiKey && req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, { error: { message: 'Incorrect API key provided' } });
    const body = JSON.parse(req.body.toString('utf8')) as { model: string; messages: { role: string; content: string }[] };
    const input = [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const n = (attempts.get(input) ?? 0) + 1;
    attempts.set(input, n);
    const reply = answer(input, body.model, body);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.status && n <= (reply.failTimes ?? Infinity)) return json(res, reply.status, { error: { message: `simulated ${reply.status}` } });
      return json(res, 200, {
        id: 'chatcmpl-1', object: 'chat.completion', model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content ?? '' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: reply.completionTokens ?? 5, total_tokens: 10 + (reply.completionTokens ?? 5) },
      });
    } finally {
      inFlight--;
    }
  });
  return { ...stub, attempts, maxInFlight: () => maxInFlight };
}

/** A URL nobody listens on: a port just released by the OS (fixed ports like 9 may be open on some hosts). */
export async function deadUrl(): Promise<string> {
  const s = await startStub(() => undefined);
  await s.close();
  return s.url;
}

// ---------------------------------------------------------------------------------------------- running a bundle

/** Result of running a bundle. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node <bundle>` with only PATH from this process's environment (no host AWS credentials leak in)
 * plus `env`. Asynchronous, so the stubs in this process keep serving.
 */
export function runBundle(file: string, env: { [k: string]: string }, timeoutMs = 20000, nodeArgs: string[] = []): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, file], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A run with its peak RSS and wall time. */
export interface MeasuredRun extends RunResult {
  /** Peak resident set size of the job process, MiB. */
  readonly peakRssMib: number;
  /** Wall time, ms. */
  readonly wallMs: number;
}

/**
 * Runs a bundle as the pod does: Node's heap capped with --max-old-space-size (the construct sets 75% of
 * the memory limit), and measures the process's peak RSS (getrusage, written at exit by a preload).
 */
export async function runBundleMeasured(file: string, env: { [k: string]: string }, heapMib: number, timeoutMs = 30000): Promise<MeasuredRun> {
  const rssFile = path.join(os.tmpdir(), `peak-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const t0 = Date.now();
  try {
    const r = await runBundle(file, { ...env, PEAK_RSS_FILE: rssFile }, timeoutMs, [`--max-old-space-size=${heapMib}`, '-r', path.join(__dirname, 'peak-rss.js')]);
    return { ...r, wallMs: Date.now() - t0, peakRssMib: Number(fs.readFileSync(rssFile, 'utf8')) / 1024 };
  } finally {
    fs.rmSync(rssFile, { force: true });
  }
}

/** Error lines of a run (the jobs log `<time> ERROR <job>: <message>`). */
export function errorLines(r: RunResult): string[] {
  return r.stderr.split('\n').filter((l) => / ERROR /.test(l));
}

/** No stack trace in the output: frames look like "    at fn (file:line:col)". */
export function hasStackTrace(r: RunResult): boolean {
  return /^\s+at .+[:(]\d+/m.test(r.stderr + r.stdout);
}

/** Builds the bundles once per test file, through the script's exported function. */
export async function buildBundles(): Promise<{ drift: string; eval: string; cost: string; 'spot-prices': string }> {
  const { bundleJobs } = require('../../../scripts/bundle-jobs.js') as { bundleJobs: () => Promise<{ name: string; file: string }[]> };
  const files = await bundleJobs();
  const by = Object.fromEntries(files.map((f) => [f.name, f.file]));
  return { drift: by.drift, eval: by.eval, cost: by.cost, 'spot-prices': by['spot-prices'] };
}
