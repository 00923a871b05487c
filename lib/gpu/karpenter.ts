import { Construct, IConstruct } from 'constructs';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { ICluster } from '../cluster/cluster-reference';
import { PolicyStatement, ServiceAccountRole, servicePrincipalTrust } from '../cluster/iam';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { JsonObject } from '../k8s/values';
import { truncateName } from '../core/names';
import { validateInteger } from '../core/validate';

/** Props of {@link Karpenter}. */
export interface KarpenterProps {
  /** The cluster Karpenter provisions nodes for. */
  readonly cluster: ICluster;
  /**
   * Namespace of the controller. kube-system gives it the API priority of system components.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * Controller replicas (leader election; two survive a system node replacement).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Chart version override.
   * @default - CHARTS.karpenter.version
   */
  readonly chartVersion?: string;
  /**
   * Values merged over the library's (escape hatch).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

/** EventBridge events Karpenter handles through its interruption queue (GPU-OPERATIONS 8). */
export const KARPENTER_INTERRUPTION_EVENTS: { readonly id: string; readonly source: string; readonly detailType: string }[] = [
  { id: 'spot-interruption', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { id: 'rebalance', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { id: 'instance-state-change', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  { id: 'scheduled-change', source: 'aws.health', detailType: 'AWS Health Event' },
];

const instances = new WeakMap<TerraformStack, Karpenter>();

/**
 * Karpenter for a cluster: the controller's IRSA role scoped to the cluster's tags, the node role,
 * the interruption queue (SSE, 300 s retention) fed by EventBridge rules for spot interruption,
 * rebalance recommendation, instance state change and scheduled health events, and the pinned
 * karpenter-crd and karpenter charts with the controller on the on-demand system nodes.
 * Interruptions are handled by Karpenter alone: aws-node-termination-handler must not also run.
 */
export class Karpenter extends Construct {
  /** The Karpenter of a cluster in this stack, created on first use. */
  public static forCluster(scope: IConstruct, cluster: ICluster): Karpenter {
    const stack = TerraformStack.of(scope);
    let k = instances.get(stack);
    if (!k) {
      k = new Karpenter(stack, 'karpenter', { cluster });
      instances.set(stack, k);
    } else if (k.cluster !== cluster) {
      throw new Error(`${scope.node.path}: this stack already has Karpenter for cluster ${k.cluster.node.path}; one Karpenter per stack`);
    }
    return k;
  }

  /** The cluster. */
  public readonly cluster: ICluster;
  /** The interruption queue. */
  public readonly queue: SqsQueue;
  /** Name of the IAM role of the nodes Karpenter launches (EC2NodeClass `role`). */
  public readonly nodeRoleName: string;
  /** ARN of that role. */
  public readonly nodeRoleArn: string;
  /** The controller's IRSA role. */
  public readonly controllerRole: ServiceAccountRole;
  /** The CRD release. */
  public readonly crds: HelmChart;
  /** The controller release. */
  public readonly controller: HelmChart;
  /** What NodePools and EC2NodeClasses must wait for: the CRDs and the ready controller (webhooks). */
  public readonly dependables: ITerraformDependable[];

  /** Installs Karpenter. */
  public constructor(scope: Construct, id: string, props: KarpenterProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.cluster = cluster;
    const namespace = props.namespace ?? 'kube-system';
    const replicas = validateInteger(this, 'replicas', props.replicas ?? 2, 1, 5);
    const partition = new DataAwsPartition(this, 'partition').partition;
    const name = cluster.clusterName;

    // Node role: the cluster's (it already has an access entry from its managed node group) or our own.
    if (cluster.nodeRoleArn && cluster.nodeRoleName) {
      this.nodeRoleArn = cluster.nodeRoleArn;
      this.nodeRoleName = cluster.nodeRoleName;
    } else {
      const role = new IamRole(this, 'node-role', { name: truncateName(`${name}-karpenter-node`, 64), assumeRolePolicy: servicePrincipalTrust(this, 'node-trust', 'ec2.amazonaws.com') });
      for (const p of ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore']) {
        new IamRolePolicyAttachment(this, `node-${p}`, { role: role.name, policyArn: `arn:${partition}:iam::aws:policy/${p}` });
      }
      new EksAccessEntry(this, 'node-access-entry', { clusterName: name, principalArn: role.arn, type: 'EC2_LINUX' });
      this.nodeRoleArn = role.arn;
      this.nodeRoleName = role.name;
    }

    this.queue = new SqsQueue(this, 'interruption-queue', {
      name: truncateName(`${name}-karpenter`, 80),
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
    });
    const queuePolicy = new DataAwsIamPolicyDocument(this, 'queue-policy-doc', {
      statement: [
        { sid: 'EventBridgeWrite', effect: 'Allow', actions: ['sqs:SendMessage'], resources: [this.queue.arn], principals: [{ type: 'Service', identifiers: ['events.amazonaws.com', 'sqs.amazonaws.com'] }] },
        { sid: 'DenyHTTP', effect: 'Deny', actions: ['sqs:*'], resources: [this.queue.arn], principals: [{ type: '*', identifiers: ['*'] }], condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] },
      ],
    });
    new SqsQueuePolicy(this, 'queue-policy', { queueUrl: this.queue.url, policy: queuePolicy.json });
    for (const e of KARPENTER_INTERRUPTION_EVENTS) {
      const rule = new CloudwatchEventRule(this, `rule-${e.id}`, {
        name: truncateName(`${name}-karpenter-${e.id}`, 64),
        description: `Karpenter interruption handling: ${e.detailType}`,
        eventPattern: JSON.stringify({ source: [e.source], 'detail-type': [e.detailType] }),
      });
      new CloudwatchEventTarget(this, `target-${e.id}`, { rule: rule.name, targetId: 'KarpenterInterruptionQueue', arn: this.queue.arn });
    }

    this.controllerRole = cluster.addServiceAccountRole(namespace, 'karpenter', { statements: karpenterControllerStatements(partition, cluster.region, name, this.nodeRoleArn, this.queue.arn) });

    this.crds = new HelmChart(this, 'crds', { chart: CHARTS.karpenterCrd, releaseName: 'karpenter-crd', namespace, values: {}, wait: true });
    this.controller = new HelmChart(this, 'controller', {
      chart: CHARTS.karpenter,
      version: props.chartVersion,
      releaseName: 'karpenter',
      namespace,
      // The CRDs come from the karpenter-crd release (upgraded with the chart; Helm never upgrades a chart's crds/).
      installCrds: false,
      wait: true,
      dependsOn: [this.crds.release],
      values: {
        replicas,
        settings: { clusterName: name, interruptionQueue: this.queue.name },
        serviceAccount: { create: true, name: 'karpenter', annotations: { 'eks.amazonaws.com/role-arn': this.controllerRole.roleArn } },
        // GPU-OPERATIONS 11: on the on-demand system nodes, never on nodes it manages.
        nodeSelector: cluster.systemNodeSelector ?? {},
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }] }] } },
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] },
        },
        podDisruptionBudget: { name: 'karpenter', maxUnavailable: 1 },
        controller: {
          resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
          securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
        },
      },
      extraValues: props.extraValues,
    });
    this.dependables = [this.crds.release, this.controller.release];
  }
}

