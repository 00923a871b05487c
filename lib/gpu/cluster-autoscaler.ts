import { Construct, IConstruct } from 'constructs';
import { Annotations, TerraformStack } from 'cdktf';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { ICluster } from '../cluster/cluster-reference';
import { PolicyStatement, ServiceAccountRole } from '../cluster/iam';
import { ValidationError } from '../core/errors';
import { arnPartition } from '../core/regions';
import { validateInteger } from '../core/validate';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { JsonObject } from '../k8s/values';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { CLUSTER_AUTOSCALER_IMAGES } from './cluster-autoscaler-images';

/** Props of {@link ClusterAutoscaler}. */
export interface ClusterAutoscalerProps {
  /** The cluster. */
  readonly cluster: ICluster;
  /**
   * Chart version override.
   * @default - CHARTS.clusterAutoscaler.version
   */
  readonly chartVersion?: string;
  /**
   * Values merged over the library's (escape hatch). The image tag follows the cluster's Kubernetes
   * minor (cluster-autoscaler supports the minor it is released with); `image.tag` here overrides it.
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

/** Priority of a pool's spot group in the priority expander (higher wins). */
export const SPOT_GROUP_PRIORITY = 50;
/** Priority of a pool's on-demand fallback group. */
export const ON_DEMAND_GROUP_PRIORITY = 10;
/** Priority of every other node group (the `.*` entry the expander needs so no group is left out). */
export const DEFAULT_GROUP_PRIORITY = 1;

const instances = new WeakMap<TerraformStack, ClusterAutoscaler>();

/**
 * cluster-autoscaler for managed node group pools (GPU-OPERATIONS 13): auto-discovery of the node
 * groups tagged `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>` (EKS
 * tags managed node group ASGs with both), the priority expander with a priorities ConfigMap that
 * prefers each pool's spot group over its on-demand group, IRSA that may only scale and terminate
 * in the cluster's groups, `eks:DescribeNodegroup` (labels and taints of groups at zero), on the
 * on-demand system nodes with a restricted pod security context.
 * One per stack: managed-mode pools create it on first use ({@link ClusterAutoscaler.forCluster}).
 */
export class ClusterAutoscaler extends Construct {
  /** The cluster-autoscaler of a cluster in this stack, created on first use (or the one created explicitly). */
  public static forCluster(scope: IConstruct, cluster: ICluster): ClusterAutoscaler {
    const existing = instances.get(TerraformStack.of(scope));
    if (existing) {
      if (existing.cluster !== cluster) {
        throw new ValidationError(scope, 'cluster', cluster.node.path, `must be the cluster of the stack's cluster-autoscaler (${existing.cluster.node.path}); one cluster-autoscaler per stack`);
      }
      return existing;
    }
    return new ClusterAutoscaler(TerraformStack.of(scope), 'cluster-autoscaler', { cluster });
  }

  /** The cluster. */
  public readonly cluster: ICluster;
  /** The release. */
  public readonly chart: HelmChart;
  /** The IRSA role. */
  public readonly role: ServiceAccountRole;
  // Priority -> node group (ASG) name regexes.
  private readonly priorities = new Map<number, string[]>();

