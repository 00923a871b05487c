import * as YAML from 'yaml';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import {
  AiCluster, GpuNodePool, GpuNodePoolProps, GpuCapacityMode, CapacityPreference, ValidationError, KARPENTER_INTERRUPTION_EVENTS, GPU_POOL_LABEL, Duration,
} from '../../lib';
import { awsStack, synth, resources, awsOnly, warnings, Synth } from '../harness/synth';
import { expectValidChartValues, expectValidCustomResource } from '../harness/reference';
import { itWithTerraform, terraformCheck, describeDiagnostics } from '../harness/terraform';

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];
const SPOT_TYPES = ['g6e.xlarge', 'g6e.2xlarge', 'g6.xlarge', 'g5.xlarge', 'g5.2xlarge'];

function build(pool: Partial<GpuNodePoolProps> = {}, more: Partial<GpuNodePoolProps>[] = []) {
  const stack = awsStack();
  new HelmProvider(stack, 'helm', {});
  const cluster = new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: AZS });
  const pools = [{ poolName: 'gpu', instanceTypes: SPOT_TYPES, ...pool }, ...more].map((p, i) => new GpuNodePool(stack, `pool-${i}`, { cluster, poolName: 'gpu', instanceTypes: SPOT_TYPES, ...p }));
  return { stack, cluster, pools, s: synth(stack) };
}

type Release = { name: string; chart: string; values: string[]; depends_on?: string[]; skip_crds?: boolean; wait?: boolean };
function releases(s: Synth): Release[] {
  return Object.values(resources(s, 'helm_release')) as unknown as Release[];
}
function release(s: Synth, name: string): Release {
  const r = releases(s).find((x) => x.name === name);
  if (!r) throw new Error(`no release ${name}: ${releases(s).map((x) => x.name).join(', ')}`);
  return r;
}
function values(r: Release): Record<string, any> {
  return YAML.parse(r.values[0]);
}

