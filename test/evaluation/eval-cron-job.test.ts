import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack } from 'cdktf';
import { Duration } from '../../lib/core/units';
import { EvalCronJob, EvalCronJobProps } from '../../lib/evaluation';
import { EVAL_METRIC_NAMES } from '../../lib/jobs/eval/gates';
import { validateEvalConfig } from '../../lib/jobs/eval/validate';
import { KubernetesObject } from '../../lib/k8s/values';
import { AlertSeverity } from '../../lib/monitoring';
import { MlflowRegistry } from '../../lib/registry';
import { ExternalSecretsOperator } from '../../lib/secrets';
import { expectValidCustomResource } from '../harness/reference';
import { awsStack, synth, warnings } from '../harness/synth';
import { VllmServingStack } from '../../lib/serving';
import { FakeGpuPool } from '../serving/fakes';
import { FakeMetrics, ensureBundles, fakeCluster, fakeEndpoint, only, policyStatements, releaseManifests, runRenderedJob, terraformUnescape } from '../monitoring/fakes';
import { EVAL_GATE_METRICS } from '../../lib/evaluation/eval-cron-job';
import { jobBundlePath } from '../../lib/jobs/bundle';
import { CONFIGMAP_LIMIT_BYTES } from '../../lib/monitoring/scheduled-job';
import { KUBE_STATE_METRICS } from '../../lib/monitoring/job-metrics';
import { parsePromQl } from '../../lib/monitoring/promql';

// Before the stacks below are built (at load time).
ensureBundles();

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Rule = { alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> };

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

function build(o: Partial<EvalCronJobProps> = {}, stack: TerraformStack = awsStack()) {
  const cluster = fakeCluster(stack);
  const metrics = new FakeMetrics(stack, 'metrics');
  const job = new EvalCronJob(stack, 'support', {
    cluster,
    metrics,
    endpoint: fakeEndpoint(),
    model: MODEL,
    datasetUrl: 's3://ml-evals/support/v3.jsonl',
    schedule: '0 */6 * * *',
    ...o,
  });
  return { stack, job };
}

const base = build({
  concurrency: 8,
  requestTimeout: Duration.seconds(30),
  maxRetries: 2,
  retryBaseDelay: Duration.millis(250),
  retryMaxDelay: Duration.seconds(5),
  temperature: 0,
  maxTokens: 512,
  systemPrompt: 'You are a support agent.',
  judge: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKeySecret: { secretName: 'openai', secretKey: 'key' }, rubric: 'Is it correct?', passScore: 0.8, timeout: Duration.seconds(90), maxRetries: 1, maxTokens: 200 },
  gates: [{ metric: 'pass_rate', min: 0.9 }, { metric: 'latency_p95_ms', max: 4000 }, { metric: 'pass_rate.judge', min: 0.7 }],
  regression: { gates: [{ metric: 'pass_rate', tolerance: 0.02 }, { metric: 'latency_p95_ms', relativeTolerance: 0.2 }], baselineUrl: 's3://ml-evals/baselines/support.json', requireBaseline: true },
  reportUrl: 's3://ml-reports/evals/support/{{datetime}}.json',
  storageTimeout: Duration.seconds(20),
  alerts: { team: 'assistants', severity: AlertSeverity.CRITICAL },
});
const s = synth(base.stack);
const objects = releaseManifests(s, 'eval-support');
const cronJob = only(objects, 'CronJob') as Any;
const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
const rule = only(objects, 'PrometheusRule') as Any;
const rules: Rule[] = rule.spec.groups.flatMap((g: Any) => g.rules);
const alert = (name: string) => rules.find((r) => r.alert === name)!;

