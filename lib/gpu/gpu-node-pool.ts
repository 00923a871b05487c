import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { ICluster } from '../cluster/cluster-reference';
import { ValidationError } from '../core/errors';
import { validateDns1123Label, truncateName } from '../core/names';
import { validateInteger, validateMinMax, validatePattern } from '../core/validate';
import { Duration, Size } from '../core/units';
import { ManifestChart } from '../k8s/manifest-chart';
import { GPU_TAINT, gpuToleration } from '../k8s/pod-security';
import { JsonObject, KubernetesObject } from '../k8s/values';
import { CpuArchitecture, GpuInstanceType, findGpuInstanceType } from './catalog';
import { ClusterAutoscaler } from './cluster-autoscaler';
import { Karpenter } from './karpenter';
import { CapacityPreference, GPU_POOL_LABEL, GpuCapacityMode, GpuSharing, IGpuNodePool, gpuSharingNodeLabels } from './types';

/** The EKS-optimized GPU AMI family of Karpenter nodes (both ship the NVIDIA driver and toolkit). */
export enum GpuAmiFamily {
  /** Amazon Linux 2023 (Karpenter selects the NVIDIA variant for GPU instance types). */
  AL2023 = 'al2023',
  /** Bottlerocket (NVIDIA variant selected for GPU instance types). */
  BOTTLEROCKET = 'bottlerocket',
}

/** When Karpenter may remove nodes of the pool to save money. */
export enum ConsolidationPolicy {
  /** Only empty nodes: never evicts a serving replica to repack (the default for serving). */
  WHEN_EMPTY = 'WhenEmpty',
  /** Also repacks underused nodes (batch pools). */
  WHEN_EMPTY_OR_UNDERUTILIZED = 'WhenEmptyOrUnderutilized',
}

/** A window during which Karpenter must not voluntarily disrupt nodes (drift, consolidation). */
export interface DisruptionFreeze {
  /** Start of the window, a cron expression in UTC (e.g. `0 8 * * 1-5`). */
  readonly schedule: string;
  /** Length of the window. */
  readonly duration: Duration;
}

/** Options of a GPU pool, without the cluster (see {@link GpuNodePoolProps}). */
export interface GpuNodePoolOptions {
  /** Pool name: a DNS-1123 label, the NodePool name and the value of the pool label on nodes. */
  readonly poolName: string;
  /** GPU instance types from the catalog, all with the same GPU count (and GPU memory in managed mode). */
  readonly instanceTypes: string[];
  /**
   * How the pool gets nodes.
   * @default GpuCapacityMode.KARPENTER
   */
  readonly mode?: GpuCapacityMode;
  /**
   * Purchase options.
   * @default CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK
   */
  readonly capacity?: CapacityPreference;
  /**
   * GPU sharing (time-slicing or MIG), applied by the GPU operator through node labels.
   * @default - whole GPUs
   */
  readonly sharing?: GpuSharing;
  /**
   * Extra node labels.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Most GPUs the pool may hold at once (Karpenter limit; managed mode: max nodes × GPUs per node).
   * @default 16
   */
  readonly maxGpus?: number;
  /**
   * Root volume size: vLLM images are ~10 GB and model caches live on the node.
   * @default Size.gibibytes(200)
   */
  readonly volumeSize?: Size;
  /**
   * Karpenter: AMI family.
   * @default GpuAmiFamily.AL2023
   */
  readonly amiFamily?: GpuAmiFamily;
  /**
   * Karpenter: AMI version of the alias (`v20251101`); `latest` follows new AMIs (nodes drift).
   * @default 'latest'
   */
  readonly amiVersion?: string;
  /**
   * Karpenter: consolidation policy.
   * @default ConsolidationPolicy.WHEN_EMPTY
   */
  readonly consolidationPolicy?: ConsolidationPolicy;
  /**
   * Karpenter: how long a node must be empty/underused before it is removed.
   * @default Duration.minutes(10)
   */
  readonly consolidateAfter?: Duration;
  /**
   * Karpenter: share of nodes that may be disrupted at once.
   * @default '10%'
   */
  readonly disruptionBudget?: string;
  /**
   * Karpenter: a daily window with no voluntary disruption (peak serving hours).
   * @default - none
   */
  readonly disruptionFreeze?: DisruptionFreeze;
  /**
   * Karpenter: node lifetime before replacement (picks up new AMIs, limits drift).
   * @default Duration.days(30)
   */
  readonly expireAfter?: Duration;
  /**
   * Karpenter: the Karpenter installation to use.
   * @default - Karpenter.forCluster(...)
   */
  readonly karpenter?: Karpenter;
  /**
   * Managed node groups: minimum nodes per group (0 scales from zero).
   * @default 0
   */
  readonly minSize?: number;
  /**
   * Managed node groups: maximum nodes per group.
   * @default maxGpus ÷ GPUs per node
   */
  readonly maxSize?: number;
}