/**
 * The controller's permissions, modelled on Karpenter v1's documented controller policy: EC2
 * writes only on resources tagged for this cluster and a NodePool, PassRole only for the node role
 * to EC2, the interruption queue only, reads where EC2 has no resource-level permissions.
 */
export function karpenterControllerStatements(partition: string, region: string, clusterName: string, nodeRoleArn: string, queueArn: string): PolicyStatement[] {
  const ec2 = (r: string) => `arn:${partition}:ec2:${region}:*:${r}`;
  const owned = `aws:RequestTag/kubernetes.io/cluster/${clusterName}`;
  const resOwned = `aws:ResourceTag/kubernetes.io/cluster/${clusterName}`;
  const requestTagged = [
    { test: 'StringEquals', variable: owned, values: ['owned'] },
    { test: 'StringEquals', variable: 'aws:RequestTag/eks:eks-cluster-name', values: [clusterName] },
    { test: 'StringLike', variable: 'aws:RequestTag/karpenter.sh/nodepool', values: ['*'] },
  ];
  const resourceTagged = [
    { test: 'StringEquals', variable: resOwned, values: ['owned'] },
    { test: 'StringLike', variable: 'aws:ResourceTag/karpenter.sh/nodepool', values: ['*'] },
  ];
  const profile = `arn:${partition}:iam::*:instance-profile/*`;
  return [
    { sid: 'AllowScopedEC2InstanceAccessActions', actions: ['ec2:RunInstances', 'ec2:CreateFleet'], resources: [`arn:${partition}:ec2:${region}::image/*`, `arn:${partition}:ec2:${region}::snapshot/*`, ec2('security-group/*'), ec2('subnet/*'), ec2('capacity-reservation/*')] },
    { sid: 'AllowScopedEC2LaunchTemplateAccessActions', actions: ['ec2:RunInstances', 'ec2:CreateFleet'], resources: [ec2('launch-template/*')], conditions: resourceTagged },
    { sid: 'AllowScopedEC2InstanceActionsWithTags', actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'], resources: ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*'].map(ec2), conditions: requestTagged },
    { sid: 'AllowScopedResourceCreationTagging', actions: ['ec2:CreateTags'], resources: ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*'].map(ec2), conditions: [...requestTagged, { test: 'StringEquals', variable: 'ec2:CreateAction', values: ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] }] },
    { sid: 'AllowScopedResourceTagging', actions: ['ec2:CreateTags'], resources: [ec2('instance/*')], conditions: [...resourceTagged, { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] }] },
    { sid: 'AllowScopedDeletion', actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'], resources: [ec2('instance/*'), ec2('launch-template/*')], conditions: resourceTagged },
    {
      sid: 'AllowRegionalReadActions',
      actions: ['ec2:DescribeAvailabilityZones', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplates', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets', 'ec2:DescribeCapacityReservations', 'ec2:DescribePlacementGroups'],
      resources: ['*'],
      conditions: [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: [region] }],
    },
    { sid: 'AllowSSMReadActions', actions: ['ssm:GetParameter'], resources: [`arn:${partition}:ssm:${region}::parameter/aws/service/*`] },
    { sid: 'AllowPricingReadActions', actions: ['pricing:GetProducts'], resources: ['*'] },
    { sid: 'AllowInterruptionQueueActions', actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], resources: [queueArn] },
    { sid: 'AllowPassingInstanceRole', actions: ['iam:PassRole'], resources: [nodeRoleArn], conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ec2.amazonaws.com'] }] },
    { sid: 'AllowScopedInstanceProfileCreationActions', actions: ['iam:CreateInstanceProfile', 'iam:TagInstanceProfile'], resources: [profile], conditions: [...requestTagged.slice(0, 2), { test: 'StringEquals', variable: 'aws:RequestTag/topology.kubernetes.io/region', values: [region] }, { test: 'StringLike', variable: 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass', values: ['*'] }] },
    { sid: 'AllowScopedInstanceProfileActions', actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'], resources: [profile], conditions: [{ test: 'StringEquals', variable: resOwned, values: ['owned'] }, { test: 'StringEquals', variable: 'aws:ResourceTag/topology.kubernetes.io/region', values: [region] }, { test: 'StringLike', variable: 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass', values: ['*'] }] },
    { sid: 'AllowInstanceProfileReadActions', actions: ['iam:GetInstanceProfile', 'iam:ListInstanceProfiles'], resources: [profile] },
    { sid: 'AllowAPIServerEndpointDiscovery', actions: ['eks:DescribeCluster'], resources: [`arn:${partition}:eks:${region}:*:cluster/${clusterName}`] },
  ];
}