describe('job config', () => {
  const cm = only(objects, 'ConfigMap') as Any;
  const config = JSON.parse(cm.data['config.json']);

  test('the config JSON in the ConfigMap parses and carries every prop', () => {
    expect(config).toEqual({
      name: 'support',
      datasetUrl: 's3://ml-evals/support/v3.jsonl',
      model: {
        baseUrl: 'http://llm-router-service.serving.svc.cluster.local/v1',
        model: MODEL,
        apiKeyEnv: 'EVAL_MODEL_API_KEY',
        timeoutMs: 30000,
        maxRetries: 2,
        retryBaseDelayMs: 250,
        retryMaxDelayMs: 5000,
        temperature: 0,
        maxTokens: 512,
        systemPrompt: 'You are a support agent.',
      },
      judge: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKeyEnv: 'EVAL_JUDGE_API_KEY', timeoutMs: 90000, maxRetries: 1, maxTokens: 200, rubric: 'Is it correct?', passScore: 0.8 },
      concurrency: 8,
      gates: [{ metric: 'pass_rate', min: 0.9 }, { metric: 'latency_p95_ms', max: 4000 }, { metric: 'pass_rate.judge', min: 0.7 }],
      regression: { gates: [{ metric: 'pass_rate', tolerance: 0.02 }, { metric: 'latency_p95_ms', relativeTolerance: 0.2 }], baselineUrl: 's3://ml-evals/baselines/support.json', requireBaseline: true },
      reportUrl: 's3://ml-reports/evals/support/{{datetime}}.json',
      pushgateway: { url: 'http://prometheus-pushgateway.monitoring.svc:9091', job: 'aiplatform-eval', groupingLabels: { namespace: 'serving' } },
      requestTimeoutMs: 20000,
      // 256 MiB limit: heap 192 MiB − 32 base − 8 × 2 responses × 1 MiB × 3 = 112 MiB, / 16 = 7 MiB of dataset.
      limits: { maxInputBytes: 7 * 1048576, maxResponseBytes: 1048576, deadlineSeconds: 3300 },
    });
    expect(config).toEqual(JSON.parse(JSON.stringify(base.job.config)));
  });

  test('the job\'s own start-up validation accepts it (full and minimal)', () => {
    expect(() => validateEvalConfig(config)).not.toThrow();
    const minimal = build().job.config;
    expect(Object.keys(minimal)).toEqual(['name', 'datasetUrl', 'model', 'pushgateway', 'limits']);
    expect(() => validateEvalConfig(JSON.parse(JSON.stringify(minimal)))).not.toThrow();
  });

  test('the rendered ConfigMap runs: the bundled job accepts the config and gets to its dataset and its Pushgateway group', () => {
    // Nothing listens on port 9: the run fails on I/O (exit 1), after config validation.
    const { job } = build({ datasetUrl: 'http://127.0.0.1:9/d.jsonl', pushgatewayUrl: 'http://127.0.0.1:9' });
    const r = runRenderedJob(job.job, 'eval');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ERROR eval: GET http:\/\/127\.0\.0\.1:9\/d\.jsonl: connect ECONNREFUSED/);
    expect(r.stderr).toContain('/metrics/job/aiplatform-eval/eval/support/namespace/serving');
    expect(r.stderr).not.toMatch(/JOB_CONFIG/);
  });

  test('gate metric names are the ones the job computes', () => {
    expect([...EVAL_GATE_METRICS]).toEqual([...EVAL_METRIC_NAMES]);
  });

  test('the ConfigMap ships the real eval bundle and stays under 1 MiB; the CronJob runs it', () => {
    expect(terraformUnescape(cm.data['eval.js'])).toBe(fs.readFileSync(jobBundlePath('eval'), 'utf8'));
    expect(Buffer.byteLength(JSON.stringify(cm))).toBeLessThan(CONFIGMAP_LIMIT_BYTES);
    expect(base.job.job.configMapBytes).toBeLessThan(CONFIGMAP_LIMIT_BYTES);
    expect(container.command).toEqual(['node', '/jobs/eval.js']);
    expect(cronJob.spec).toMatchObject({ schedule: '0 */6 * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600 });
    expect(cronJob.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 259200 });
  });

  test('API keys come from Secrets, never inline', () => {
    expect(container.env).toContainEqual({ name: 'EVAL_MODEL_API_KEY', valueFrom: { secretKeyRef: { name: 'llm-api-key', key: 'api-key' } } });
    expect(container.env).toContainEqual({ name: 'EVAL_JUDGE_API_KEY', valueFrom: { secretKeyRef: { name: 'openai', key: 'key' } } });
    expect(container.env.filter((e: Any) => /KEY|PASSWORD|TOKEN/.test(e.name)).every((e: Any) => e.value === undefined)).toBe(true);
  });

  test('reads the dataset and the baseline; writes the report and the baseline', () => {
    expect(policyStatements(s, 'irsa-serving-eval-support_policy')).toEqual([
      { sid: 'ReadObjects', effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::ml-evals/baselines/support.json*', 'arn:aws:s3:::ml-evals/support/v3.jsonl*'] },
      { sid: 'ListMlEvals', effect: 'Allow', actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::ml-evals'], condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['baselines/support.json*', 'support/v3.jsonl*'] }] },
      { sid: 'WriteObjects', effect: 'Allow', actions: ['s3:PutObject'], resources: ['arn:aws:s3:::ml-evals/baselines/support.json*', 'arn:aws:s3:::ml-reports/evals/support/*'] },
    ]);
  });

  test('egress to the router\'s namespace, the Pushgateway\'s and HTTPS (the external judge)', () => {
    const np = only(objects, 'NetworkPolicy') as Any;
    expect(np.spec.egress).toContainEqual({ to: ['serving', 'monitoring'].map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })) });
    expect(np.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] });
  });
});

