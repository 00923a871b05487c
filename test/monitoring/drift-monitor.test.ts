import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack } from 'cdktf';
import { Duration } from '../../lib/core/units';
import { EvalCronJob } from '../../lib/evaluation';
import { DriftColumnKind, DriftDataFormat, DriftMethod } from '../../lib/jobs';
import { validateDriftConfig } from '../../lib/jobs/drift/validate';
import { TEMPLATE_TOKENS as RUNTIME_TEMPLATE_TOKENS } from '../../lib/jobs/runtime/template';
import { KubernetesObject } from '../../lib/k8s/values';
import { AlertSeverity, DriftMonitor, DriftMonitorProps } from '../../lib/monitoring';
import { MlflowRegistry } from '../../lib/registry';
import { SERVING_SIGNALS } from '../../lib/serving';
import { ExternalSecretsOperator } from '../../lib/secrets';
import { expectValidCustomResource } from '../harness/reference';
import { awsOnly, awsStack, resources, synth, warnings } from '../harness/synth';
import { describeDiagnostics, itWithTerraform, terraformCheck } from '../harness/terraform';
import { FakeMetrics, ensureBundles, fakeCluster, fakeEndpoint, only, policyStatements, releaseManifests, runRenderedJob } from './fakes';
import { jobBundlePath } from '../../lib/jobs/bundle';
import { JOB_METRICS, KUBE_STATE_METRICS } from '../../lib/monitoring/job-metrics';
import { SERVING_DRIFT_SERIES } from '../../lib/monitoring/serving-drift';
import { JOB_DATE_TEMPLATE_TOKENS } from '../../lib/monitoring/locations';
import { parsePromQl } from '../../lib/monitoring/promql';

// Before the stacks below are built (at load time).
ensureBundles();

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

const FULL: Omit<DriftMonitorProps, 'cluster' | 'metrics'> = {
  namespace: 'ml',
  schedule: '0 3 * * *',
  timeZone: 'Europe/Paris',
  reference: { url: 's3://ml-data/churn/train.csv', format: DriftDataFormat.CSV },
  current: { url: 's3://ml-data/churn/traffic/{{date-1d}}/', format: DriftDataFormat.JSONL },
  columns: [
    { name: 'age', kind: DriftColumnKind.NUMERIC, methods: [DriftMethod.PSI, DriftMethod.KS], thresholds: { psi: 0.25, ksPValue: 0.01 } },
    { name: 'plan', kind: DriftColumnKind.CATEGORICAL, methods: [DriftMethod.CHI_SQUARE], bins: 20 },
  ],
  ignoreColumns: ['id', 'ts'],
  thresholds: { psi: 0.3, jensenShannon: 0.15, chiSquarePValue: 0.001 },
  numericMethods: [DriftMethod.PSI],
  categoricalMethods: [DriftMethod.JENSEN_SHANNON, DriftMethod.PSI],
  bins: 12,
  psiEpsilon: 0.001,
  datasetDriftShare: 0.3,
  missingValues: ['', 'NA'],
  allowEmptyCurrent: true,
  failOnDrift: true,
  reportUrl: 's3://ml-reports/drift/churn/{{date}}.json',
  requestTimeout: Duration.seconds(45),
  model: 'churn-v3',
  alerts: { team: 'ml-platform', severity: AlertSeverity.CRITICAL, runbookUrl: 'https://runbooks.example.com/drift', labels: { env: 'prod' } },
};

function build(o: Partial<DriftMonitorProps> = {}, stack: TerraformStack = awsStack()) {
  const cluster = fakeCluster(stack);
  const metrics = new FakeMetrics(stack, 'metrics');
  const monitor = new DriftMonitor(stack, 'churn', { cluster, metrics, ...FULL, ...o });
  return { stack, cluster, metrics, monitor };
}

const base = build();
const s = synth(base.stack);
const objects = releaseManifests(s, 'drift-churn');
const rule = only(objects, 'PrometheusRule') as Any;
const rules: Rule[] = rule.spec.groups.flatMap((g: Any) => g.rules);
const alert = (name: string) => {
  const r = rules.find((x) => x.alert === name);
  if (!r) throw new Error(`no alert ${name}; have ${rules.map((x) => x.alert).join(', ')}`);
  return r;
};

