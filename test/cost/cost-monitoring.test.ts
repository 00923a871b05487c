/* eslint-disable @typescript-eslint/no-explicit-any */
// CostMonitoring as synthesized: every object it renders validates (PrometheusRules against the
// Prometheus operator's CRD, core objects against the Kubernetes 1.35 OpenAPI documents), the report
// CronJob carries the job config the bundle validates, its IAM is scoped to the report prefix, and bad
// props fail naming the construct path, the prop and what is valid. One synth per app.
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CostMonitoring } from '../../lib/cost';
import { Duration } from '../../lib/core/units';
import { validateCostReportConfig } from '../../lib/jobs/cost/validate';
import { validateSpotPriceConfig } from '../../lib/jobs/spot-prices/run';
import { awsStack, synth } from '../harness/synth';
import { customResourceErrors } from '../harness/reference';
import { EXISTING_CLUSTER } from '../harness/platform-apps';
import { FakeMetrics, fakeCluster } from '../serving/fakes';

type Obj = Record<string, any>;

// The Kubernetes OpenAPI oracle lives on main (test/harness/kubernetes-openapi.ts); on a branch without
// it the core objects are checked by the CRD-free assertions below only, and this says so.
const ORACLE = path.join(__dirname, '..', 'harness', 'kubernetes-openapi.ts');
const openapi: { kubernetesObjectErrors(o: unknown): { path: string; message: string }[] } | undefined = fs.existsSync(ORACLE) ? require(ORACLE) : undefined;

function build(props: Obj = {}) {
  const stack = awsStack();
  const metrics = Object.assign(new FakeMetrics(stack, 'metrics'), { pushgatewayUrl: 'http://prometheus-pushgateway.monitoring.svc:9091' });
  const cluster = fakeCluster(stack);
  const cost = new CostMonitoring(stack, 'cost', {
    metrics,
    report: { cluster, reportPrefix: 's3://finops-reports/gpu/' },
    spotPrices: { cluster },
    ...props,
  });
  const s = synth(stack);
  const objects = Object.values(s.resource?.helm_release ?? {}).flatMap((r: any) => (r.chart?.includes?.('manifests') || r.values ? (YAML.parse(r.values?.[0] ?? '{}')?.manifests ?? []) : [])) as Obj[];
  return { stack, cost, s, objects };
}

const base = build();

test('every rendered object validates: PrometheusRules against the CRD, core objects against Kubernetes 1.35', () => {
  const kinds = base.objects.map((o) => o.kind).sort();
  expect(kinds).toEqual(['ConfigMap', 'ConfigMap', 'ConfigMap', 'CronJob', 'CronJob', 'NetworkPolicy', 'NetworkPolicy', 'PrometheusRule', 'PrometheusRule', 'ServiceAccount', 'ServiceAccount']);
  for (const o of base.objects) {
    if (o.apiVersion === 'monitoring.coreos.com/v1') expect([o.metadata.name, customResourceErrors(o as any)]).toEqual([o.metadata.name, []]);
    else if (openapi) expect([o.kind, o.metadata.name, openapi.kubernetesObjectErrors(o)]).toEqual([o.kind, o.metadata.name, []]);
  }
  if (!openapi) console.warn('test/harness/kubernetes-openapi.ts is not on this branch: core objects not checked against the OpenAPI documents');
});

test('rules, alerts and dashboard carry the backbone labels and stable names', () => {
  const rules = base.objects.filter((o) => o.kind === 'PrometheusRule');
  expect(rules.map((r) => r.metadata.name).sort()).toEqual(['aiplatform-cost', 'aiplatform-cost-alerts']);
  for (const r of rules) expect(r.metadata.labels).toEqual({ release: 'kube-prometheus-stack', role: 'alert-rules' });
  const records = new Set(rules[0].spec.groups.flatMap((g: Obj) => g.rules.map((x: Obj) => x.record)).filter(Boolean));
  for (const n of ['aiplatform:model_cost_per_million_output_tokens_usd', 'aiplatform:gpu_idle_cost_usd_per_hour', 'aiplatform:gpu_spot_share', 'aiplatform:model_gpu_utilization_ratio']) expect(records).toContain(n);
  expect(rules[0].spec.groups[0].interval).toBe('1m');
  const dash = base.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'aiplatform-cost-dashboard')!;
  expect(dash.metadata.labels).toEqual({ grafana_dashboard: '1' });
  const model = JSON.parse(dash.data['aiplatform-cost-dashboard.json']);
  expect(model.panels.map((p: Obj) => p.title)).toEqual(expect.arrayContaining(['Cost per 1M output tokens per model', 'Idle GPU spend (USD/h)', 'Spot share of GPUs', 'GPU utilization per model']));
});