  /** Installs cluster-autoscaler. */
  public constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const stack = TerraformStack.of(this);
    const other = instances.get(stack);
    if (other) {
      throw new ValidationError(this, 'id', id, `is a second cluster-autoscaler in the stack (${other.node.path} exists): install it once per cluster and pass it to the pools (GpuNodePoolProps.clusterAutoscaler)`);
    }
    instances.set(stack, this);
    const c = props.cluster;
    this.cluster = c;
    const partition = arnPartition(this, c.region);
    this.role = c.addServiceAccountRole('kube-system', 'cluster-autoscaler', { statements: clusterAutoscalerStatements(partition, c.region, c.clusterName) });
    if (!c.systemNodeSelector) {
      Annotations.of(this).addWarning('the cluster has no systemNodeSelector: cluster-autoscaler may be scheduled on a node it scales down; give the cluster an on-demand node group label');
    }
    const imageTag = this.imageTagFor(c, props.extraValues);
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.clusterAutoscaler,
      chartVersion: props.chartVersion,
      releaseName: 'cluster-autoscaler',
      namespace: 'kube-system',
      values: {
        cloudProvider: 'aws',
        // GPU-OPERATIONS 29: the release of the cluster's minor, not the chart's newest.
        ...(imageTag ? { image: { tag: imageTag } } : {}),
        // Set explicitly: with IMDSv2 hop limit 1 the pod cannot ask the instance metadata for it.
        awsRegion: c.region,
        autoDiscovery: { clusterName: c.clusterName },
        rbac: { serviceAccount: { create: true, name: 'cluster-autoscaler', annotations: { 'eks.amazonaws.com/role-arn': this.role.roleArn } } },
        extraArgs: {
          expander: 'priority',
          'balance-similar-node-groups': true,
          'skip-nodes-with-system-pods': false,
          'scale-down-unneeded-time': '10m',
        },
        // The spot group first, then its on-demand fallback; the ConfigMap is rendered from the pools.
        expanderPriorities: { [String(DEFAULT_GROUP_PRIORITY)]: ['.*'] },
        nodeSelector: { ...(c.systemNodeSelector ?? {}) },
        securityContext: restrictedPodSecurityContext(),
        containerSecurityContext: restrictedContainerSecurityContext(),
        resources: { requests: { cpu: '100m', memory: '600Mi' }, limits: { memory: '600Mi' } },
      },
      extraValues: props.extraValues,
    });
  }

  // The release of the cluster's Kubernetes minor; undefined leaves the chart's default (with a
  // warning) when the version is unknown, or when extraValues pins image.tag itself.
  private imageTagFor(c: ICluster, extraValues: JsonObject | undefined): string | undefined {
    const image = extraValues?.image;
    const pinned = image !== null && typeof image === 'object' && !Array.isArray(image) && (image as JsonObject).tag !== undefined;
    if (pinned) return undefined;
    const version = c.kubernetesVersion;
    if (version === undefined) {
      Annotations.of(this).addWarning(`the cluster's Kubernetes version is unknown (ClusterReference.kubernetesVersion): cluster-autoscaler runs the chart's default image ${CHARTS.clusterAutoscaler.appVersion}, which supports Kubernetes ${CHARTS.clusterAutoscaler.appVersion.split('.').slice(0, 2).join('.')} only; give the version so it runs the matching release (docs/gpu-node-pools.md)`);
      return undefined;
    }
    const release = CLUSTER_AUTOSCALER_IMAGES[version];
    if (!release) {
      throw new ValidationError(this, 'cluster.kubernetesVersion', version, `has no cluster-autoscaler release pinned by the library (minors ${Object.keys(CLUSTER_AUTOSCALER_IMAGES).join(', ')}); set extraValues.image.tag to the cluster-autoscaler release of that minor (docs/gpu-node-pools.md)`);
    }
    return release.tag;
  }

  /**
   * Ranks node groups in the priority expander (higher is preferred) by regexes over their ASG
   * names. Lower-level than {@link ClusterAutoscaler.addNodeGroup}.
   */
  public addPriority(priority: number, patterns: string[]): void {
    validateInteger(this, 'priority', priority, 1, 1000);
    this.priorities.set(priority, [...new Set([...(this.priorities.get(priority) ?? []), ...patterns])]);
    // Helm values render lazily at synth: re-merging the whole map keeps the release current.
    this.chart.addValues({ expanderPriorities: this.renderPriorities() });
  }

  /**
   * Ranks an EKS managed node group by the exact name of its Auto Scaling group (what the AWS
   * provider of cluster-autoscaler calls a node group), resolved at apply time, so no other group
   * can match by a shared name prefix.
   */
  public addNodeGroup(nodeGroup: EksNodeGroup, priority: number): void {
    this.addPriority(priority, [`^${nodeGroup.resources.get(0).autoscalingGroups.get(0).name}$`]);
  }

  /** The expander priorities as the chart takes them (`{ "<priority>": [regex, ...] }`). */
  public renderPriorities(): JsonObject {
    const out: JsonObject = { [String(DEFAULT_GROUP_PRIORITY)]: ['.*'] };
    for (const [p, patterns] of [...this.priorities.entries()].sort((a, b) => a[0] - b[0])) out[String(p)] = [...patterns];
    return out;
  }
}

/**
 * cluster-autoscaler's permissions (its AWS provider's documented minimum): reads on `*` (they have
 * no resource-level permissions), scaling and termination only in Auto Scaling groups tagged
 * `k8s.io/cluster-autoscaler/<cluster>`, `eks:DescribeNodegroup` only on the cluster's node groups.
 */
export function clusterAutoscalerStatements(partition: string, region: string, clusterName: string): PolicyStatement[] {
  return [
    {
      sid: 'ReadOnly',
      actions: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations', 'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeTags', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements'],
      resources: ['*'],
    },
    {
      // Labels and taints of a managed node group at zero nodes (scale from zero).
      sid: 'DescribeClusterNodegroups',
      actions: ['eks:DescribeNodegroup'],
      resources: [`arn:${partition}:eks:${region}:*:nodegroup/${clusterName}/*/*`],
    },
    {
      sid: 'ScaleOwnGroups',
      actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      resources: ['*'],
      conditions: [{ test: 'StringEquals', variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`, values: ['owned'] }],
    },
  ];
}