describe('job config', () => {
  const cm = only(objects, 'ConfigMap') as Any;
  const config = JSON.parse(cm.data['config.json']);

  test('the config JSON in the ConfigMap parses and carries every prop', () => {
    expect(config).toEqual({
      name: 'churn',
      reference: { url: 's3://ml-data/churn/train.csv', format: 'csv' },
      current: { url: 's3://ml-data/churn/traffic/{{date-1d}}/', format: 'jsonl' },
      columns: [
        { name: 'age', kind: 'numeric', methods: ['psi', 'ks'], thresholds: { psi: 0.25, ksPValue: 0.01 } },
        { name: 'plan', kind: 'categorical', methods: ['chi_square'], bins: 20 },
      ],
      ignoreColumns: ['id', 'ts'],
      thresholds: { psi: 0.3, jensenShannon: 0.15, chiSquarePValue: 0.001 },
      numericMethods: ['psi'],
      categoricalMethods: ['jensen_shannon', 'psi'],
      bins: 12,
      psiEpsilon: 0.001,
      datasetDriftShare: 0.3,
      missingValues: ['', 'NA'],
      allowEmptyCurrent: true,
      failOnDrift: true,
      reportUrl: 's3://ml-reports/drift/churn/{{date}}.json',
      pushgateway: { url: 'http://prometheus-pushgateway.monitoring.svc:9091', job: 'aiplatform-drift', groupingLabels: { namespace: 'ml' } },
      requestTimeoutMs: 45000,
      // 1 GiB limit: heap 768 MiB − 32 base − 1 MiB × 3 response = 733 MiB, / (2 windows × 16) = 22 MiB per window;
      // deadline: activeDeadlineSeconds 3600 − 300 s reserve.
      limits: { maxInputBytes: 22 * 1048576, maxResponseBytes: 1048576, deadlineSeconds: 3300 },
    });
    expect(config).toEqual(JSON.parse(JSON.stringify(base.monitor.config)));
  });

  test('the job\'s own start-up validation accepts it (full and minimal)', () => {
    expect(() => validateDriftConfig(config)).not.toThrow();
    const minimal = build({ columns: undefined, ignoreColumns: undefined, thresholds: undefined, numericMethods: undefined, categoricalMethods: undefined, bins: undefined, psiEpsilon: undefined, datasetDriftShare: undefined, missingValues: undefined, allowEmptyCurrent: undefined, failOnDrift: undefined, reportUrl: undefined, requestTimeout: undefined });
    expect(Object.keys(minimal.monitor.config)).toEqual(['name', 'reference', 'current', 'pushgateway', 'limits']);
    expect(() => validateDriftConfig(minimal.monitor.config)).not.toThrow();
  });

  test('the rendered ConfigMap runs: the bundled job accepts the config and gets to its first input and its Pushgateway group', () => {
    // Nothing listens on port 9: the run fails on I/O (exit 1), after config validation.
    const { monitor } = build({ reference: { url: 'http://127.0.0.1:9/ref.csv' }, current: { url: 'http://127.0.0.1:9/cur.csv' }, reportUrl: undefined, pushgatewayUrl: 'http://127.0.0.1:9' });
    const r = runRenderedJob(monitor.job, 'drift');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ERROR drift: GET http:\/\/127\.0\.0\.1:9\/ref\.csv: connect ECONNREFUSED/);
    expect(r.stderr).toContain('/metrics/job/aiplatform-drift/monitor/churn/namespace/ml');
    expect(r.stderr).not.toMatch(/JOB_CONFIG/);
  });

  test('the construct accepts the date templates the job expands, and only those', () => {
    expect([...JOB_DATE_TEMPLATE_TOKENS].sort()).toEqual(Object.keys(RUNTIME_TEMPLATE_TOKENS).sort());
  });

  test('the CronJob runs the drift bundle on the schedule, in the time zone', () => {
    const cj = only(objects, 'CronJob') as Any;
    expect(cj.metadata).toMatchObject({ name: 'drift-churn', namespace: 'ml' });
    expect(cj.spec).toMatchObject({ schedule: '0 3 * * *', timeZone: 'Europe/Paris', concurrencyPolicy: 'Forbid' });
    expect(cj.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['node', '/jobs/drift.js']);
  });

  test('reads the reference and current prefixes and writes the report prefix, nothing else', () => {
    expect(policyStatements(s, 'irsa-ml-drift-churn_policy')).toEqual([
      { sid: 'ReadObjects', effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::ml-data/churn/traffic/*', 'arn:aws:s3:::ml-data/churn/train.csv*'] },
      { sid: 'ListMlData', effect: 'Allow', actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::ml-data'], condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['churn/traffic/*', 'churn/train.csv*'] }] },
      { sid: 'WriteObjects', effect: 'Allow', actions: ['s3:PutObject'], resources: ['arn:aws:s3:::ml-reports/drift/churn/*'] },
    ]);
  });

  test('egress to the Pushgateway\'s namespace; no ServiceMonitor of its own (the Pushgateway\'s, with honorLabels, scrapes the pushed series)', () => {
    const np = only(objects, 'NetworkPolicy') as Any;
    expect(np.spec.egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] });
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'ServiceAccount', 'NetworkPolicy', 'CronJob', 'PrometheusRule']);
  });

  test('the release waits for the Prometheus operator (its CRDs) and the given dependencies', () => {
    const rel = Object.values(resources(s, 'helm_release')).find((r) => r.name === 'drift-churn') as Any;
    expect(rel.depends_on).toEqual([expect.stringMatching(/^helm_release\.metrics_operator_[A-F0-9]{8}$/)]);
  });
});

describe('alerts', () => {
  test('the PrometheusRule validates against the reference CRD and carries the backbone\'s rule labels', () => {
    expectValidCustomResource(rule as KubernetesObject);
    expect(rule.metadata).toEqual({ name: 'drift-churn-alerts', namespace: 'ml', labels: { release: 'kube-prometheus-stack' } });
  });

  test('dataset drift, feature drift, job failed and job stale, routed by severity, model and team', () => {
    expect(rules.map((r) => r.alert)).toEqual(['AiPlatformDatasetDrift', 'AiPlatformFeatureDrift', 'AiPlatformDriftJobFailed', 'AiPlatformDriftJobStale']);
    const common = { team: 'ml-platform', model: 'churn-v3', env: 'prod' };
    expect(alert('AiPlatformDatasetDrift').labels).toEqual({ ...common, severity: 'critical' });
    expect(alert('AiPlatformFeatureDrift').labels).toEqual({ ...common, severity: 'info' });
    expect(alert('AiPlatformDriftJobFailed').labels).toEqual({ ...common, severity: 'warning' });
    expect(alert('AiPlatformDriftJobStale').labels).toEqual({ ...common, severity: 'warning' });
    for (const r of rules) expect(r.annotations).toMatchObject({ runbook_url: 'https://runbooks.example.com/drift', summary: expect.any(String), description: expect.any(String) });
    // modelId is the model_id label beside the served name.
    const withId = build({ model: 'churn-v3', modelId: 's3://models/churn/v3' }).monitor.alertRule as KubernetesObject;
    const labels = ((withId.spec as { groups: { rules: { labels: Record<string, string> }[] }[] }).groups[0].rules[0].labels);
    expect(labels).toMatchObject({ model: 'churn-v3', model_id: 's3://models/churn/v3' });
  });

  test('verdict alerts read the metrics the job pushes for this monitor', () => {
    const sel = 'job="aiplatform-drift",namespace="ml",monitor="churn",instance=""';
    expect(alert('AiPlatformDatasetDrift').expr).toBe(`max by (namespace, monitor) (aiplatform_dataset_drift{${sel}}) == 1`);
    expect(alert('AiPlatformFeatureDrift').expr).toBe(`max by (namespace, monitor, feature) (aiplatform_drift_detected{${sel}}) == 1`);
  });

  test('job failed: the runtime\'s flag, or the CronJob\'s Job failing terminally since its last success', () => {
    const e = alert('AiPlatformDriftJobFailed').expr;
    expect(e).toContain('max by (namespace, monitor) (aiplatform_job_failed{job="aiplatform-drift",namespace="ml",monitor="churn",instance=""}) == 1');
    expect(e).toContain('kube_job_status_failed{namespace="ml",job_name=~"drift-churn-[0-9]+",reason=~"BackoffLimitExceeded|DeadlineExceeded|Evicted"} > 0');
    expect(e).toContain('kube_cronjob_status_last_successful_time{namespace="ml",cronjob="drift-churn"}');
  });

  test('job stale: N schedule intervals (computed from the cron expression) plus the run deadlines', () => {
    // Daily: 2 x 24h + 1h active deadline + 1h starting deadline.
    expect(base.monitor.staleAfterSeconds).toBe(2 * 86400 + 3600 + 3600);
    // The later of the pushed success and the CronJob's last successful Job (survives a Pushgateway restart).
    expect(alert('AiPlatformDriftJobStale').expr).toContain('(time() - max by (namespace, monitor) (aiplatform_job_last_success_timestamp_seconds{job="aiplatform-drift",namespace="ml",monitor="churn",instance=""} or label_replace(kube_cronjob_status_last_successful_time{namespace="ml",cronjob="drift-churn"}, "monitor", "churn", "", "")) > 180000)');
    expect(alert('AiPlatformDriftJobStale').expr).toContain('kube_cronjob_spec_suspend{namespace="ml",cronjob="drift-churn"} == 1');
    // Weekdays at 6: the longest gap is Friday to Monday.
    expect(build({ schedule: '0 6 * * 1-5', alerts: { staleAfterRuns: 3 } }).monitor.staleAfterSeconds).toBe(3 * 3 * 86400 + 3600 + 3600);
    expect(build({ schedule: '*/30 * * * *' }).monitor.staleAfterSeconds).toBe(2 * 1800 + 1800 + 900);
  });

  test('every expression parses as PromQL and reads only documented metrics', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../lib/jobs/README.md'), 'utf8');
    const documented = new Set(readme.match(/aiplatform_[a-z0-9_]+/g));
    const bundles = fs.readFileSync(jobBundlePath('drift'), 'utf8') + fs.readFileSync(jobBundlePath('eval'), 'utf8');
    // The names the alert rules use: documented in the job README and pushed by the bundled jobs.
    for (const name of Object.values(JOB_METRICS)) {
      expect({ name, documented: documented.has(name) }).toEqual({ name, documented: true });
      expect({ name, inBundle: bundles.includes(`"${name}"`) }).toEqual({ name, inBundle: true });
    }
    const withServing = build({ servingSignals: { models: ['qwen2.5-7b'], servingNamespace: 'serving' } }).monitor.alertRule as Any;
    const all: Rule[] = withServing.spec.groups.flatMap((g: Any) => g.rules);
    const recorded = new Set(all.filter((r) => r.record).map((r) => r.record));
    const allowed = new Set<string>([...Object.values(KUBE_STATE_METRICS), ...Object.values(SERVING_SIGNALS), ...Object.values(SERVING_DRIFT_SERIES)]);
    for (const r of all) {
      const info = parsePromQl(r.expr);
      for (const m of info.metricNames) {
        if (m.startsWith('aiplatform_')) expect({ m, documented: documented.has(m) }).toEqual({ m, documented: true });
        // Recorded here, or a common serving signal the serving stacks record.
        else if (m.startsWith('aiplatform:')) expect({ m, recorded: recorded.has(m) || allowed.has(m) }).toEqual({ m, recorded: true });
        else expect({ m, known: allowed.has(m) }).toEqual({ m, known: true });
      }
    }
    expectValidCustomResource(withServing);
  });

  test('feature alerts can be turned off; alerts can be turned off', () => {
    expect((build({ alerts: { featureDrift: false } }).monitor.alertRule as Any).spec.groups[0].rules.map((r: Rule) => r.alert)).not.toContain('AiPlatformFeatureDrift');
    const off = build({ alerts: { enabled: false } });
    expect(off.monitor.alertRule).toBeUndefined();
    expect(off.monitor.job.chart.manifests.map((m) => m.kind)).not.toContain('PrometheusRule');
  });

  test('serving signals of the model join the same PrometheusRule', () => {
    const m = build({ servingSignals: { models: ['qwen2.5-7b'], servingNamespace: 'serving', tokenRatioThreshold: 2 } }).monitor;
    const groups = (m.alertRule as Any).spec.groups.map((g: Any) => g.name);
    expect(groups).toEqual(['drift-churn', 'churn-serving-drift-records', 'churn-serving-drift-alerts']);
  });
});

describe('without a metrics backbone', () => {
  test('no Pushgateway in the config, no PrometheusRule, and a warning', () => {
    const stack = awsStack();
    const m = new DriftMonitor(stack, 'churn', { cluster: fakeCluster(stack), ...FULL, alerts: undefined });
    expect(m.config.pushgateway).toBeUndefined();
    expect(m.alertRule).toBeUndefined();
    expect(warnings(stack).join('\n')).toMatch(/test\/churn: no metrics: the drift job pushes no metrics and no alert fires on drift/);
  });

  test('a backbone without a Pushgateway is an error (the alerts would read nothing)', () => {
    const stack = awsStack();
    expect(() => new DriftMonitor(stack, 'churn', { cluster: fakeCluster(stack), metrics: new FakeMetrics(stack, 'metrics', { pushgateway: false }), ...FULL }))
      .toThrow(/test\/churn: metrics \("test\/metrics"\) is invalid: has no Pushgateway/);
  });

  test('an explicit Pushgateway URL is used and opened in the NetworkPolicy', () => {
    const { monitor } = build({ pushgatewayUrl: 'http://pushgateway.obs.svc.cluster.local:9091' });
    expect(monitor.config.pushgateway?.url).toBe('http://pushgateway.obs.svc.cluster.local:9091');
    expect(JSON.stringify(monitor.job.networkPolicy)).toContain('"kubernetes.io/metadata.name":"obs"');
  });
});

describe('MLflow (the real MlflowRegistry)', () => {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const externalSecrets = new ExternalSecretsOperator(stack, 'eso', { cluster });
  const registry = new MlflowRegistry(stack, 'mlflow', { cluster, externalSecrets });
  const monitor = new DriftMonitor(stack, 'churn', { cluster, metrics: new FakeMetrics(stack, 'metrics'), registry, mlflowExperimentName: 'churn-drift', mlflowTags: { owner: 'ml' }, ...FULL });
  const ms = synth(stack);

  test('grantAccess: credentials from the granted Secret into the env vars the config names; the tracking URI', () => {
    expect(monitor.mlflowAccess?.credentialsSecretName).toBe('mlflow-drift-churn-credentials');
    expect(monitor.mlflowAccess?.username).toBe('svc-ml-drift-churn');
    expect(monitor.config.mlflow).toEqual({
      trackingUri: 'http://mlflow.mlflow.svc.cluster.local',
      experimentName: 'churn-drift',
      usernameEnv: 'MLFLOW_TRACKING_USERNAME',
      passwordEnv: 'MLFLOW_TRACKING_PASSWORD',
      tags: { owner: 'ml' },
    });
    const c = (only(releaseManifests(ms, 'drift-churn'), 'CronJob') as Any).spec.jobTemplate.spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'MLFLOW_TRACKING_USERNAME', valueFrom: { secretKeyRef: { name: 'mlflow-drift-churn-credentials', key: 'MLFLOW_TRACKING_USERNAME' } } });
    expect(c.env).toContainEqual({ name: 'MLFLOW_TRACKING_PASSWORD', valueFrom: { secretKeyRef: { name: 'mlflow-drift-churn-credentials', key: 'MLFLOW_TRACKING_PASSWORD' } } });
    expect(JSON.stringify(c.env)).not.toMatch(/"value":"[^"]*password/i);
    expect(() => validateDriftConfig(JSON.parse(JSON.stringify(monitor.config)))).not.toThrow();
  });

  test('MLflow admits exactly the drift job\'s pods; the job may reach MLflow\'s namespace', () => {
    const np = Object.values(resources(ms, 'kubernetes_network_policy_v1')).map((p) => p as Any).find((p) => p.metadata.name.startsWith('mlflow-allow-ml')) as Any;
    expect(np.spec.ingress[0].from).toEqual([{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'ml' } }, pod_selector: { match_labels: { 'app.kubernetes.io/name': 'drift-monitor', 'app.kubernetes.io/instance': 'drift-churn' } } }]);
    const podLabels = (only(releaseManifests(ms, 'drift-churn'), 'CronJob') as Any).spec.jobTemplate.spec.template.metadata.labels;
    expect(podLabels).toMatchObject({ 'app.kubernetes.io/name': 'drift-monitor', 'app.kubernetes.io/instance': 'drift-churn' });
    expect(JSON.stringify(monitor.job.networkPolicy)).toContain('"kubernetes.io/metadata.name":"mlflow"');
  });

  test('MLflow options without a registry are an error', () => {
    expect(() => build({ mlflowExperimentName: 'x' })).toThrow(/mlflowExperimentName \("x"\) is invalid: applies only with registry/);
  });
});