describe('model and endpoint', () => {
  test('an endpoint serving one model needs no model prop', () => {
    const { job } = build({ endpoint: fakeEndpoint({ modelNames: ['only-one'] }), model: undefined });
    expect(job.model).toBe('only-one');
    expect(job.config.model.model).toBe('only-one');
  });

  test('the model must be one the endpoint serves', () => {
    expect(() => build({ model: 'gpt-4' })).toThrow(/test\/support: model \("gpt-4"\) is invalid: is not served by the endpoint http:\/\/llm-router-service\.serving\.svc\.cluster\.local\/v1: it serves "meta-llama\/Llama-3\.1-8B-Instruct", "qwen2\.5-7b"/);
    expect(() => build({ model: undefined })).toThrow(/model \(undefined\) is invalid: is required: the endpoint serves several models \(names "meta-llama\/Llama-3\.1-8B-Instruct", "qwen2\.5-7b"\)/);
  });

  test('a serving stack with one Hugging Face model (two served names) is the default: its short name', () => {
    const stack = awsStack();
    const cluster = fakeCluster(stack);
    const metrics = new FakeMetrics(stack, 'metrics');
    const endpoint = new VllmServingStack(stack, 'llm', { cluster, gpuPool: new FakeGpuPool(stack, 'pool'), metrics, models: [{ name: 'llama-8b', model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 8192 }] });
    expect(endpoint.modelNames).toEqual(['llama-8b', 'meta-llama/Llama-3.1-8B-Instruct']);
    expect(endpoint.defaultModel).toBe('llama-8b');
    const job = new EvalCronJob(stack, 'nightly', { cluster, metrics, endpoint, datasetUrl: 's3://ml-evals/support/v3.jsonl', schedule: '@daily' });
    expect(job.model).toBe('llama-8b');
    expect(job.config.model.model).toBe('llama-8b');
    // Two models: no default, and the error lists the names.
    const two = new VllmServingStack(stack, 'two', { cluster, gpuPool: new FakeGpuPool(stack, 'pool2'), metrics, models: [{ name: 'a', model: 'meta-llama/Llama-3.2-1B-Instruct', maxModelLen: 4096 }, { name: 'b', model: 'meta-llama/Llama-3.2-3B-Instruct', maxModelLen: 4096 }] });
    expect(two.defaultModel).toBeUndefined();
    expect(() => new EvalCronJob(stack, 'two-eval', { cluster, metrics, endpoint: two, datasetUrl: 's3://ml-evals/x.jsonl', schedule: '@daily' })).toThrow(/model \(undefined\) is invalid: is required: the endpoint serves several models/);
    // A hand-written endpoint whose defaultModel it does not serve is rejected.
    expect(() => build({ endpoint: fakeEndpoint({ modelNames: ['x'], defaultModel: 'y' }), model: undefined })).toThrow(/endpoint\.defaultModel \("y"\) is invalid: must be one of the endpoint's modelNames/);
  });

  test('the job runs in the endpoint\'s namespace by default (its API key Secret is there)', () => {
    expect(base.job.namespace).toBe('serving');
    expect(cronJob.metadata.namespace).toBe('serving');
  });

  test('in another namespace the API key must be given there; the serving stack must admit it (warning)', () => {
    expect(() => build({ namespace: 'evals' })).toThrow(/test\/support: namespace \("evals"\) is invalid: differs from the endpoint's namespace \(serving\) and the endpoint's API key Secret "llm-api-key" lives there/);
    const { stack, job } = build({ namespace: 'evals', apiKeySecret: { secretName: 'llm-key-copy', secretKey: 'token' } });
    const c = (job.job.cronJob.spec as Any).jobTemplate.spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'EVAL_MODEL_API_KEY', valueFrom: { secretKeyRef: { name: 'llm-key-copy', key: 'token' } } });
    expect(warnings(stack).join('\n')).toMatch(/clientNamespaces: \["evals"\]/);
    expect(JSON.stringify(job.job.networkPolicy)).toContain('"kubernetes.io/metadata.name":"serving"');
  });

  test('a judge served in the cluster: its model must be served, its key read from the job\'s namespace', () => {
    const judgeEp = fakeEndpoint({ baseUrl: 'http://judge-router-service.serving.svc.cluster.local/v1', apiKeySecretName: 'judge-key', modelNames: ['judge-70b'] });
    const { job } = build({ judge: { endpoint: judgeEp, model: 'judge-70b' } });
    expect(job.config.judge).toEqual({ baseUrl: 'http://judge-router-service.serving.svc.cluster.local/v1', model: 'judge-70b', apiKeyEnv: 'EVAL_JUDGE_API_KEY' });
    expect(() => build({ judge: { endpoint: judgeEp, model: 'judge-8b' } })).toThrow(/judge\.model \("judge-8b"\) is invalid: is not served by the endpoint/);
    expect(() => build({ judge: { endpoint: fakeEndpoint({ namespace: 'judges', modelNames: ['j'] }), model: 'j' } })).toThrow(/judge\.apiKeySecret \(undefined\) is invalid: is required: the judge endpoint's API key Secret "llm-api-key" is in namespace judges/);
    expect(() => build({ judge: { endpoint: judgeEp, baseUrl: 'https://x.example.com/v1', model: 'judge-70b' } })).toThrow(/judge .* must give exactly one of endpoint .* and baseUrl/);
  });
});

