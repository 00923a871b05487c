import { ClusterAutoscaler, DEFAULT_GROUP_PRIORITY, ON_DEMAND_GROUP_PRIORITY, SPOT_GROUP_PRIORITY } from '../../lib/gpu/cluster-autoscaler';
import { GpuNodePool } from '../../lib/gpu/gpu-node-pool';
import { CapacityPreference, GpuCapacityMode } from '../../lib/gpu/types';
import { CHARTS } from '../../lib/k8s/charts';
import { ValidationError } from '../../lib/core/errors';
import { resources, synth, warnings } from '../harness/synth';
import { expectValidChartValues, referenceChartVersion } from '../harness/reference';
import * as YAML from 'yaml';
import { AiCluster } from '../../lib/cluster/ai-cluster';
import { EKS_VERSIONS } from '../../lib/cluster/versions';
import { CLUSTER_AUTOSCALER_IMAGES } from '../../lib/gpu/cluster-autoscaler-images';
import { awsStack } from '../harness/synth';
import { AZS } from './helpers';
import { clusterStack, importedClusterStack, irsaStatements, release, releases, unconditionedWritesOnStar, values } from './helpers';

const TYPES = ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'];

function build() {
  const { stack, cluster } = clusterStack();
  const pool = new GpuNodePool(stack, 'pool', { cluster, poolName: 'gpu', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: TYPES });
  const s = synth(stack);
  const groupId = (capacity: string) => Object.entries(resources(s, 'aws_eks_node_group')).find(([, g]) => g.capacity_type === capacity && String(g.node_group_name_prefix).startsWith('gpu-'))![0];
  return { stack, cluster, pool, s, v: values(release(s, 'cluster-autoscaler')), groupId };
}