describe('bad input fails at synth, naming the prop and the value', () => {
  test.each([
    [{ schedule: '0 3 * *' }, /test\/churn: schedule \("0 3 \* \*"\) is invalid: must be a cron schedule .*expected 5 fields/],
    [{ name: 'Churn' }, /test\/churn: name \("Churn"\) is invalid: must be a Kubernetes DNS-1123 label/],
    [{ name: 'c'.repeat(41) }, /name \("c{41}"\) is invalid: must be at most 40 characters/],
    [{ namespace: 'ml_ns' }, /namespace \("ml_ns"\) is invalid/],
    [{ thresholds: { ksPValue: 1.5 } }, /thresholds\.ksPValue \(1\.5\) is invalid: must be a number in \(0, 1\]/],
    [{ thresholds: { chiSquarePValue: 0 } }, /thresholds\.chiSquarePValue \(0\) is invalid: must be a number in \(0, 1\]/],
    [{ thresholds: { jensenShannon: -0.1 } }, /thresholds\.jensenShannon \(-0\.1\) is invalid/],
    [{ thresholds: { psi: 0 } }, /thresholds\.psi \(0\) is invalid: must be a number greater than 0/],
    [{ columns: [{ name: 'age', thresholds: { ksPValue: 2 } }] }, /columns\[0\]\.thresholds\.ksPValue \(2\) is invalid/],
    [{ datasetDriftShare: 1.2 }, /datasetDriftShare \(1\.2\) is invalid: must be a number in \(0, 1\]/],
    [{ datasetDriftShare: 0 }, /datasetDriftShare \(0\) is invalid/],
    [{ psiEpsilon: 0.5 }, /psiEpsilon \(0\.5\) is invalid: must be a number in \(0, 0\.1\]/],
    [{ bins: 1 }, /bins \(1\) is invalid: must be an integer between 2 and 100/],
    [{ columns: [{ name: '' }] }, /columns\[0\]\.name \(""\) is invalid: must be a column name/],
    [{ columns: [{ name: 'a' }, { name: 'a' }] }, /columns\[1\]\.name \("a"\) is invalid: is listed twice/],
    [{ columns: [{ name: 'id' }] }, /columns\[0\]\.name \("id"\) is invalid: is also in ignoreColumns/],
    [{ columns: [{ name: 'plan', kind: DriftColumnKind.CATEGORICAL, methods: [DriftMethod.KS] }] }, /columns\[0\]\.methods\[0\] \("ks"\) is invalid: must be one of psi, chi_square, jensen_shannon for categorical columns/],
    [{ numericMethods: [DriftMethod.CHI_SQUARE] }, /numericMethods\[0\] \("chi_square"\) is invalid/],
    [{ categoricalMethods: [] }, /categoricalMethods \(\[\]\) is invalid: must list at least one method/],
    [{ onlyDeclaredColumns: true, columns: [] }, /onlyDeclaredColumns \(true\) is invalid: needs at least one column/],
    [{ reference: { url: 's3://ml_data/train.csv' } }, /reference\.url \("s3:\/\/ml_data\/train\.csv"\) is invalid: must name a valid bucket/],
    [{ current: { url: 'gs://bucket/x/' } }, /current\.url \("gs:\/\/bucket\/x\/"\) is invalid: must be an s3:\/\/bucket\/key or http\(s\):\/\/ URL/],
    [{ current: { url: 's3://ml-data/x/{{day}}/' } }, /current\.url .* unknown date template \{\{day\}\}/],
    [{ reference: { url: 's3://ml-data/x.csv', delimiter: ';;' } }, /reference\.delimiter \(";;"\) is invalid: must be one character/],
    [{ reportUrl: 's3://ml-reports/drift/' }, /reportUrl \("s3:\/\/ml-reports\/drift\/"\) is invalid: .*needs an object key/],
    [{ model: ' ' }, /model \(" "\) is invalid: must be a non-empty model name/],
    [{ model: undefined, modelId: 'meta-llama/Llama-3.1-8B-Instruct' }, /modelId \("meta-llama\/Llama-3.1-8B-Instruct"\) is invalid: needs model/],
    [{ alerts: { team: 'ML Platform' } }, /alerts\.team \("ML Platform"\) is invalid/],
    [{ alerts: { staleAfterRuns: 0 } }, /alerts\.staleAfterRuns \(0\) is invalid/],
    [{ timeZone: 'Paris' }, /timeZone \("Paris"\) is invalid: must be an IANA time zone name/],
  ] as [Partial<DriftMonitorProps>, RegExp][])('%j', (o, message) => {
    expect(() => build(o)).toThrow(message);
  });

  test('serving signals need a metrics backbone', () => {
    const stack = awsStack();
    expect(() => new DriftMonitor(stack, 'churn', { cluster: fakeCluster(stack), ...FULL, alerts: undefined, servingSignals: { models: ['m'], servingNamespace: 'serving' } }))
      .toThrow(/servingSignals \(\["m"\]\) is invalid: needs metrics/);
  });
});

