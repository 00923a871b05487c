// Hostile inputs against the BUNDLED jobs, run as the pod runs them (Node's heap capped at 75% of the
// memory limit) with their peak RSS measured: each must end with exit 1, one error line and a pushed
// failure, within the pod's memory limit and long before its activeDeadlineSeconds.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as http from 'http';
import { createGzip } from 'zlib';
import { MeasuredRun, buildBundles, errorLines, hasStackTrace, runBundleMeasured, sampleOf, startModel, startPushgateway, startStub } from './support/stubs';

// The pods: memory limits and the limits ScheduledJob derives from them (test/monitoring/scheduled-job.test.ts
// checks the derivation): heap = 75% of the limit; maxInputBytes = (heap − 32 MiB − responses) / (16 × inputs).
const MiB = 1048576;
const DRIFT_POD = { limitMib: 256, heapMib: 192, limits: { maxInputBytes: 4 * MiB, maxResponseBytes: MiB } };
const EVAL_POD = { limitMib: 256, heapMib: 192, limits: { maxInputBytes: 9 * MiB, maxResponseBytes: MiB } };

let bundles: { drift: string; eval: string };
let pg: Awaited<ReturnType<typeof startPushgateway>>;
let tmp: string;

beforeAll(async () => {
  bundles = await buildBundles();
  pg = await startPushgateway();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-e2e-'));
});