describe('alerts', () => {
  test('valid against the reference CRD, labelled for Prometheus', () => {
    expectValidCustomResource(rule as KubernetesObject);
    expect(rule.metadata).toEqual({ name: 'eval-support-alerts', namespace: 'serving', labels: { release: 'kube-prometheus-stack' } });
  });

  test('gate failed, pass rate low, job failed, job stale; routed by severity, model and team', () => {
    expect(rules.map((r) => r.alert)).toEqual(['AiPlatformEvalGateFailed', 'AiPlatformEvalPassRateLow', 'AiPlatformEvalJobFailed', 'AiPlatformEvalJobStale']);
    const sel = 'job="aiplatform-eval",namespace="serving",eval="support",instance=""';
    expect(alert('AiPlatformEvalGateFailed').expr).toBe(`min by (namespace, eval) (aiplatform_eval_gate_passed{${sel}}) == 0`);
    // The threshold follows the pass_rate gate.
    expect(alert('AiPlatformEvalPassRateLow').expr).toBe(`min by (namespace, eval) (aiplatform_eval_pass_rate{${sel}}) < 0.9`);
    expect(alert('AiPlatformEvalJobFailed').expr).toContain(`max by (namespace, eval) (aiplatform_job_failed{${sel}}) == 1`);
    expect(alert('AiPlatformEvalJobFailed').expr).toContain('job_name=~"eval-support-[0-9]+"');
    // Every 6 hours: 2 x 6h + 1h + 1h.
    expect(base.job.staleAfterSeconds).toBe(2 * 6 * 3600 + 3600 + 3600);
    expect(alert('AiPlatformEvalJobStale').expr).toContain(`(time() - max by (namespace, eval) (aiplatform_job_last_success_timestamp_seconds{${sel}} or label_replace(kube_cronjob_status_last_successful_time{namespace="serving",cronjob="eval-support"}, "eval", "support", "", "")) > 50400)`);
    for (const name of ['AiPlatformEvalGateFailed', 'AiPlatformEvalPassRateLow']) expect(alert(name).labels).toEqual({ team: 'assistants', model: MODEL, severity: 'critical' });
    for (const name of ['AiPlatformEvalJobFailed', 'AiPlatformEvalJobStale']) expect(alert(name).labels).toEqual({ team: 'assistants', model: MODEL, severity: 'warning' });
  });

  test('every expression parses as PromQL and reads documented metrics only', () => {
    const documented = new Set(fs.readFileSync(path.join(__dirname, '../../lib/jobs/README.md'), 'utf8').match(/aiplatform_[a-z0-9_]+/g));
    for (const r of rules) {
      for (const m of parsePromQl(r.expr).metricNames) {
        if (m.startsWith('aiplatform_')) expect({ m, documented: documented.has(m) }).toEqual({ m, documented: true });
        else expect(Object.values(KUBE_STATE_METRICS)).toContain(m);
      }
    }
  });

  test('the pass-rate threshold defaults to 0.8 without a pass_rate gate, and can be set or turned off', () => {
    const dflt = (build().job.alertRule as Any).spec.groups[0].rules.find((r: Rule) => r.alert === 'AiPlatformEvalPassRateLow');
    expect(dflt.expr).toMatch(/< 0\.8$/);
    const set = (build({ alerts: { passRateThreshold: 0.95 } }).job.alertRule as Any).spec.groups[0].rules.find((r: Rule) => r.alert === 'AiPlatformEvalPassRateLow');
    expect(set.expr).toMatch(/< 0\.95$/);
    const off = (build({ alerts: { passRate: false } }).job.alertRule as Any).spec.groups[0].rules.map((r: Rule) => r.alert);
    expect(off).not.toContain('AiPlatformEvalPassRateLow');
  });
});

