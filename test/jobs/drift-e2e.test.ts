// End to end: the BUNDLED drift job (assets/jobs/drift.js) run with node against an S3 stub (signatures
// verified), a Pushgateway stub (text format parsed strictly), an MLflow stub and local files.
//
// Expected statistics of the fixture windows, computed independently (repository root):
//   python3 - <<'EOF'
//   import csv, json, numpy as np; from scipy import stats; from scipy.spatial.distance import jensenshannon
//   ref = list(csv.DictReader(open('test/fixtures/jobs/drift/reference.csv', newline='')))
//   cur = list(csv.DictReader(open('test/fixtures/jobs/drift/current-part-0.csv', newline=''))) + [json.loads(l) for l in open('test/fixtures/jobs/drift/current-part-1.jsonl')]
//   ra = np.array([float(r['age']) for r in ref]); ca = np.array([float(r['age']) for r in cur])
//   e = np.unique(np.quantile(ra, np.arange(1,10)/10)); b = lambda x: np.bincount(np.searchsorted(e,x,side='left'), minlength=len(e)+1)
//   rc, cc = b(ra), b(ca); r, c = rc/len(ra), cc/len(ca); r=np.where(r==0,1e-4,r); c=np.where(c==0,1e-4,c)
//   print(repr(np.sum((c-r)*np.log(c/r))), stats.ks_2samp(ra, ca, method='exact'), repr(jensenshannon(rc, cc, base=2)))
//   cats = sorted(set(x['city'] for x in ref) | set(x['city'] for x in cur))
//   t = [[sum(1 for x in ref if x['city']==k) for k in cats], [sum(1 for x in cur if x['city']==k) for k in cats]]
//   print(stats.chi2_contingency(t, correction=False)[:3], repr(jensenshannon(t[0], t[1], base=2)))
//   EOF
//   -> age: PSI 0.7419419304376627, KS D 0.3525 p 2.1335686189436775e-19, JS 0.35220814408974005
//   -> city: chi2 88.96579663388599 p 3.6532227027383366e-19 dof 3, JS 0.3309155523606984
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TEST_KEYS, buildBundles, deadUrl, errorLines, hasStackTrace, runBundle, sampleOf, startMlflow, startPushgateway, startS3 } from './support/stubs';

const FIX = path.join(__dirname, '../fixtures/jobs/drift');
const WEIRD = 'weird "label"\\x';
const NOW = '2024-05-02T03:00:00Z';

let bundle: string;
let s3: Awaited<ReturnType<typeof startS3>>;
let pg: Awaited<ReturnType<typeof startPushgateway>>;
let mlflow: Awaited<ReturnType<typeof startMlflow>>;
let tmp: string;

beforeAll(async () => {
  bundle = (await buildBundles()).drift;
  [s3, pg, mlflow] = await Promise.all([startS3({ region: 'eu-west-1', pageSize: 1, webIdentityToken: 'projected-sa-token' }), startPushgateway(), startMlflow({ user: 'svc', pass: 'p@ss' })]);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-e2e-'));
  const put = (key: string, file: string): void => void s3.objects.set(key, fs.readFileSync(path.join(FIX, file)));
  put('data/reference/train.csv', 'reference.csv');
  // Yesterday's window relative to NOW: two objects of different formats under the prefix.
  put('data/traffic/2024-05-01/part-0.csv', 'current-part-0.csv');
  put('data/traffic/2024-05-01/part-1.jsonl', 'current-part-1.jsonl');
  s3.objects.set('data/traffic/2024-05-01/_SUCCESS', Buffer.alloc(0)); // Spark's marker: not data
  put('data/traffic/2024-04-30/stable.csv', 'current-stable.csv');
  put('data/bad/2024-05-01/x.csv', 'malformed.csv');
});

