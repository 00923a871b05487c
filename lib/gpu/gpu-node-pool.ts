import { Construct } from 'constructs';
import { checkDisruptionFreeze } from './freeze-window';
import { Annotations, TerraformStack, Token } from 'cdktf';
import { AutoscalingGroupTagA as AutoscalingGroupTag } from '@cdktf/provider-aws/lib/autoscaling-group-tag';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { ICluster } from '../cluster/cluster-reference';
import { ValidationError } from '../core/errors';
import { isDns1123Subdomain, truncateName, validateDns1123Label } from '../core/names';
import { RESERVED_TAG_PREFIX, TagMap } from '../core/tags';
import { validateInteger, validateMinMax, validateOneOf, validatePattern, validateSize } from '../core/validate';
import { Duration, Size, formatGibibytes } from '../core/units';
import { ManifestChart } from '../k8s/manifest-chart';
import { GPU_TAINT, gpuToleration } from '../k8s/pod-security';
import { JsonObject, KubernetesObject } from '../k8s/values';
import { CpuArchitecture, GPU_INSTANCE_TYPES, GpuInstanceType, findGpuInstanceType, gpuFamilies, migProfilesOf } from './catalog';
import { refusalOf } from './refused-instance-types';
import { ClusterAutoscaler, ON_DEMAND_GROUP_PRIORITY, SPOT_GROUP_PRIORITY } from './cluster-autoscaler';
import { Karpenter } from './karpenter';
import { CapacityPreference, DEVICE_PLUGIN_CONFIG_LABEL, GPU_POOL_LABEL, GpuCapacityMode, GpuSharing, IGpuNodePool, MIG_CONFIG_LABEL, OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL, gpuSharingNodeLabels } from './types';
import { bottlerocketNvidiaSettings } from './bottlerocket';

/**
 * The EKS-optimized GPU AMI family of the pool's nodes. Both ship the NVIDIA driver and container
 * toolkit (so the GPU operator runs with driver and toolkit off, GPU-OPERATIONS 1). Karpenter picks
 * the NVIDIA variant of the alias for GPU instance types by itself; managed node groups get the
 * `*_NVIDIA` AMI type.
 */
export enum GpuAmiFamily {
  /** Amazon Linux 2023 NVIDIA (`al2023@…`; managed: `AL2023_x86_64_NVIDIA` / `AL2023_ARM_64_NVIDIA`). */
  AL2023 = 'al2023',
  /**
   * Bottlerocket NVIDIA (`bottlerocket@…`; managed: `BOTTLEROCKET_x86_64_NVIDIA` / `BOTTLEROCKET_ARM_64_NVIDIA`).
   * The image runs its own NVIDIA device plugin: the pool keeps the GPU operator's device plugin
   * off its nodes and configures time-slicing in Bottlerocket's settings; MIG is refused.
   */
  BOTTLEROCKET = 'bottlerocket',
}

/** When Karpenter may remove nodes of the pool to save money. */
export enum ConsolidationPolicy {
  /** Only empty nodes: never evicts a serving replica to repack (the default for serving). */
  WHEN_EMPTY = 'WhenEmpty',
  /** Also repacks underused nodes (batch pools; evicts running pods). */
  WHEN_EMPTY_OR_UNDERUTILIZED = 'WhenEmptyOrUnderutilized',
}

/** A reason for voluntary disruption that a Karpenter disruption budget can limit. */
export enum DisruptionReason {
  /** Consolidation of underused nodes (moves running pods). */
  UNDERUTILIZED = 'Underutilized',
  /** Replacement of nodes that drifted from the NodePool/EC2NodeClass (new AMI, changed labels). */
  DRIFTED = 'Drifted',
  /** Removal of empty nodes (no pod moves). */
  EMPTY = 'Empty',
}

/** A recurring window during which Karpenter must not voluntarily disrupt nodes (peak serving hours). */
export interface DisruptionFreeze {
  /** Start of the window, a 5-field cron expression in UTC (e.g. `0 8 * * 1-5`). */
  readonly schedule: string;
  /** Length of the window, whole minutes. */
  readonly duration: Duration;
  /**
   * Reasons frozen. Empty nodes may still go (nobody is served from them).
   * @default [DisruptionReason.UNDERUTILIZED, DisruptionReason.DRIFTED]
   */
  readonly reasons?: DisruptionReason[];
}

