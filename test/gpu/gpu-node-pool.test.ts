import { Duration, Size } from '../../lib/core/units';
import { ValidationError } from '../../lib/core/errors';
import { GPU_TAINT } from '../../lib/k8s/pod-security';
import { ConsolidationPolicy, DisruptionReason, GpuAmiFamily, GpuNodePool, GpuNodePoolProps } from '../../lib/gpu/gpu-node-pool';
import { Karpenter } from '../../lib/gpu/karpenter';
import { ON_DEMAND_GROUP_PRIORITY, SPOT_GROUP_PRIORITY } from '../../lib/gpu/cluster-autoscaler';
import { CapacityPreference, DEVICE_PLUGIN_CONFIG_LABEL, GPU_POOL_LABEL, GpuCapacityMode, OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL } from '../../lib/gpu/types';
import { GpuOperator } from '../../lib/gpu/gpu-operator';
import { awsOnly, resources, synth, Synth, warnings } from '../harness/synth';
import { expectValidCustomResource, customResourceErrors } from '../harness/reference';
import { describeDiagnostics, itWithTerraform, terraformCheck } from '../harness/terraform';
import { clusterStack, importedClusterStack, release, values } from './helpers';

// One L40S/L4/A10G per node: five types across three families (GPU-OPERATIONS 7).
const SPOT_TYPES = ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'];
// One 24 GB GPU per node, four types across two families (managed groups need equal GPU memory).
const MNG_TYPES = ['g6.2xlarge', 'g5.xlarge', 'g6.xlarge', 'g5.2xlarge'];