afterAll(async () => {
  await Promise.all([s3?.close(), pg?.close(), mlflow?.close()]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

function config(over: { [k: string]: unknown } = {}): string {
  return JSON.stringify({
    name: 'churn',
    reference: { url: 's3://data/reference/train.csv' },
    current: { url: 's3://data/traffic/{{date-1d}}/' },
    ignoreColumns: ['id'],
    reportUrl: `file://${tmp}/reports/{{yyyy}}/{{mm}}/{{dd}}/drift.json`,
    pushgateway: { url: pg.url, groupingLabels: { cluster: 'test' } },
    s3: { endpoint: s3.url },
    ...over,
  });
}

const AWS_ENV = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: TEST_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_KEYS.secretAccessKey, JOB_NOW: NOW };

describe('drift job bundle', () => {
  test('drifted window: report, exact metrics and labels pushed, MLflow run with params/metrics/artifact; exit 0', async () => {
    const pushes = pg.pushes.length;
    const r = await runBundle(bundle, {
      ...AWS_ENV,
      JOB_CONFIG: config({ datasetDriftShare: 0.4, mlflow: { trackingUri: mlflow.url, usernameEnv: 'MLFLOW_USER', passwordEnv: 'MLFLOW_PASS' } }),
      MLFLOW_USER: 'svc', MLFLOW_PASS: 'p@ss',
    });
    expect(errorLines(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(s3.signatureFailures).toEqual([]);
    expect(r.stdout).toContain('DATASET DRIFT: 3/7 columns drifted');

    const report = JSON.parse(fs.readFileSync(`${tmp}/reports/2024/05/02/drift.json`, 'utf8'));
    expect(report).toMatchObject({ kind: 'drift', name: 'churn', status: 'ok', datasetDrift: true, columnsEvaluated: 7, columnsDrifted: 3, runTime: '2024-05-02T03:00:00.000Z' });
    expect(report.current.objects).toEqual(['s3://data/traffic/2024-05-01/part-0.csv', 's3://data/traffic/2024-05-01/part-1.jsonl']);
    expect(report.current.rows).toBe(300);
    const col = (n: string) => report.columns.find((c: { column: string }) => c.column === n);
    expect(col('age').psi).toBeCloseTo(0.7419419304376627, 12);
    expect(col('age').ks.statistic).toBeCloseTo(0.3525, 12);
    expect(Math.abs(col('age').ks.pValue - 2.1335686189436775e-19) / 2.1335686189436775e-19).toBeLessThan(1e-9);
    expect(col('age').jensenShannon).toBeCloseTo(0.35220814408974005, 12);
    expect(col('city').chiSquare.statistic).toBeCloseTo(88.96579663388599, 9);
    expect(Math.abs(col('city').chiSquare.pValue - 3.6532227027383366e-19) / 3.6532227027383366e-19).toBeLessThan(1e-9);
    expect(col('city').jensenShannon).toBeCloseTo(0.3309155523606984, 12);
    expect(col('city').notes.join(' ')).toContain('1 category unseen in the reference (19.7% of current values): "Lille, FR"');
    expect(col('legacy_score')).toMatchObject({ status: 'missing_in_current', drifted: true });
    expect(col('version').notes.join(' ')).toContain('constant in the reference');
    expect(col('income').reference.missingShare).toBe(0.1);
    expect(col('income').current.missingShare).toBe(0.2);
    expect(report.notes).toEqual(['columns only in the current window, not compared: new_feature']);

    expect(pg.pushes.length).toBe(pushes + 1);
    const push = pg.pushes[pg.pushes.length - 1];
    expect(push.method).toBe('PUT');
    expect(push.path).toBe('/metrics/job/aiplatform-drift/monitor/churn/cluster/test');
    expect(push.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const f = (feature: string) => ({ monitor: 'churn', feature });
    expect(sampleOf(push, 'aiplatform_drift_psi', f('age'))).toBeCloseTo(0.7419419304376627, 12);
    expect(sampleOf(push, 'aiplatform_drift_ks_pvalue', f('age'))).toBe(col('age').ks.pValue);
    expect(sampleOf(push, 'aiplatform_drift_chi2_pvalue', f('city'))).toBe(col('city').chiSquare.pValue);
    expect(sampleOf(push, 'aiplatform_drift_js_distance', f('city'))).toBe(col('city').jensenShannon);
    expect(sampleOf(push, 'aiplatform_drift_detected', f('age'))).toBe(1);
    expect(sampleOf(push, 'aiplatform_drift_detected', f('income'))).toBe(0);
    expect(sampleOf(push, 'aiplatform_drift_detected', f('legacy_score'))).toBe(1);
    // The quote and backslash of the column name survive the label escaping.
    expect(sampleOf(push, 'aiplatform_drift_detected', f(WEIRD))).toBe(0);
    expect(sampleOf(push, 'aiplatform_drift_missing_ratio', { ...f('income'), window: 'current' })).toBe(0.2);
    expect(sampleOf(push, 'aiplatform_dataset_drift', { monitor: 'churn' })).toBe(1);
    expect(sampleOf(push, 'aiplatform_drift_share', { monitor: 'churn' })).toBeCloseTo(3 / 7, 15);
    expect(sampleOf(push, 'aiplatform_drift_rows', { monitor: 'churn', window: 'current' })).toBe(300);
    expect(sampleOf(push, 'aiplatform_job_failed', { monitor: 'churn' })).toBe(0);
    const lastSuccess = sampleOf(push, 'aiplatform_job_last_success_timestamp_seconds', { monitor: 'churn' }) as number;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(60);
    expect(push.families.get('aiplatform_drift_psi')?.help).toMatch(/Population Stability Index/);
    expect(push.families.get('aiplatform_drift_psi')?.type).toBe('gauge');
    expect(push.families.get('aiplatform_drift_psi')?.samples.map((s) => s.labels.feature)).toEqual(['age', 'income', 'city', 'plan', WEIRD, 'version']);

    const run = [...mlflow.runs.values()].find((x) => x.experimentId === mlflow.experiments.get('drift-churn'));
    expect(run).toMatchObject({ status: 'FINISHED', tags: { aiplatform_job: 'drift', aiplatform_name: 'churn', status: 'drift' } });
    expect(run?.name).toBe('churn-20240502T030000Z');
    expect(run?.params).toMatchObject({ reference_url: 's3://data/reference/train.csv', current_url: 's3://data/traffic/2024-05-01/', bins: '10' });
    expect(run?.metrics['psi.age']).toBeCloseTo(0.7419419304376627, 12);
    expect(run?.metrics['drifted.weird _label__x']).toBe(0);
    expect(run?.metrics.dataset_drift).toBe(1);
    const artifact = mlflow.artifacts.get(`${run?.experimentId}/${run?.id}/artifacts/drift-report.json`);
    expect(JSON.parse(String(artifact))).toMatchObject({ mlflowRunId: run?.id, datasetDrift: true });
  });

  test('stable window: no dataset drift, exit 0', async () => {
    const r = await runBundle(bundle, { ...AWS_ENV, JOB_CONFIG: config({ current: { url: 's3://data/traffic/{{date-2d}}/stable.csv' } }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no dataset drift: 0\/7 columns drifted/);
    const push = pg.pushes[pg.pushes.length - 1];
    expect(sampleOf(push, 'aiplatform_dataset_drift', { monitor: 'churn' })).toBe(0);
    expect(sampleOf(push, 'aiplatform_drift_share', { monitor: 'churn' })).toBe(0);
  });

  test('failOnDrift: dataset drift exits 2 after recording the results', async () => {
    const r = await runBundle(bundle, { ...AWS_ENV, JOB_CONFIG: config({ failOnDrift: true, datasetDriftShare: 0.25, reportUrl: `file://${tmp}/fail-on-drift.json` }) });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('exiting 2 (failOnDrift)');
    expect(JSON.parse(fs.readFileSync(`${tmp}/fail-on-drift.json`, 'utf8')).datasetDrift).toBe(true);
    expect(sampleOf(pg.pushes[pg.pushes.length - 1], 'aiplatform_job_failed', { monitor: 'churn' })).toBe(0);
  });

  test('IRSA: credentials from AssumeRoleWithWebIdentity sign the S3 requests with a session token', async () => {
    const tokenFile = path.join(tmp, 'token');
    fs.writeFileSync(tokenFile, 'projected-sa-token\n');
    const before = s3.requests.length;
    const r = await runBundle(bundle, {
      AWS_REGION: 'eu-west-1', AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/drift', AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: s3.url, JOB_NOW: NOW,
      JOB_CONFIG: config({ pushgateway: undefined }),
    });
    expect(errorLines(r)).toEqual([]);
    expect(r.code).toBe(0);
    const reqs = s3.requests.slice(before);
    expect(reqs.filter((q) => q.method === 'POST')).toHaveLength(1); // credentials cached for the run
    expect(reqs.filter((q) => q.method === 'GET').every((q) => q.headers['x-amz-security-token'] === 'session-token-123')).toBe(true);
    expect(s3.signatureFailures).toEqual([]);
  });

  test('a wrong web identity token is one clear line naming the role, exit 1', async () => {
    const tokenFile = path.join(tmp, 'bad-token');
    fs.writeFileSync(tokenFile, 'nope');
    const r = await runBundle(bundle, {
      AWS_REGION: 'eu-west-1', AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/drift', AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: s3.url,
      JOB_CONFIG: config({ pushgateway: undefined, reportUrl: undefined }),
    });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toHaveLength(1);
    expect(errorLines(r)[0]).toMatch(/STS AssumeRoleWithWebIdentity for arn:aws:iam::111122223333:role\/drift .* failed: HTTP 403 AccessDenied Not authorized/);
    expect(hasStackTrace(r)).toBe(false);
  });

  test('malformed CSV: one line with the object and line number, exit 1, failure pushed with POST', async () => {
    const r = await runBundle(bundle, { ...AWS_ENV, JOB_CONFIG: config({ current: { url: 's3://data/bad/{{date-1d}}/' }, reportUrl: `file://${tmp}/bad.json` }) });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toHaveLength(1);
    expect(errorLines(r)[0]).toContain('s3://data/bad/2024-05-01/x.csv line 2: unterminated quoted field');
    expect(hasStackTrace(r)).toBe(false);
    const push = pg.pushes[pg.pushes.length - 1];
    expect(push.method).toBe('POST');
    expect(sampleOf(push, 'aiplatform_job_failed', { monitor: 'churn' })).toBe(1);
    expect(push.families.has('aiplatform_job_last_success_timestamp_seconds')).toBe(false);
    expect(push.families.has('aiplatform_job_last_run_timestamp_seconds')).toBe(true);
    expect(JSON.parse(fs.readFileSync(`${tmp}/bad.json`, 'utf8'))).toMatchObject({ status: 'error', error: expect.stringContaining('unterminated quoted field') });
  });

  test('empty current window: exit 1 by default, a skipped report with allowEmptyCurrent', async () => {
    const cfg = { current: { url: 's3://data/traffic/1999-01-01/' }, reportUrl: `file://${tmp}/empty.json` };
    const r = await runBundle(bundle, { ...AWS_ENV, JOB_CONFIG: config(cfg) });
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toContain('current window is empty: no data at s3://data/traffic/1999-01-01/');
    const ok = await runBundle(bundle, { ...AWS_ENV, JOB_CONFIG: config({ ...cfg, allowEmptyCurrent: true }) });
    expect(ok.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(`${tmp}/empty.json`, 'utf8'))).toMatchObject({ status: 'skipped' });
    expect(sampleOf(pg.pushes[pg.pushes.length - 1], 'aiplatform_drift_rows', { monitor: 'churn', window: 'current' })).toBe(0);
  });

  test('bad config and a method that does not fit the column: one line naming the field, exit 1', async () => {
    const typo = await runBundle(bundle, { JOB_CONFIG: config({ treshold: 1 }) });
    expect(typo.code).toBe(1);
    expect(errorLines(typo)[0]).toMatch(/JOB_CONFIG: unknown field "treshold"/);
    const method = await runBundle(bundle, { ...AWS_ENV, JOB_CONFIG: config({ columns: [{ name: 'city', methods: ['ks'] }], pushgateway: undefined, reportUrl: undefined }) });
    expect(method.code).toBe(1);
    expect(errorLines(method)[0]).toContain('JOB_CONFIG.columns[0].methods: ks does not apply to the categorical column "city"');
    const none = await runBundle(bundle, {});
    expect(errorLines(none)[0]).toContain('no configuration: set JOB_CONFIG');
    for (const r of [typo, method, none]) expect(hasStackTrace(r)).toBe(false);
  });

  test('unreachable Pushgateway: the results are recorded elsewhere, then one line and exit 1', async () => {
    const dead = await deadUrl();
    const r = await runBundle(bundle, {
      JOB_CONFIG: JSON.stringify({
        name: 'local', reference: { url: `${FIX}/reference.csv` }, current: { url: `file://${FIX}/current-stable.csv` },
        reportUrl: `${tmp}/local.json`, pushgateway: { url: dead }, requestTimeoutMs: 2000,
      }),
    });
    expect(r.code).toBe(1);
    expect(fs.existsSync(`${tmp}/local.json`)).toBe(true);
    expect(errorLines(r)).toEqual([expect.stringContaining(`Pushgateway: PUT ${dead}/metrics/job/aiplatform-drift/monitor/local: connect ECONNREFUSED`)]);
    expect(hasStackTrace(r)).toBe(false);
  });
});