/** Options of a GPU pool, without the cluster (see {@link GpuNodePoolProps}). */
export interface GpuNodePoolOptions {
  /**
   * Pool name: a DNS-1123 label, unique in the stack. It names the NodePool and EC2NodeClass (or the
   * node groups) and is the value of the pool label `ai-platform.cdktf.io/gpu-pool` on the nodes.
   */
  readonly poolName: string;
  /**
   * GPU instance types from the catalog (`GPU_INSTANCE_TYPES`), all with the same GPU count and CPU
   * architecture; in managed mode also the same GPU memory. Spot pools want many types: Karpenter
   * at least 5 across 2+ families, managed spot groups at least 3 (see `selectGpuInstanceTypes`).
   */
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
   * GPU sharing (time-slicing or MIG), applied by the GPU operator through node labels. On
   * Bottlerocket pools time-slicing goes to Bottlerocket's own device plugin settings and MIG is
   * refused (docs/gpu-node-pools.md).
   * @default - whole GPUs
   */
  readonly sharing?: GpuSharing;
  /**
   * Extra node labels (not in the kubernetes.io, k8s.io, karpenter.sh or karpenter.k8s.aws domains,
   * which the kubelet or Karpenter reserve).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Extra tags of the instances and volumes (EC2NodeClass tags or launch template tags).
   * @default - none
   */
  readonly tags?: TagMap;
  /**
   * Most GPUs the pool may hold at once. Karpenter: the NodePool's `nvidia.com/gpu` limit (CPU and
   * memory limits follow). Managed node groups: the default `maxSize` of each group is
   * maxGpus ÷ GPUs per node.
   * @default 16
   */
  readonly maxGpus?: number;
  /**
   * Node volume (encrypted gp3) for images and model caches: vLLM images are ~10 GB and weights of
   * a 70B model ~140 GB. 50 GiB to 16 TiB.
   * @default Size.gibibytes(200)
   */
  readonly volumeSize?: Size;
  /**
   * AMI family (EKS-optimized, NVIDIA driver included).
   * @default GpuAmiFamily.AL2023
   */
  readonly amiFamily?: GpuAmiFamily;
  /**
   * Karpenter only: AMI release of the alias: `latest`, or a pinned release (AL2023 `v20251101`,
   * Bottlerocket `1.50.0`). `latest` replaces nodes (drift) whenever AWS publishes a new AMI.
   * @default 'latest'
   */
  readonly amiVersion?: string;
  /**
   * Karpenter only: consolidation policy.
   * @default ConsolidationPolicy.WHEN_EMPTY (serving: never evict a loaded replica to repack)
   */
  readonly consolidationPolicy?: ConsolidationPolicy;
  /**
   * Karpenter only: how long a node must be empty (or underused) before it is removed.
   * @default Duration.minutes(10)
   */
  readonly consolidateAfter?: Duration;
  /**
   * Karpenter only: nodes that may be voluntarily disrupted at once, a count or a percentage.
   * @default '10%'
   */
  readonly disruptionBudget?: string;
  /**
   * Karpenter only: a recurring window with no consolidation or drift replacement (business hours).
   * @default - none
   */
  readonly disruptionFreeze?: DisruptionFreeze;
  /**
   * Karpenter only: node lifetime. Expiry is forceful (budgets do not hold it back), so keep it long.
   * @default Duration.days(30) (Karpenter's default, 720h)
   */
  readonly expireAfter?: Duration;
  /**
   * Karpenter only: the longest a node being removed waits for its pods to leave, after which they
   * are deleted (bounds `karpenter.sh/do-not-disrupt` and blocking PDBs on expiry/interruption).
   * @default - no bound (pods are never forced off)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * Karpenter only: NodePool weight (1-100); a pending pod that fits several NodePools goes to the
   * highest weight.
   * @default - unset (Karpenter treats it as 0)
   */
  readonly weight?: number;
  /**
   * Karpenter only: the Karpenter installation to use.
   * @default - the stack's Karpenter, created on first use (Karpenter.forCluster)
   */
  readonly karpenter?: Karpenter;
  /**
   * Managed node groups only: minimum nodes per group. 0 scales from zero.
   * @default 0
   */
  readonly minSize?: number;
  /**
   * Managed node groups only: maximum nodes of each group (the spot group and the on-demand group).
   * @default maxGpus ÷ GPUs per node (at least 1)
   */
  readonly maxSize?: number;
  /**
   * Managed node groups only: the cluster-autoscaler that scales the groups.
   * @default - the stack's cluster-autoscaler, created on first use (ClusterAutoscaler.forCluster)
   */
  readonly clusterAutoscaler?: ClusterAutoscaler;
}

/** Props of {@link GpuNodePool}. */
export interface GpuNodePoolProps extends GpuNodePoolOptions {
  /** The cluster. */
  readonly cluster: ICluster;
}

/** Karpenter spot pools want at least this many instance types (GPU-OPERATIONS 7). */
export const RECOMMENDED_KARPENTER_SPOT_TYPES = 5;
/** ... across at least this many families (one family's spot pools dry up together). */
export const RECOMMENDED_KARPENTER_SPOT_FAMILIES = 2;
/** A spot-only pool and a managed spot group need at least this many instance types (SECURITY.md: bad input). */
export const MIN_SPOT_TYPES = 3;

/** Node label telling cluster-autoscaler a node has GPUs even before the device plugin reports them. */
export const CLUSTER_AUTOSCALER_GPU_LABEL = 'k8s.amazonaws.com/accelerator';
/** Node label of managed-mode nodes: `spot` or `on-demand` (the node group they belong to). */
export const CAPACITY_TYPE_LABEL = 'ai-platform.cdktf.io/capacity-type';
/** Prefix of the cluster-autoscaler node-template tags. */
export const NODE_TEMPLATE_TAG_PREFIX = 'k8s.io/cluster-autoscaler/node-template';

