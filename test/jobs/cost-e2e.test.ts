// End to end: the BUNDLED cost report job (assets/jobs/cost.js) run with node against a Prometheus
// query API stub, an S3 stub (signatures verified), a Pushgateway stub and an MLflow stub.
//
// The stub answers each documented query (costReportQueries(168)) with what Prometheus returns for one
// week of the synthetic platform of test/cost/cost-rules.promtool.test.ts (whose recorded values, and
// these queries over them, promtool checks):
//   chat  (stable on n1 spot at 0.90 $/h + canary on n2 at 2.62325 $/GPU-h): 2 GPUs x 168 h = 336 GPU-h,
//         168 on spot; 3.52325 $/h x 168 = 591.906 $; 40 output tok/s x 604800 s = 24 192 000;
//         80 prompt tok/s -> 48 384 000; 1.5 req/s -> 907 200; utilization (0.8 + 0.4) / 2 = 0.6
//   embed (2 GPUs of n2): 336 GPU-h, none spot; 5.2465 $/h x 168 = 881.412 $; 100 tok/s -> 60 480 000;
//         200 -> 120 960 000; 2 req/s -> 1 209 600; utilization 0.15
//   cluster: 6 GPUs x 168 = 1008 GPU-h, 336 spot; 11.7954 $/h x 168 = 1981.6272 $; idle n3: 168 GPU-h,
//         0.4024 x 168 = 67.6032 $; by source: spot price 151.2, on demand 1762.824, assumption 67.6032.
// Hand-computed report figures:
//   chat  per 1M output tokens 591.906 / 24.192 = 24.4670; per 1M tokens 591.906 / 72.576 = 8.1557;
//         per request 591.906 / 907200 = 0.00065245; 1.7616 $/GPU-h; spot share 0.5
//   embed per 1M output tokens 881.412 / 60.48 = 14.5736; per 1M tokens 4.8579; per request 0.00072868
//   other GPU pods (eval-job): 1981.6272 - (591.906 + 881.412) - 67.6032 = 440.706 (= 2.62325 x 168)
//   estimate chat: 0.8968-2.62325 $/replica-h at 1000 tok/s -> 0.2491-0.7287 $ per 1M; measured
//         24 192 000 / (336 x 3600) = 20 tok/s per replica -> "above"
//   estimate embed: 2.0986-5.2465 $/replica-h at 90 tok/s -> 6.4772-16.1929 $ per 1M; measured
//         60 480 000 / (336 x 3600) x 2 = 100 tok/s per replica -> "within"
import { costReportQueries } from '../../lib/jobs/cost/run';
import { Recorded, TEST_KEYS, buildBundles, deadUrl, errorLines, hasStackTrace, runBundle, sampleOf, startMlflow, startPushgateway, startS3, startStub, Stub } from './support/stubs';

const NOW = '2026-12-07T06:00:00Z';
const Q = costReportQueries(168);
const m = (labels: { [k: string]: string }, v: number | string) => ({ metric: labels, value: [Date.parse(NOW) / 1000, String(v)] });
const chat = { namespace: 'serve', model: 'chat' };
const embed = { namespace: 'serve', model: 'embed' };
const WEEK: { [query: string]: unknown[] } = {
  [Q.gpuHours]: [m(chat, 336), m(embed, 336)],
  [Q.spotGpuHours]: [m(chat, 168)],
  [Q.dollars]: [m(chat, 591.906), m(embed, 881.412)],
  [Q.outputTokens]: [m(chat, 24192000), m(embed, 60480000)],
  [Q.promptTokens]: [m(chat, 48384000), m(embed, 120960000)],
  [Q.requests]: [m(chat, 907200), m(embed, 1209600)],
  [Q.utilization]: [m(chat, 0.6), m(embed, 0.15)],
  [Q.latencyP95]: [m(chat, 1.8), m(embed, 0.6)],
  [Q.totalGpuHours]: [m({}, 1008)],
  [Q.totalSpotGpuHours]: [m({}, 336)],
  [Q.totalDollars]: [m({}, 1981.6272)],
  [Q.idleGpuHours]: [m({}, 168)],
  [Q.idleDollars]: [m({}, 67.6032)],
  [Q.dollarsBySource]: [m({ price_source: 'spot_price_history' }, 151.2), m({ price_source: 'catalog_on_demand' }, 1762.824), m({ price_source: 'catalog_spot_assumption' }, 67.6032)],
};

let bundle: string;
let prom: Stub;
let answers: (query: string) => unknown = () => undefined;
let s3: Awaited<ReturnType<typeof startS3>>;
let pg: Awaited<ReturnType<typeof startPushgateway>>;
let mlflow: Awaited<ReturnType<typeof startMlflow>>;

beforeAll(async () => {
  bundle = (await buildBundles()).cost;
  prom = await startStub((req: Recorded, res) => {
    const u = new URL(req.url, 'http://x');
    const body = u.pathname === '/api/v1/query' ? answers(u.searchParams.get('query') ?? '') : undefined;
    if (body === undefined) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: `unexpected query ${u.searchParams.get('query')}` }));
      return;
    }
    // Like Prometheus: a query error is 422 with a JSON body.
    res.writeHead((body as { status?: string }).status === 'error' ? 422 : 200, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  [s3, pg, mlflow] = await Promise.all([startS3({ region: 'us-east-1' }), startPushgateway(), startMlflow()]);
});

