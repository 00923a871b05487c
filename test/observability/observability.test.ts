import * as YAML from 'yaml';
import { TerraformStack } from 'cdktf';
import { ImportedCluster } from '../../lib/cluster/cluster-reference';
import { Duration, Size } from '../../lib/core/units';
import { CHARTS } from '../../lib/k8s/charts';
import { KubernetesObject } from '../../lib/k8s/values';
import { DCGM_METRICS, GPU_DASHBOARD_UID } from '../../lib/observability/gpu-monitoring';
import { RelabelAction } from '../../lib/observability/monitoring-objects';
import { AlertReceiverKind, Observability, ObservabilityProps } from '../../lib/observability/observability';
import { IMetricsBackbone } from '../../lib/observability/types';
import { awsStack, resources, synth, Synth } from '../harness/synth';
import { expectValidChartValues, referenceChartVersion } from '../harness/reference';
import { expectValidCustomResource as expectValidMonitoringResource } from '../harness/reference';

/* eslint-disable @typescript-eslint/no-explicit-any */

const SYSTEM = { 'ai-platform.cdktf.io/node-role': 'system' };

// Keys under kube-prometheus-stack's subcharts grafana and kube-state-metrics are not in the
// reference values (SOURCES.md note 5); each one we set is listed here with why.
const KPS_ALLOWED = [
  'grafana.nodeSelector', // grafana chart value: run Grafana on the system node group
  'grafana.resources', // grafana chart value: requests on every container, memory limit (SECURITY.md)
  'grafana.securityContext', // grafana chart pod securityContext: adds pod-level seccomp RuntimeDefault so the sidecars get it too
  'grafana.serviceMonitor.labels', // grafana chart value (commented in kube-prometheus-stack): the release label Prometheus' explicit selector needs
  'kube-state-metrics.nodeSelector', // kube-state-metrics chart value: run it on the system node group
  'kube-state-metrics.resources', // kube-state-metrics chart value: requests and memory limit (SECURITY.md)
  // kube-state-metrics chart value (templates/deployment.yaml: `--metric-labels-allowlist={{ .Values.metricLabelsAllowlist | join "," }}`):
  // the node and pod labels the cost rules read (lib/cost, docs/cost.md)
  'kube-state-metrics.metricLabelsAllowlist',
];
// prometheus-pushgateway documents persistentVolume.storageClass but leaves it commented out.
const PUSHGATEWAY_ALLOWED = ['persistentVolume.storageClass'];

function cluster(stack: TerraformStack, system: Record<string, string> | null = SYSTEM): ImportedCluster {
  return new ImportedCluster(stack, 'cluster', {
    clusterName: 'demo',
    endpoint: 'https://example.eks.amazonaws.com',
    certificateAuthorityData: 'Y2E=',
    oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
    oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC',
    vpcId: 'vpc-123',
    privateSubnetIds: ['subnet-a', 'subnet-b'],
    clusterSecurityGroupId: 'sg-123',
    region: 'us-west-2',
    systemNodeSelector: system ?? undefined,
  });
}

function build(props: Partial<ObservabilityProps> = {}, after?: (o: Observability) => void) {
  const stack = awsStack();
  const obs = new Observability(stack, 'observability', { cluster: cluster(stack), ...props });
  after?.(obs);
  return { stack, obs, s: synth(stack) };
}

function release(s: Synth, name: string): Record<string, any> {
  const r = Object.values(resources(s, 'helm_release')).filter((x) => x.name === name);
  expect(r).toHaveLength(1);
  return r[0];
}

/** The values document Helm receives, parsed back. */
function values(s: Synth, name: string): Record<string, any> {
  return YAML.parse(release(s, name).values[0] as string) as Record<string, any>;
}

/** The objects of the backbone's local-chart release, as Helm receives them. */
function objects(s: Synth): KubernetesObject[] {
  return values(s, 'monitoring-objects').manifests as KubernetesObject[];
}