afterAll(async () => {
  await pg?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Streams 64 KiB chunks until the client goes away: an endless body. */
function endless(res: http.ServerResponse, headers: http.OutgoingHttpHeaders = {}, prefix = ''): void {
  res.writeHead(200, headers);
  if (prefix) res.write(prefix);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

/** The contract on a hostile input: exit 1, one error line (no stack), a pushed failure, within the pod's memory. */
function expectContained(r: MeasuredRun, pod: { limitMib: number }, label: { [k: string]: string }, message: string | RegExp): void {
  expect(r.code).toBe(1);
  expect(errorLines(r)).toHaveLength(1);
  expect(errorLines(r)[0]).toMatch(message);
  expect(hasStackTrace(r)).toBe(false);
  const push = pg.pushes[pg.pushes.length - 1];
  expect(push.method).toBe('POST');
  expect(sampleOf(push, 'aiplatform_job_failed', label)).toBe(1);
  expect(r.peakRssMib).toBeLessThan(pod.limitMib);
}

const measured: string[] = [];
afterAll(() => {
  // The closing note quotes these.
  process.stdout.write(`hostile inputs (peak RSS, wall time):\n${measured.join('\n')}\n`);
});
const note = (what: string, r: MeasuredRun): void => void measured.push(`  ${what}: exit ${r.code}, ${r.peakRssMib.toFixed(0)} MiB, ${r.wallMs} ms`);

describe('drift job: inputs larger than maxInputBytes', () => {
  const config = (reference: string, current: string, over: object = {}) => JSON.stringify({
    name: 'churn', reference: { url: reference }, current: { url: current }, pushgateway: { url: pg.url }, limits: DRIFT_POD.limits, ...over,
  });
  const label = { monitor: 'churn' };

  test('a 200 MiB CSV file is refused from its size, before it is read', async () => {
    const big = path.join(tmp, 'big.csv');
    fs.writeFileSync(big, 'a,b\n');
    fs.truncateSync(big, 200 * MiB); // sparse: no disk, no time
    const r = await runBundleMeasured(bundles.drift, { JOB_CONFIG: config(big, big) }, DRIFT_POD.heapMib);
    expectContained(r, DRIFT_POD, label, new RegExp(`${big}: the input is larger than 4 MiB \\(200 MiB on disk\\) \\(JOB_CONFIG\\.limits\\.maxInputBytes`));
    note('drift, 200 MiB CSV file', r);
  });

  test('an endless HTTP body (and one announcing 200 MiB) is cut at the cap', async () => {
    const server = await startStub((req, res) => (req.url.includes('announced') ? endless(res, { 'content-length': String(200 * MiB) }) : endless(res, {}, 'a,b\n')));
    try {
      const r = await runBundleMeasured(bundles.drift, { JOB_CONFIG: config(`${server.url}/ref.csv`, `${server.url}/cur.csv`) }, DRIFT_POD.heapMib);
      expectContained(r, DRIFT_POD, label, /GET http:\/\/127\.0\.0\.1:\d+\/ref\.csv: the response is larger than 4 MiB \(JOB_CONFIG\.limits\.maxInputBytes\)/);
      note('drift, endless HTTP body', r);
      const announced = await runBundleMeasured(bundles.drift, { JOB_CONFIG: config(`${server.url}/announced.jsonl`, `${server.url}/cur.csv`) }, DRIFT_POD.heapMib);
      expectContained(announced, DRIFT_POD, label, /announced\.jsonl: the response is larger than 4 MiB/);
    } finally {
      await server.close();
    }
  });

  test('a gzip bomb (256 KiB inflating to 256 MiB) stops at the cap on the decompressed bytes', async () => {
    const bomb = path.join(tmp, 'bomb.csv.gz');
    await new Promise<void>((resolve, reject) => {
      const gz = createGzip({ level: 9 });
      const out = fs.createWriteStream(bomb);
      gz.pipe(out).on('finish', resolve).on('error', reject);
      gz.write('a,b\n');
      const zeros = Buffer.alloc(MiB, '0');
      for (let i = 0; i < 256; i++) gz.write(zeros);
      gz.end();
    });
    expect(fs.statSync(bomb).size).toBeLessThan(DRIFT_POD.limits.maxInputBytes);
    const r = await runBundleMeasured(bundles.drift, { JOB_CONFIG: config(bomb, bomb) }, DRIFT_POD.heapMib);
    expectContained(r, DRIFT_POD, label, new RegExp(`${bomb}: the input is larger than 4 MiB after decompression`));
    note(`drift, gzip bomb (${(fs.statSync(bomb).size / 1024).toFixed(0)} KiB -> 256 MiB)`, r);
  });

  test('windows just under the derived cap fit the pod: the sizing factor holds (exit 0)', async () => {
    // A 128 MiB pod (kept small for the suite's time): heap 96 MiB, (96 − 32 − 3) / (16 × 2) = 1 MiB per window.
    const pod = { limitMib: 128, heapMib: 96, limits: { maxInputBytes: MiB, maxResponseBytes: MiB } };
    const rows = (seed: number): string => {
      const lines = ['x,y,z,c'];
      let r = seed;
      let size = 0;
      while (size < 0.98 * MiB) {
        r = (r * 48271) % 2147483647;
        const l = `${(r / 2147483647 * 100).toFixed(3)},${r % 1000},${(r % 7) / 7},k${r % 40}`;
        lines.push(l);
        size += l.length + 1;
      }
      return `${lines.join('\n')}\n`;
    };
    fs.writeFileSync(path.join(tmp, 'ref.csv'), rows(1));
    fs.writeFileSync(path.join(tmp, 'cur.csv'), rows(2));
    const r = await runBundleMeasured(bundles.drift, { JOB_CONFIG: config(path.join(tmp, 'ref.csv'), path.join(tmp, 'cur.csv'), { limits: pod.limits }) }, pod.heapMib);
    expect(errorLines(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.peakRssMib).toBeLessThan(pod.limitMib);
    note('drift, 2 × 0.98 MiB CSV windows in a 128 MiB pod (under the cap)', r);
  });
});

describe('eval job: endless responses and a model that never answers', () => {
  const dataset = (): string => {
    const file = path.join(tmp, 'qa.jsonl');
    fs.writeFileSync(file, ['a', 'b', 'c', 'd'].map((q) => JSON.stringify({ id: q, input: q, expected: q, scorer: 'exact' })).join('\n'));
    return file;
  };
  const config = (baseUrl: string, over: object = {}) => JSON.stringify({
    name: 'qa', datasetUrl: dataset(), model: { baseUrl, model: 'm', timeoutMs: 60000, maxRetries: 3, retryBaseDelayMs: 10 },
    pushgateway: { url: pg.url }, limits: EVAL_POD.limits, ...over,
  });
  const label = { eval: 'qa' };

  test('an endless model response fails each request at maxResponseBytes, unretried: exit 1 in seconds', async () => {
    const model = await startStub((_req, res) => endless(res, { 'content-type': 'application/json' }, '{"choices":[{"message":{"content":"'));
    try {
      const r = await runBundleMeasured(bundles.eval, { JOB_CONFIG: config(model.url) }, EVAL_POD.heapMib);
      expectContained(r, EVAL_POD, label, /every request to the model failed \(4 rows\); last error: model POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: the response is larger than 1 MiB \(JOB_CONFIG\.limits\.maxResponseBytes\)$/);
      expect(model.requests).toHaveLength(4);
      expect(r.wallMs).toBeLessThan(10000);
      note('eval, endless model response', r);
    } finally {
      await model.close();
    }
  });

  test('an endless dataset over HTTP is cut at maxInputBytes', async () => {
    const server = await startStub((_req, res) => endless(res, {}, '{"input": "a", "scorer": "json", "metadata": "'));
    const model = await startModel(() => ({ content: '{}' }));
    try {
      const r = await runBundleMeasured(bundles.eval, { JOB_CONFIG: config(model.url, { datasetUrl: `${server.url}/qa.jsonl` }) }, EVAL_POD.heapMib);
      expectContained(r, EVAL_POD, label, /GET http:\/\/127\.0\.0\.1:\d+\/qa\.jsonl: the response is larger than 9 MiB \(JOB_CONFIG\.limits\.maxInputBytes\)/);
      expect(model.requests).toHaveLength(0);
      note('eval, endless dataset over HTTP', r);
    } finally {
      await Promise.all([server.close(), model.close()]);
    }
  });

  test('a model that never answers: the run stops at limits.deadlineSeconds and records the failure', async () => {
    // Without the deadline: 4 rows × 4 attempts × 60 s timeout, far past any activeDeadlineSeconds.
    const model = await startStub(() => new Promise<void>(() => undefined));
    try {
      const r = await runBundleMeasured(bundles.eval, { JOB_CONFIG: config(model.url, { limits: { ...EVAL_POD.limits, deadlineSeconds: 3 } }) }, EVAL_POD.heapMib);
      expectContained(r, EVAL_POD, label, /the run did not finish within its deadline of 3 s \(0\/4 rows done\): stopped so the failure is recorded before the Job's activeDeadlineSeconds/);
      expect(r.wallMs).toBeGreaterThanOrEqual(2900);
      expect(r.wallMs).toBeLessThan(8000);
      note('eval, model never answers (deadline 3 s)', r);
    } finally {
      await model.close();
    }
  });
});
