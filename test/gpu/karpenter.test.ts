import { DefaultTokenResolver, StringConcat, TerraformVariable, Tokenization } from 'cdktf';
import { ImportedCluster } from '../../lib/cluster/cluster-reference';
import { Karpenter, KARPENTER_INTERRUPTION_EVENTS } from '../../lib/gpu/karpenter';
import { GpuNodePool } from '../../lib/gpu/gpu-node-pool';
import { GpuCapacityMode } from '../../lib/gpu/types';
import { CHARTS } from '../../lib/k8s/charts';
import { ValidationError } from '../../lib/core/errors';
import { awsOnly, resources, synth, warnings } from '../harness/synth';
import { expectValidChartValues, referenceChartVersion } from '../harness/reference';
import { describeDiagnostics, itWithTerraform, terraformCheck } from '../harness/terraform';
import { clusterStack, importedClusterStack, irsaStatements, release, releases, Statement, unconditionedWritesOnStar, values } from './helpers';

function withKarpenter() {
  const { stack, cluster } = clusterStack();
  const karpenter = new Karpenter(stack, 'karpenter', { cluster });
  return { stack, cluster, karpenter, s: synth(stack) };
}

const find = (sts: Statement[], sid: string) => {
  const st = sts.find((x) => x.sid === sid);
  if (!st) throw new Error(`no statement ${sid}: ${sts.map((x) => x.sid).join(', ')}`);
  return st;
};
const conditionOf = (st: Statement, variable: string) => st.condition?.find((c) => c.variable === variable);