describe('ClusterAutoscaler', () => {
  const { s, v, groupId, cluster } = build();

  test('priority expander; the priorities ConfigMap prefers the spot group over the on-demand group (GPU-OPERATIONS 13)', () => {
    expect(v.extraArgs.expander).toBe('priority');
    const asg = (id: string) => `^\${aws_eks_node_group.${id}.resources[0].autoscaling_groups[0].name}$`;
    expect(v.expanderPriorities).toEqual({
      [String(DEFAULT_GROUP_PRIORITY)]: ['.*'],
      [String(ON_DEMAND_GROUP_PRIORITY)]: [asg(groupId('ON_DEMAND'))],
      [String(SPOT_GROUP_PRIORITY)]: [asg(groupId('SPOT'))],
    });
    expect(SPOT_GROUP_PRIORITY).toBeGreaterThan(ON_DEMAND_GROUP_PRIORITY);
    expect(ON_DEMAND_GROUP_PRIORITY).toBeGreaterThan(DEFAULT_GROUP_PRIORITY);
  });

  test('discovers the cluster\'s groups in its region', () => {
    expect(v.cloudProvider).toBe('aws');
    expect(v.autoDiscovery).toEqual({ clusterName: 'demo' });
    expect(v.awsRegion).toMatch(/data\.aws_region\..*\.name/);
  });

  test('on the on-demand system nodes, restricted pod defaults, requests and a memory limit, no CPU limit', () => {
    expect(v.nodeSelector).toEqual(cluster.systemNodeSelector);
    expect(v.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(v.containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(v.resources.requests).toEqual({ cpu: '100m', memory: '600Mi' });
    expect(v.resources.limits).toEqual({ memory: '600Mi' });
  });

  test('values exist in the pinned chart; chart pinned to the reference version', () => {
    // extraArgs is free-form: the chart renders every entry as `--<key>=<value>`.
    expectValidChartValues('cluster-autoscaler', v, ['extraArgs']);
    expect(CHARTS.clusterAutoscaler.version).toBe(referenceChartVersion('cluster-autoscaler'));
    expect(release(s, 'cluster-autoscaler')).toMatchObject({ chart: 'cluster-autoscaler', version: CHARTS.clusterAutoscaler.version, namespace: 'kube-system' });
  });

  test('IRSA: scale and terminate only in groups tagged for the cluster; DescribeNodegroup only on its node groups; reads on *', () => {
    expect(v.rbac.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toMatch(/irsa-kube-system-cluster-autoscaler_role.*\.arn/);
    const sts = irsaStatements(s, 'kube-system', 'cluster-autoscaler');
    expect(unconditionedWritesOnStar(sts)).toEqual([]);
    const write = sts.find((st) => st.actions.includes('autoscaling:SetDesiredCapacity'))!;
    expect(write.actions.sort()).toEqual(['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    expect(write.condition).toEqual([{ test: 'StringEquals', variable: 'aws:ResourceTag/k8s.io/cluster-autoscaler/demo', values: ['owned'] }]);
    const ng = sts.find((st) => st.actions.includes('eks:DescribeNodegroup'))!;
    expect(ng.actions).toEqual(['eks:DescribeNodegroup']);
    expect(ng.resources).toEqual([expect.stringMatching(/^arn:\$\{data\.aws_partition\..*\.partition\}:eks:\$\{data\.aws_region\..*\.name\}:\*:nodegroup\/demo\/\*\/\*$/)]);
    const reads = sts.filter((st) => st.resources.includes('*') && !st.condition?.length).flatMap((st) => st.actions);
    expect(reads).toEqual(expect.arrayContaining(['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScalingActivities', 'ec2:DescribeInstanceTypes']));
  });
});

describe('one cluster-autoscaler per stack', () => {
  test('pools share it; the explicit one is used; a second one or another cluster is refused', () => {
    const { stack, cluster } = clusterStack();
    const ca = new ClusterAutoscaler(stack, 'ca', { cluster });
    const a = new GpuNodePool(stack, 'a', { cluster, poolName: 'a', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: TYPES });
    const b = new GpuNodePool(stack, 'b', { cluster, poolName: 'b', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g6e.xlarge'], clusterAutoscaler: ca });
    expect(a.clusterAutoscaler).toBe(ca);
    expect(b.clusterAutoscaler).toBe(ca);
    const s = synth(stack);
    expect(releases(s).filter((r) => r.chart === 'cluster-autoscaler')).toHaveLength(1);
    // Both pools' groups are ranked: a's spot and on-demand groups, b's on-demand group.
    const p = values(release(s, 'cluster-autoscaler')).expanderPriorities;
    expect(p[String(SPOT_GROUP_PRIORITY)]).toHaveLength(1);
    expect(p[String(ON_DEMAND_GROUP_PRIORITY)]).toHaveLength(2);
    expect(() => new ClusterAutoscaler(stack, 'ca-2', { cluster })).toThrow(ValidationError);
    const other = importedClusterStack().cluster;
    expect(() => ClusterAutoscaler.forCluster(stack, other)).toThrow(/must be the cluster of the stack's cluster-autoscaler/);
  });

  test('addPriority validates the priority and merges patterns', () => {
    const { stack, cluster } = clusterStack();
    const ca = ClusterAutoscaler.forCluster(stack, cluster);
    ca.addPriority(20, ['^eks-batch-.*']);
    ca.addPriority(20, ['^eks-batch-.*', '^eks-train-.*']);
    expect(ca.renderPriorities()).toEqual({ '1': ['.*'], '20': ['^eks-batch-.*', '^eks-train-.*'] });
    expect(() => ca.addPriority(0, ['x'])).toThrow(/priority \(0\) is invalid/);
  });

  test('warns when the cluster has no system node label', () => {
    const { stack, cluster } = importedClusterStack({ system: null });
    new ClusterAutoscaler(stack, 'ca', { cluster });
    expect(warnings(stack).join('\n')).toMatch(/no systemNodeSelector/);
  });
});

describe('the image follows the cluster\'s Kubernetes minor (GPU-OPERATIONS 29)', () => {
  // The tag Helm would use: later values documents (extraValues) win.
  const tagFor = (stack: ReturnType<typeof awsStack>) => release(synth(stack), 'cluster-autoscaler').values.map((doc) => YAML.parse(doc)?.image?.tag as string | undefined).filter((t) => t !== undefined).pop();

  test('the default cluster (1.36) gets v1.36.x, not the chart default v1.35.0', () => {
    const { v } = build();
    expect(v.image).toEqual({ tag: CLUSTER_AUTOSCALER_IMAGES['1.36'].tag });
    expect(v.image.tag).toMatch(/^v1\.36\.\d+$/);
    expect(CHARTS.clusterAutoscaler.appVersion).toBe('1.35.0');
  });

  test('a 1.34 cluster gets v1.34.x; an imported 1.35 cluster gets v1.35.x', () => {
    const stack = awsStack();
    const cluster = new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: AZS, kubernetesVersion: '1.34' });
    new ClusterAutoscaler(stack, 'ca', { cluster });
    expect(tagFor(stack)).toBe(CLUSTER_AUTOSCALER_IMAGES['1.34'].tag);
    const imported = importedClusterStack({ kubernetesVersion: '1.35' });
    new ClusterAutoscaler(imported.stack, 'ca', { cluster: imported.cluster });
    expect(tagFor(imported.stack)).toMatch(/^v1\.35\./);
  });

  test('every offered Kubernetes version has a release of its own minor', () => {
    for (const v of Object.keys(EKS_VERSIONS)) expect(CLUSTER_AUTOSCALER_IMAGES[v]?.tag).toMatch(new RegExp(`^v${v.replace('.', '\\.')}\\.\\d+$`));
  });

  test('an imported cluster of unknown version warns and keeps the chart default; an unpinned minor is an error unless image.tag is given', () => {
    const unknown = importedClusterStack();
    new ClusterAutoscaler(unknown.stack, 'ca', { cluster: unknown.cluster });
    expect(warnings(unknown.stack).join('\n')).toMatch(/Kubernetes version is unknown \(ClusterReference\.kubernetesVersion\): cluster-autoscaler runs the chart's default image 1\.35\.0/);
    expect(tagFor(unknown.stack)).toBeUndefined();
    const future = importedClusterStack({ kubernetesVersion: '1.37' });
    expect(warnings(future.stack).join('\n')).toMatch(/1\.37 is not in the library's EKS release calendar/);
    expect(() => new ClusterAutoscaler(future.stack, 'ca', { cluster: future.cluster })).toThrow(/cluster\.kubernetesVersion \("1\.37"\) is invalid: has no cluster-autoscaler release pinned/);
    const own = importedClusterStack({ kubernetesVersion: '1.37' });
    new ClusterAutoscaler(own.stack, 'ca', { cluster: own.cluster, extraValues: { image: { tag: 'v1.37.0' } } });
    expect(tagFor(own.stack)).toBe('v1.37.0');
  });
});