/** Props of {@link GpuNodePool}. */
export interface GpuNodePoolProps extends GpuNodePoolOptions {
  /** The cluster. */
  readonly cluster: ICluster;
}

/** Karpenter spot pools are worth it from this many instance types across families (GPU-OPERATIONS 7). */
export const RECOMMENDED_KARPENTER_SPOT_TYPES = 5;
/** Spot managed node groups need at least this many instance types (diversification). */
export const MIN_MANAGED_SPOT_TYPES = 3;

const MIG_PROFILES: { readonly [gpu: string]: string[] } = {
  'A100/40': ['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'],
  'A100/80': ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  'H100/80': ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  'H200/141': ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'],
};

const CRON = /^(\S+\s+){4}\S+$|^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/;

/**
 * GPU capacity that prefers spot and falls back to on-demand. Karpenter mode: a NodePool listing
 * both capacity types (Karpenter launches spot when any listed type has capacity, on-demand
 * otherwise) and an EC2NodeClass with the EKS GPU AMI, IMDSv2 hop limit 1 and an encrypted gp3
 * volume. Managed node group mode: a diversified spot group preferred by cluster-autoscaler's
 * priority expander and an on-demand group, both scaling from zero.
 */
export class GpuNodePool extends Construct implements IGpuNodePool {
  /** @inheritdoc */
  public readonly poolName: string;
  /** @inheritdoc */
  public readonly mode: GpuCapacityMode;
  /** @inheritdoc */
  public readonly capacity: CapacityPreference;
  /** @inheritdoc */
  public readonly instanceTypes: GpuInstanceType[];
  /** @inheritdoc */
  public readonly nodeSelector: Record<string, string>;
  /** @inheritdoc */
  public readonly tolerations: JsonObject[];
  /** @inheritdoc */
  public readonly sharing?: GpuSharing;
  /** GPUs per node (the same for every instance type). */
  public readonly gpusPerNode: number;
  /** Karpenter mode: the NodePool and EC2NodeClass release. */
  public readonly manifests?: ManifestChart;
  /** Karpenter mode: the Karpenter installation. */
  public readonly karpenter?: Karpenter;
  /** Managed mode: the node groups (spot first). */
  public readonly nodeGroups: EksNodeGroup[] = [];
  /** Managed mode: the launch template. */
  public readonly launchTemplate?: LaunchTemplate;

  /** Creates the pool. */
  public constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    this.poolName = validateDns1123Label(this, 'poolName', props.poolName);
    this.mode = props.mode ?? GpuCapacityMode.KARPENTER;
    this.capacity = props.capacity ?? CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK;
    if (!props.instanceTypes || props.instanceTypes.length === 0) {
      throw new ValidationError(this, 'instanceTypes', props.instanceTypes, 'must list at least one GPU instance type, e.g. ["g6e.xlarge", "g6.xlarge", "g5.xlarge"]');
    }
    if (new Set(props.instanceTypes).size !== props.instanceTypes.length) throw new ValidationError(this, 'instanceTypes', props.instanceTypes, 'must not repeat an instance type');
    this.instanceTypes = props.instanceTypes.map((name, i) => {
      const t = findGpuInstanceType(name);
      if (!t) {
        const hint = /^[a-z0-9]+\.[a-z0-9]+$/.test(name) ? 'is not a GPU instance type in the catalog' : 'is not an EC2 instance type';
        throw new ValidationError(this, `instanceTypes[${i}]`, name, `${hint}; GPU types: g4dn, g5, g5g, g6, g6e, gr6, p4d, p4de, p5, p5e, p5en sizes (see GPU_INSTANCE_TYPES)`);
      }
      return t;
    });
    const counts = [...new Set(this.instanceTypes.map((t) => t.gpuCount))];
    if (counts.length > 1) {
      throw new ValidationError(this, 'instanceTypes', props.instanceTypes, `must all have the same number of GPUs per node (found ${this.instanceTypes.map((t) => `${t.name}: ${t.gpuCount}`).join(', ')}); pods sized for one would not fit the others — use one pool per GPU count`);
    }
    this.gpusPerNode = counts[0];
    const archs = [...new Set(this.instanceTypes.map((t) => t.architecture))];
    if (archs.length > 1) throw new ValidationError(this, 'instanceTypes', props.instanceTypes, 'must all have the same CPU architecture (x86_64 or arm64): images are per architecture');
    this.sharing = this.validateSharing(props.sharing);
    const maxGpus = validateInteger(this, 'maxGpus', props.maxGpus ?? 16, this.gpusPerNode, 10000);