describe('Karpenter mode', () => {
  const { s, pools } = build();
  const objects = values(release(s, 'gpu-pool-gpu')).manifests as any[];
  const nodePool = objects.find((o) => o.kind === 'NodePool');
  const nodeClass = objects.find((o) => o.kind === 'EC2NodeClass');

  test('the NodePool and EC2NodeClass validate against the Karpenter CRDs', () => {
    expectValidCustomResource(nodePool);
    expectValidCustomResource(nodeClass);
  });

  test('spot preferred with on-demand fallback: both capacity types are allowed', () => {
    const req = nodePool.spec.template.spec.requirements.find((r: any) => r.key === 'karpenter.sh/capacity-type');
    expect(req).toEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] });
    expect(nodePool.spec.template.spec.requirements.find((r: any) => r.key === 'node.kubernetes.io/instance-type').values).toEqual(SPOT_TYPES);
  });

  test('GPU taint, pool label, limits and a disruption budget that protects serving', () => {
    expect(nodePool.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(nodePool.spec.template.metadata.labels[GPU_POOL_LABEL]).toBe('gpu');
    expect(nodePool.spec.limits['nvidia.com/gpu']).toBe('16');
    expect(nodePool.spec.disruption).toMatchObject({ consolidationPolicy: 'WhenEmpty', budgets: [{ nodes: '10%' }] });
    expect(pools[0].nodeSelector).toEqual({ [GPU_POOL_LABEL]: 'gpu' });
    expect(pools[0].tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('EC2NodeClass: GPU AMI alias, IMDSv2 hop limit 1, encrypted gp3 sized for models, discovery tags, node role', () => {
    expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@latest' }]);
    expect(nodeClass.spec.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(nodeClass.spec.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: 'gp3', encrypted: true, volumeSize: '200Gi' });
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'demo' } }]);
    expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'demo' } }]);
    expect(nodeClass.spec.role).toMatch(/aws_iam_role\.cluster_node-role.*\.name/);
  });

  test('custom resources wait for the CRDs and the ready controller', () => {
    const deps = release(s, 'gpu-pool-gpu').depends_on!;
    expect(deps.some((d) => d.includes('karpenter_crds'))).toBe(true);
    expect(deps.some((d) => d.includes('karpenter_controller'))).toBe(true);
    expect(release(s, 'karpenter').depends_on!.some((d) => d.includes('karpenter_crds'))).toBe(true);
    expect(release(s, 'karpenter').skip_crds).toBe(true);
    expect(release(s, 'karpenter').wait).toBe(true);
  });

  test('interruption handling: SSE queue with 300 s retention, four EventBridge rules targeting it, wired into Karpenter', () => {
    const q = Object.values(resources(s, 'aws_sqs_queue'))[0];
    expect(q).toMatchObject({ message_retention_seconds: 300, sqs_managed_sse_enabled: true });
    const rules = Object.values(resources(s, 'aws_cloudwatch_event_rule')).map((r) => JSON.parse(r.event_pattern as string));
    const key = (r: { source: string[] }) => JSON.stringify(r);
    expect(rules.map(key).sort()).toEqual(KARPENTER_INTERRUPTION_EVENTS.map((e) => ({ source: [e.source], 'detail-type': [e.detailType] })).map(key).sort());
    expect(rules.map((r) => r['detail-type'][0]).sort()).toEqual(['AWS Health Event', 'EC2 Instance Rebalance Recommendation', 'EC2 Instance State-change Notification', 'EC2 Spot Instance Interruption Warning']);
    const targets = Object.values(resources(s, 'aws_cloudwatch_event_target'));
    expect(targets).toHaveLength(4);
    targets.forEach((t) => expect(t.arn).toMatch(/aws_sqs_queue\..*\.arn/));
    const v = values(release(s, 'karpenter'));
    expect(v.settings.interruptionQueue).toMatch(/aws_sqs_queue\..*\.name/);
    expect(v.settings.clusterName).toBe('demo');
    const policy = Object.values(resources(s, 'aws_sqs_queue_policy'))[0];
    expect(policy.policy).toMatch(/queue-policy-doc/);
  });

  test('Karpenter runs on the on-demand system nodes, never on nodes it manages', () => {
    const v = values(release(s, 'karpenter'));
    expect(v.nodeSelector).toEqual({ 'ai-platform.cdktf.io/node-role': 'system' });
    expect(v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }]);
    expect(v.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toMatch(/irsa-kube-system-karpenter/);
  });

  test('chart values exist in the reference charts', () => {
    expectValidChartValues('karpenter', values(release(s, 'karpenter')));
  });

  test('no aws-node-termination-handler alongside Karpenter', () => {
    expect(releases(s).map((r) => r.chart)).not.toContain('aws-node-termination-handler');
  });

  test('one Karpenter for several pools; fewer than 5 spot types warns', () => {
    const b = build({ instanceTypes: ['g6e.xlarge', 'g6e.2xlarge'] }, [{ poolName: 'batch', instanceTypes: ['g6.xlarge'], capacity: CapacityPreference.SPOT }]);
    expect(releases(b.s).filter((r) => r.name === 'karpenter')).toHaveLength(1);
    expect(warnings(b.stack).join('\n')).toMatch(/lists 2 types for a spot pool: give at least 5/);
    const objs = values(release(b.s, 'gpu-pool-batch')).manifests as any[];
    expect(objs.find((o) => o.kind === 'NodePool').spec.template.spec.requirements[0].values).toEqual(['spot']);
  });

  test('on-demand only; Bottlerocket; a disruption freeze window', () => {
    const b = build({ capacity: CapacityPreference.ON_DEMAND, amiFamily: 'bottlerocket' as never, disruptionFreeze: { schedule: '0 8 * * 1-5', duration: Duration.hours(10) } });
    const objs = values(release(b.s, 'gpu-pool-gpu')).manifests as any[];
    const np = objs.find((o) => o.kind === 'NodePool');
    const nc = objs.find((o) => o.kind === 'EC2NodeClass');
    expectValidCustomResource(np);
    expectValidCustomResource(nc);
    expect(np.spec.template.spec.requirements[0].values).toEqual(['on-demand']);
    expect(np.spec.disruption.budgets[1]).toEqual({ nodes: '0', reasons: ['Drifted', 'Underutilized', 'Empty'], schedule: '0 8 * * 1-5', duration: '10h' });
    expect(nc.spec.amiSelectorTerms).toEqual([{ alias: 'bottlerocket@latest' }]);
  });
});

