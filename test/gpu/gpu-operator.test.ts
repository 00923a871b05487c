import * as YAML from 'yaml';
import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ImportedCluster } from '../../lib/cluster/cluster-reference';
import { findGpuInstanceType, GpuInstanceType } from '../../lib/gpu/catalog';
import { GpuOperator, GpuOperatorProps, MigStrategy } from '../../lib/gpu/gpu-operator';
import { CapacityPreference, DEVICE_PLUGIN_CONFIG_LABEL, GpuCapacityMode, GpuSharing, gpuSharingNodeLabels, IGpuNodePool, MIG_CONFIG_LABEL } from '../../lib/gpu/types';
import { CHARTS } from '../../lib/k8s/charts';
import { GPU_TAINT, gpuToleration } from '../../lib/k8s/pod-security';
import { JsonObject } from '../../lib/k8s/values';
import { Observability } from '../../lib/observability/observability';
import { PlatformGuardrails } from '../../lib/policy/platform-guardrails';
import { awsStack, resources, synth, Synth, warnings } from '../harness/synth';
import { expectValidChartValues, referenceChartVersion } from '../harness/reference';

// A stand-in for GpuNodePool (written separately): only the IGpuNodePool contract matters here.
class FakePool extends Construct implements IGpuNodePool {
  public readonly mode = GpuCapacityMode.KARPENTER;
  public readonly capacity = CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK;
  public readonly instanceTypes: GpuInstanceType[];
  public readonly nodeSelector: Record<string, string>;
  public readonly tolerations: JsonObject[];
  public readonly nodeDevicePlugin: boolean;
  public constructor(scope: Construct, public readonly poolName: string, public readonly sharing?: GpuSharing, opts: { types?: string[]; extraTaint?: JsonObject; nodeDevicePlugin?: boolean } = {}) {
    super(scope, `pool-${poolName}`);
    this.nodeDevicePlugin = opts.nodeDevicePlugin ?? false;
    this.instanceTypes = (opts.types ?? ['g6e.2xlarge']).map((t) => findGpuInstanceType(t)!);
    this.nodeSelector = { 'ai-platform.cdktf.io/gpu-pool': poolName };
    this.tolerations = [gpuToleration(), ...(opts.extraTaint ? [opts.extraTaint] : [])];
  }
}

const SYSTEM = { 'ai-platform.cdktf.io/node-role': 'system' };

function cluster(stack: TerraformStack, systemNodeSelector: Record<string, string> | null = SYSTEM): ImportedCluster {
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
    systemNodeSelector: systemNodeSelector ?? undefined,
  });
}

type Pools = (stack: TerraformStack) => IGpuNodePool[];

function build(props: Partial<GpuOperatorProps> = {}, pools: Pools = () => [], opts: { metrics?: boolean; system?: Record<string, string> | null } = {}) {
  const stack = awsStack();
  const c = cluster(stack, opts.system === undefined ? SYSTEM : opts.system);
  const obs = opts.metrics ? new Observability(stack, 'observability', { cluster: c }) : undefined;
  const op = new GpuOperator(stack, 'gpu-operator', { cluster: c, metrics: obs, pools: pools(stack), ...props });
  return { stack, op, obs, s: synth(stack), values: op.chart.renderedValues() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function release(s: Synth, chart: string): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = Object.values(resources(s, 'helm_release')).filter((x) => x.chart === chart);
  expect(r).toHaveLength(1);
  return r[0];
}

/** The values document Helm receives (what Terraform passes), parsed. */
function releaseValues(s: Synth, chart: string): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return YAML.parse(release(s, chart).values[0] as string) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function configMapData(s: Synth): Record<string, string> {
  const cms = Object.values(resources(s, 'kubernetes_config_map_v1'));
  expect(cms).toHaveLength(1);
  return cms[0].data as Record<string, string>;
}

/** Kubernetes toleration semantics: does one of `tolerations` tolerate `taint`? */
function tolerates(tolerations: JsonObject[] | undefined, taint: { key: string; value: string; effect: string }): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === taint.value;
  });
}

function allWarnings(stack: TerraformStack): string {
  return warnings(stack).join('\n');
}