describe('Karpenter on an AiCluster', () => {
  const { s, cluster } = withKarpenter();
  const v = values(release(s, 'karpenter'));

  test('interruption queue: SSE on, 300 s retention, TLS-only policy that lets EventBridge and SQS send', () => {
    const queues = Object.values(resources(s, 'aws_sqs_queue'));
    expect(queues).toHaveLength(1);
    expect(queues[0]).toMatchObject({ name: 'demo-karpenter', message_retention_seconds: 300, sqs_managed_sse_enabled: true });
    const doc = Object.entries(s.data!.aws_iam_policy_document).find(([k]) => k.includes('queue-policy-doc'))![1] as { statement: (Statement & { principals: { type: string; identifiers: string[] }[] })[] };
    const send = doc.statement.find((st) => st.effect === 'Allow')!;
    expect(send.actions).toEqual(['sqs:SendMessage']);
    expect(send.principals).toEqual([{ type: 'Service', identifiers: ['events.amazonaws.com', 'sqs.amazonaws.com'] }]);
    const deny = doc.statement.find((st) => st.effect === 'Deny')!;
    expect(deny.actions).toEqual(['sqs:*']);
    expect(deny.condition).toEqual([{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
    const policy = Object.values(resources(s, 'aws_sqs_queue_policy'))[0];
    expect(policy.queue_url).toMatch(/aws_sqs_queue\..*\.url/);
    expect(policy.policy).toMatch(/queue-policy-doc.*\.json/);
  });

  test('four EventBridge rules with the exact event patterns, each targeting the queue', () => {
    const rules = resources(s, 'aws_cloudwatch_event_rule');
    const patterns = Object.values(rules).map((r) => JSON.parse(r.event_pattern as string));
    expect(patterns).toHaveLength(4);
    expect(patterns).toEqual(expect.arrayContaining([
      { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
      { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
      { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
      { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
    ]));
    expect(KARPENTER_INTERRUPTION_EVENTS).toHaveLength(4);
    const targets = Object.values(resources(s, 'aws_cloudwatch_event_target'));
    expect(targets).toHaveLength(4);
    const ruleIds = Object.keys(rules);
    for (const t of targets) expect(t.arn).toMatch(/^\$\{aws_sqs_queue\.[^.]+\.arn\}$/);
    // Every rule has its own target.
    expect(new Set(targets.map((t) => String(t.rule).replace(/^\$\{aws_cloudwatch_event_rule\.([^.]+)\.name\}$/, '$1')))).toEqual(new Set(ruleIds));
  });

  test('the controller reads that queue (settings.interruptionQueue) and knows the cluster', () => {
    const queueId = Object.keys(resources(s, 'aws_sqs_queue'))[0];
    expect(v.settings.interruptionQueue).toBe(`\${aws_sqs_queue.${queueId}.name}`);
    expect(v.settings.clusterName).toBe('demo');
    expect(v.settings.clusterEndpoint).toMatch(/aws_eks_cluster\..*\.endpoint/);
  });

  test('controller on the on-demand system nodes and never on nodes Karpenter manages (GPU-OPERATIONS 11)', () => {
    expect(v.nodeSelector).toEqual(cluster.systemNodeSelector);
    expect(v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }] }]);
    expect(v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{ topologyKey: 'kubernetes.io/hostname' }]);
    expect(v.replicas).toBe(2);
    expect(v.controller.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(v.controller.resources.limits.cpu).toBeUndefined();
  });

  test('IRSA: the service account carries the controller role, trusted only by kube-system/karpenter', () => {
    expect(v.serviceAccount).toMatchObject({ create: true, name: 'karpenter' });
    expect(v.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toMatch(/aws_iam_role\.cluster_irsa-kube-system-karpenter_role.*\.arn/);
    const trust = Object.entries(s.data!.aws_iam_policy_document).find(([k]) => k.includes('irsa-kube-system-karpenter_trust'))![1] as { statement: Statement[] };
    const sub = trust.statement[0].condition!.find((c) => c.variable.endsWith(':sub'))!;
    expect(sub.values).toEqual(['system:serviceaccount:kube-system:karpenter']);
  });

  test('chart values exist in the pinned charts; both charts pinned to the reference version', () => {
    expectValidChartValues('karpenter', v);
    expect(CHARTS.karpenter.version).toBe(referenceChartVersion('karpenter'));
    expect(CHARTS.karpenterCrd.version).toBe(CHARTS.karpenter.version);
    expect(release(s, 'karpenter')).toMatchObject({ chart: 'karpenter', repository: CHARTS.karpenter.repository, version: CHARTS.karpenter.version, namespace: 'kube-system' });
    expect(release(s, 'karpenter-crd')).toMatchObject({ chart: 'karpenter-crd', repository: CHARTS.karpenterCrd.repository, version: CHARTS.karpenterCrd.version });
  });

  test('CRDs from the karpenter-crd release before the controller; the controller is waited for (GPU-OPERATIONS 12, 26)', () => {
    const ctrl = release(s, 'karpenter');
    const crdId = Object.entries(resources(s, 'helm_release')).find(([, r]) => r.name === 'karpenter-crd')![0];
    expect(ctrl.depends_on).toContain(`helm_release.${crdId}`);
    expect(ctrl.skip_crds).toBe(true);
    expect(ctrl.wait).toBe(true);
    expect(release(s, 'karpenter-crd').wait).toBe(true);
  });

  test('the cluster node role is reused: no second role, no second access entry', () => {
    expect(Object.keys(resources(s, 'aws_iam_role')).filter((k) => k.startsWith('karpenter'))).toEqual([]);
    expect(Object.values(resources(s, 'aws_eks_access_entry')).filter((e) => e.type === 'EC2_LINUX')).toEqual([]);
  });
});

describe('Karpenter controller IAM (modelled on the Karpenter v1 controller policy)', () => {
  const { s } = withKarpenter();
  const sts = irsaStatements(s, 'kube-system', 'karpenter');

  test('no write on "*" without a condition', () => {
    expect(unconditionedWritesOnStar(sts)).toEqual([]);
  });

  test('instances and fleets only with the cluster and NodePool request tags', () => {
    const st = find(sts, 'AllowScopedEC2InstanceActionsWithTags');
    expect(st.actions).toEqual(['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate']);
    expect(conditionOf(st, 'aws:RequestTag/kubernetes.io/cluster/demo')).toEqual({ test: 'StringEquals', variable: 'aws:RequestTag/kubernetes.io/cluster/demo', values: ['owned'] });
    expect(conditionOf(st, 'aws:RequestTag/eks:eks-cluster-name')?.values).toEqual(['demo']);
    expect(conditionOf(st, 'aws:RequestTag/karpenter.sh/nodepool')?.test).toBe('StringLike');
  });

  test('terminate and delete only resources tagged for the cluster and a NodePool', () => {
    const st = find(sts, 'AllowScopedDeletion');
    expect(st.actions).toEqual(['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate']);
    expect(conditionOf(st, 'aws:ResourceTag/kubernetes.io/cluster/demo')?.values).toEqual(['owned']);
    expect(conditionOf(st, 'aws:ResourceTag/karpenter.sh/nodepool')).toBeDefined();
    // Every statement that terminates, runs or tags is conditioned or scoped to non-instance resources.
    for (const x of sts.filter((y) => y.actions.some((a) => /TerminateInstances|CreateTags|DeleteLaunchTemplate/.test(a)))) expect(x.condition?.length).toBeGreaterThan(0);
  });

  test('iam:PassRole only for the node role, only to EC2', () => {
    const pass = sts.filter((x) => x.actions.includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(pass[0].resources).toEqual([expect.stringMatching(/aws_iam_role\.cluster_node-role.*\.arn/)]);
    expect(conditionOf(pass[0], 'iam:PassedToService')?.values).toContain('ec2.amazonaws.com');
  });

  test('instance profiles only with the cluster, region and EC2NodeClass tags', () => {
    for (const sid of ['AllowScopedInstanceProfileCreationActions', 'AllowScopedInstanceProfileTagActions', 'AllowScopedInstanceProfileActions']) {
      const st = find(sts, sid);
      expect(st.condition!.some((c) => c.variable.endsWith('/kubernetes.io/cluster/demo'))).toBe(true);
      expect(st.condition!.some((c) => c.variable.endsWith('/karpenter.k8s.aws/ec2nodeclass'))).toBe(true);
    }
  });

  test('SQS only on the interruption queue; SSM and pricing reads; regional EC2 reads', () => {
    const q = sts.filter((x) => x.actions.some((a) => a.startsWith('sqs:')));
    expect(q).toHaveLength(1);
    expect(q[0].actions.sort()).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']);
    expect(q[0].resources).toEqual([expect.stringMatching(/^\$\{aws_sqs_queue\..*\.arn\}$/)]);
    expect(find(sts, 'AllowSSMReadActions')).toMatchObject({ actions: ['ssm:GetParameter'], resources: [expect.stringMatching(/:ssm:.*::parameter\/aws\/service\/\*$/)] });
    expect(find(sts, 'AllowPricingReadActions').actions).toEqual(['pricing:GetProducts']);
    const reads = find(sts, 'AllowRegionalReadActions');
    expect(reads.actions.every((a) => a.startsWith('ec2:Describe'))).toBe(true);
    expect(conditionOf(reads, 'aws:RequestedRegion')).toBeDefined();
    expect(find(sts, 'AllowAPIServerEndpointDiscovery').resources).toEqual([expect.stringMatching(/:cluster\/demo$/)]);
  });
});

describe('Karpenter on an imported cluster without a node role', () => {
  test('creates a node role with the EKS node policies (CNI only on request) and an EC2_LINUX access entry', () => {
    const { stack, cluster } = importedClusterStack();
    const k = new Karpenter(stack, 'karpenter', { cluster });
    const s = synth(stack);
    const roles = Object.entries(resources(s, 'aws_iam_role')).filter(([id]) => id.includes('node-role'));
    expect(roles).toHaveLength(1);
    expect(roles[0][1].name).toBe('byo-karpenter-node');
    const attached = Object.values(resources(s, 'aws_iam_role_policy_attachment')).filter((a) => String(a.role).includes('node-role')).map((a) => String(a.policy_arn).split('/').pop());
    expect(attached.sort()).toEqual(['AmazonEC2ContainerRegistryReadOnly', 'AmazonEKSWorkerNodePolicy', 'AmazonSSMManagedInstanceCore']);
    const entries = Object.values(resources(s, 'aws_eks_access_entry'));
    expect(entries).toEqual([expect.objectContaining({ cluster_name: 'byo', type: 'EC2_LINUX', principal_arn: expect.stringMatching(/aws_iam_role\.karpenter_node-role.*\.arn/) })]);
    expect(k.nodeRoleName).toMatch(/TOKEN|\$\{/);
    expect(values(release(s, 'karpenter')).nodeSelector).toEqual({ 'eks.amazonaws.com/nodegroup': 'system' });

    const withCni = importedClusterStack();
    new Karpenter(withCni.stack, 'karpenter', { cluster: withCni.cluster, nodeRoleCniPolicy: true });
    const cni = Object.values(resources(synth(withCni.stack), 'aws_iam_role_policy_attachment')).map((a) => String(a.policy_arn));
    expect(cni.some((a) => a.endsWith('/AmazonEKS_CNI_Policy'))).toBe(true);
  });

  test('reuses a node role given by ARN, deriving its name', () => {
    const { stack, cluster } = importedClusterStack({ nodeRoleArn: 'arn:aws:iam::111122223333:role/eks/byo-nodes' });
    const k = new Karpenter(stack, 'karpenter', { cluster });
    expect(k.nodeRoleName).toBe('byo-nodes');
    const s = synth(stack);
    expect(resources(s, 'aws_eks_access_entry')).toEqual({});
    expect(find(irsaStatements(s, 'kube-system', 'karpenter'), 'AllowPassingInstanceRole').resources).toEqual(['arn:aws:iam::111122223333:role/eks/byo-nodes']);
  });

  test('a node role ARN known only at apply time: the name is taken from its last path segment', () => {
    const { stack, cluster: base } = importedClusterStack();
    const arn = new TerraformVariable(stack, 'node_role_arn', { type: 'string' }).stringValue;
    const cluster = new ImportedCluster(stack, 'cluster-2', { ...base, clusterName: 'byo', nodeRoleArn: arn, nodeRoleName: undefined });
    const k = new Karpenter(stack, 'karpenter', { cluster });
    expect(Tokenization.resolve(k.nodeRoleName, { scope: k, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) })).toBe('${element(reverse(split("/", var.node_role_arn)), 0)}');
  });

  test('warns when the cluster has no system node label to pin the controller to', () => {
    const { stack, cluster } = importedClusterStack({ system: null });
    new Karpenter(stack, 'karpenter', { cluster });
    expect(warnings(stack).join('\n')).toMatch(/no systemNodeSelector.*\(docs\/gpu-node-pools\.md, "Karpenter mode"\)/);
  });

  itWithTerraform('terraform validate and offline plan accept its AWS resources', () => {
    const { stack, cluster } = importedClusterStack();
    new Karpenter(stack, 'karpenter', { cluster });
    const aws = awsOnly(synth(stack));
    const result = terraformCheck(aws);
    expect(describeDiagnostics(result)).toBe('');
    const count = Object.values(aws.resource ?? {}).reduce((n, rs) => n + Object.keys(rs).length, 0);
    expect(result.plannedCreates).toHaveLength(count);
    for (const type of ['aws_sqs_queue', 'aws_sqs_queue_policy', 'aws_eks_access_entry', 'aws_iam_role_policy']) expect(result.plannedCreates.some((a) => a.startsWith(`${type}.`))).toBe(true);
    expect(result.plannedCreates.filter((a) => a.startsWith('aws_cloudwatch_event_target.'))).toHaveLength(4);
  });
});

describe('one Karpenter per stack', () => {
  test('pools share the explicit installation; a second one or another cluster is refused', () => {
    const { stack, cluster, karpenter } = withKarpenter();
    const types = ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'];
    const a = new GpuNodePool(stack, 'a', { cluster, poolName: 'a', instanceTypes: types });
    const b = new GpuNodePool(stack, 'b', { cluster, poolName: 'b', instanceTypes: types });
    expect(a.karpenter).toBe(karpenter);
    expect(b.karpenter).toBe(karpenter);
    expect(Karpenter.forCluster(stack, cluster)).toBe(karpenter);
    expect(releases(synth(stack)).filter((r) => r.chart === 'karpenter')).toHaveLength(1);
    expect(() => new Karpenter(stack, 'karpenter-2', { cluster })).toThrow(ValidationError);
    expect(() => new Karpenter(stack, 'karpenter-3', { cluster })).toThrow(/is a second Karpenter in the stack/);
  });

  test('a pool for another cluster cannot use the stack\'s Karpenter', () => {
    const { stack, cluster } = clusterStack();
    new Karpenter(stack, 'karpenter', { cluster });
    const other = importedClusterStack().cluster;
    expect(() => Karpenter.forCluster(stack, other)).toThrow(/cluster .* must be the cluster of the stack's Karpenter/);
  });
});

describe('no aws-node-termination-handler (GPU-OPERATIONS 8)', () => {
  test('nothing in a stack with both pool modes installs it, and no chart entry exists for it', () => {
    const { stack, cluster } = clusterStack();
    new GpuNodePool(stack, 'k', { cluster, poolName: 'k', instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'] });
    new GpuNodePool(stack, 'm', { cluster, poolName: 'm', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'] });
    const rs = releases(synth(stack));
    expect(rs.map((r) => r.chart)).toEqual(expect.arrayContaining(['karpenter', 'cluster-autoscaler']));
    expect(rs.filter((r) => /termination-handler/.test(`${r.chart} ${r.name}`))).toEqual([]);
    expect(Object.values(CHARTS).map((c) => c.chart)).not.toContain('aws-node-termination-handler');
  });
});