// Label domains the kubelet (NodeRestriction) or Karpenter reserve, and their allowed sub-domains.
const RESERVED_LABEL_DOMAINS = ['kubernetes.io', 'k8s.io', 'karpenter.sh', 'karpenter.k8s.aws'];
const ALLOWED_LABEL_DOMAINS = ['node.kubernetes.io', 'node-restriction.kubernetes.io', 'kops.k8s.io'];
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// Tags Karpenter sets itself and rejects in an EC2NodeClass.
const RESERVED_TAGS = [/^kubernetes\.io\/cluster\//, /^karpenter\.sh\/nodepool$/, /^karpenter\.sh\/nodeclaim$/, /^karpenter\.k8s\.aws\/ec2nodeclass$/, /^eks:eks-cluster-name$/];

const poolNames = new WeakMap<TerraformStack, Set<string>>();

/**
 * GPU capacity that prefers spot and falls back to on-demand, in one of two modes.
 *
 * Karpenter: a NodePool whose `karpenter.sh/capacity-type` requirement lists spot and on-demand
 * (Karpenter launches spot while any listed type has spot capacity, on-demand otherwise), the GPU
 * taint, the pool and sharing labels, GPU/CPU/memory limits, WhenEmpty consolidation and disruption
 * budgets that protect serving; an EC2NodeClass with the EKS GPU AMI alias, IMDSv2 with hop limit 1,
 * an encrypted gp3 volume sized for models and subnet/security group discovery by
 * `karpenter.sh/discovery`. Both are applied through a local Helm chart after the Karpenter CRDs and
 * controller.
 *
 * Managed node groups: a spot group with the diversified types and an on-demand fallback group,
 * both from zero, with an IMDSv2 launch template, the `*_NVIDIA` AMI type, labels, taint and the
 * cluster-autoscaler node-template tags on the groups and their Auto Scaling groups; the stack's
 * cluster-autoscaler prefers the spot group through its priority expander.
 */
export class GpuNodePool extends Construct implements IGpuNodePool {
  /** @inheritdoc */
  public readonly poolName: string;
  /** @inheritdoc */
  public readonly maxGpus: number;
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
  /** @inheritdoc */
  public readonly nodeDevicePlugin: boolean;
  /** GPUs per node (the same for every instance type of the pool). */
  public readonly gpusPerNode: number;
  /** Labels every node of the pool carries (pool, sharing and extra labels). */
  public readonly nodeLabels: Record<string, string>;
  /** AMI family of the nodes. */
  public readonly amiFamily: GpuAmiFamily;
  /** Karpenter mode: the release applying the NodePool and EC2NodeClass. */
  public readonly manifests?: ManifestChart;
  /** Karpenter mode: the NodePool as applied. */
  public readonly nodePool?: KubernetesObject;
  /** Karpenter mode: the EC2NodeClass as applied. */
  public readonly nodeClass?: KubernetesObject;
  /** Karpenter mode: the Karpenter installation. */
  public readonly karpenter?: Karpenter;
  /** Managed mode: the node groups, spot first. */
  public readonly nodeGroups: EksNodeGroup[] = [];
  /** Managed mode: the launch template of the groups. */
  public readonly launchTemplate?: LaunchTemplate;
  /** Managed mode: the cluster-autoscaler that scales the groups. */
  public readonly clusterAutoscaler?: ClusterAutoscaler;

  /** Creates the pool. */
  public constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    this.poolName = validateDns1123Label(this, 'poolName', props.poolName);
    this.mode = validateOneOf(this, 'mode', props.mode ?? GpuCapacityMode.KARPENTER, Object.values(GpuCapacityMode));
    this.capacity = validateOneOf(this, 'capacity', props.capacity ?? CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK, Object.values(CapacityPreference));
    this.amiFamily = validateOneOf(this, 'amiFamily', props.amiFamily ?? GpuAmiFamily.AL2023, Object.values(GpuAmiFamily));
    // GPU-OPERATIONS 28: Bottlerocket NVIDIA ships and starts the NVIDIA device plugin itself.
    this.nodeDevicePlugin = this.amiFamily === GpuAmiFamily.BOTTLEROCKET;
    this.instanceTypes = this.validateInstanceTypes(props.instanceTypes);
    this.gpusPerNode = this.instanceTypes[0].gpuCount;
    this.sharing = this.validateSharing(props.sharing);
    const labels = this.validateLabels(props.labels ?? {});
    const tags = this.validateTags(props.tags ?? {});
    const maxGpus = validateInteger(this, 'maxGpus', props.maxGpus ?? 16, this.gpusPerNode, 100000);
    this.maxGpus = maxGpus;
    const volumeGiB = Math.ceil(validateSize(this, 'volumeSize', props.volumeSize ?? Size.gibibytes(200), Size.gibibytes(50), Size.tebibytes(16)).toGibibytes());
    this.checkModeProps(props);

    const names = poolNames.get(TerraformStack.of(this)) ?? new Set<string>();
    if (names.has(this.poolName)) throw new ValidationError(this, 'poolName', this.poolName, 'must be unique in the stack: it names the NodePool/EC2NodeClass or node groups and the pool label');
    names.add(this.poolName);
    poolNames.set(TerraformStack.of(this), names);

    // One device plugin per node: on Bottlerocket the image's, with the operator's kept off by the
    // label the operator honours; elsewhere the operator's, picking the pool's sharing config.
    const pluginLabels = this.nodeDevicePlugin ? { [OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL]: 'false' } : gpuSharingNodeLabels(this.poolName, this.sharing);
    this.nodeLabels = { ...labels, ...pluginLabels, [GPU_POOL_LABEL]: this.poolName };
    this.nodeSelector = { [GPU_POOL_LABEL]: this.poolName };
    this.tolerations = [gpuToleration()];

    const noList = this.instanceTypes.filter((t) => !t.listedOnDemand);
    if (noList.length > 0) {
      Annotations.of(this).addWarning(`instanceTypes: ${noList.map((t) => t.name).join(', ')} ${noList.length > 1 ? 'have' : 'has'} no public on-demand price (sold through EC2 Capacity Blocks for ML): check that your region offers ${noList.length > 1 ? 'them' : 'it'} as spot/on-demand, or the pool cannot launch ${noList.length > 1 ? 'them' : 'it'}`);
    }

    if (this.mode === GpuCapacityMode.KARPENTER) {
      this.checkSpotDiversity(RECOMMENDED_KARPENTER_SPOT_TYPES, 'Karpenter');
      const karpenter = props.karpenter ?? Karpenter.forCluster(this, props.cluster);
      if (karpenter.cluster !== props.cluster) {
        throw new ValidationError(this, 'karpenter', karpenter.node.path, `must be installed for this pool's cluster (${props.cluster.node.path})`);
      }
      this.karpenter = karpenter;
      this.nodeClass = this.renderNodeClass(props, karpenter.nodeRoleName, volumeGiB, tags);
      this.nodePool = this.renderNodePool(props, maxGpus);
      // GPU-OPERATIONS 12/25/26: a Helm release of a local chart (no CRD needed at plan time) after
      // the CRD release and the ready controller whose webhooks validate the objects.
      this.manifests = new ManifestChart(this, 'manifests', { releaseName: truncateName(`gpu-pool-${this.poolName}`, 53), namespace: karpenter.namespace, dependsOn: karpenter.dependables });
      this.manifests.addManifest(this.nodeClass);
      this.manifests.addManifest(this.nodePool);
    } else {
      const minSize = validateInteger(this, 'minSize', props.minSize ?? 0, 0, 1000);
      const maxSize = validateInteger(this, 'maxSize', props.maxSize ?? Math.max(1, Math.floor(maxGpus / this.gpusPerNode)), 1, 1000);
      validateMinMax(this, 'minSize', minSize, 'maxSize', maxSize);
      if (props.maxSize !== undefined && props.maxGpus !== undefined && maxSize * this.gpusPerNode > maxGpus) {
        throw new ValidationError(this, 'maxSize', maxSize, `must be at most ${Math.floor(maxGpus / this.gpusPerNode)}: maxSize × ${this.gpusPerNode} GPUs per node exceeds maxGpus (${maxGpus}); set only one of the two`);
      }
      this.checkManagedTypes(props.instanceTypes);
      this.checkSpotDiversity(MIN_SPOT_TYPES, 'managed node group');
      if (!props.cluster.nodeRoleArn) {
        throw new ValidationError(this, 'cluster.nodeRoleArn', props.cluster.nodeRoleArn, 'is required for managed node groups: give the node role of the cluster (ClusterReference.nodeRoleArn)');
      }
      const autoscaler = props.clusterAutoscaler ?? ClusterAutoscaler.forCluster(this, props.cluster);
      if (autoscaler.cluster !== props.cluster) {
        throw new ValidationError(this, 'clusterAutoscaler', autoscaler.node.path, `must be installed for this pool's cluster (${props.cluster.node.path})`);
      }
      this.clusterAutoscaler = autoscaler;
      this.launchTemplate = this.createManagedGroups(props.cluster, autoscaler, minSize, maxSize, volumeGiB, tags);
    }
  }

  private validateInstanceTypes(names: string[] | undefined): GpuInstanceType[] {
    if (!Array.isArray(names) || names.length === 0) {
      throw new ValidationError(this, 'instanceTypes', names, 'must list at least one GPU instance type of the catalog, e.g. ["g6e.xlarge", "g6e.2xlarge", "g6.2xlarge", "g6.4xlarge", "g5.2xlarge"]');
    }
    if (new Set(names).size !== names.length) throw new ValidationError(this, 'instanceTypes', names, 'must not repeat an instance type');
    const types = names.map((name, i) => {
      const t = findGpuInstanceType(name);
      const refused = t ? undefined : refusalOf(name);
      if (refused) throw new ValidationError(this, `instanceTypes[${i}]`, name, refused);
      if (!t) {
        const what = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(name) ? 'is not a GPU instance type of the catalog' : 'is not an EC2 instance type name';
        throw new ValidationError(this, `instanceTypes[${i}]`, name, `${what}; GPU families: ${gpuFamilies().join(', ')} (see GPU_INSTANCE_TYPES)`);
      }
      return t;
    });
    if (new Set(types.map((t) => t.gpuCount)).size > 1) {
      throw new ValidationError(this, 'instanceTypes', names, `must all have the same number of GPUs per node (found ${types.map((t) => `${t.name}: ${t.gpuCount}`).join(', ')}): pods sized for one would not fit the others; use one pool per GPU count`);
    }
    if (new Set(types.map((t) => t.architecture)).size > 1) {
      throw new ValidationError(this, 'instanceTypes', names, `must all have the same CPU architecture (found ${types.map((t) => `${t.name}: ${t.architecture}`).join(', ')}): images and the AMI are per architecture`);
    }
    return types;
  }

  private validateSharing(sharing: GpuSharing | undefined): GpuSharing | undefined {
    if (!sharing) return undefined;
    if (sharing.timeSlicingReplicas !== undefined && sharing.migProfile !== undefined) {
      throw new ValidationError(this, 'sharing', sharing, 'must set timeSlicingReplicas or migProfile, not both');
    }
    if (sharing.migProfile !== undefined && this.nodeDevicePlugin) {
      throw new ValidationError(this, 'sharing.migProfile', sharing.migProfile, 'is not supported on Bottlerocket pools: Bottlerocket partitions GPUs itself, at boot, from its own settings (settings.kubelet-device-plugins.nvidia.mig.profile) for its own device plugin, so the GPU operator\'s MIG manager, which the library drives through the nvidia.com/mig.config label, does not govern those nodes; use amiFamily: GpuAmiFamily.AL2023 for MIG pools (docs/gpu-node-pools.md)');
    }
    if (sharing.timeSlicingReplicas !== undefined) {
      validateInteger(this, 'sharing.timeSlicingReplicas', sharing.timeSlicingReplicas, 2, 48);
      Annotations.of(this).addWarning(`sharing.timeSlicingReplicas=${sharing.timeSlicingReplicas}: pods sharing a GPU by time-slicing have no memory or fault isolation; one pod can exhaust the GPU memory of the others or crash them (docs/gpu-node-pools.md, "GPU sharing"). Use MIG where isolation matters.`);
    }
    if (sharing.migProfile !== undefined) {
      const notMig = this.instanceTypes.filter((t) => !t.migCapable);
      if (notMig.length > 0) {
        const capable = Object.values(GPU_INSTANCE_TYPES).filter((t) => t.migCapable);
        const models = [...new Set(capable.map((t) => t.gpuModel))].join(', ');
        const families = [...new Set(capable.map((t) => t.family))].join(', ');
        throw new ValidationError(this, 'sharing.migProfile', sharing.migProfile, `needs MIG-capable GPUs (${models}: ${families}); ${notMig.map((t) => `${t.name} (${t.gpuModel})`).join(', ')} cannot be partitioned`);
      }
      for (const t of this.instanceTypes) {
        const allowed = migProfilesOf(t).map((p) => `all-${p}`);
        if (!allowed.includes(sharing.migProfile)) {
          throw new ValidationError(this, 'sharing.migProfile', sharing.migProfile, `must be one of the MIG configs of ${t.gpuModel} ${formatGibibytes(t.gpuMemoryGiB)} (${t.name}): ${allowed.join(', ')}`);
        }
      }
    }
    return sharing;
  }

  private validateLabels(labels: Record<string, string>): Record<string, string> {
    const own = [GPU_POOL_LABEL, DEVICE_PLUGIN_CONFIG_LABEL, MIG_CONFIG_LABEL, OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL, CAPACITY_TYPE_LABEL, CLUSTER_AUTOSCALER_GPU_LABEL];
    for (const [key, value] of Object.entries(labels)) {
      const prop = `labels[${JSON.stringify(key)}]`;
      const slash = key.lastIndexOf('/');
      const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
      const name = slash >= 0 ? key.slice(slash + 1) : key;
      if (!LABEL_NAME.test(name) || name.length > 63 || (prefix !== undefined && !isDns1123Subdomain(prefix))) {
        throw new ValidationError(this, prop, key, 'must be a Kubernetes label key: an optional DNS subdomain prefix and "/", then 1-63 letters, digits, "-", "_" or "." starting and ending with a letter or digit');
      }
      if (own.includes(key)) throw new ValidationError(this, prop, key, 'is set by the pool itself (pool, sharing and capacity labels)');
      const reserved = prefix !== undefined && RESERVED_LABEL_DOMAINS.some((d) => prefix === d || prefix.endsWith(`.${d}`)) && !ALLOWED_LABEL_DOMAINS.some((d) => prefix === d || prefix.endsWith(`.${d}`));
      if (reserved) {
        throw new ValidationError(this, prop, key, `must not use a domain the kubelet or Karpenter reserve (${RESERVED_LABEL_DOMAINS.join(', ')}; allowed: ${ALLOWED_LABEL_DOMAINS.join(', ')})`);
      }
      if (!Token.isUnresolved(value) && (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value)))) {
        throw new ValidationError(this, `${prop}.value`, value, 'must be a Kubernetes label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
      }
    }
    return labels;
  }

  private validateTags(tags: TagMap): TagMap {
    for (const key of Object.keys(tags)) {
      if (key.length === 0 || key.length > 128 || key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
        throw new ValidationError(this, 'tags', key, `must be 1-128 characters and not start with "${RESERVED_TAG_PREFIX}"`);
      }
      if (RESERVED_TAGS.some((r) => r.test(key))) throw new ValidationError(this, 'tags', key, 'is a tag Karpenter sets on the instances it launches (kubernetes.io/cluster/*, karpenter.sh/nodepool, karpenter.sh/nodeclaim, karpenter.k8s.aws/ec2nodeclass, eks:eks-cluster-name)');
    }
    return tags;
  }

  // Props of the other mode would be silently ignored: a user who sets them expects an effect.
  private checkModeProps(props: GpuNodePoolProps): void {
    const karpenterOnly: (keyof GpuNodePoolOptions)[] = ['amiVersion', 'consolidationPolicy', 'consolidateAfter', 'disruptionBudget', 'disruptionFreeze', 'expireAfter', 'terminationGracePeriod', 'weight', 'karpenter'];
    const managedOnly: (keyof GpuNodePoolOptions)[] = ['minSize', 'maxSize', 'clusterAutoscaler'];
    const [wrong, other] = this.mode === GpuCapacityMode.KARPENTER ? [managedOnly, GpuCapacityMode.MANAGED_NODE_GROUPS] : [karpenterOnly, GpuCapacityMode.KARPENTER];
    for (const key of wrong) {
      const value = props[key];
      if (value !== undefined) {
        throw new ValidationError(this, key, value instanceof Construct ? value.node.path : value, `only applies with mode ${other}; this pool uses ${this.mode}`);
      }
    }
  }

  // SECURITY.md: a spot-only pool with fewer than 3 types is an error; below the recommendation, a warning.
  private checkSpotDiversity(recommended: number, what: string): void {
    if (this.capacity === CapacityPreference.ON_DEMAND) return;
    const types = this.instanceTypes.map((t) => t.name);
    const families = new Set(this.instanceTypes.map((t) => t.family));
    if (this.capacity === CapacityPreference.SPOT && types.length < MIN_SPOT_TYPES) {
      throw new ValidationError(this, 'instanceTypes', types, `must list at least ${MIN_SPOT_TYPES} instance types for a spot-only pool: with fewer, a spot capacity shortage of one type leaves the pool without nodes (add types, or use SPOT_WITH_ON_DEMAND_FALLBACK)`);
    }
    const fewFamilies = this.mode === GpuCapacityMode.KARPENTER && families.size < RECOMMENDED_KARPENTER_SPOT_FAMILIES;
    if (types.length < recommended || fewFamilies) {
      const fallback = this.capacity === CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK ? 'the pool falls back to on-demand (at on-demand prices) more often' : 'spot shortages leave pods pending';
      const need = this.mode === GpuCapacityMode.KARPENTER ? `${recommended} types across ${RECOMMENDED_KARPENTER_SPOT_FAMILIES}+ families` : `${recommended} types`;
      Annotations.of(this).addWarning(`instanceTypes lists ${types.length} type(s) in ${families.size} famil${families.size === 1 ? 'y' : 'ies'} for a spot ${what} pool: give at least ${need} so spot capacity is found and interruptions are rare; with fewer, ${fallback} (docs/gpu-node-pools.md, "Spot behaviour")`);
    }
  }

  // cluster-autoscaler builds a group's template node from its first instance type.
  private checkManagedTypes(names: string[]): void {
    const memories = new Set(this.instanceTypes.map((t) => t.gpuMemoryGiB));
    if (memories.size > 1) {
      throw new ValidationError(this, 'instanceTypes', names, `must all have the same GPU memory in managed node group mode (found ${this.instanceTypes.map((t) => `${t.name}: ${formatGibibytes(t.gpuMemoryGiB)}`).join(', ')}): a node group is one scaling unit and cluster-autoscaler sizes it from one type`);
    }
    const first = managedOrder(this.instanceTypes)[0];
    if (this.instanceTypes.some((t) => t.vcpu !== first.vcpu || t.memoryGiB !== first.memoryGiB)) {
      Annotations.of(this).addWarning(`instanceTypes mix CPU/memory shapes: cluster-autoscaler plans every scale-up of a group with its first type, here the smallest (${first.name}: ${first.vcpu} vCPU, ${formatGibibytes(first.memoryGiB)}); pods requesting more than that never trigger a scale-up, even though larger types of the group would fit them`);
    }
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

  private renderNodeClass(props: GpuNodePoolProps, role: string, volumeGiB: number, tags: TagMap): KubernetesObject {
    const version = props.amiVersion ?? 'latest';
    if (this.amiFamily === GpuAmiFamily.AL2023) {
      validatePattern(this, 'amiVersion', version, /^(latest|v\d{8})$/, 'be "latest" or an AL2023 EKS AMI release such as "v20251101"');
    } else {
      validatePattern(this, 'amiVersion', version, /^(latest|v?\d+\.\d+\.\d+)$/, 'be "latest" or a Bottlerocket release such as "1.50.0"');
    }
    const discovery = [{ tags: { 'karpenter.sh/discovery': props.cluster.clusterName } }];
    const ebs = { volumeSize: `${volumeGiB}Gi`, volumeType: 'gp3', encrypted: true, deleteOnTermination: true };
    // Bottlerocket boots from a small OS volume; images and model caches go to the data volume,
    // which is the one Karpenter counts as ephemeral storage (rootVolume).
    const blockDeviceMappings: JsonObject[] = this.amiFamily === GpuAmiFamily.BOTTLEROCKET
      ? [{ deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }, { deviceName: '/dev/xvdb', rootVolume: true, ebs }]
      : [{ deviceName: '/dev/xvda', rootVolume: true, ebs }];
    return {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: this.poolName },
      spec: {
        // Karpenter resolves the NVIDIA variant of the alias for GPU instance types.
        amiSelectorTerms: [{ alias: `${this.amiFamily}@${version}` }],
        role,
        subnetSelectorTerms: discovery,
        securityGroupSelectorTerms: discovery,
        // IMDSv2 only, hop limit 1: pods cannot reach the node's credentials (CKV_AWS_79/341).
        metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
        blockDeviceMappings,
        // Bottlerocket settings TOML: Karpenter merges it with its own and keeps settings outside
        // settings.kubernetes (pkg/providers/amifamily/bootstrap/bottlerocketsettings.go).
        ...(this.bottlerocketUserData() !== undefined ? { userData: this.bottlerocketUserData() } : {}),
        tags: { ...tags, [GPU_POOL_LABEL]: this.poolName },
      },
    };
  }

  /** Bottlerocket's own device plugin settings for the pool's sharing (undefined when there is none). */
  private bottlerocketUserData(): string | undefined {
    return this.nodeDevicePlugin ? bottlerocketNvidiaSettings(this.sharing) : undefined;
  }

  private renderNodePool(props: GpuNodePoolProps, maxGpus: number): KubernetesObject {
    const arch = this.instanceTypes[0].architecture === CpuArchitecture.ARM64 ? 'arm64' : 'amd64';
    const budget = validatePattern(this, 'disruptionBudget', props.disruptionBudget ?? '10%', /^((100|[0-9]{1,2})%|[0-9]+)$/, 'be a node count or a percentage such as "10%"');
    const budgets: JsonObject[] = [{ nodes: budget }];
    const freeze = props.disruptionFreeze;
    if (freeze) {
      const secs = freeze.duration.toSeconds();
      if (secs < 60 || secs % 60 !== 0) throw new ValidationError(this, 'disruptionFreeze.duration', freeze.duration, 'must be a whole number of minutes, at least one (Karpenter takes hours and minutes)');
      const schedule = checkDisruptionFreeze(this, 'disruptionFreeze', freeze.schedule, freeze.duration);
      const reasons = freeze.reasons ?? [DisruptionReason.UNDERUTILIZED, DisruptionReason.DRIFTED];
      if (reasons.length === 0) throw new ValidationError(this, 'disruptionFreeze.reasons', reasons, 'must list at least one reason (omit it for Underutilized and Drifted)');
      reasons.forEach((r, i) => validateOneOf(this, `disruptionFreeze.reasons[${i}]`, r, Object.values(DisruptionReason)));
      budgets.push({ nodes: '0', reasons: [...new Set(reasons)], schedule, duration: goDurationMinutes(secs) });
    }
    const consolidateAfter = (props.consolidateAfter ?? Duration.minutes(10)).toGoDuration();
    const policy = validateOneOf(this, 'consolidationPolicy', props.consolidationPolicy ?? ConsolidationPolicy.WHEN_EMPTY, Object.values(ConsolidationPolicy));
    const expireAfter = props.expireAfter ?? Duration.days(30);
    if (expireAfter.toSeconds() < 3600) throw new ValidationError(this, 'expireAfter', expireAfter, `must be at least ${Duration.hours(1)}: GPU nodes take minutes to boot and models minutes to load`);
    const weight = props.weight === undefined ? undefined : validateInteger(this, 'weight', props.weight, 1, 100);
    const nodesMax = Math.ceil(maxGpus / this.gpusPerNode);
    const templateSpec: JsonObject = {
      nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: this.poolName },
      taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect }],
      requirements: [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: this.capacityTypes() },
        { key: 'node.kubernetes.io/instance-type', operator: 'In', values: this.instanceTypes.map((t) => t.name) },
        { key: 'kubernetes.io/arch', operator: 'In', values: [arch] },
        { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      ],
      expireAfter: expireAfter.toGoDuration(),
    };
    if (props.terminationGracePeriod) {
      const tgp = props.terminationGracePeriod.toSeconds();
      if (tgp < 1) throw new ValidationError(this, 'terminationGracePeriod', props.terminationGracePeriod, `must be at least ${Duration.seconds(1)}`);
      templateSpec.terminationGracePeriod = props.terminationGracePeriod.toGoDuration();
    }
    return {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: this.poolName },
      spec: {
        template: { metadata: { labels: { ...this.nodeLabels } }, spec: templateSpec },
        // Karpenter may overshoot a limit by the node it is launching when the limit is checked.
        limits: {
          'nvidia.com/gpu': String(maxGpus),
          cpu: String(nodesMax * Math.max(...this.instanceTypes.map((t) => t.vcpu))),
          memory: `${nodesMax * Math.max(...this.instanceTypes.map((t) => t.memoryGiB))}Gi`,
        },
        disruption: { consolidationPolicy: policy, consolidateAfter, budgets },
        ...(weight !== undefined ? { weight } : {}),
      },
    };
  }

  private createManagedGroups(c: ICluster, autoscaler: ClusterAutoscaler, minSize: number, maxSize: number, volumeGiB: number, tags: TagMap): LaunchTemplate {
    const bottlerocket = this.amiFamily === GpuAmiFamily.BOTTLEROCKET;
    const ebs = { volumeSize: volumeGiB, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' };
    const name = `${c.clusterName}-${this.poolName}`;
    // IMDSv2 only, hop limit 1, no key pair (no SSH), encrypted gp3 sized for images and model caches.
    const lt = new LaunchTemplate(this, 'launch-template', {
      namePrefix: `${truncateName(name, 100)}-`,
      description: `GPU pool ${this.poolName} of ${c.clusterName}`,
      updateDefaultVersion: true,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      // Bottlerocket keeps images on its data volume (/dev/xvdb); AL2023 on the root volume.
      blockDeviceMappings: [{ deviceName: bottlerocket ? '/dev/xvdb' : '/dev/xvda', ebs }],
      // Bottlerocket settings TOML, merged by EKS with the settings that join the node to the cluster.
      userData: this.bottlerocketUserData() !== undefined ? Buffer.from(this.bottlerocketUserData()!, 'utf8').toString('base64') : undefined,
      tagSpecifications: [
        { resourceType: 'instance', tags: { ...tags, Name: name, [GPU_POOL_LABEL]: this.poolName } },
        { resourceType: 'volume', tags: { ...tags, Name: name, [GPU_POOL_LABEL]: this.poolName } },
      ],
    });
    const arm = this.instanceTypes[0].architecture === CpuArchitecture.ARM64;
    const amiType = `${bottlerocket ? 'BOTTLEROCKET' : 'AL2023'}_${arm ? 'ARM_64' : 'x86_64'}_NVIDIA`;
    // cluster-autoscaler builds a group's template node from its first type, and on-demand groups
    // launch their types in list order (prioritized): smallest and cheapest first.
    const ordered = managedOrder(this.instanceTypes).map((t) => t.name);
    // A label value: lower case, no spaces ("RTX PRO 6000" → "rtx-pro-6000").
    const models = [...new Set(this.instanceTypes.map((t) => t.gpuModel.toLowerCase().replace(/[^a-z0-9]+/g, '-')))];
    const groups: [string, string, number][] = [];
    if (this.capacity !== CapacityPreference.ON_DEMAND) groups.push(['spot', 'SPOT', SPOT_GROUP_PRIORITY]);
    if (this.capacity !== CapacityPreference.SPOT) groups.push(['on-demand', 'ON_DEMAND', ON_DEMAND_GROUP_PRIORITY]);
    for (const [suffix, capacityType, priority] of groups) {
      const labels: Record<string, string> = {
        ...this.nodeLabels,
        [CAPACITY_TYPE_LABEL]: suffix,
        // Tells cluster-autoscaler the node has GPUs while the device plugin is still starting, so
        // it does not scale up again for the same pods.
        [CLUSTER_AUTOSCALER_GPU_LABEL]: models.length === 1 ? `nvidia-${models[0]}` : 'nvidia',
      };
      // GPU-OPERATIONS 13: auto-discovery and scale-from-zero hints. cluster-autoscaler reads them
      // from the Auto Scaling group; EKS copies node group tags to the node group only, so they are
      // also set on the group's ASG below. (At zero nodes, cluster-autoscaler ≥ 1.27 also reads the
      // group's labels and taints with eks:DescribeNodegroup, but only until the group first scales.)
      const templateTags: Record<string, string> = {
        'k8s.io/cluster-autoscaler/enabled': 'true',
        [`k8s.io/cluster-autoscaler/${c.clusterName}`]: 'owned',
        [`${NODE_TEMPLATE_TAG_PREFIX}/resources/nvidia.com/gpu`]: String(this.gpusPerNode),
        // Conservative: the volume less the OS, images and the kubelet's eviction reserve.
        [`${NODE_TEMPLATE_TAG_PREFIX}/resources/ephemeral-storage`]: `${Math.floor(volumeGiB * 0.8)}Gi`,
        [`${NODE_TEMPLATE_TAG_PREFIX}/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:${GPU_TAINT.effect}`,
        ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${NODE_TEMPLATE_TAG_PREFIX}/label/${k}`, v])),
      };
      for (const [key, value] of Object.entries(labels)) {
        // The EKS API takes node group label keys and values of 1-63 characters.
        if (key.length > 63 || value.length === 0) throw new ValidationError(this, `labels[${JSON.stringify(key)}]`, value, 'must have a key of at most 63 characters and a non-empty value in managed node group mode (EKS node group labels)');
      }
      for (const key of Object.keys(templateTags)) {
        if (key.length > 128) throw new ValidationError(this, 'labels', key, 'gives a cluster-autoscaler node-template tag longer than the 128 characters AWS allows; use a shorter label key');
      }
      const ng = new EksNodeGroup(this, suffix, {
        clusterName: c.clusterName,
        nodeGroupNamePrefix: `${truncateName(`${this.poolName}-${suffix}`, 35)}-`,
        nodeRoleArn: c.nodeRoleArn!,
        subnetIds: c.privateSubnetIds,
        // SPOT: EKS uses price-capacity-optimized allocation and turns on Capacity Rebalancing,
        // draining a node when EC2 signals an elevated interruption risk (GPU-OPERATIONS 8).
        capacityType,
        amiType,
        instanceTypes: ordered,
        scalingConfig: { minSize, maxSize, desiredSize: minSize },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: lt.id, version: lt.latestVersion.toString() },
        labels,
        taint: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: 'NO_SCHEDULE' }],
        tags: templateTags,
        lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'], createBeforeDestroy: true },
      });
      const asgName = ng.resources.get(0).autoscalingGroups.get(0).name;
      for (const [key, value] of Object.entries(templateTags)) {
        new AutoscalingGroupTag(this, `${suffix}-asg-tag-${key.replace(/[^A-Za-z0-9]+/g, '-')}`, { autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false } });
      }
      this.nodeGroups.push(ng);
      // The priority expander prefers the spot group; the on-demand group takes over when the spot
      // group cannot grow (capacity errors back it off).
      autoscaler.addNodeGroup(ng, priority);
    }
    return lt;
  }
}

/** Instance types of a managed node group: smallest (vCPU, memory) first, then cheapest. */
function managedOrder(types: GpuInstanceType[]): GpuInstanceType[] {
  return [...types].sort((a, b) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB || a.onDemandHourlyUsd - b.onDemandHourlyUsd);
}

/** A whole number of minutes as Karpenter's budget durations take them (`10h`, `90m`, `1h30m`). */
function goDurationMinutes(seconds: number): string {
  const minutes = seconds / 60;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 || h === 0 ? `${m}m` : ''}`;
}