function selects(selector: { matchLabels?: Record<string, string> }, labels: Record<string, string> | undefined): boolean {
  const want = selector.matchLabels ?? {};
  return Object.keys(want).length > 0 && Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

function get(o: any, dotted: string): unknown {
  return dotted.split('.').reduce((x, k) => (x === undefined || x === null ? undefined : x[k]), o);
}

describe('Observability', () => {
  const base = build();
  const kps = values(base.s, 'kube-prometheus-stack');
  const spec = kps.prometheus.prometheusSpec;
  const custom = build({
    retention: Duration.days(30),
    storageSize: Size.gibibytes(200),
    storageClass: 'gp3-encrypted',
    replicas: 2,
    prometheusMemory: Size.gibibytes(8),
    grafanaAdminSecret: 'grafana-admin',
    alertReceiver: { kind: AlertReceiverKind.SLACK, secretName: 'alert-webhooks', secretKey: 'slack-url', slackChannel: '#gpu-alerts' },
    pushgateway: { persistence: true, storageSize: Size.gibibytes(5), storageClass: 'gp3-encrypted' },
  });

  test('implements IMetricsBackbone with the release label, the dashboard label and in-cluster URLs', () => {
    const b: IMetricsBackbone = base.obs;
    expect(b.monitorLabels).toEqual({ release: 'kube-prometheus-stack' });
    expect(b.ruleLabels).toEqual({ release: 'kube-prometheus-stack' });
    expect(b.dashboardLabels).toEqual({ grafana_dashboard: '1' });
    expect(b.crdDependencies).toEqual([base.obs.release]);
    expect(b.prometheusUrl).toMatch(/^http:\/\/kube-prometheus-stack-prometheus\.\$\{TfToken\[.+\]\}\.svc:9090$/);
    expect(b.pushgatewayUrl).toMatch(/^http:\/\/prometheus-pushgateway\..+\.svc:9091$/);
    // The Service names those URLs use follow from fullnameOverride in both charts.
    expect(kps.fullnameOverride).toBe('kube-prometheus-stack');
    expect(values(base.s, 'prometheus-pushgateway').fullnameOverride).toBe('prometheus-pushgateway');
  });

  test('pins both charts to the reference versions; kube-prometheus-stack installs its CRDs and waits', () => {
    expect(CHARTS.kubePrometheusStack.version).toBe(referenceChartVersion('kube-prometheus-stack'));
    expect(CHARTS.prometheusPushgateway.version).toBe(referenceChartVersion('prometheus-pushgateway'));
    expect(release(base.s, 'kube-prometheus-stack')).toMatchObject({ version: CHARTS.kubePrometheusStack.version, wait: true, skip_crds: false });
    expect(kps.crds.enabled).toBe(true);
    expect(release(base.s, 'prometheus-pushgateway')).toMatchObject({ version: CHARTS.prometheusPushgateway.version, wait: true });
  });

  describe('chart values', () => {
    test('every kube-prometheus-stack key exists in the chart (subchart keys justified in KPS_ALLOWED)', () => {
      for (const v of [base, custom, build({ pushgateway: { enabled: false }, gpuMonitoring: false })]) {
        expectValidChartValues('kube-prometheus-stack', v.obs.chart.renderedValues(), KPS_ALLOWED);
      }
    });

    test('every pushgateway key exists in the chart', () => {
      expectValidChartValues('prometheus-pushgateway', base.obs.pushgatewayChart!.renderedValues());
      expectValidChartValues('prometheus-pushgateway', custom.obs.pushgatewayChart!.renderedValues(), PUSHGATEWAY_ALLOWED);
    });

    test('each allowed key is really set (the allow-lists do not hide stale entries)', () => {
      for (const k of KPS_ALLOWED) expect([k, get(custom.obs.chart.renderedValues(), k)]).not.toEqual([k, undefined]);
      for (const k of PUSHGATEWAY_ALLOWED) expect([k, get(custom.obs.pushgatewayChart!.renderedValues(), k)]).not.toEqual([k, undefined]);
    });

    test('the oracle rejects a misspelt key and an unlisted subchart key (proves the checks above)', () => {
      expect(() => expectValidChartValues('kube-prometheus-stack', { ...kps, prometheus: { prometheusSpec: { retentoin: '1d' } } }, KPS_ALLOWED)).toThrow(/retentoin/);
      expect(() => expectValidChartValues('kube-prometheus-stack', kps)).toThrow(/grafana\.nodeSelector/);
    });
  });

  describe('selection: what Prometheus and Grafana pick up (GPU-OPERATIONS 5)', () => {
    test('explicit selectors on the backbone labels, in every namespace', () => {
      expect(spec.serviceMonitorSelector).toEqual({ matchLabels: base.obs.monitorLabels });
      expect(spec.podMonitorSelector).toEqual({ matchLabels: base.obs.monitorLabels });
      expect(spec.ruleSelector).toEqual({ matchLabels: base.obs.ruleLabels });
      expect(spec.serviceMonitorNamespaceSelector).toEqual({});
      expect(spec.podMonitorNamespaceSelector).toEqual({});
      expect(spec.ruleNamespaceSelector).toEqual({});
    });

    test('monitors and rules added through the backbone carry the labels the selectors match', () => {
      const b = build({}, (o) => {
        o.addServiceMonitor({ name: 'router', namespace: 'serving', selector: { app: 'router' }, endpoints: [{ port: 'metrics', interval: Duration.seconds(15) }] });
        o.addPodMonitor({ name: 'engines', namespace: 'serving', selector: { app: 'vllm' }, endpoints: [{ port: 'http', path: '/metrics' }] });
        o.addPrometheusRule({ name: 'serving', namespace: 'serving', labels: { team: 'ml' }, groups: [{ name: 'x', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }] });
      });
      const s = values(b.s, 'kube-prometheus-stack').prometheus.prometheusSpec;
      const objs = objects(b.s);
      const byKind = (k: string) => objs.filter((o) => o.kind === k);
      expect(byKind('ServiceMonitor')).toHaveLength(1);
      expect(byKind('PodMonitor')).toHaveLength(1);
      for (const o of byKind('ServiceMonitor')) expect(selects(s.serviceMonitorSelector, o.metadata.labels)).toBe(true);
      for (const o of byKind('PodMonitor')) expect(selects(s.podMonitorSelector, o.metadata.labels)).toBe(true);
      for (const o of byKind('PrometheusRule')) expect(selects(s.ruleSelector, o.metadata.labels)).toBe(true);
      expect(byKind('PrometheusRule').find((o) => o.metadata.name === 'serving')!.metadata.labels).toEqual({ team: 'ml', release: 'kube-prometheus-stack' });
      expect(byKind('ServiceMonitor')[0].metadata.namespace).toBe('serving');
    });

    test('the Pushgateway and Grafana ServiceMonitors carry the selected labels too', () => {
      const pg = values(base.s, 'prometheus-pushgateway').serviceMonitor;
      expect(pg.enabled).toBe(true);
      expect(selects(spec.serviceMonitorSelector, pg.additionalLabels)).toBe(true);
      expect(pg.namespace).toBe(release(base.s, 'kube-prometheus-stack').namespace);
      expect(pg.honorLabels).toBe(true);
      expect(selects(spec.serviceMonitorSelector, kps.grafana.serviceMonitor.labels)).toBe(true);
    });

    test('the selector check above is meaningful: other labels are not selected', () => {
      expect(selects(spec.serviceMonitorSelector, { release: 'other' })).toBe(false);
      expect(selects({}, { release: 'kube-prometheus-stack' })).toBe(false);
    });

    test('Grafana loads dashboards from ConfigMaps labelled like the backbone\'s dashboardLabels, in any namespace', () => {
      const d = kps.grafana.sidecar.dashboards;
      expect(kps.grafana.enabled).toBe(true);
      expect(d).toMatchObject({ enabled: true, searchNamespace: 'ALL' });
      expect(base.obs.dashboardLabels).toEqual({ [d.label]: d.labelValue });
      const cm = objects(base.s).find((o) => o.kind === 'ConfigMap')!;
      expect(cm.metadata.labels![d.label]).toBe(d.labelValue);
    });
  });

  describe('ordering', () => {
    test('monitors, rules and dashboards (one local-chart release) and the Pushgateway wait for the operator release and its CRDs', () => {
      const kpsAddress = `helm_release.${Object.entries(resources(base.s, 'helm_release')).find(([, r]) => r.name === 'kube-prometheus-stack')![0]}`;
      expect(release(base.s, 'monitoring-objects').depends_on).toEqual([kpsAddress]);
      expect(release(base.s, 'prometheus-pushgateway').depends_on).toEqual([kpsAddress]);
      expect(release(base.s, 'monitoring-objects').wait).toBe(true);
    });

    test('objects added after construction are rendered (lazily) into the same release', () => {
      const b = build({ gpuMonitoring: false }, (o) => o.addDashboard('late', '{"title":"late"}'));
      expect(objects(b.s).map((o) => o.metadata.name)).toEqual(['late']);
    });
  });

  describe('Prometheus', () => {
    test('defaults: 15 days, a 50Gi volume it never fills, one replica without PDB', () => {
      expect(spec.retention).toBe('15d');
      expect(spec.retentionSize).toBe(`${Math.floor(50 * 1024 * 0.85)}MB`);
      expect(spec.storageSpec).toEqual({ volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } } });
      expect(spec.replicas).toBe(1);
      expect(kps.prometheus.podDisruptionBudget.enabled).toBe(false);
      expect(spec.topologySpreadConstraints).toBeUndefined();
    });

    test('retention, storage size and class, replicas and memory follow the props; HA gets a PDB and zone spread', () => {
      const v = values(custom.s, 'kube-prometheus-stack');
      const p = v.prometheus.prometheusSpec;
      expect(p.retention).toBe('30d');
      expect(p.storageSpec.volumeClaimTemplate.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'gp3-encrypted', resources: { requests: { storage: '200Gi' } } });
      expect(p.replicas).toBe(2);
      expect(p.resources.limits).toEqual({ memory: '8192Mi' });
      expect(v.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
      expect(p.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone' });
      expect(v.alertmanager.alertmanagerSpec.replicas).toBe(2);
      expect(v.alertmanager.podDisruptionBudget.enabled).toBe(true);
      expect(values(build({ retention: Duration.hours(36) }).s, 'kube-prometheus-stack').prometheus.prometheusSpec.retention).toBe('36h');
    });

    test('EKS: control-plane and kube-proxy monitors are off, node-exporter is off (it needs host access)', () => {
      expect(kps.kubeControllerManager.enabled).toBe(false);
      expect(kps.kubeScheduler.enabled).toBe(false);
      expect(kps.kubeEtcd.enabled).toBe(false);
      expect(kps.kubeProxy.enabled).toBe(false);
      expect(kps.nodeExporter.enabled).toBe(false);
      expect(kps.kubeStateMetrics.enabled).toBe(true);
    });

    test('rejects bad props with the prop, the value and what is valid', () => {
      expect(() => build({ retention: Duration.minutes(30) })).toThrow(/test\/observability: retention \("30 minutes"\) is invalid: must be between 2 hours and 10 years \(3650 days\), a whole number of hours/);
      expect(() => build({ replicas: 0 })).toThrow(/replicas \(0\) is invalid: must be an integer between 1 and 5/);
      expect(() => build({ releaseName: 'a-very-long-kube-prometheus-stack' })).toThrow(/releaseName .* at most 26 characters/);
      expect(() => build({ storageClass: 'GP3' })).toThrow(/storageClass \("GP3"\) is invalid/);
      expect(() => build({ storageSize: Size.mebibytes(100) })).toThrow(/storageSize \("100 MiB"\) is invalid: must be between 1 GiB and 16 TiB/);
    });
  });

  describe('Alertmanager', () => {
    test('on; without a receiver every alert goes to the null receiver', () => {
      expect(kps.alertmanager.enabled).toBe(true);
      expect(kps.alertmanager.config.route.receiver).toBe('null');
      expect(kps.alertmanager.config.receivers).toEqual([{ name: 'null' }]);
      expect(kps.alertmanager.alertmanagerSpec.secrets).toBeUndefined();
    });

    test('a receiver reads its URL from a mounted Secret: the URL is never in values or state', () => {
      const am = values(custom.s, 'kube-prometheus-stack').alertmanager;
      expect(am.alertmanagerSpec.secrets).toEqual(['alert-webhooks']);
      expect(am.config.route.receiver).toBe('slack');
      expect(am.config.route.routes).toEqual([{ receiver: 'null', matchers: ['alertname = "Watchdog"'] }]);
      expect(am.config.receivers).toContainEqual({ name: 'slack', slack_configs: [{ api_url_file: '/etc/alertmanager/secrets/alert-webhooks/slack-url', send_resolved: true, channel: '#gpu-alerts' }] });
      expect(JSON.stringify(custom.s)).not.toMatch(/hooks\.slack\.com|api_url"/);
      const hook = values(build({ alertReceiver: { kind: AlertReceiverKind.WEBHOOK, secretName: 'pager', secretKey: 'url', sendResolved: false } }).s, 'kube-prometheus-stack').alertmanager;
      expect(hook.config.receivers).toContainEqual({ name: 'webhook', webhook_configs: [{ url_file: '/etc/alertmanager/secrets/pager/url', send_resolved: false }] });
    });

    test('rejects a bad receiver', () => {
      expect(() => build({ alertReceiver: { kind: AlertReceiverKind.WEBHOOK, secretName: 'pager', secretKey: 'url', slackChannel: '#x' } })).toThrow(/alertReceiver.slackChannel \("#x"\) is invalid: applies to SLACK receivers only/);
      expect(() => build({ alertReceiver: { kind: AlertReceiverKind.SLACK, secretName: 'Pager', secretKey: 'url' } })).toThrow(/alertReceiver.secretName/);
      expect(() => build({ alertReceiver: { kind: AlertReceiverKind.SLACK, secretName: 'pager', secretKey: 'a/b' } })).toThrow(/alertReceiver.secretKey/);
    });
  });

  describe('Grafana', () => {
    test('admin credentials come from an existing Secret or the chart\'s generated one, never from values', () => {
      expect(kps.grafana.admin).toBeUndefined();
      expect(values(custom.s, 'kube-prometheus-stack').grafana.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
      for (const b of [base, custom]) expect(JSON.stringify(b.obs.chart.renderedValues())).not.toMatch(/adminPassword/);
    });
  });

  describe('Pushgateway', () => {
    test('installed once, with persistence by default (pushes survive a restart)', () => {
      const pgs = Object.values(resources(base.s, 'helm_release')).filter((r) => r.chart === CHARTS.prometheusPushgateway.chart);
      expect(pgs).toHaveLength(1);
      const v = values(base.s, 'prometheus-pushgateway');
      expect(v.persistentVolume).toEqual({ enabled: true, size: '2Gi' });
      expect(v.extraArgs).toContain('--persistence.file=/data/pushgateway.data');
      expect(values(build({ pushgateway: { persistence: false } }).s, 'prometheus-pushgateway').extraArgs).toEqual([]);
    });

    test('persistence: a PVC of the given size and class, and the flag that makes the Pushgateway write it', () => {
      const v = values(custom.s, 'prometheus-pushgateway');
      expect(v.persistentVolume).toEqual({ enabled: true, size: '5Gi', storageClass: 'gp3-encrypted' });
      expect(v.extraArgs).toContain('--persistence.file=/data/pushgateway.data');
    });

    test('can be left out; options without it are refused', () => {
      const off = build({ pushgateway: { enabled: false } });
      expect(off.obs.pushgatewayUrl).toBeUndefined();
      expect(Object.values(resources(off.s, 'helm_release')).map((r) => r.name).sort()).toEqual(['kube-prometheus-stack', 'monitoring-objects']);
      expect(() => build({ pushgateway: { enabled: false, persistence: true } })).toThrow(/pushgateway .* sets options while enabled is false/);
      expect(() => build({ pushgateway: { persistence: false, storageSize: Size.gibibytes(1) } })).toThrow(/applies only with pushgateway.persistence: true/);
    });

    test('one backbone per stack', () => {
      const stack = awsStack();
      const c = cluster(stack);
      new Observability(stack, 'observability', { cluster: c });
      expect(() => new Observability(stack, 'again', { cluster: c })).toThrow(/test\/again: id \("again"\) is invalid: is a second Observability/);
    });
  });

  describe('placement and pod security', () => {
    test('every component runs on the system node group', () => {
      const paths = ['prometheusOperator.nodeSelector', 'prometheusOperator.admissionWebhooks.patch.nodeSelector', 'prometheus.prometheusSpec.nodeSelector', 'alertmanager.alertmanagerSpec.nodeSelector', 'grafana.nodeSelector', 'kube-state-metrics.nodeSelector'];
      for (const p of paths) expect([p, get(kps, p)]).toEqual([p, SYSTEM]);
      expect(values(base.s, 'prometheus-pushgateway').nodeSelector).toEqual(SYSTEM);
      const imported = new Observability(awsStack(), 'o', { cluster: cluster(awsStack(), null) });
      expect(imported.chart.renderedValues().prometheusOperator).not.toHaveProperty('nodeSelector');
    });

    test('pods we configure run as non-root with seccomp; containers we configure are restricted', () => {
      const pg = values(base.s, 'prometheus-pushgateway');
      const podContexts = [kps.prometheusOperator.securityContext, spec.securityContext, kps.alertmanager.alertmanagerSpec.securityContext, pg.securityContext];
      for (const sc of podContexts) expect(sc).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(kps.grafana.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of [kps.prometheusOperator.containerSecurityContext, pg.containerSecurityContext]) {
        expect(c).toEqual({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
      }
    });

    test('service account tokens are not mounted where the pod never calls the API', () => {
      expect(kps.alertmanager.serviceAccount.automountServiceAccountToken).toBe(false);
      expect(kps.alertmanager.alertmanagerSpec.automountServiceAccountToken).toBe(false);
      expect(values(base.s, 'prometheus-pushgateway').automountServiceAccountToken).toBe(false);
    });

    test('requests on every container we size, memory limits, no CPU limits', () => {
      const pg = values(base.s, 'prometheus-pushgateway');
      const all = [kps.prometheusOperator.resources, spec.resources, kps.alertmanager.alertmanagerSpec.resources, kps.grafana.resources, kps['kube-state-metrics'].resources, pg.resources];
      for (const r of all) {
        expect(r.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(r.limits.memory).toEqual(expect.any(String));
        expect(r.limits.cpu).toBeUndefined();
      }
      expect(base.obs.renderedWorkloads().map((w) => w.name)).toEqual([
        'kube-prometheus-stack-operator', 'kube-prometheus-stack-prometheus', 'kube-prometheus-stack-alertmanager', 'kube-prometheus-stack-grafana', 'kube-prometheus-stack-kube-state-metrics', 'prometheus-pushgateway',
      ]);
    });

    test('the namespace is restricted with default-deny ingress and explicit allows', () => {
      const ns = Object.values(resources(base.s, 'kubernetes_namespace_v1'));
      expect(ns).toHaveLength(1);
      expect((ns[0].metadata as any).labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      const pols = Object.values(resources(base.s, 'kubernetes_network_policy_v1')) as any[];
      expect(pols.map((p) => p.metadata.name).sort()).toEqual(['allow-alertmanager', 'allow-egress-baseline', 'allow-egress-kubernetes-api', 'allow-egress-scrape-cluster', 'allow-monitoring', 'allow-pushgateway', 'default-deny-egress', 'default-deny-ingress']);
      const allow = pols.find((p) => p.metadata.name === 'allow-monitoring');
      const ports = allow.spec.ingress.flatMap((r: any) => (r.ports ?? []).map((p: any) => p.port)).sort();
      // The Pushgateway and Alertmanager are not open to other namespaces (see promtool.test.ts for reachability).
      expect(ports).toEqual(['10250', '9090']);
      // Only the same-namespace rule is open on every port.
      expect(allow.spec.ingress.filter((r: any) => !r.ports)).toEqual([{ from: [{ pod_selector: {} }] }]);
    });
  });

  describe('GPU dashboard and alerts', () => {
    const objs = objects(base.s);

    test('are provisioned by default and validate against the CRDs', () => {
      const names = objs.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(names).toEqual(['ConfigMap/gpu-dcgm', 'PrometheusRule/gpu-alerts']);
      for (const o of objs.filter((x) => x.apiVersion.startsWith('monitoring.coreos.com'))) expectValidMonitoringResource(o);
      expect(objects(build({ gpuMonitoring: false }).s)).toEqual([]);
    });

    test('the dashboard JSON parses and every DCGM metric is queried per node and per pod', () => {
      const cm = objs.find((o) => o.kind === 'ConfigMap') as any;
      const model = JSON.parse(cm.data['gpu-dcgm.json']);
      expect(model.uid).toBe(GPU_DASHBOARD_UID);
      const exprs: string[] = model.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
      for (const metric of [DCGM_METRICS.GPU_UTIL, DCGM_METRICS.FB_USED, DCGM_METRICS.FB_FREE, DCGM_METRICS.POWER_USAGE, DCGM_METRICS.GPU_TEMP]) {
        expect([metric, exprs.some((e) => e.includes(metric) && /by \(Hostname/.test(e))]).toEqual([metric, true]);
        expect([metric, exprs.some((e) => e.includes(metric) && /by \(namespace, pod\)/.test(e))]).toEqual([metric, true]);
      }
    });

    test('Grafana ${datasource} variables reach Grafana intact: escaped for Terraform, not interpolated', () => {
      const raw = release(base.s, 'monitoring-objects').values[0] as string;
      expect(raw).toContain('$${datasource}');
      expect(raw.replace(/\$\$\{/g, '')).not.toMatch(/\$\{datasource\}/);
      // Terraform turns $${ back into ${: what Grafana receives.
      const asTerraformRenders = raw.replace(/\$\$\{/g, '${');
      const cm = (YAML.parse(asTerraformRenders).manifests as any[]).find((o) => o.kind === 'ConfigMap');
      expect(JSON.parse(cm.data['gpu-dcgm.json']).panels[1].datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    });

    test('the temperature threshold is a prop', () => {
      const hot = objects(build({ gpuTemperatureThresholdCelsius: 80 }).s).find((o) => o.kind === 'PrometheusRule') as any;
      expect(hot.spec.groups[0].rules.find((r: any) => r.alert === 'GpuHighTemperature').expr).toMatch(/> 80$/);
      expect(() => build({ gpuTemperatureThresholdCelsius: 200 })).toThrow(/gpuTemperatureThresholdCelsius \(200\)/);
    });
  });

  describe('add* helpers', () => {
    test('turn builder errors into ValidationErrors naming the construct', () => {
      const stack = awsStack();
      const o = new Observability(stack, 'observability', { cluster: cluster(stack) });
      expect(() => o.addServiceMonitor({ name: 'x', selector: {}, endpoints: [{ port: 'metrics' }] })).toThrow(/^test\/observability: selector \(\{\}\) is invalid: must list at least one label/);
      expect(() => o.addPodMonitor({ name: 'x', selector: { a: 'b' }, endpoints: [{ port: 'metrics', relabelings: [{ action: RelabelAction.REPLACE }] }] })).toThrow(/endpoints\[0\]\.relabelings\[0\]\.targetLabel/);
      expect(() => o.addDashboard('bad', '{not json')).toThrow(/test\/observability: dashboardJson .* must be JSON/);
      expect(() => o.addDashboard('gpu-dcgm', '{}')).toThrow(/ConfigMap gpu-dcgm is added twice/);
    });
  });
});