test('the report CronJob: weekly, the config the bundle accepts, S3 writes scoped to the prefix, egress to the backbone only', () => {
  const cron = base.objects.find((o) => o.kind === 'CronJob' && o.metadata.name === 'aiplatform-cost-report')!;
  expect(cron.spec.schedule).toBe('0 6 * * 1');
  const cm = base.objects.find((o) => o.kind === 'ConfigMap' && o.data?.['cost.js'])!;
  expect(Object.keys(cm.data).sort()).toEqual(['config.json', 'cost.js']);
  const config = validateCostReportConfig(JSON.parse(cm.data['config.json']));
  expect(config).toMatchObject({
    prometheusUrl: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090', periodHours: 168,
    reportUrl: 's3://finops-reports/gpu/{{date}}/cost-report.json', markdownUrl: 's3://finops-reports/gpu/{{date}}/cost-report.md',
    pushgateway: { url: 'http://prometheus-pushgateway.monitoring.svc:9091', job: 'aiplatform-cost-report' },
    priceCatalog: { date: '2026-07-20', spotPriceFactor: 0.4 },
  });
  const docs = Object.entries(base.s.data?.aws_iam_policy_document ?? {}).filter(([k]) => k.includes('cost-report_policy')).map(([, d]) => d) as Obj[];
  expect(docs).toHaveLength(1);
  const statements = docs.flatMap((d) => d.statement ?? []);
  const actions = statements.flatMap((st: Obj) => st.actions);
  expect(actions).toContain('s3:PutObject');
  expect(actions.filter((a: string) => !a.startsWith('s3:PutObject') && a !== 'sts:AssumeRoleWithWebIdentity')).toEqual([]);
  expect(JSON.stringify(statements)).toContain('finops-reports/gpu/');
});

test('the spot price CronJob: hourly, every listed catalog type, read-only EC2 IAM and nothing else', () => {
  const cron = base.objects.find((o) => o.kind === 'CronJob' && o.metadata.name === 'aiplatform-spot-prices')!;
  expect(cron.spec.schedule).toBe('17 * * * *');
  const cm = base.objects.find((o) => o.kind === 'ConfigMap' && o.data?.['spot-prices.js'])!;
  const config = validateSpotPriceConfig(JSON.parse(cm.data['config.json']));
  expect(config.region).toBe(base.cost.spotPriceConfig!.region);
  expect(config.instanceTypes).toContain('g6e.2xlarge');
  expect(config.instanceTypes).not.toContain('p5e.48xlarge'); // no on-demand list price: Capacity Blocks only
  expect(config.pushgateway).toEqual({ url: 'http://prometheus-pushgateway.monitoring.svc:9091', job: 'aiplatform-spot-prices' });
  const docs = Object.entries(base.s.data?.aws_iam_policy_document ?? {}).filter(([k]) => k.includes('spot-prices_policy')).map(([, d]) => d) as Obj[];
  expect(docs.flatMap((d) => d.statement)).toEqual([expect.objectContaining({ actions: ['ec2:DescribeSpotPriceHistory'], resources: ['*'] })]);
});

test('bad props name the construct path, the prop and what is valid', () => {
  const bad = (props: Obj) => () => build(props);
  expect(bad({ spotPriceFactor: 0 })).toThrow(/test\/cost.*spotPriceFactor.*0/);
  expect(bad({ minGpuUtilization: 1.5 })).toThrow(/minGpuUtilization/);
  expect(bad({ idleSpendFor: Duration.seconds(30) })).toThrow(/idleSpendFor \("30 seconds"\) is invalid: must be between 1 minute and 7 days, a whole number of minutes/);
  expect(bad({ report: { cluster: undefined as any, reportPrefix: 's3://finops-reports/no-slash' } })).toThrow(/report\.reportPrefix.*must end with "\/"/);
  expect(bad({ spotPrices: { cluster: undefined as any, instanceTypes: ['G6E'] } })).toThrow(/spotPrices\.instanceTypes\[0\].*instance type/);
});

test('AiPlatform.costMonitoring: rules, report with the platform estimate per model, spot prices', () => {
  const { App } = require('cdktf') as typeof import('cdktf');
  const { AiPlatform, GpuCapacityMode, CapacityPreference } = require('../../lib') as typeof import('../../lib');
  const os = require('os') as typeof import('os');
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cost-platform-')), stackTraces: false });
  const p = new AiPlatform(app, 'ai', {
    region: 'us-east-1',
    existingCluster: { ...EXISTING_CLUSTER!, clusterName: 'demo', endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC', oidcIssuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC', nodeRoleArn: 'arn:aws:iam::111122223333:role/node', nodeRoleName: 'node', region: 'us-east-1' },
    gpuPools: [{ poolName: 'inference', mode: GpuCapacityMode.KARPENTER, capacity: CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK, instanceTypes: ['g6e.xlarge', 'g6e.2xlarge'], maxGpus: 4 }],
    serving: [{ id: 'chat', gpuPool: 'inference', releaseName: 'chat', models: [{ name: 'llama-8b', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 2 }, maxModelLen: 16384 }] }],
    costMonitoring: { idleSpendThresholdUsdPerHour: 2, report: { reportPrefix: 's3://finops-reports/gpu/' }, spotPrices: {} },
    guardrails: { enabled: false },
  });
  expect(p.costMonitoring?.thresholds.idleSpendUsdPerHour).toBe(2);
  expect(p.costMonitoring?.reportConfig?.estimates).toEqual([
    // g6e.xlarge 1.861 $/h x 0.4 = 0.7444 (spot, cheapest); g6e.2xlarge 2.242 $/h on demand (dearest); the estimate's 1000 tok/s.
    { namespace: p.serving.chat.namespace, model: 'llama-8b', gpusPerReplica: 1, replicaHourlyLowUsd: 0.7444, replicaHourlyHighUsd: 2.242, tokensPerSecondPerReplica: 1000 },
  ]);
  expect(p.costMonitoring?.spotPriceConfig?.region).toBe('us-east-1');
  // The jobs run in the backbone's namespace, named literally, after it exists.
  expect(p.costMonitoring?.reportJob?.namespace).toBe('monitoring');
  const release = Object.values(synth(p.platformStack).resource?.helm_release ?? {}).find((r: any) => r.name === 'aiplatform-cost-report') as Obj;
  expect(release.depends_on.join(' ')).toMatch(/kubernetes_namespace_v1\.observability_namespace/);
});