describe('managed node group mode', () => {
  const TYPES = ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge', 'g5.2xlarge'];
  const { s, stack } = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: TYPES });
  const groups = Object.values(resources(s, 'aws_eks_node_group')).filter((g) => String(g.node_group_name_prefix).startsWith('gpu-')) as any[];

  test('a spot group and an on-demand fallback group with the same diversified types', () => {
    expect(groups.map((g) => g.capacity_type).sort()).toEqual(['ON_DEMAND', 'SPOT']);
    groups.forEach((g) => expect(g.instance_types).toEqual(TYPES));
    groups.forEach((g) => expect(g.ami_type).toBe('AL2023_x86_64_NVIDIA'));
  });

  test('scale from zero: min 0 and node-template tags for GPUs, labels and the taint', () => {
    for (const g of groups) {
      expect(g.scaling_config.min_size).toBe(0);
      expect(g.tags['k8s.io/cluster-autoscaler/enabled']).toBe('true');
      expect(g.tags['k8s.io/cluster-autoscaler/demo']).toBe('owned');
      expect(g.tags['k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu']).toBe('1');
      expect(g.tags['k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu']).toBe('true:NoSchedule');
      expect(g.tags[`k8s.io/cluster-autoscaler/node-template/label/${GPU_POOL_LABEL}`]).toBe('gpu');
      expect(g.taint).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }]);
      expect(g.labels[GPU_POOL_LABEL]).toBe('gpu');
    }
  });

  test('launch template: IMDSv2 hop limit 1, encrypted gp3, no SSH key', () => {
    const lts = Object.values(resources(s, 'aws_launch_template')).filter((l) => String(l.name_prefix).includes('-gpu-')) as any[];
    expect(lts).toHaveLength(1);
    expect(lts[0].metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
    expect(lts[0].block_device_mappings[0].ebs).toMatchObject({ encrypted: 'true', volume_type: 'gp3' });
    expect(lts[0].key_name).toBeUndefined();
    groups.forEach((g) => expect(g.remote_access).toBeUndefined());
  });

  test('cluster-autoscaler with the priority expander preferring the spot group, on the system nodes', () => {
    const v = values(release(s, 'cluster-autoscaler'));
    expect(v.extraArgs.expander).toBe('priority');
    const spotPrefix = groups.find((g) => g.capacity_type === 'SPOT').node_group_name_prefix;
    const odPrefix = groups.find((g) => g.capacity_type === 'ON_DEMAND').node_group_name_prefix;
    expect(v.expanderPriorities['50']).toEqual([`.*${spotPrefix}.*`]);
    expect(v.expanderPriorities['10']).toEqual([`.*${odPrefix}.*`]);
    expect(v.nodeSelector).toEqual({ 'ai-platform.cdktf.io/node-role': 'system' });
    expect(v.autoDiscovery.clusterName).toBe('demo');
    // extraArgs is free-form: the chart renders every entry as `--<key>=<value>`.
    expectValidChartValues('cluster-autoscaler', v, ['extraArgs']);
  });

  test('cluster-autoscaler IAM: writes only on the cluster\'s groups', () => {
    const doc = Object.entries(s.data!.aws_iam_policy_document).find(([k]) => k.includes('irsa-kube-system-cluster-autoscaler') && k.includes('policy'))![1] as any;
    const write = doc.statement.find((st: any) => st.actions.includes('autoscaling:SetDesiredCapacity'));
    expect(write.condition).toEqual([{ test: 'StringEquals', variable: 'aws:ResourceTag/k8s.io/cluster-autoscaler/demo', values: ['owned'] }]);
    void stack;
  });

  test('fewer than 3 types: an error for spot-only, a warning with fallback', () => {
    expect(() => build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.SPOT, instanceTypes: ['g6.xlarge', 'g5.xlarge'] })).toThrow(/instanceTypes \(\["g6.xlarge","g5.xlarge"\]\) is invalid: must list at least 3 instance types/);
    const b = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g5.xlarge'] });
    expect(warnings(b.stack).join('\n')).toMatch(/must list at least 3 instance types/);
  });
});