describe('MLflow (the real MlflowRegistry): runs and the regression baseline', () => {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const externalSecrets = new ExternalSecretsOperator(stack, 'eso', { cluster });
  const registry = new MlflowRegistry(stack, 'mlflow', { cluster, externalSecrets });
  const job = new EvalCronJob(stack, 'support', { cluster, metrics: new FakeMetrics(stack, 'metrics'), registry, endpoint: fakeEndpoint(), model: MODEL, datasetUrl: 's3://ml-evals/support/v3.jsonl', schedule: '@daily', regression: {} });

  test('credentials from the granted Secret; the baseline comes from MLflow (no S3 baseline)', () => {
    // The experiment is named explicitly (the runtime's default) so the job's own user can be granted EDIT on it.
    expect(job.config.mlflow).toEqual({ trackingUri: 'http://mlflow.mlflow.svc.cluster.local', experimentName: 'eval-support', usernameEnv: 'MLFLOW_TRACKING_USERNAME', passwordEnv: 'MLFLOW_TRACKING_PASSWORD' });
    expect(job.config.regression).toEqual({});
    expect(() => validateEvalConfig(JSON.parse(JSON.stringify(job.config)))).not.toThrow();
    const c = (job.job.cronJob.spec as Any).jobTemplate.spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'MLFLOW_TRACKING_PASSWORD', valueFrom: { secretKeyRef: { name: 'mlflow-eval-support-credentials', key: 'MLFLOW_TRACKING_PASSWORD' } } });
    const ms = synth(stack);
    expect(Object.values((ms.resource?.kubernetes_network_policy_v1 ?? {}) as Record<string, Any>).some((p) => JSON.stringify(p.spec).includes('"app.kubernetes.io/instance":"eval-support"'))).toBe(true);
  });

  test('a regression check without a baseline source is an error', () => {
    expect(() => build({ regression: {} })).toThrow(/test\/support: regression \(\{\}\) is invalid: needs a baseline: set regression\.baselineUrl \(s3:\/\/…\) or registry/);
  });
});