afterAll(async () => {
  await Promise.all([prom?.close(), s3?.close(), pg?.close(), mlflow?.close()]);
});

const vector = (result: unknown[]) => ({ status: 'success', data: { resultType: 'vector', result } });
const AWS_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: TEST_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_KEYS.secretAccessKey, JOB_NOW: NOW };

function config(over: { [k: string]: unknown } = {}): string {
  return JSON.stringify({
    name: 'weekly',
    prometheusUrl: prom.url,
    reportUrl: 's3://reports/cost/{{date}}/report.json',
    markdownUrl: 's3://reports/cost/{{date}}/report.md',
    pushgateway: { url: pg.url },
    s3: { endpoint: s3.url },
    priceCatalog: { source: 'AWS Price List API, EC2 on-demand, Linux, us-east-1', date: '2026-07-20', spotPriceFactor: 0.4 },
    estimates: [
      { namespace: 'serve', model: 'chat', gpusPerReplica: 1, replicaHourlyLowUsd: 0.8968, replicaHourlyHighUsd: 2.62325, tokensPerSecondPerReplica: 1000 },
      { namespace: 'serve', model: 'embed', gpusPerReplica: 2, replicaHourlyLowUsd: 2.0986, replicaHourlyHighUsd: 5.2465, tokensPerSecondPerReplica: 90 },
    ],
    ...over,
  });
}