describe('GPU sharing', () => {
  test('time-slicing labels the nodes for the device plugin config and warns about isolation', () => {
    const b = build({ sharing: { timeSlicingReplicas: 4 } });
    const np = (values(release(b.s, 'gpu-pool-gpu')).manifests as any[]).find((o) => o.kind === 'NodePool');
    expect(np.spec.template.metadata.labels['nvidia.com/device-plugin.config']).toBe('gpu');
    expect(warnings(b.stack).join('\n')).toMatch(/no memory or fault isolation/);
  });
  test('MIG only on MIG-capable types, with a profile of that GPU', () => {
    const b = build({ instanceTypes: ['p4d.24xlarge'], sharing: { migProfile: 'all-1g.5gb' }, capacity: CapacityPreference.ON_DEMAND });
    const np = (values(release(b.s, 'gpu-pool-gpu')).manifests as any[]).find((o) => o.kind === 'NodePool');
    expect(np.spec.template.metadata.labels['nvidia.com/mig.config']).toBe('all-1g.5gb');
    expect(() => build({ instanceTypes: ['g6e.xlarge'], sharing: { migProfile: 'all-1g.10gb' } })).toThrow(/sharing.migProfile \("all-1g.10gb"\) is invalid: needs MIG-capable GPUs.*g6e.xlarge \(L40S\)/);
    expect(() => build({ instanceTypes: ['p5.48xlarge'], sharing: { migProfile: 'all-1g.5gb' } })).toThrow(/sharing.migProfile \("all-1g.5gb"\) is invalid: must be "all-<profile>" with a profile of H100 80GB/);
    expect(() => build({ sharing: { migProfile: 'all-1g.10gb', timeSlicingReplicas: 2 } })).toThrow(/sharing .* must set timeSlicingReplicas or migProfile, not both/);
  });
});

describe('bad input throws naming the prop and value', () => {
  test.each([
    ['unknown type', { instanceTypes: ['g9.xlarge'] }, /instanceTypes\[0\] \("g9.xlarge"\) is invalid: is not a GPU instance type/],
    ['not a GPU type', { instanceTypes: ['m5.large'] }, /instanceTypes\[0\] \("m5.large"\) is invalid: is not a GPU instance type/],
    ['mixed GPU counts', { instanceTypes: ['g5.xlarge', 'g5.12xlarge'] }, /instanceTypes .* must all have the same number of GPUs per node \(found g5.xlarge: 1, g5.12xlarge: 4\)/],
    ['empty list', { instanceTypes: [] }, /instanceTypes \(\[\]\) is invalid: must list at least one GPU instance type/],
    ['min > max', { mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'], minSize: 5, maxSize: 2 }, /minSize \(5\) is invalid: minSize \(5\) cannot be greater than maxSize \(2\)/],
    ['bad pool name', { poolName: 'GPU_Pool' }, /poolName \("GPU_Pool"\) is invalid: must be a Kubernetes DNS-1123 label/],
    ['mixed architectures', { instanceTypes: ['g5g.xlarge', 'g5.xlarge'] }, /must all have the same CPU architecture/],
    ['time-slicing 1', { sharing: { timeSlicingReplicas: 1 } }, /sharing.timeSlicingReplicas \(1\) is invalid: must be an integer between 2 and 48/],
  ] as [string, Partial<GpuNodePoolProps>, RegExp][])('%s', (_n, props, msg) => {
    let err: unknown;
    try {
      build(props);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(msg);
  });
});

describe('terraform oracle', () => {
  itWithTerraform('validate and plan accept the AWS side of both modes', () => {
    const b = build({}, [{ poolName: 'mng', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'] }]);
    const aws = awsOnly(b.s);
    const result = terraformCheck(aws);
    expect(describeDiagnostics(result)).toBe('');
    const count = Object.values(aws.resource ?? {}).reduce((n, rs) => n + Object.keys(rs).length, 0);
    expect(result.plannedCreates).toHaveLength(count);
    expect(result.plannedCreates.filter((a) => a.startsWith('aws_cloudwatch_event_rule.'))).toHaveLength(4);
  });
});