describe('bad input fails at synth, naming the prop and the value', () => {
  test.each([
    [{ schedule: '0 0 * * 8' }, /test\/support: schedule \("0 0 \* \* 8"\) is invalid: .*day of week field: 8 is outside 0-6/],
    [{ name: 'Support Bot' }, /name \("Support Bot"\) is invalid: must be a Kubernetes DNS-1123 label/],
    [{ datasetUrl: 's3:/ml-evals/x.jsonl' }, /datasetUrl \("s3:\/ml-evals\/x\.jsonl"\) is invalid/],
    [{ datasetUrl: 's3://ML-EVALS/x.jsonl' }, /datasetUrl \("s3:\/\/ML-EVALS\/x\.jsonl"\) is invalid: must name a valid bucket/],
    [{ reportUrl: 's3://ml-reports/evals/' }, /reportUrl .* needs an object key/],
    [{ concurrency: 0 }, /concurrency \(0\) is invalid: must be an integer between 1 and 256/],
    [{ maxRetries: 21 }, /maxRetries \(21\) is invalid/],
    [{ temperature: 3 }, /temperature \(3\) is invalid: must be a number between 0 and 2/],
    [{ retryBaseDelay: Duration.seconds(20) }, /retryBaseDelay \("20 seconds"\) is invalid: cannot be greater than retryMaxDelay \(10 seconds\)/],
    [{ retryBaseDelay: Duration.millis(0.5) }, /retryBaseDelay \("0.5 milliseconds"\) is invalid: must be between 0 seconds and 10 minutes, a whole number of milliseconds/],
    [{ gates: [{ metric: 'accuracy', min: 0.9 }] }, /gates\[0\]\.metric \("accuracy"\) is invalid: must be one of pass_rate, error_rate/],
    [{ gates: [{ metric: 'pass_rate', min: 1.5 }] }, /gates\[0\]\.min \(1\.5\) is invalid: must be a number in \[0, 1\] \(pass_rate is a fraction\)/],
    [{ gates: [{ metric: 'error_rate', max: -0.1 }] }, /gates\[0\]\.max \(-0\.1\) is invalid/],
    [{ gates: [{ metric: 'latency_p95_ms', min: 5000, max: 100 }] }, /gates\[0\]\.min \(5000\) is invalid: cannot be greater than max \(100\)/],
    [{ gates: [{ metric: 'rows' }] }, /gates\[0\] \(\{"metric":"rows"\}\) is invalid: must give min, max or both/],
    [{ gates: [{ metric: 'rows', min: 1 }, { metric: 'rows', max: 9 }] }, /gates\[1\]\.metric \("rows"\) is invalid: has two gates/],
    [{ gates: [{ metric: 'judge_score_mean', min: 0.5 }] }, /gates\[0\]\.metric \("judge_score_mean"\) is invalid: needs judge/],
    [{ gates: [{ metric: 'pass_rate.judge', min: 0.5 }] }, /gates\[0\]\.metric \("pass_rate\.judge"\) is invalid: needs judge/],
    [{ gates: [{ metric: 'pass_rate.fuzzy', min: 0.5 }] }, /gates\[0\]\.metric \("pass_rate\.fuzzy"\) is invalid: names an unknown scorer/],
    [{ regression: { gates: [{ metric: 'pass_rate', tolerance: -1 }], baselineUrl: 's3://ml-evals/b.json' } }, /regression\.gates\[0\]\.tolerance \(-1\) is invalid: must be a number >= 0/],
    [{ regression: { baselineUrl: 's3://ml-evals/baselines/' } }, /regression\.baselineUrl .* needs an object key/],
    [{ judge: { baseUrl: 'ftp://judge', model: 'x' } }, /judge\.baseUrl \("ftp:\/\/judge"\) is invalid/],
    [{ judge: { baseUrl: 'https://judge.example.com', model: 'x', passScore: 2 } }, /judge\.passScore \(2\) is invalid: must be a number between 0 and 1/],
    [{ endpoint: fakeEndpoint({ namespace: 'Serving' }) }, /endpoint\.namespace \("Serving"\) is invalid/],
    [{ endpoint: fakeEndpoint({ baseUrl: 'router:8000' }) }, /endpoint\.baseUrl \("router:8000"\) is invalid: must be an http\(s\):\/\/ URL/],
    [{ endpoint: fakeEndpoint({ modelNames: [] }), model: undefined }, /endpoint\.modelNames \(\[\]\) is invalid: must list the served model names/],
    [{ apiKeySecret: { secretName: 'Bad_Name', secretKey: 'k' } }, /apiKeySecret\.secretName \("Bad_Name"\) is invalid/],
    [{ alerts: { passRateThreshold: 1.2 } }, /alerts\.passRateThreshold \(1\.2\) is invalid: must be a number between 0 and 1/],
    [{ mlflowTags: { a: 'b' } }, /mlflowTags \(\{"a":"b"\}\) is invalid: applies only with registry/],
  ] as [Partial<EvalCronJobProps>, RegExp][])('%j', (o, message) => {
    expect(() => build(o)).toThrow(message);
  });
});
