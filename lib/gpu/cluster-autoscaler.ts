import { Construct, IConstruct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { ICluster } from '../cluster/cluster-reference';
import { ServiceAccountRole } from '../cluster/iam';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { JsonObject } from '../k8s/values';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';

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
   * Values merged over the library's (escape hatch).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

const instances = new WeakMap<TerraformStack, ClusterAutoscaler>();

/**
 * cluster-autoscaler for managed node group pools (GPU-OPERATIONS 13): auto-discovery by the
 * `k8s.io/cluster-autoscaler/<cluster>` tags, the priority expander with a priorities ConfigMap that
 * prefers each pool's spot group over its on-demand group, IRSA scoped to the cluster's groups, on
 * the on-demand system nodes.
 */
export class ClusterAutoscaler extends Construct {
  /** The cluster-autoscaler of a cluster in this stack, created on first use. */
  public static forCluster(scope: IConstruct, cluster: ICluster): ClusterAutoscaler {
    const stack = TerraformStack.of(scope);
    let ca = instances.get(stack);
    if (!ca) {
      ca = new ClusterAutoscaler(stack, 'cluster-autoscaler', { cluster });
      instances.set(stack, ca);
    }
    return ca;
  }

  /** The release. */
  public readonly chart: HelmChart;
  /** The IRSA role. */
  public readonly role: ServiceAccountRole;
  // Priority -> node group name patterns (higher wins).
  private readonly priorities = new Map<number, string[]>();

  /** Installs cluster-autoscaler. */
  public constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const c = props.cluster;
    this.role = c.addServiceAccountRole('kube-system', 'cluster-autoscaler', {
      statements: [
        {
          sid: 'ReadOnly',
          actions: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations', 'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeTags', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements', 'eks:DescribeNodegroup'],
          resources: ['*'],
        },
        {
          sid: 'ScaleOwnGroups',
          actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
          resources: ['*'],
          conditions: [{ test: 'StringEquals', variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${c.clusterName}`, values: ['owned'] }],
        },
      ],
    });
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.clusterAutoscaler,
      version: props.chartVersion,
      releaseName: 'cluster-autoscaler',
      namespace: 'kube-system',
      values: {
        cloudProvider: 'aws',
        awsRegion: c.region,
        autoDiscovery: { clusterName: c.clusterName },
        rbac: { serviceAccount: { create: true, name: 'cluster-autoscaler', annotations: { 'eks.amazonaws.com/role-arn': this.role.roleArn } } },
        extraArgs: {
          expander: 'priority',
          'balance-similar-node-groups': true,
          'skip-nodes-with-system-pods': false,
          'scale-down-unneeded-time': '10m',
        },
        nodeSelector: c.systemNodeSelector ?? {},
        securityContext: restrictedPodSecurityContext(),
        containerSecurityContext: restrictedContainerSecurityContext(),
        resources: { requests: { cpu: '100m', memory: '600Mi' }, limits: { memory: '600Mi' } },
      },
      extraValues: props.extraValues,
    });
    this.chart.addValues({ expanderPriorities: this.renderPriorities() });
  }

  /** Registers node group name patterns at a priority (higher is preferred). */
  public addPriority(priority: number, patterns: string[]): void {
    this.priorities.set(priority, [...(this.priorities.get(priority) ?? []), ...patterns]);
    // Helm values render lazily at synth, so re-merging the whole map keeps it current.
    this.chart.addValues({ expanderPriorities: this.renderPriorities() });
  }

  /** The expander priorities as the chart takes them (`{ "<priority>": [regex, ...] }`). */
  public renderPriorities(): JsonObject {
    const out: JsonObject = { '1': ['.*'] };
    for (const [p, patterns] of [...this.priorities.entries()].sort((a, b) => a[0] - b[0])) out[String(p)] = [...new Set(patterns)];
    return out;
  }
}