describe('GpuOperator', () => {
  const base = build();
  const shared = () => build({}, (st) => [
    new FakePool(st, 'shared', { timeSlicingReplicas: 4 }),
    new FakePool(st, 'plain'),
    new FakePool(st, 'batch', { timeSlicingReplicas: 2 }, { types: ['g5.xlarge'] }),
  ]);
  const withPools = shared();

  test('installs the pinned chart (the reference version) into its namespace and waits', () => {
    expect(CHARTS.gpuOperator.version).toBe(referenceChartVersion('gpu-operator'));
    expect(release(base.s, 'gpu-operator')).toMatchObject({ name: 'gpu-operator', version: CHARTS.gpuOperator.version, repository: CHARTS.gpuOperator.repository, wait: true, skip_crds: false });
  });

  test('every values key exists in the chart (and its vendored node-feature-discovery) in every configuration', () => {
    const variants = [
      base,
      withPools,
      build({ driverPreinstalled: false }),
      build({ standaloneDevicePlugin: true }),
      build({ migStrategy: MigStrategy.MIXED }, (st) => [new FakePool(st, 'mig', { migProfile: 'all-balanced' }, { types: ['p4d.24xlarge'] })], { metrics: true }),
      build({}, () => [], { system: null }),
    ];
    for (const v of variants) expectValidChartValues('gpu-operator', v.values);
  });

  test('the values oracle rejects a misspelt key, also under node-feature-discovery (proves the check above)', () => {
    expect(() => expectValidChartValues('gpu-operator', { ...base.values, devicePlugn: { enabled: false } })).toThrow(/devicePlugn/);
    expect(() => expectValidChartValues('gpu-operator', { 'node-feature-discovery': { wroker: { tolerations: [] } } })).toThrow(/wroker/);
  });

  describe('driver and toolkit (GPU-OPERATIONS 1)', () => {
    test('off by default: the EKS GPU AMIs ship them', () => {
      const v = releaseValues(base.s, 'gpu-operator');
      expect(v.driver.enabled).toBe(false);
      expect(v.toolkit.enabled).toBe(false);
      expect(base.op.driverPreinstalled).toBe(true);
      expect(allWarnings(base.stack)).not.toMatch(/driverPreinstalled/);
    });

    test('on, with a warning, for a custom AMI without a driver — one prop decides both', () => {
      const custom = build({ driverPreinstalled: false });
      const v = releaseValues(custom.s, 'gpu-operator');
      expect(v.driver.enabled).toBe(true);
      expect(v.toolkit.enabled).toBe(true);
      expect(allWarnings(custom.stack)).toMatch(/driverPreinstalled is false.*breaks the nodes/);
    });
  });

  describe('one device plugin (GPU-OPERATIONS 2)', () => {
    test('the operator runs the device plugin by default, and nothing else in the stack does', () => {
      expect(releaseValues(base.s, 'gpu-operator').devicePlugin.enabled).toBe(true);
      const plugins = Object.values(resources(base.s, 'helm_release')).filter((r) => /device-plugin/.test(String(r.chart)));
      expect(plugins).toHaveLength(0);
      expect(base.op.node.validate()).toEqual([]);
    });

    test('with the standalone plugin installed, the operator\'s is off and gets no config', () => {
      const standalone = build({ standaloneDevicePlugin: true });
      const v = releaseValues(standalone.s, 'gpu-operator');
      expect(v.devicePlugin).toEqual({ enabled: false });
      expect(resources(standalone.s, 'kubernetes_config_map_v1')).toEqual({});
      expect(standalone.op.operatorDevicePlugin).toBe(false);
    });

    test('a standalone nvidia-device-plugin release next to the operator\'s plugin fails validation', () => {
      const stack = awsStack();
      const c = cluster(stack);
      new Release(stack, 'nvdp', { name: 'nvdp', chart: 'nvidia-device-plugin', repository: 'https://nvidia.github.io/k8s-device-plugin', namespace: 'kube-system' });
      const op = new GpuOperator(stack, 'gpu-operator', { cluster: c });
      expect(op.node.validate().join('\n')).toMatch(/test\/nvdp installs the standalone nvidia-device-plugin while the operator's device plugin is on: never run two device plugins/);
      // Declared as installed: accepted.
      const ok = awsStack();
      new Release(ok, 'nvdp', { name: 'nvdp', chart: 'nvidia-device-plugin', repository: 'https://nvidia.github.io/k8s-device-plugin', namespace: 'kube-system' });
      const declared = new GpuOperator(ok, 'gpu-operator', { cluster: cluster(ok), standaloneDevicePlugin: true });
      expect(declared.node.validate()).toEqual([]);
    });

    test('extraValues cannot turn the operator\'s plugin back on next to the standalone one', () => {
      const stack = awsStack();
      const op = new GpuOperator(stack, 'gpu-operator', { cluster: cluster(stack), standaloneDevicePlugin: true, extraValues: { devicePlugin: { enabled: true } } });
      expect(op.node.validate().join('\n')).toMatch(/devicePlugin.enabled is on \(extraValues\) while standaloneDevicePlugin is set: two device plugins/);
    });

    test('a standalone dcgm-exporter release next to the operator\'s exporter fails validation', () => {
      const stack = awsStack();
      new Release(stack, 'dcgm', { name: 'dcgm', chart: CHARTS.dcgmExporter.chart, repository: CHARTS.dcgmExporter.repository, namespace: 'monitoring' });
      const op = new GpuOperator(stack, 'gpu-operator', { cluster: cluster(stack) });
      expect(op.node.validate().join('\n')).toMatch(/installs the standalone dcgm-exporter .*scraped twice/);
    });

    test('time-slicing needs the operator\'s plugin', () => {
      expect(() => build({ standaloneDevicePlugin: true }, (st) => [new FakePool(st, 'shared', { timeSlicingReplicas: 4 })])).toThrow(/pool shared: sharing.timeSlicingReplicas \(4\) is invalid: needs the operator's device plugin/);
    });
  });

  describe('GPU taint (GPU-OPERATIONS 6)', () => {
    test('every operand that takes tolerations tolerates nvidia.com/gpu=true:NoSchedule', () => {
      const v = releaseValues(base.s, 'gpu-operator');
      // `daemonsets.tolerations` applies to every operand DaemonSet (device plugin, DCGM exporter,
      // GFD, validator, MIG manager, toolkit, driver); NFD's worker has its own list.
      expect(tolerates(v.daemonsets.tolerations, GPU_TAINT)).toBe(true);
      expect(tolerates(v['node-feature-discovery'].worker.tolerations, GPU_TAINT)).toBe(true);
    });

    test('pool taints beyond the GPU taint are tolerated too, each once', () => {
      const dedicated = { key: 'dedicated', operator: 'Equal', value: 'llm', effect: 'NoSchedule' };
      const b = build({}, (st) => [new FakePool(st, 'a', undefined, { extraTaint: dedicated }), new FakePool(st, 'b', undefined, { extraTaint: dedicated })]);
      const v = releaseValues(b.s, 'gpu-operator');
      for (const list of [v.daemonsets.tolerations, v['node-feature-discovery'].worker.tolerations]) {
        expect(tolerates(list, { key: 'dedicated', value: 'llm', effect: 'NoSchedule' })).toBe(true);
        expect(tolerates(list, GPU_TAINT)).toBe(true);
        expect(list).toHaveLength(2);
      }
    });

    test('the toleration check above is meaningful: a list without the GPU toleration fails it', () => {
      expect(tolerates([{ key: 'other', operator: 'Exists', effect: 'NoSchedule' }], GPU_TAINT)).toBe(false);
      expect(tolerates([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }], GPU_TAINT)).toBe(false);
    });
  });

  describe('namespace', () => {
    test('is Pod Security privileged, and the only privileged namespace of a platform with observability', () => {
      const full = build({}, () => [], { metrics: true });
      const namespaces = Object.values(resources(full.s, 'kubernetes_namespace_v1')).map((n) => (n.metadata as { name: string; labels: Record<string, string> }));
      expect(namespaces.length).toBeGreaterThanOrEqual(2);
      const privileged = namespaces.filter((n) => n.labels['pod-security.kubernetes.io/enforce'] === 'privileged');
      expect(privileged.map((n) => n.name)).toEqual(['gpu-operator']);
      expect(privileged[0].labels['pod-security.kubernetes.io/warn']).toBe('privileged');
      for (const n of namespaces.filter((x) => x.name !== 'gpu-operator')) expect(n.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    });

    test('the privileged namespace is a reasoned guardrail suppression, not a finding', () => {
      const report = PlatformGuardrails.check(base.stack);
      expect(report.findings.filter((f) => f.ruleId === 'AIP-190')).toEqual([]);
      expect(report.suppressed.filter((f) => f.finding.ruleId === 'AIP-190').map((f) => f.suppressedAt)).toEqual(['test/gpu-operator/namespace']);
      expect(report.unusedSuppressions).toEqual([]);
    });

    test('keeps default-deny ingress; with a metrics backbone only its namespace may reach the DCGM exporter port', () => {
      const withMetrics = build({}, () => [], { metrics: true });
      const policies = Object.values(resources(withMetrics.s, 'kubernetes_network_policy_v1')).map((p) => p as any); // eslint-disable-line @typescript-eslint/no-explicit-any
      const inGpuNs = policies.filter((p) => String(p.metadata.namespace).includes('gpu-operator_namespace'));
      expect(inGpuNs.map((p) => p.metadata.name).sort()).toEqual(['allow-dcgm-exporter-scrape', 'allow-egress-baseline', 'allow-egress-kubernetes-api', 'default-deny-egress', 'default-deny-ingress']);
      const allow = inGpuNs.find((p) => p.metadata.name === 'allow-dcgm-exporter-scrape');
      expect(allow.spec.pod_selector.match_labels).toEqual({ app: 'nvidia-dcgm-exporter' });
      expect(allow.spec.ingress).toHaveLength(1);
      expect(allow.spec.ingress[0].from[0].namespace_selector.match_labels['kubernetes.io/metadata.name']).toMatch(/observability_namespace/);
      expect(allow.spec.ingress[0].ports).toEqual([{ port: '9400', protocol: 'TCP' }]);
      const without = Object.values(resources(base.s, 'kubernetes_network_policy_v1')).map((p) => (p.metadata as { name: string }).name);
      expect(without.sort()).toEqual(['allow-egress-baseline', 'allow-egress-kubernetes-api', 'default-deny-egress', 'default-deny-ingress']);
    });
  });

  describe('placement and pod settings', () => {
    test('the operator controller and NFD master/gc run on the system node group', () => {
      const v = releaseValues(base.s, 'gpu-operator');
      expect(v.operator.nodeSelector).toEqual(SYSTEM);
      expect(v['node-feature-discovery'].master.nodeSelector).toEqual(SYSTEM);
      expect(v['node-feature-discovery'].gc.nodeSelector).toEqual(SYSTEM);
      const imported = build({}, () => [], { system: null });
      expect(releaseValues(imported.s, 'gpu-operator').operator.nodeSelector).toBeUndefined();
    });

    test('node-feature-discovery and GPU feature discovery are on', () => {
      const v = releaseValues(base.s, 'gpu-operator');
      expect(v.nfd.enabled).toBe(true);
      expect(v.gfd.enabled).toBe(true);
    });

    test('the operator has requests and a memory limit, and its CPU limit is removed (SECURITY.md)', () => {
      const r = releaseValues(base.s, 'gpu-operator').operator.resources;
      expect(r.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(r.limits.memory).toMatch(/Mi$/);
      // null deletes the chart default (500m) when Helm merges values.
      expect(r.limits).toHaveProperty('cpu', null);
      const w = base.op.renderedWorkloads();
      expect(w).toHaveLength(1);
      expect(w[0]).toMatchObject({ kind: 'HelmValues', source: 'chart', podSpec: { nodeSelector: SYSTEM } });
      expect((w[0].podSpec.containers as JsonObject[])[0].resources).toEqual({ requests: r.requests, limits: { memory: r.limits.memory } });
    });
  });

  describe('DCGM exporter (GPU-OPERATIONS 5)', () => {
    const m = build({}, () => [], { metrics: true });

    test('runs with a ServiceMonitor carrying the labels the Prometheus selects (both sides)', () => {
      const gpu = releaseValues(m.s, 'gpu-operator');
      expect(gpu.dcgmExporter.enabled).toBe(true);
      const sm = gpu.dcgmExporter.serviceMonitor;
      expect(sm.enabled).toBe(true);
      expect(sm.additionalLabels).toEqual(m.obs!.monitorLabels);
      const selector = releaseValues(m.s, 'kube-prometheus-stack').prometheus.prometheusSpec.serviceMonitorSelector.matchLabels as Record<string, string>;
      expect(Object.keys(selector).length).toBeGreaterThan(0);
      for (const [k, val] of Object.entries(selector)) expect(sm.additionalLabels[k]).toBe(val);
      // Any namespace: the exporter's ServiceMonitor lives in gpu-operator.
      expect(releaseValues(m.s, 'kube-prometheus-stack').prometheus.prometheusSpec.serviceMonitorNamespaceSelector).toEqual({});
    });

    test('keeps the pod/namespace labels of GPU workloads and adds the node label the alerts join on', () => {
      const sm = releaseValues(m.s, 'gpu-operator').dcgmExporter.serviceMonitor;
      expect(sm.honorLabels).toBe(true);
      expect(sm.relabelings).toEqual([{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }]);
    });

    test('the release waits for the Prometheus CRDs', () => {
      expect(release(m.s, 'gpu-operator').depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.observability_chart_release_/)]));
      expect(m.obs!.crdDependencies).toEqual([m.obs!.release]);
    });

    test('without a metrics backbone the exporter runs but no ServiceMonitor is requested', () => {
      const sm = releaseValues(base.s, 'gpu-operator').dcgmExporter;
      expect(sm.enabled).toBe(true);
      expect(sm.serviceMonitor).toEqual({ enabled: false });
    });
  });

  describe('pools whose nodes run their own device plugin (Bottlerocket, GPU-OPERATIONS 28)', () => {
    test('time-slicing stays out of the operator\'s ConfigMap (even with the standalone plugin); MIG is refused', () => {
      const b = build({}, (st) => [new FakePool(st, 'br', { timeSlicingReplicas: 4 }, { nodeDevicePlugin: true }), new FakePool(st, 'al', { timeSlicingReplicas: 2 })]);
      expect(Object.keys(b.op.devicePluginConfigData()).sort()).toEqual(['al', 'default']);
      expect(() => build({ standaloneDevicePlugin: true }, (st) => [new FakePool(st, 'br', { timeSlicingReplicas: 4 }, { nodeDevicePlugin: true })])).not.toThrow();
      expect(() => build({}, (st) => [new FakePool(st, 'br', { migProfile: 'all-1g.10gb' }, { types: ['p5.48xlarge'], nodeDevicePlugin: true })])).toThrow(/pool br: sharing.migProfile \("all-1g.10gb"\) is invalid: is not supported on a pool whose nodes run their own device plugin/);
    });
  });

  describe('time-slicing (GPU-OPERATIONS 4)', () => {
    test('one ConfigMap entry per time-sliced pool, keyed by pool name, plus the default', () => {
      const data = configMapData(withPools.s);
      expect(Object.keys(data).sort()).toEqual(['batch', 'default', 'shared']);
      expect(JSON.parse(data.shared)).toEqual({ version: 'v1', flags: { migStrategy: 'none' }, sharing: { timeSlicing: { resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } } });
      expect(JSON.parse(data.batch).sharing.timeSlicing.resources).toEqual([{ name: 'nvidia.com/gpu', replicas: 2 }]);
      expect(JSON.parse(data.default)).toEqual({ version: 'v1', flags: { migStrategy: 'none' } });
    });

    test('the device plugin is pointed at that ConfigMap, and the release waits for it', () => {
      const v = releaseValues(withPools.s, 'gpu-operator');
      const cm = Object.values(resources(withPools.s, 'kubernetes_config_map_v1'))[0] as { metadata: { name: string; namespace: string } };
      expect(v.devicePlugin.config).toEqual({ create: false, name: cm.metadata.name, default: 'default' });
      expect(configMapData(withPools.s)).toHaveProperty(v.devicePlugin.config.default);
      expect(cm.metadata.namespace).toMatch(/gpu-operator_namespace/);
      expect(release(withPools.s, 'gpu-operator').depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_config_map_v1\./)]));
    });

    test('the node label of a pool selects its entry', () => {
      for (const pool of withPools.op.pools) {
        const labels = gpuSharingNodeLabels(pool.poolName, pool.sharing);
        if (pool.sharing?.timeSlicingReplicas === undefined) continue;
        expect(configMapData(withPools.s)).toHaveProperty(labels[DEVICE_PLUGIN_CONFIG_LABEL]);
      }
    });

    test('warns that time-sliced GPUs share memory without isolation', () => {
      expect(allWarnings(withPools.stack)).toMatch(/pool shared: time-slicing with 4 replicas per GPU shares GPU memory with no isolation/);
      expect(allWarnings(base.stack)).not.toMatch(/time-slicing/);
    });

    test('pools added after construction land in the ConfigMap and the values (rendered at synth)', () => {
      const stack = awsStack();
      const op = new GpuOperator(stack, 'gpu-operator', { cluster: cluster(stack) });
      op.addPool(new FakePool(stack, 'late', { timeSlicingReplicas: 8 }, { extraTaint: { key: 'late', operator: 'Exists', effect: 'NoSchedule' } }));
      const s = synth(stack);
      expect(JSON.parse(configMapData(s).late).sharing.timeSlicing.resources[0].replicas).toBe(8);
      expect(tolerates(releaseValues(s, 'gpu-operator').daemonsets.tolerations, { key: 'late', value: '', effect: 'NoSchedule' })).toBe(true);
    });

    test('rejects bad sharing: replicas out of 2-48, both kinds at once, duplicate and reserved pool names', () => {
      expect(() => build({}, (st) => [new FakePool(st, 'x', { timeSlicingReplicas: 1 })])).toThrow(/pool x: sharing.timeSlicingReplicas \(1\) is invalid: must be an integer between 2 and 48/);
      expect(() => build({}, (st) => [new FakePool(st, 'x', { timeSlicingReplicas: 49 })])).toThrow(/between 2 and 48/);
      expect(() => build({}, (st) => [new FakePool(st, 'x', { timeSlicingReplicas: 2, migProfile: 'all-1g.10gb' }, { types: ['p4d.24xlarge'] })])).toThrow(/set at most one of timeSlicingReplicas and migProfile/);
      expect(() => build({}, (st) => [new FakePool(st, 'x'), new FakePool(new Construct(st, 'other'), 'x')])).toThrow(/pool.poolName \("x"\) is invalid: is added twice/);
      expect(() => build({}, (st) => [new FakePool(st, 'default', { timeSlicingReplicas: 2 })])).toThrow(/must not be "default"/);
    });
  });

  describe('MIG (GPU-OPERATIONS 3)', () => {
    const mig = build({}, (st) => [new FakePool(st, 'a100', { migProfile: 'all-1g.10gb' }, { types: ['p4d.24xlarge'] }), new FakePool(st, 'shared', { timeSlicingReplicas: 2 })]);

    test('the MIG manager is on only when a pool uses MIG, with the chosen strategy', () => {
      expect(releaseValues(base.s, 'gpu-operator').migManager.enabled).toBe(false);
      const v = releaseValues(mig.s, 'gpu-operator');
      expect(v.migManager.enabled).toBe(true);
      expect(v.mig.strategy).toBe('single');
      const mixed = build({ migStrategy: MigStrategy.MIXED }, (st) => [new FakePool(st, 'h100', { migProfile: 'all-balanced' }, { types: ['p5.48xlarge'] })]);
      expect(releaseValues(mixed.s, 'gpu-operator').mig.strategy).toBe('mixed');
      expect(JSON.parse(configMapData(mixed.s).default).flags.migStrategy).toBe('mixed');
    });

    test('the device-plugin configs use the MIG strategy once a pool has MIG', () => {
      const data = configMapData(mig.s);
      expect(JSON.parse(data.default).flags.migStrategy).toBe('single');
      expect(JSON.parse(data.shared).flags.migStrategy).toBe('single');
      // No ConfigMap entry for the MIG pool: nodes pick the profile through the MIG manager label.
      expect(data).not.toHaveProperty('a100');
      expect(gpuSharingNodeLabels('a100', { migProfile: 'all-1g.10gb' })).toEqual({ [MIG_CONFIG_LABEL]: 'all-1g.10gb' });
    });

    test('warns that changing the MIG label reconfigures the GPU and may reboot a serving node', () => {
      expect(allWarnings(mig.stack)).toMatch(new RegExp(`pool a100: MIG profile all-1g\\.10gb .*${MIG_CONFIG_LABEL.replace(/\./g, '\\.')}.*may reboot the node: never change it on a node that serves traffic`));
    });

    test('rejects MIG on GPUs without MIG, mixed profiles with the single strategy, and bad profile names', () => {
      expect(() => build({}, (st) => [new FakePool(st, 'l40s', { migProfile: 'all-1g.10gb' }, { types: ['g6e.2xlarge'] })])).toThrow(/needs MIG-capable GPUs .*not MIG-capable: g6e.2xlarge/);
      expect(() => build({}, (st) => [new FakePool(st, 'h100', { migProfile: 'all-balanced' }, { types: ['p5.48xlarge'] })])).toThrow(/needs migStrategy: MigStrategy.MIXED/);
      expect(() => build({}, (st) => [new FakePool(st, 'h100', { migProfile: '1g.10gb' }, { types: ['p5.48xlarge'] })])).toThrow(/must be a MIG manager profile name/);
    });
  });

  test('one operator per stack', () => {
    const stack = awsStack();
    const c = cluster(stack);
    new GpuOperator(stack, 'gpu-operator', { cluster: c });
    expect(() => new GpuOperator(stack, 'again', { cluster: c })).toThrow(/test\/again: id \("again"\) is invalid: is a second GpuOperator/);
  });
});
