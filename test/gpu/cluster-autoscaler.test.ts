import { ClusterAutoscaler, DEFAULT_GROUP_PRIORITY, ON_DEMAND_GROUP_PRIORITY, SPOT_GROUP_PRIORITY } from '../../lib/gpu/cluster-autoscaler';
import { GpuNodePool } from '../../lib/gpu/gpu-node-pool';
import { CapacityPreference, GpuCapacityMode } from '../../lib/gpu/types';
import { CHARTS } from '../../lib/k8s/charts';
import { ValidationError } from '../../lib/core/errors';
import { resources, synth, warnings } from '../harness/synth';
import { expectValidChartValues, referenceChartVersion } from '../harness/reference';
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