describe('terraform', () => {
  itWithTerraform('the IRSA roles and policies of a drift monitor and an eval job validate and plan with the real AWS provider', () => {
    const stack = awsStack();
    const cluster = fakeCluster(stack);
    const metrics = new FakeMetrics(stack, 'metrics');
    new DriftMonitor(stack, 'churn', { cluster, metrics, ...FULL, s3KmsKeyArns: ['arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'] });
    new EvalCronJob(stack, 'support', { cluster, metrics, endpoint: fakeEndpoint(), model: 'qwen2.5-7b', datasetUrl: 's3://ml-evals/support/v3.jsonl', reportUrl: 's3://ml-reports/evals/support/{{datetime}}.json', regression: { baselineUrl: 's3://ml-evals/baselines/support.json' }, schedule: '@hourly' });
    const r = terraformCheck(awsOnly(synth(stack)));
    expect(r.validate.valid).toBe(true);
    expect(describeDiagnostics(r)).not.toMatch(/Error/);
    expect(r.planError).toBeUndefined();
    expect(r.plannedCreates.map((a) => a.replace(/_[A-F0-9]{8}$/, '')).sort()).toEqual([
      'aws_iam_role.cluster_irsa-ml-drift-churn_role',
      'aws_iam_role.cluster_irsa-serving-eval-support_role',
      'aws_iam_role_policy.cluster_irsa-ml-drift-churn_inline',
      'aws_iam_role_policy.cluster_irsa-serving-eval-support_inline',
    ]);
  });
});