describe('cost report job bundle', () => {
  test('a week of the synthetic platform: JSON and Markdown to S3, metrics pushed, MLflow run; exit 0', async () => {
    answers = (q) => (q in WEEK ? vector(WEEK[q]) : undefined);
    const before = prom.requests.length;
    const r = await runBundle(bundle, { ...AWS_ENV, JOB_CONFIG: config({ mlflow: { trackingUri: mlflow.url } }) });
    expect(errorLines(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(s3.signatureFailures).toEqual([]);
    // Exactly the documented queries, each evaluated at the run time.
    const sent = prom.requests.slice(before).map((q) => new URL(q.url, 'http://x').searchParams);
    expect(sent.map((p) => p.get('query')).sort()).toEqual(Object.values(Q).sort());
    expect(new Set(sent.map((p) => p.get('time')))).toEqual(new Set([String(Date.parse(NOW) / 1000)]));

    const report = JSON.parse(String(s3.objects.get('reports/cost/2026-12-07/report.json')));
    expect(report).toMatchObject({ kind: 'cost', name: 'weekly', status: 'ok', period: { start: '2026-11-30T06:00:00.000Z', end: '2026-12-07T06:00:00.000Z', hours: 168 } });
    const [c, e] = report.models;
    expect([c.model, e.model]).toEqual(['chat', 'embed']);
    const cent = (x: number, v: number) => expect(Math.abs(x - v)).toBeLessThan(0.005);
    cent(c.dollars, 591.906);
    cent(c.costPerMillionOutputTokensUsd, 24.4670);
    cent(c.costPerMillionTokensUsd, 8.1557);
    expect(c.costPerRequestUsd).toBeCloseTo(0.00065245, 7);
    cent(c.dollarsPerGpuHour, 1.7616);
    expect(c).toMatchObject({ requests: 907200, outputTokens: 24192000, promptTokens: 48384000, gpuHours: 336, spotShare: 0.5, gpuUtilization: 0.6, latencyP95Seconds: 1.8 });
    cent(e.costPerMillionOutputTokensUsd, 14.5736);
    cent(e.costPerMillionTokensUsd, 4.8579);
    expect(e.costPerRequestUsd).toBeCloseTo(0.00072868, 7);
    expect(e.spotShare).toBe(0);
    // Estimate vs actual.
    cent(c.estimate.costPerMillionOutputTokensLowUsd, 0.2491);
    cent(c.estimate.costPerMillionOutputTokensHighUsd, 0.7287);
    expect(c.estimate).toMatchObject({ verdict: 'above', tokensPerSecondPerReplica: 1000 });
    expect(c.estimate.measuredTokensPerSecondPerReplica).toBeCloseTo(20, 9);
    cent(e.estimate.costPerMillionOutputTokensLowUsd, 6.4772);
    cent(e.estimate.costPerMillionOutputTokensHighUsd, 16.1929);
    expect(e.estimate.verdict).toBe('within');
    expect(e.estimate.measuredTokensPerSecondPerReplica).toBeCloseTo(100, 9);
    // Platform.
    cent(report.platform.dollars, 1981.6272);
    cent(report.platform.idleDollars, 67.6032);
    cent(report.platform.otherDollars, 440.706);
    expect(report.platform.spotShare).toBeCloseTo(1 / 3, 12);
    expect(report.platform.dollarsByPriceSource).toEqual({ spot_price_history: 151.2, catalog_on_demand: 1762.824, catalog_spot_assumption: 67.6032 });
    expect(report.notes).toEqual(["some spot nodes were priced with the catalog's spot assumption (0.4 × on-demand): no spot price was pushed for their type and zone"]);

    const md = String(s3.objects.get('reports/cost/2026-12-07/report.md'));
    expect(md).toContain('# GPU utilization and inference cost: weekly');
    expect(md).toContain('| 1,008 | 33.3% | $1,981.63 | $1,473.32 | $67.60 (168 GPU-h) | $440.71 |');
    expect(md).toContain('| serve/chat | 907,200 | 48,384,000 | 24,192,000 | 336 | 50.0% | $591.91 | $24.47 | $8.16 | $0.00065 | 60.0% | 1.80 s |');
    expect(md).toContain('| serve/embed | 1,209,600 | 120,960,000 | 60,480,000 | 336 | 0.0% | $881.41 | $14.57 | $4.86 | $0.00073 | 15.0% | 0.60 s |');
    expect(md).toContain('| serve/chat | $0.897–$2.623 | $1.762 | 1,000 | 20 | $0.25–$0.73 | $24.47 | above |');
    expect(md).toContain('| serve/embed | $1.049–$2.623 | $2.623 | 90 | 100 | $6.48–$16.19 | $14.57 | within |');
    if (process.env.COST_SAMPLE_OUT) require('fs').writeFileSync(process.env.COST_SAMPLE_OUT, md);

    const push = pg.pushes[pg.pushes.length - 1];
    expect(push.method).toBe('PUT');
    expect(push.path).toBe('/metrics/job/aiplatform-cost-report/report/weekly');
    expect(sampleOf(push, 'aiplatform_cost_report_model_dollars', { report: 'weekly', ...chat })).toBeCloseTo(591.906, 9);
    expect(sampleOf(push, 'aiplatform_cost_report_idle_dollars', { report: 'weekly' })).toBeCloseTo(67.6032, 9);
    expect(sampleOf(push, 'aiplatform_job_failed', { report: 'weekly' })).toBe(0);

    const run = [...mlflow.runs.values()].find((x) => x.experimentId === mlflow.experiments.get('cost-weekly'));
    expect(run).toMatchObject({ status: 'FINISHED', tags: { aiplatform_job: 'cost', status: 'ok' }, params: { period_hours: '168' } });
    expect(run?.metrics['cost_per_million_output_tokens.serve.chat']).toBeCloseTo(24.467, 3);
    expect(run?.metrics.idle_dollars).toBeCloseTo(67.6032, 9);
    expect(JSON.parse(String(mlflow.artifacts.get(`${run?.experimentId}/${run?.id}/artifacts/cost-report.json`)))).toMatchObject({ mlflowRunId: run?.id, status: 'ok' });
  });

  const oneLine = async (env: { [k: string]: string }, pattern: RegExp) => {
    const r = await runBundle(bundle, { ...AWS_ENV, ...env });
    expect(r.code).toBe(1);
    const errs = errorLines(r);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(pattern);
    expect(hasStackTrace(r)).toBe(false);
  };

  test('no cost data in the period: exit 1 with one line', async () => {
    answers = (q) => (q in WEEK ? vector([]) : undefined);
    await oneLine({ JOB_CONFIG: config() }, /ERROR cost: no GPU cost data in the 168 h before 2026-12-07T06:00:00.000Z: aiplatform:gpu_node_gpus has no samples/);
  });

  test('bad data: a Prometheus error, a non-number, a negative value, a non-JSON body; exit 1 with one line each', async () => {
    answers = (q) => (q === Q.dollars ? { status: 'error', errorType: 'execution', error: 'query timed out' } : q in WEEK ? vector(WEEK[q]) : undefined);
    await oneLine({ JOB_CONFIG: config() }, /Prometheus query at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query failed: execution: query timed out \(query: sum by \(namespace, model\)/);
    answers = (q) => (q === Q.requests ? vector([m(chat, 'many')]) : q in WEEK ? vector(WEEK[q]) : undefined);
    await oneLine({ JOB_CONFIG: config() }, /sample value that is not a number: "many"/);
    answers = (q) => (q === Q.dollars ? vector([m(chat, -3)]) : q in WEEK ? vector(WEEK[q]) : undefined);
    await oneLine({ JOB_CONFIG: config() }, /bad data: dollars of \{"namespace":"serve","model":"chat"\} is -3/);
    answers = () => '<html>login</html>';
    await oneLine({ JOB_CONFIG: config() }, /the response is not JSON/);
  });

  test('Prometheus unreachable, bad config: exit 1 with one line', async () => {
    await oneLine({ JOB_CONFIG: config({ prometheusUrl: await deadUrl() }) }, /ECONNREFUSED/);
    await oneLine({ JOB_CONFIG: config({ prometheusUrl: 'prometheus:9090' }) }, /JOB_CONFIG\.prometheusUrl must be an http\(s\):\/\/ URL/);
    await oneLine({ JOB_CONFIG: config({ periodHours: 0 }) }, /JOB_CONFIG\.periodHours must be an integer >= 1/);
  });
});