    const labels: Record<string, string> = { ...props.labels, [GPU_POOL_LABEL]: this.poolName, ...gpuSharingNodeLabels(this.poolName, this.sharing) };
    this.nodeSelector = { [GPU_POOL_LABEL]: this.poolName };
    this.tolerations = [gpuToleration()];

    if (this.mode === GpuCapacityMode.KARPENTER) {
      if (this.capacity !== CapacityPreference.ON_DEMAND && this.instanceTypes.length < RECOMMENDED_KARPENTER_SPOT_TYPES) {
        Annotations.of(this).addWarning(`instanceTypes lists ${this.instanceTypes.length} types for a spot pool: give at least ${RECOMMENDED_KARPENTER_SPOT_TYPES} across families so spot capacity is found and interruptions are rare (GPU-OPERATIONS 7)`);
      }
      this.karpenter = props.karpenter ?? Karpenter.forCluster(this, props.cluster);
      this.manifests = new ManifestChart(this, 'manifests', { releaseName: truncateName(`gpu-pool-${this.poolName}`, 53), namespace: 'kube-system', dependsOn: this.karpenter.dependables });
      this.manifests.addManifest(this.nodeClass(props, this.karpenter.nodeRoleName));
      this.manifests.addManifest(this.nodePool(props, labels, maxGpus));
    } else {
      this.launchTemplate = this.createManagedGroups(props, labels, maxGpus);
    }
  }

  private validateSharing(sharing: GpuSharing | undefined): GpuSharing | undefined {
    if (!sharing) return undefined;
    if (sharing.timeSlicingReplicas !== undefined && sharing.migProfile !== undefined) {
      throw new ValidationError(this, 'sharing', sharing, 'must set timeSlicingReplicas or migProfile, not both');
    }
    if (sharing.timeSlicingReplicas !== undefined) {
      validateInteger(this, 'sharing.timeSlicingReplicas', sharing.timeSlicingReplicas, 2, 48);
      Annotations.of(this).addWarning(`sharing.timeSlicingReplicas=${sharing.timeSlicingReplicas}: pods sharing a GPU by time-slicing have no memory or fault isolation; one pod can exhaust the GPU memory of the others (GPU-OPERATIONS 4)`);
    }
    if (sharing.migProfile !== undefined) {
      const notMig = this.instanceTypes.filter((t) => !t.migCapable);
      if (notMig.length > 0) {
        throw new ValidationError(this, 'sharing.migProfile', sharing.migProfile, `needs MIG-capable GPUs (A100, H100, H200: p4d, p4de, p5, p5e, p5en); ${notMig.map((t) => `${t.name} (${t.gpuModel})`).join(', ')} cannot be partitioned`);
      }
      for (const t of this.instanceTypes) {
        const allowed = MIG_PROFILES[`${t.gpuModel}/${t.gpuMemoryGiB}`] ?? [];
        const profile = sharing.migProfile.replace(/^all-/, '');
        if (!sharing.migProfile.startsWith('all-') || !allowed.includes(profile)) {
          throw new ValidationError(this, 'sharing.migProfile', sharing.migProfile, `must be "all-<profile>" with a profile of ${t.gpuModel} ${t.gpuMemoryGiB}GB: ${allowed.map((p) => `all-${p}`).join(', ')}`);
        }
      }
    }
    return sharing;
  }

  private capacityTypes(): string[] {
    switch (this.capacity) {
      case CapacityPreference.ON_DEMAND:
        return ['on-demand'];
      case CapacityPreference.SPOT:
        return ['spot'];
      default:
        return ['spot', 'on-demand'];
    }
  }

  private nodeClass(props: GpuNodePoolProps, role: string): KubernetesObject {
    const family = props.amiFamily ?? GpuAmiFamily.AL2023;
    const version = validatePattern(this, 'amiVersion', props.amiVersion ?? 'latest', /^(latest|v\d{8})$/, 'be "latest" or an AMI release version such as "v20251101"');
    const volume = `${validateInteger(this, 'volumeSize', Math.ceil((props.volumeSize ?? Size.gibibytes(200)).toGibibytes()), 50, 16384)}Gi`;
    const discovery = [{ tags: { 'karpenter.sh/discovery': props.cluster.clusterName } }];
    const ebs = { volumeSize: volume, volumeType: 'gp3', encrypted: true, deleteOnTermination: true };
    // Bottlerocket boots from a small OS volume; images and model caches go to the data volume.
    const blockDeviceMappings = family === GpuAmiFamily.BOTTLEROCKET
      ? [{ deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }, { deviceName: '/dev/xvdb', ebs }]
      : [{ deviceName: '/dev/xvda', ebs }];
    return {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: this.poolName },
      spec: {
        amiSelectorTerms: [{ alias: `${family}@${version}` }],
        role,
        subnetSelectorTerms: discovery,
        securityGroupSelectorTerms: discovery,
        // IMDSv2 only, hop limit 1: pods cannot reach the node's credentials (CKV_AWS_79/341).
        metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
        blockDeviceMappings,
        tags: { 'ai-platform.cdktf.io/gpu-pool': this.poolName },
      },
    };
  }

  private nodePool(props: GpuNodePoolProps, labels: Record<string, string>, maxGpus: number): KubernetesObject {
    const arch = this.instanceTypes[0].architecture === CpuArchitecture.ARM64 ? 'arm64' : 'amd64';
    const budget = validatePattern(this, 'disruptionBudget', props.disruptionBudget ?? '10%', /^((100|[0-9]{1,2})%|[0-9]+)$/, 'be a node count or a percentage such as "10%"');
    const budgets: JsonObject[] = [{ nodes: budget }];
    if (props.disruptionFreeze) {
      validatePattern(this, 'disruptionFreeze.schedule', props.disruptionFreeze.schedule, CRON, 'be a cron expression such as "0 8 * * 1-5"');
      budgets.push({ nodes: '0', reasons: ['Drifted', 'Underutilized', 'Empty'], schedule: props.disruptionFreeze.schedule, duration: props.disruptionFreeze.duration.toGoDuration() });
    }
    const t0 = this.instanceTypes[0];
    const nodesMax = Math.ceil(maxGpus / this.gpusPerNode);
    return {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: this.poolName },
      spec: {
        template: {
          metadata: { labels },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: this.poolName },
            taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect }],
            requirements: [
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: this.capacityTypes() },
              { key: 'node.kubernetes.io/instance-type', operator: 'In', values: this.instanceTypes.map((t) => t.name) },
              { key: 'kubernetes.io/arch', operator: 'In', values: [arch] },
              { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            ],
            expireAfter: `${(props.expireAfter ?? Duration.days(30)).toSeconds() / 3600}h`,
          },
        },
        limits: {
          'nvidia.com/gpu': String(maxGpus),
          cpu: String(nodesMax * Math.max(...this.instanceTypes.map((t) => t.vcpu))),
          memory: `${nodesMax * Math.max(...this.instanceTypes.map((t) => t.memoryGiB))}Gi`,
        },
        disruption: {
          consolidationPolicy: props.consolidationPolicy ?? ConsolidationPolicy.WHEN_EMPTY,
          consolidateAfter: (props.consolidateAfter ?? Duration.minutes(10)).toGoDuration(),
          budgets,
        },
        weight: t0.gpuCount,
      },
    };
  }

  private createManagedGroups(props: GpuNodePoolProps, labels: Record<string, string>, maxGpus: number): LaunchTemplate {
    const c = props.cluster;
    if (!c.nodeRoleArn) throw new ValidationError(this, 'cluster.nodeRoleArn', c.nodeRoleArn, 'is required for managed node groups: give the node role in the ClusterReference');
    const memories = [...new Set(this.instanceTypes.map((t) => t.gpuMemoryGiB))];
    if (memories.length > 1) {
      throw new ValidationError(this, 'instanceTypes', props.instanceTypes, `must all have the same GPU memory in a managed node group (found ${this.instanceTypes.map((t) => `${t.name}: ${t.gpuMemoryGiB} GiB`).join(', ')}): cluster-autoscaler sizes a group from one type`);
    }
    const spot = this.capacity !== CapacityPreference.ON_DEMAND;
    if (spot && this.instanceTypes.length < MIN_MANAGED_SPOT_TYPES) {
      const msg = `must list at least ${MIN_MANAGED_SPOT_TYPES} instance types of the same GPU shape for a spot managed node group (diversification keeps spot capacity available)`;
      if (this.capacity === CapacityPreference.SPOT) throw new ValidationError(this, 'instanceTypes', props.instanceTypes, msg);
      Annotations.of(this).addWarning(`instanceTypes ${JSON.stringify(props.instanceTypes)} ${msg}; with fewer, the on-demand group carries the load most of the time`);
    }
    const minSize = validateInteger(this, 'minSize', props.minSize ?? 0, 0, 1000);
    const maxSize = validateInteger(this, 'maxSize', props.maxSize ?? Math.max(1, Math.floor(maxGpus / this.gpusPerNode)), 1, 1000);
    validateMinMax(this, 'minSize', minSize, 'maxSize', maxSize);
    const volume = validateInteger(this, 'volumeSize', Math.ceil((props.volumeSize ?? Size.gibibytes(200)).toGibibytes()), 50, 16384);
    const lt = new LaunchTemplate(this, 'launch-template', {
      namePrefix: `${truncateName(`${c.clusterName}-${this.poolName}`, 100)}-`,
      updateDefaultVersion: true,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: volume, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } }],
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: `${c.clusterName}-${this.poolName}`, [GPU_POOL_LABEL]: this.poolName } },
        { resourceType: 'volume', tags: { Name: `${c.clusterName}-${this.poolName}` } },
      ],
    });
    const amiType = this.instanceTypes[0].architecture === CpuArchitecture.ARM64 ? 'AL2023_ARM_64_NVIDIA' : 'AL2023_x86_64_NVIDIA';
    // Scale-from-zero hints (GPU-OPERATIONS 13): cluster-autoscaler reads the node group's labels
    // and taints through eks:DescribeNodegroup and these node-template tags for what the nodes offer.
    const templateTags: Record<string, string> = {
      'k8s.io/cluster-autoscaler/enabled': 'true',
      [`k8s.io/cluster-autoscaler/${c.clusterName}`]: 'owned',
      'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': String(this.gpusPerNode),
      [`k8s.io/cluster-autoscaler/node-template/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:${GPU_TAINT.effect}`,
      ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [`k8s.io/cluster-autoscaler/node-template/label/${k}`, v])),
    };
    const autoscaler = ClusterAutoscaler.forCluster(this, c);
    const groups: [string, string][] = this.capacity === CapacityPreference.ON_DEMAND ? [['on-demand', 'ON_DEMAND']] : this.capacity === CapacityPreference.SPOT ? [['spot', 'SPOT']] : [['spot', 'SPOT'], ['on-demand', 'ON_DEMAND']];
    for (const [suffix, capacityType] of groups) {
      const prefix = `${truncateName(`${this.poolName}-${suffix}`, 35)}-`;
      const ng = new EksNodeGroup(this, suffix, {
        clusterName: c.clusterName,
        nodeGroupNamePrefix: prefix,
        nodeRoleArn: c.nodeRoleArn,
        subnetIds: c.privateSubnetIds,
        capacityType,
        amiType,
        instanceTypes: this.instanceTypes.map((t) => t.name),
        scalingConfig: { minSize, maxSize, desiredSize: minSize },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: lt.id, version: lt.latestVersion.toString() },
        labels: { ...labels, 'ai-platform.cdktf.io/capacity-type': suffix },
        taint: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: 'NO_SCHEDULE' }],
        tags: { ...templateTags, [`k8s.io/cluster-autoscaler/node-template/label/ai-platform.cdktf.io/capacity-type`]: suffix },
        lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'], createBeforeDestroy: true },
      });
      this.nodeGroups.push(ng);
      // The priority expander prefers spot; on-demand takes over when spot cannot scale.
      autoscaler.addPriority(capacityType === 'SPOT' ? 50 : 10, [`.*${prefix}.*`]);
    }
    return lt;
  }
}