type Pool = Partial<GpuNodePoolProps>;
function build(pool: Pool = {}, more: Pool[] = []) {
  const { stack, cluster } = clusterStack();
  const pools = [pool, ...more].map((p, i) => new GpuNodePool(stack, `pool-${i}`, { cluster, poolName: i === 0 ? 'gpu' : `gpu-${i}`, instanceTypes: SPOT_TYPES, ...p }));
  return { stack, cluster, pools, s: synth(stack) };
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;
function objects(s: Synth, pool = 'gpu'): { nodePool: Obj; nodeClass: Obj } {
  const list = values(release(s, `gpu-pool-${pool}`)).manifests as Obj[];
  return { nodePool: list.find((o) => o.kind === 'NodePool')!, nodeClass: list.find((o) => o.kind === 'EC2NodeClass')! };
}
const requirement = (np: Obj, key: string) => np.spec.template.spec.requirements.find((r: Obj) => r.key === key);
function groupsOf(s: Synth, pool = 'gpu'): Obj[] {
  return Object.values(resources(s, 'aws_eks_node_group')).filter((g) => String(g.node_group_name_prefix).startsWith(`${pool}-`)) as Obj[];
}
function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('Karpenter mode', () => {
  const { s, pools, cluster } = build();
  const { nodePool, nodeClass } = objects(s);

  test('NodePool and EC2NodeClass validate against the Karpenter v1 CRDs (unknown fields rejected)', () => {
    expectValidCustomResource(nodePool);
    expectValidCustomResource(nodeClass);
    // The oracle is strict: a misspelt field fails it.
    expect(customResourceErrors({ ...nodePool, spec: { ...nodePool.spec, limit: {} } } as Obj).join()).toMatch(/additional/);
  });

  test('spot preferred with on-demand fallback: both capacity types, the catalog types, one architecture', () => {
    expect(requirement(nodePool, 'karpenter.sh/capacity-type')).toEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] });
    expect(requirement(nodePool, 'node.kubernetes.io/instance-type')).toEqual({ key: 'node.kubernetes.io/instance-type', operator: 'In', values: SPOT_TYPES });
    expect(requirement(nodePool, 'kubernetes.io/arch').values).toEqual(['amd64']);
    expect(pools[0].capacity).toBe(CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK);
    expect(warnings(pools[0])).toEqual([]);
  });

  test('GPU taint, pool label; pods select the pool and tolerate the taint', () => {
    expect(nodePool.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(nodePool.spec.template.metadata.labels).toEqual({ [GPU_POOL_LABEL]: 'gpu' });
    expect(pools[0].nodeSelector).toEqual({ [GPU_POOL_LABEL]: 'gpu' });
    expect(pools[0].tolerations).toEqual([{ key: GPU_TAINT.key, operator: 'Exists', effect: GPU_TAINT.effect }]);
  });

  test('limits: GPUs, and CPU and memory for that many of the largest type', () => {
    // 16 GPUs = 16 nodes; largest: g6.4xlarge 16 vCPU, g6e.2xlarge/g6.4xlarge 64 GiB.
    expect(nodePool.spec.limits).toEqual({ 'nvidia.com/gpu': '16', cpu: '256', memory: '1024Gi' });
  });

  test('disruption protects serving: WhenEmpty after 10m, 10% budget, 30-day expiry', () => {
    expect(nodePool.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m', budgets: [{ nodes: '10%' }] });
    expect(nodePool.spec.template.spec.expireAfter).toBe('720h');
    expect(nodePool.spec.weight).toBeUndefined();
  });

  test('EC2NodeClass: EKS GPU AMI by alias, node role, discovery by the cluster tag', () => {
    expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@latest' }]);
    expect(nodeClass.spec.role).toBe(`\${${'aws_iam_role'}.${Object.keys(resources(s, 'aws_iam_role')).find((k) => k.startsWith('cluster_node-role'))}.name}`);
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'demo' } }]);
    expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'demo' } }]);
    expect(nodePool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: nodeClass.metadata.name });
    expect(pools[0].karpenter!.cluster).toBe(cluster);
  });

  test('the cluster carries the discovery tags the selectors use (private subnets and the cluster security group)', () => {
    const sgTag = Object.values(resources(s, 'aws_ec2_tag')).find((t) => t.key === 'karpenter.sh/discovery');
    expect(sgTag).toMatchObject({ value: 'demo', resource_id: expect.stringMatching(/cluster_security_group_id/) });
    const tagged = Object.values(resources(s, 'aws_subnet')).filter((sn) => (sn.tags as Obj | undefined)?.['karpenter.sh/discovery'] === 'demo');
    expect(tagged.length).toBeGreaterThanOrEqual(3);
  });

  test('EC2NodeClass: IMDSv2 required with hop limit 1; encrypted gp3 root volume of 200 GiB', () => {
    expect(nodeClass.spec.metadataOptions).toEqual({ httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' });
    expect(nodeClass.spec.blockDeviceMappings).toEqual([{ deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '200Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }]);
    expect(nodeClass.spec.tags).toEqual({ [GPU_POOL_LABEL]: 'gpu' });
  });

  test('applied through a Helm release that waits for the CRDs and the ready controller (GPU-OPERATIONS 12, 25, 26)', () => {
    const r = release(s, 'gpu-pool-gpu');
    const ids = Object.entries(resources(s, 'helm_release'));
    const idOf = (name: string) => `helm_release.${ids.find(([, x]) => x.name === name)![0]}`;
    expect(r.depends_on).toEqual(expect.arrayContaining([idOf('karpenter-crd'), idOf('karpenter')]));
    expect(r.namespace).toBe('kube-system');
    expect(r.chart).toMatch(/manifests/);
    expect(resources(s, 'kubernetes_manifest')).toEqual({});
  });
});

describe('Karpenter mode options', () => {
  test('on-demand only; spot only (3+ types); the spot-only pool still validates', () => {
    const b = build({ capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g6e.xlarge'] }, [{ capacity: CapacityPreference.SPOT, instanceTypes: ['g6e.xlarge', 'g6.2xlarge', 'g5.2xlarge'] }]);
    expect(requirement(objects(b.s).nodePool, 'karpenter.sh/capacity-type').values).toEqual(['on-demand']);
    const spot = objects(b.s, 'gpu-1').nodePool;
    expect(requirement(spot, 'karpenter.sh/capacity-type').values).toEqual(['spot']);
    expectValidCustomResource(spot);
    // On-demand needs no diversity; the spot-only pool with 3 types warns (below 5).
    expect(warnings(b.pools[0])).toEqual([]);
    expect(warnings(b.pools[1]).join('\n')).toMatch(/lists 3 type\(s\) in 3 families for a spot Karpenter pool: give at least 5 types across 2\+ families/);
  });

  test('fewer than 5 types, or one family, warns for spot with fallback', () => {
    const few = build({ instanceTypes: ['g6e.xlarge', 'g6.2xlarge'] });
    expect(warnings(few.stack).join('\n')).toMatch(/lists 2 type\(s\) in 2 families .* falls back to on-demand .* more often \(docs\/gpu-node-pools\.md, "Spot behaviour"\)/);
    const oneFamily = build({ instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6e.4xlarge', 'g6e.8xlarge', 'g6e.16xlarge'] });
    expect(warnings(oneFamily.stack).join('\n')).toMatch(/lists 5 type\(s\) in 1 family/);
  });

  test('Bottlerocket with a pinned release: OS volume plus the data volume as root volume', () => {
    const b = build({ amiFamily: GpuAmiFamily.BOTTLEROCKET, amiVersion: '1.50.0', volumeSize: Size.gibibytes(500) });
    const { nodeClass } = objects(b.s);
    expectValidCustomResource(nodeClass);
    expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'bottlerocket@1.50.0' }]);
    expect(nodeClass.spec.blockDeviceMappings).toEqual([
      { deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
      { deviceName: '/dev/xvdb', rootVolume: true, ebs: { volumeSize: '500Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
    ]);
  });

  test('AL2023 pinned AMI release', () => {
    expect(objects(build({ amiVersion: 'v20251101' }).s).nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@v20251101' }]);
  });

  test('business-hours freeze: a 0-node budget for Underutilized and Drifted; consolidation, expiry and weight options', () => {
    const b = build({
      disruptionFreeze: { schedule: '0 8 * * 1-5', duration: Duration.hours(10) },
      consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
      consolidateAfter: Duration.minutes(30),
      disruptionBudget: '2',
      expireAfter: Duration.days(7),
      terminationGracePeriod: Duration.hours(1),
      weight: 50,
    });
    const { nodePool } = objects(b.s);
    expectValidCustomResource(nodePool);
    expect(nodePool.spec.disruption).toEqual({
      consolidationPolicy: 'WhenEmptyOrUnderutilized',
      consolidateAfter: '30m',
      budgets: [{ nodes: '2' }, { nodes: '0', reasons: ['Underutilized', 'Drifted'], schedule: '0 8 * * 1-5', duration: '10h' }],
    });
    expect(nodePool.spec.template.spec.expireAfter).toBe('168h');
    expect(nodePool.spec.template.spec.terminationGracePeriod).toBe('1h');
    expect(nodePool.spec.weight).toBe(50);
    const odd = objects(build({ disruptionFreeze: { schedule: '@daily', duration: Duration.minutes(90), reasons: [DisruptionReason.DRIFTED] } }).s).nodePool;
    expect(odd.spec.disruption.budgets[1]).toEqual({ nodes: '0', reasons: ['Drifted'], schedule: '@daily', duration: '1h30m' });
    expectValidCustomResource(odd);
  });

  test('arm64 pool (g5g) requires arm64 nodes', () => {
    const b = build({ capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g5g.xlarge', 'g5g.2xlarge'] });
    expect(requirement(objects(b.s).nodePool, 'kubernetes.io/arch').values).toEqual(['arm64']);
  });

  test('extra labels and tags reach the nodes and instances', () => {
    const b = build({ labels: { team: 'ml', 'node.kubernetes.io/purpose': 'serving' }, tags: { CostCenter: 'ai' } });
    const { nodePool, nodeClass } = objects(b.s);
    expectValidCustomResource(nodePool);
    expect(nodePool.spec.template.metadata.labels).toEqual({ team: 'ml', 'node.kubernetes.io/purpose': 'serving', [GPU_POOL_LABEL]: 'gpu' });
    expect(nodeClass.spec.tags).toEqual({ CostCenter: 'ai', [GPU_POOL_LABEL]: 'gpu' });
  });

  test('p5e (Capacity Blocks only) warns that spot/on-demand offerings may not exist', () => {
    const b = build({ capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['p5e.48xlarge', 'p5en.48xlarge'] });
    expect(warnings(b.stack).join('\n')).toMatch(/p5e\.48xlarge has no public on-demand price \(sold through EC2 Capacity Blocks for ML\)/);
  });

  test('an explicit Karpenter of another cluster is refused', () => {
    const { stack, cluster } = clusterStack();
    const other = importedClusterStack();
    const k = new Karpenter(other.stack, 'karpenter', { cluster: other.cluster });
    const e = thrown(() => new GpuNodePool(stack, 'p', { cluster, poolName: 'gpu', instanceTypes: SPOT_TYPES, karpenter: k }));
    expect(e.prop).toBe('karpenter');
  });
});

describe('managed node group mode', () => {
  const { s, stack, pools } = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: MNG_TYPES });
  const groups = groupsOf(s);
  const spot = groups.find((g) => g.capacity_type === 'SPOT')!;
  const onDemand = groups.find((g) => g.capacity_type === 'ON_DEMAND')!;
  const groupIds = Object.entries(resources(s, 'aws_eks_node_group')).filter(([, g]) => groups.includes(g as Obj)).map(([id]) => id);

  test('a spot group and an on-demand fallback group with the same diversified types, smallest and cheapest first', () => {
    expect(groups).toHaveLength(2);
    expect(spot.instance_types).toEqual(['g6.xlarge', 'g5.xlarge', 'g6.2xlarge', 'g5.2xlarge']);
    expect(onDemand.instance_types).toEqual(spot.instance_types);
    groups.forEach((g) => expect(g.ami_type).toBe('AL2023_x86_64_NVIDIA'));
    expect(spot.node_group_name_prefix).toBe('gpu-spot-');
    expect(onDemand.node_group_name_prefix).toBe('gpu-on-demand-');
  });

  test('cluster-autoscaler\'s priority expander prefers the spot group', () => {
    const p = values(release(s, 'cluster-autoscaler')).expanderPriorities;
    const asg = (capacity: string) => `^\${aws_eks_node_group.${groupIds[groups.findIndex((g) => g.capacity_type === capacity)]}.resources[0].autoscaling_groups[0].name}$`;
    expect(p[String(SPOT_GROUP_PRIORITY)]).toEqual([asg('SPOT')]);
    expect(p[String(ON_DEMAND_GROUP_PRIORITY)]).toEqual([asg('ON_DEMAND')]);
    expect(pools[0].clusterAutoscaler).toBeDefined();
  });

  test('scale from zero: min 0, desired 0 (later left to the autoscaler), max from maxGpus', () => {
    for (const g of groups) {
      expect(g.scaling_config).toEqual({ min_size: 0, desired_size: 0, max_size: 16 });
      expect(g.lifecycle.ignore_changes).toContain('scaling_config[0].desired_size');
    }
  });

  test('GPU taint and labels (pool, capacity type, accelerator for cluster-autoscaler)', () => {
    for (const g of groups) {
      expect(g.taint).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NO_SCHEDULE' }]);
      expect(g.labels).toMatchObject({ [GPU_POOL_LABEL]: 'gpu', 'k8s.amazonaws.com/accelerator': 'nvidia' });
    }
    expect(spot.labels['ai-platform.cdktf.io/capacity-type']).toBe('spot');
    expect(onDemand.labels['ai-platform.cdktf.io/capacity-type']).toBe('on-demand');
  });

  test('auto-discovery and node-template tags on the node groups (GPU-OPERATIONS 13)', () => {
    for (const g of groups) {
      expect(g.tags).toMatchObject({
        'k8s.io/cluster-autoscaler/enabled': 'true',
        'k8s.io/cluster-autoscaler/demo': 'owned',
        'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': '1',
        'k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage': '160Gi',
        'k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu': 'true:NoSchedule',
        [`k8s.io/cluster-autoscaler/node-template/label/${GPU_POOL_LABEL}`]: 'gpu',
        'k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator': 'nvidia',
      });
      // Every node label has its node-template tag.
      for (const [k, v] of Object.entries(g.labels as Obj)) expect(g.tags[`k8s.io/cluster-autoscaler/node-template/label/${k}`]).toBe(v);
    }
  });

  test('the same tags on each group\'s Auto Scaling group (EKS does not copy node group tags there)', () => {
    const asgTags = Object.values(resources(s, 'aws_autoscaling_group_tag')) as Obj[];
    groups.forEach((g, i) => {
      const mine = asgTags.filter((t) => t.autoscaling_group_name === `\${aws_eks_node_group.${groupIds[i]}.resources[0].autoscaling_groups[0].name}`);
      expect(Object.fromEntries(mine.map((t) => [t.tag.key, t.tag.value]))).toEqual(g.tags);
      mine.forEach((t) => expect(t.tag.propagate_at_launch).toBe(false));
    });
  });

  test('launch template: IMDSv2 required with hop limit 1, encrypted gp3, no SSH key, no custom AMI', () => {
    const lts = Object.entries(resources(s, 'aws_launch_template')).filter(([id]) => id.startsWith('pool-0')) as [string, Obj][];
    expect(lts).toHaveLength(1);
    const [ltId, lt] = lts[0];
    expect(lt.metadata_options).toEqual({ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1, instance_metadata_tags: 'disabled' });
    expect(lt.block_device_mappings).toEqual([{ device_name: '/dev/xvda', ebs: { volume_size: 200, volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' } }]);
    expect(lt.key_name).toBeUndefined();
    expect(lt.image_id).toBeUndefined();
    expect(lt.user_data).toBeUndefined();
    for (const g of groups) {
      expect(g.launch_template).toEqual({ id: `\${aws_launch_template.${ltId}.id}`, version: `\${aws_launch_template.${ltId}.latest_version}` });
      expect(g.remote_access).toBeUndefined();
      expect(g.disk_size).toBeUndefined();
    }
  });

  test('spot rebalancing is left to EKS: no self-managed Auto Scaling group, no termination handler', () => {
    // EKS creates the group's ASG with Capacity Rebalancing on for SPOT; nothing here may replace it.
    expect(resources(s, 'aws_autoscaling_group')).toEqual({});
    expect(spot.capacity_type).toBe('SPOT');
    expect(Object.values(resources(s, 'helm_release')).map((r) => r.chart)).not.toContain('aws-node-termination-handler');
    void stack;
  });

  test('on-demand only: one group, no spot; spot only: one group', () => {
    const od = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g6e.xlarge'] });
    expect(groupsOf(od.s).map((g) => g.capacity_type)).toEqual(['ON_DEMAND']);
    expect(warnings(od.stack)).toEqual([]);
    const sp = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.SPOT, instanceTypes: MNG_TYPES });
    expect(groupsOf(sp.s).map((g) => g.capacity_type)).toEqual(['SPOT']);
  });

  test('g5g gets the ARM64 NVIDIA AMI type; Bottlerocket its NVIDIA type and data volume; explicit sizes', () => {
    const arm = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g5g.xlarge', 'g5g.2xlarge', 'g5g.4xlarge'], minSize: 1, maxSize: 3 });
    const g = groupsOf(arm.s)[0];
    expect(g.ami_type).toBe('AL2023_ARM_64_NVIDIA');
    expect(g.scaling_config).toEqual({ min_size: 1, desired_size: 1, max_size: 3 });
    expect(g.labels['k8s.amazonaws.com/accelerator']).toBe('nvidia-t4g');
    const rtx = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g7e.2xlarge', 'g7e.4xlarge'] });
    expect(groupsOf(rtx.s)[0].labels['k8s.amazonaws.com/accelerator']).toBe('nvidia-rtx-pro-6000');
    const br = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, amiFamily: GpuAmiFamily.BOTTLEROCKET, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g6e.xlarge'] });
    expect(groupsOf(br.s)[0].ami_type).toBe('BOTTLEROCKET_x86_64_NVIDIA');
    const lt = Object.entries(resources(br.s, 'aws_launch_template')).find(([id]) => id.startsWith('pool-0'))![1] as Obj;
    expect(lt.block_device_mappings[0].device_name).toBe('/dev/xvdb');
  });

  test('fewer than 3 types: an error for a spot-only group, a warning with on-demand fallback', () => {
    const e = thrown(() => build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.SPOT, instanceTypes: ['g6.xlarge', 'g5.xlarge'] }));
    expect(e.prop).toBe('instanceTypes');
    expect(e.message).toMatch(/instanceTypes \(\["g6.xlarge","g5.xlarge"\]\) is invalid: must list at least 3 instance types for a spot-only pool/);
    const b = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g5.xlarge'] });
    expect(warnings(b.stack).join('\n')).toMatch(/lists 2 type\(s\) in 2 families for a spot managed node group pool: give at least 3 types/);
    expect(warnings(build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g5.xlarge', 'g6.2xlarge'] }).stack).join('\n')).not.toMatch(/type\(s\)/);
  });

  test('mixed CPU/memory shapes warn that cluster-autoscaler plans with the smallest type', () => {
    expect(warnings(stack).join('\n')).toMatch(/mix CPU\/memory shapes: .* here the smallest \(g6.xlarge: 4 vCPU, 16 GiB\); pods requesting more than that never trigger a scale-up/);
    expect(warnings(build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.2xlarge', 'g5.2xlarge'], capacity: CapacityPreference.ON_DEMAND }).stack)).toEqual([]);
  });

  test('node group label limits of the EKS API', () => {
    const long = `example.com/${'x'.repeat(55)}`;
    const e = thrown(() => build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g6e.xlarge'], labels: { [long]: 'a' } }));
    expect(e.prop).toBe(`labels["${long}"]`);
    expect(e.message).toMatch(/at most 63 characters/);
    // Kubernetes (and Karpenter) take it.
    expectValidCustomResource(objects(build({ labels: { [long]: 'a' } }).s).nodePool);
  });
});

describe('GPU sharing', () => {
  test('time-slicing labels the nodes for the device plugin config and warns about isolation (GPU-OPERATIONS 4)', () => {
    const b = build({ sharing: { timeSlicingReplicas: 4 } });
    const { nodePool } = objects(b.s);
    expect(nodePool.spec.template.metadata.labels['nvidia.com/device-plugin.config']).toBe('gpu');
    expect(warnings(b.stack).join('\n')).toMatch(/timeSlicingReplicas=4: .* no memory or fault isolation/);
    expect(b.pools[0].sharing).toEqual({ timeSlicingReplicas: 4 });
  });

  test('MIG profile on MIG-capable types labels the nodes for the MIG manager (both modes)', () => {
    const b = build({ instanceTypes: ['p4d.24xlarge', 'p4de.24xlarge'], capacity: CapacityPreference.ON_DEMAND, sharing: { migProfile: 'all-1g.10gb' } });
    expect(objects(b.s).nodePool.spec.template.metadata.labels['nvidia.com/mig.config']).toBe('all-1g.10gb');
    expectValidCustomResource(objects(b.s).nodePool);
    const m = build({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['p5.48xlarge'], sharing: { migProfile: 'all-3g.40gb' } });
    const g = groupsOf(m.s)[0];
    expect(g.labels['nvidia.com/mig.config']).toBe('all-3g.40gb');
    expect(g.tags['k8s.io/cluster-autoscaler/node-template/label/nvidia.com/mig.config']).toBe('all-3g.40gb');
  });

  test.each([
    ['MIG on a non-MIG type', { instanceTypes: ['g6e.xlarge'], sharing: { migProfile: 'all-1g.10gb' } }, 'sharing.migProfile', /\("all-1g.10gb"\) is invalid: needs MIG-capable GPUs .*g6e.xlarge \(L40S\)/],
    ['profile of another GPU (A100-40GB profile on H100)', { instanceTypes: ['p5.48xlarge'], sharing: { migProfile: 'all-1g.5gb' } }, 'sharing.migProfile', /must be one of the MIG configs of H100 80 GiB \(p5.48xlarge\): all-1g.10gb, /],
    ['profile valid for one type only', { instanceTypes: ['p4de.24xlarge', 'p4d.24xlarge'], sharing: { migProfile: 'all-7g.80gb' } }, 'sharing.migProfile', /of A100 40 GiB \(p4d.24xlarge\)/],
    ['profile without all-', { instanceTypes: ['p5.48xlarge'], sharing: { migProfile: '1g.10gb' } }, 'sharing.migProfile', /\("1g.10gb"\) is invalid/],
    ['H200 profile', { instanceTypes: ['p5en.48xlarge'], sharing: { migProfile: 'all-1g.10gb' } }, 'sharing.migProfile', /all-1g.18gb, all-1g.35gb/],
    ['RTX PRO 6000 profile (4 slices at most)', { instanceTypes: ['g7e.2xlarge'], sharing: { migProfile: 'all-7g.96gb' } }, 'sharing.migProfile', /MIG configs of RTX PRO 6000 96 GiB \(g7e.2xlarge\): all-1g.24gb, all-2g.48gb, all-4g.96gb$/],
    ['MIG on B300 (no profiles in the operator default config)', { instanceTypes: ['p6-b300.48xlarge'], sharing: { migProfile: 'all-1g.23gb' } }, 'sharing.migProfile', /needs MIG-capable GPUs \(A100, H100, H200, B200, RTX PRO 6000: .*p6-b200.*\); p6-b300.48xlarge \(B300\) cannot be partitioned/],
    ['both sharing modes', { instanceTypes: ['p5.48xlarge'], sharing: { migProfile: 'all-1g.10gb', timeSlicingReplicas: 2 } }, 'sharing', /must set timeSlicingReplicas or migProfile, not both/],
    ['time-slicing 1', { sharing: { timeSlicingReplicas: 1 } }, 'sharing.timeSlicingReplicas', /\(1\) is invalid: must be an integer between 2 and 48/],
    ['time-slicing 49', { sharing: { timeSlicingReplicas: 49 } }, 'sharing.timeSlicingReplicas', /\(49\) is invalid/],
  ] as [string, Pool, string, RegExp][])('%s', (_n, props, prop, msg) => {
    const e = thrown(() => build({ capacity: CapacityPreference.ON_DEMAND, ...props }));
    expect(e.prop).toBe(prop);
    expect(e.message).toMatch(msg);
  });
});

describe('bad input throws naming the prop and value', () => {
  const MNG = { mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'] };
  test.each([
    ['unknown type', { instanceTypes: ['g9.xlarge'] }, 'instanceTypes[0]', /\("g9.xlarge"\) is invalid: is not a GPU instance type of the catalog; GPU families: g4dn, g5/],
    ['not a GPU type', { instanceTypes: ['g6.xlarge', 'm5.large'] }, 'instanceTypes[1]', /\("m5.large"\) is invalid: is not a GPU instance type/],
    ['fractional GPU (g6f)', { instanceTypes: ['g6.xlarge', 'g6f.large'] }, 'instanceTypes[1]', /\("g6f.large"\) is invalid: is a fractional-GPU type \(1\/8 of an L4, 2861 MiB, NVIDIA vGPU\): EC2 and Karpenter count 0 GPUs .*docs\/gpu-node-pools.md/],
    ['fractional GPU (gr6f)', { instanceTypes: ['gr6f.4xlarge'] }, 'instanceTypes[0]', /is a fractional-GPU type \(1\/2 of an L4, 11444 MiB/],
    ['g7: not in the EKS GPU AMI table', { instanceTypes: ['g7.2xlarge'] }, 'instanceTypes[0]', /RTX PRO 4500 GPUs, which the EKS-optimized NVIDIA AMIs do not list as supported/],
    ['not an instance type at all', { instanceTypes: ['large'] }, 'instanceTypes[0]', /\("large"\) is invalid: is not an EC2 instance type name/],
    ['mixed GPU counts', { instanceTypes: ['g5.xlarge', 'g5.12xlarge'] }, 'instanceTypes', /\(\["g5.xlarge","g5.12xlarge"\]\) is invalid: must all have the same number of GPUs per node \(found g5.xlarge: 1, g5.12xlarge: 4\)/],
    ['empty list', { instanceTypes: [] }, 'instanceTypes', /\(\[\]\) is invalid: must list at least one GPU instance type/],
    ['repeated type', { instanceTypes: ['g6.xlarge', 'g6.xlarge'] }, 'instanceTypes', /must not repeat an instance type/],
    ['mixed architectures', { instanceTypes: ['g5g.xlarge', 'g5.xlarge'] }, 'instanceTypes', /must all have the same CPU architecture \(found g5g.xlarge: arm64, g5.xlarge: x86_64\)/],
    ['min > max', { ...MNG, minSize: 5, maxSize: 2 }, 'minSize', /minSize \(5\) is invalid: minSize \(5\) cannot be greater than maxSize \(2\)/],
    ['maxSize beyond maxGpus', { ...MNG, maxGpus: 4, maxSize: 8 }, 'maxSize', /maxSize \(8\) is invalid: must be at most 4/],
    ['negative minSize', { ...MNG, minSize: -1 }, 'minSize', /\(-1\) is invalid/],
    ['mixed GPU memory in managed mode', { ...MNG, instanceTypes: ['g6e.xlarge', 'g6.xlarge', 'g5.xlarge'] }, 'instanceTypes', /must all have the same GPU memory in managed node group mode \(found g6e.xlarge: 48 GiB/],
    ['spot-only Karpenter pool with 2 types', { capacity: CapacityPreference.SPOT, instanceTypes: ['g6.xlarge', 'g5.xlarge'] }, 'instanceTypes', /must list at least 3 instance types for a spot-only pool/],
    ['bad pool name', { poolName: 'GPU_Pool' }, 'poolName', /\("GPU_Pool"\) is invalid: must be a Kubernetes DNS-1123 label/],
    ['maxGpus below one node', { instanceTypes: ['g5.12xlarge', 'g6.12xlarge', 'g6e.12xlarge', 'g4dn.12xlarge', 'g5.24xlarge'], maxGpus: 2 }, 'maxGpus', /\(2\) is invalid: must be an integer between 4 and/],
    ['volume too small', { volumeSize: Size.gibibytes(20) }, 'volumeSize', /\("20 GiB"\) is invalid: must be between 50 GiB and 16 TiB/],
    ['AL2023 AMI version', { amiVersion: 'newest' }, 'amiVersion', /\("newest"\) is invalid: must be "latest" or an AL2023 EKS AMI release such as "v20251101"/],
    ['Bottlerocket AMI version', { amiFamily: GpuAmiFamily.BOTTLEROCKET, amiVersion: 'v20251101' }, 'amiVersion', /must be "latest" or a Bottlerocket release/],
    ['disruption budget', { disruptionBudget: 'some' }, 'disruptionBudget', /\("some"\) is invalid: must be a node count or a percentage/],
    ['freeze cron', { disruptionFreeze: { schedule: 'every morning', duration: Duration.hours(8) } }, 'disruptionFreeze.schedule', /\("every morning"\) is invalid: must be a 5-field cron expression/],
    ['freeze duration in seconds', { disruptionFreeze: { schedule: '0 8 * * *', duration: Duration.seconds(90) } }, 'disruptionFreeze.duration', /\("90 seconds"\) is invalid: must be a whole number of minutes/],
    ['freeze without reasons', { disruptionFreeze: { schedule: '0 8 * * *', duration: Duration.hours(1), reasons: [] } }, 'disruptionFreeze.reasons', /must list at least one reason/],
    ['weight above 100', { weight: 101 }, 'weight', /\(101\) is invalid: must be an integer between 1 and 100/],
    ['expiry too short', { expireAfter: Duration.minutes(5) }, 'expireAfter', /\("5 minutes"\) is invalid: must be at least 1 hour/],
    ['managed prop in Karpenter mode', { minSize: 1 }, 'minSize', /\(1\) is invalid: only applies with mode MANAGED_NODE_GROUPS/],
    ['Karpenter prop in managed mode', { ...MNG, consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY }, 'consolidationPolicy', /only applies with mode KARPENTER/],
    ['reserved label domain', { labels: { 'kubernetes.io/role': 'gpu' } }, 'labels["kubernetes.io/role"]', /must not use a domain the kubelet or Karpenter reserve/],
    ['Karpenter label domain', { labels: { 'karpenter.sh/capacity-type': 'spot' } }, 'labels["karpenter.sh/capacity-type"]', /reserve/],
    ['label overriding the pool label', { labels: { [GPU_POOL_LABEL]: 'other' } }, `labels["${GPU_POOL_LABEL}"]`, /is set by the pool itself/],
    ['label key Kubernetes rejects', { labels: { 'bad key': 'x' } }, 'labels["bad key"]', /must be a Kubernetes label key/],
    ['label value Kubernetes rejects', { labels: { team: 'ml team' } }, 'labels["team"].value', /\("ml team"\) is invalid: must be a Kubernetes label value/],
    ['tag Karpenter owns', { tags: { 'karpenter.sh/nodepool': 'x' } }, 'tags', /is a tag Karpenter sets/],
    ['aws: tag', { tags: { 'aws:cost': 'x' } }, 'tags', /not start with "aws:"/],
  ] as [string, Pool, string, RegExp][])('%s', (_n, props, prop, msg) => {
    const e = thrown(() => build(props));
    expect(e.prop).toBe(prop);
    expect(e.message).toMatch(msg);
    expect(e.message).toMatch(/^test\/pool-0: /);
  });

  test('two pools with one name in a stack', () => {
    const e = thrown(() => build({}, [{ poolName: 'gpu' }]));
    expect(e.prop).toBe('poolName');
    expect(e.message).toMatch(/\("gpu"\) is invalid: must be unique in the stack/);
  });

  test('managed node groups need the cluster node role', () => {
    const { stack, cluster } = importedClusterStack();
    const e = thrown(() => new GpuNodePool(stack, 'p', { cluster, poolName: 'gpu', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'] }));
    expect(e.prop).toBe('cluster.nodeRoleArn');
  });
});

describe('Bottlerocket pools: one device plugin, and sharing that applies (GPU-OPERATIONS 28)', () => {
  // What Bottlerocket's TOML user data must say for 4 replicas (settings.kubelet-device-plugins).
  const SLICING_TOML = [
    '[settings.kubelet-device-plugins.nvidia]',
    'device-sharing-strategy = "time-slicing"',
    '',
    '[settings.kubelet-device-plugins.nvidia.time-slicing]',
    'replicas = 4',
    'rename-by-default = false',
    'fail-requests-greater-than-one = false',
    '',
  ].join('\n');
  const { stack, cluster } = clusterStack();
  const br = new GpuNodePool(stack, 'br', { cluster, poolName: 'br', instanceTypes: SPOT_TYPES, amiFamily: GpuAmiFamily.BOTTLEROCKET, sharing: { timeSlicingReplicas: 4 } });
  const al = new GpuNodePool(stack, 'al', { cluster, poolName: 'al', instanceTypes: SPOT_TYPES, sharing: { timeSlicingReplicas: 2 } });
  const brMng = new GpuNodePool(stack, 'br-mng', { cluster, poolName: 'brmng', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g6e.xlarge'], amiFamily: GpuAmiFamily.BOTTLEROCKET, sharing: { timeSlicingReplicas: 4 } });
  const op = new GpuOperator(stack, 'gpu-operator', { cluster, pools: [br, al, brMng] });
  const s = synth(stack);

  test('the operator\'s device plugin is kept off Bottlerocket nodes by the label it honours; AL2023 nodes keep it and pick their config', () => {
    expect(br.nodeDevicePlugin).toBe(true);
    expect(al.nodeDevicePlugin).toBe(false);
    const brLabels = objects(s, 'br').nodePool.spec.template.metadata.labels;
    expect(brLabels[OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL]).toBe('false');
    expect(brLabels[DEVICE_PLUGIN_CONFIG_LABEL]).toBeUndefined();
    const alLabels = objects(s, 'al').nodePool.spec.template.metadata.labels;
    expect(alLabels[OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL]).toBeUndefined();
    expect(alLabels[DEVICE_PLUGIN_CONFIG_LABEL]).toBe('al');
    for (const g of groupsOf(s, 'brmng')) expect(g.labels[OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL]).toBe('false');
  });

  test('time-slicing goes to Bottlerocket\'s own device plugin settings (Karpenter userData, launch template user data), not to the operator\'s ConfigMap', () => {
    const { nodeClass } = objects(s, 'br');
    expectValidCustomResource(nodeClass);
    expect(nodeClass.spec.userData).toBe(SLICING_TOML);
    const lt = Object.entries(resources(s, 'aws_launch_template')).find(([id]) => id.startsWith('br-mng'))![1] as Obj;
    expect(Buffer.from(lt.user_data, 'base64').toString('utf8')).toBe(SLICING_TOML);
    const data = op.devicePluginConfigData();
    expect(Object.keys(data).sort()).toEqual(['al', 'default']);
    expect(warnings(op).join('\n')).toMatch(/pool br: .* Bottlerocket's own device plugin .* not in the operator's device-plugin-config/);
    // Pools without sharing get no user data (Bottlerocket's default: whole GPUs).
    expect(objects(build({ amiFamily: GpuAmiFamily.BOTTLEROCKET }).s).nodeClass.spec.userData).toBeUndefined();
    expect(objects(s, 'al').nodeClass.spec.userData).toBeUndefined();
  });

  test('MIG on Bottlerocket is refused with the reason; the label is reserved', () => {
    const e = thrown(() => build({ amiFamily: GpuAmiFamily.BOTTLEROCKET, instanceTypes: ['p5.48xlarge'], capacity: CapacityPreference.ON_DEMAND, sharing: { migProfile: 'all-1g.10gb' } }));
    expect(e.prop).toBe('sharing.migProfile');
    expect(e.message).toMatch(/not supported on Bottlerocket pools: Bottlerocket partitions GPUs itself.* use amiFamily: GpuAmiFamily.AL2023 for MIG pools/);
    expect(thrown(() => build({ labels: { [OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL]: 'true' } })).message).toMatch(/is set by the pool itself/);
  });
});

describe('terraform oracle', () => {
  itWithTerraform('validate and plan accept the AWS side of both modes (x86 and arm64, AL2023 and Bottlerocket)', () => {
    const b = build({}, [
      { poolName: 'mng', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'], labels: { team: 'ml' }, tags: { CostCenter: 'ai' } },
      { poolName: 'arm', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, instanceTypes: ['g5g.xlarge'] },
      { poolName: 'br', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.ON_DEMAND, amiFamily: GpuAmiFamily.BOTTLEROCKET, instanceTypes: ['g6e.xlarge'], sharing: { timeSlicingReplicas: 4 } },
    ]);
    const aws = awsOnly(b.s);
    const result = terraformCheck(aws);
    expect(describeDiagnostics(result)).toBe('');
    const count = Object.values(aws.resource ?? {}).reduce((n, rs) => n + Object.keys(rs).length, 0);
    expect(result.plannedCreates).toHaveLength(count);
    expect(result.plannedCreates.filter((a) => a.startsWith('aws_cloudwatch_event_rule.'))).toHaveLength(4);
    expect(result.plannedCreates.filter((a) => a.startsWith('aws_eks_node_group.')).length).toBe(5);
    expect(result.plannedCreates.filter((a) => a.startsWith('aws_autoscaling_group_tag.')).length).toBeGreaterThan(20);
  });
});
