import { Construct, IConstruct } from 'constructs';
import { Annotations, Fn, ITerraformDependable, TerraformStack, Token } from 'cdktf';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { ICluster } from '../cluster/cluster-reference';
import { PolicyStatement, ServiceAccountRole, servicePrincipalTrust } from '../cluster/iam';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { JsonObject } from '../k8s/values';
import { ValidationError } from '../core/errors';
import { arnPartition } from '../core/regions';
import { truncateName, validateDns1123Label } from '../core/names';
import { validateInteger } from '../core/validate';

/** Props of {@link Karpenter}. */
export interface KarpenterProps {
  /** The cluster Karpenter provisions nodes for. */
  readonly cluster: ICluster;
  /**
   * Namespace of the controller (must exist). kube-system gives it the API priority and the
   * `system-cluster-critical` priority class of system components.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * Controller replicas (leader election; two survive a system node replacement).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Attach `AmazonEKS_CNI_Policy` to the node role Karpenter creates when the cluster gives none.
   * Leave it off when the cluster's vpc-cni add-on has its own IRSA/Pod Identity role (as
   * AiCluster sets up): pods then cannot borrow the node's ENI permissions. Turn it on for a
   * cluster whose vpc-cni uses the node role, or nodes never get pod IPs. Ignored when the cluster's
   * node role is reused.
   * @default false
   */
  readonly nodeRoleCniPolicy?: boolean;
  /**
   * Chart version override (the same version is used for karpenter and karpenter-crd).
   * @default - CHARTS.karpenter.version
   */
  readonly chartVersion?: string;
  /**
   * Values merged over the library's (escape hatch).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

/** An EventBridge event Karpenter handles through its interruption queue. */
export interface KarpenterInterruptionEvent {
  /** Id used in construct ids and rule names. */
  readonly id: string;
  /** EventBridge `source`. */
  readonly source: string;
  /** EventBridge `detail-type`. */
  readonly detailType: string;
}

/**
 * EventBridge events Karpenter handles through its interruption queue (GPU-OPERATIONS 8), as in
 * Karpenter's getting-started CloudFormation. Its fifth rule (capacity reservation interruption
 * warnings) is left out: pools here never launch into interruptible capacity reservations.
 */
export const KARPENTER_INTERRUPTION_EVENTS: readonly KarpenterInterruptionEvent[] = [
  { id: 'spot-interruption', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { id: 'rebalance', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { id: 'instance-state-change', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  { id: 'scheduled-change', source: 'aws.health', detailType: 'AWS Health Event' },
];

/** Seconds an interruption message stays in the queue: a 2-minute spot warning is useless later. */
export const KARPENTER_QUEUE_RETENTION_SECONDS = 300;

const instances = new WeakMap<TerraformStack, Karpenter>();

/**
 * Karpenter for a cluster: the controller's IRSA role scoped to the cluster's tags, the node role
 * (the cluster's, or one with an EC2_LINUX access entry), the interruption queue (SSE, 300 s
 * retention, TLS only) fed by EventBridge rules for spot interruption, rebalance recommendation,
 * instance state change and scheduled health events, and the pinned karpenter-crd and karpenter
 * charts (CRDs first, controller waited for) with the controller on the on-demand system nodes.
 * Interruptions are handled by Karpenter alone: aws-node-termination-handler must not also run.
 * One per stack: GPU pools in Karpenter mode create it on first use ({@link Karpenter.forCluster}).
 */
export class Karpenter extends Construct {
  /** The Karpenter of a cluster in this stack, created on first use (or the one created explicitly). */
  public static forCluster(scope: IConstruct, cluster: ICluster): Karpenter {
    const existing = instances.get(TerraformStack.of(scope));
    if (existing) {
      existing.checkCluster(scope, cluster);
      return existing;
    }
    return new Karpenter(TerraformStack.of(scope), 'karpenter', { cluster });
  }

  /** The cluster. */
  public readonly cluster: ICluster;
  /** Namespace of the controller. */
  public readonly namespace: string;
  /** The interruption queue. */
  public readonly queue: SqsQueue;
  /** The EventBridge rules feeding the queue, by event id. */
  public readonly rules: Record<string, CloudwatchEventRule> = {};
  /** Name of the IAM role of the nodes Karpenter launches (EC2NodeClass `role`). */
  public readonly nodeRoleName: string;
  /** ARN of that role. */
  public readonly nodeRoleArn: string;
  /** The node role, when Karpenter created it (undefined when the cluster's is reused). */
  public readonly nodeRole?: IamRole;
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
    const stack = TerraformStack.of(this);
    const other = instances.get(stack);
    if (other) {
      throw new ValidationError(this, 'id', id, `is a second Karpenter in the stack (${other.node.path} exists): install it once per cluster and pass it to the pools (GpuNodePoolProps.karpenter)`);
    }
    instances.set(stack, this);
    const cluster = props.cluster;
    this.cluster = cluster;
    this.namespace = validateDns1123Label(this, 'namespace', props.namespace ?? 'kube-system');
    const replicas = validateInteger(this, 'replicas', props.replicas ?? 2, 1, 5);
    const partition = arnPartition(this, cluster.region);
    const name = cluster.clusterName;

    // Node role: the cluster's (its managed node group already gave it an EC2_LINUX access entry) or our own.
    const reused = cluster.nodeRoleArn ? nodeRoleNameOf(cluster) : undefined;
    if (cluster.nodeRoleArn && reused) {
      this.nodeRoleArn = cluster.nodeRoleArn;
      this.nodeRoleName = reused;
    } else {
      const role = new IamRole(this, 'node-role', { name: truncateName(`${name}-karpenter-node`, 64), assumeRolePolicy: servicePrincipalTrust(this, 'node-trust', 'ec2.amazonaws.com') });
      // The managed policies AWS documents for EKS nodes; the CNI policy only where vpc-cni has no role of its own.
      const policies = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore', ...(props.nodeRoleCniPolicy ? ['AmazonEKS_CNI_Policy'] : [])];
      for (const p of policies) new IamRolePolicyAttachment(this, `node-${p}`, { role: role.name, policyArn: `arn:${partition}:iam::aws:policy/${p}` });
      // API authentication mode: nodes join through an access entry, not the aws-auth ConfigMap.
      new EksAccessEntry(this, 'node-access-entry', { clusterName: name, principalArn: role.arn, type: 'EC2_LINUX' });
      this.nodeRole = role;
      this.nodeRoleArn = role.arn;
      this.nodeRoleName = role.name;
    }

    this.queue = new SqsQueue(this, 'interruption-queue', {
      name: truncateName(`${name}-karpenter`, 80),
      messageRetentionSeconds: KARPENTER_QUEUE_RETENTION_SECONDS,
      // SQS-managed keys: EventBridge can deliver to them without a KMS key policy.
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
      this.rules[e.id] = rule;
    }

    this.controllerRole = cluster.addServiceAccountRole(this.namespace, 'karpenter', { statements: karpenterControllerStatements(partition, cluster.region, name, this.nodeRoleArn, this.queue.arn) });

    if (!cluster.systemNodeSelector) {
      Annotations.of(this).addWarning('the cluster has no systemNodeSelector: the Karpenter controller is kept off the nodes it launches only by its karpenter.sh/nodepool affinity; give the cluster an on-demand node group label (docs/gpu-node-pools.md, "Karpenter mode")');
    }
    // The CRDs come from their own release so they are upgraded with the chart (Helm never upgrades
    // a chart's crds/ directory) and exist before the controller and any NodePool (GPU-OPERATIONS 12).
    this.crds = new HelmChart(this, 'crds', { chart: CHARTS.karpenterCrd, chartVersion: props.chartVersion, releaseName: 'karpenter-crd', namespace: this.namespace, values: {}, wait: true });
    this.controller = new HelmChart(this, 'controller', {
      chart: CHARTS.karpenter,
      chartVersion: props.chartVersion,
      releaseName: 'karpenter',
      namespace: this.namespace,
      installCrds: false,
      // NodePools apply only once the controller (and its webhooks) is ready (GPU-OPERATIONS 26).
      wait: true,
      dependsOn: [this.crds.release],
      values: {
        replicas,
        settings: { clusterName: name, clusterEndpoint: cluster.endpoint, interruptionQueue: this.queue.name },
        serviceAccount: { create: true, name: 'karpenter', annotations: { 'eks.amazonaws.com/role-arn': this.controllerRole.roleArn } },
        // GPU-OPERATIONS 11: on the on-demand system nodes, never on nodes it manages.
        nodeSelector: { ...(cluster.systemNodeSelector ?? {}) },
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }] }] } },
          // The chart adds its selector labels to a term without one: replicas on different nodes.
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] },
        },
        podDisruptionBudget: { name: 'karpenter', maxUnavailable: 1 },
        controller: {
          resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
          // The chart hard-codes the rest of a restricted container securityContext (non-root,
          // read-only root, no escalation, drop ALL); only these profile fields are taken from values.
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        },
      },
      extraValues: props.extraValues,
    });
    this.dependables = [this.crds.release, this.controller.release];
  }

  private checkCluster(scope: IConstruct, cluster: ICluster): void {
    if (cluster !== this.cluster) {
      throw new ValidationError(scope, 'cluster', cluster.node.path, `must be the cluster of the stack's Karpenter (${this.cluster.node.path}); one Karpenter per stack`);
    }
  }
}

/** The node role name of a cluster: given, or the last path segment of the role ARN. */
function nodeRoleNameOf(cluster: ICluster): string | undefined {
  if (cluster.nodeRoleName) return cluster.nodeRoleName;
  const arn = cluster.nodeRoleArn;
  if (!arn) return undefined;
  if (Token.isUnresolved(arn)) return Fn.element(Fn.reverse(Fn.split('/', arn)), 0) as string;
  return arn.split('/').pop();
}

/**
 * The controller's permissions, modelled on Karpenter v1's documented controller policy (the
 * getting-started CloudFormation of the pinned version): EC2 writes only on resources tagged for
 * this cluster and a NodePool, PassRole only for the node role to EC2, instance profiles only with
 * the cluster's tags, the interruption queue only, reads where EC2 has no resource-level
 * permissions (limited to the region). The account part of ARNs is `*`: IAM grants in one account
 * never reach another account's instance profiles or clusters, and the account id is not known at synth.
 */
export function karpenterControllerStatements(partition: string, region: string, clusterName: string, nodeRoleArn: string, queueArn: string): PolicyStatement[] {
  const ec2 = (r: string) => `arn:${partition}:ec2:${region}:*:${r}`;
  const owned = { test: 'StringEquals', variable: `aws:RequestTag/kubernetes.io/cluster/${clusterName}`, values: ['owned'] };
  const eksName = { test: 'StringEquals', variable: 'aws:RequestTag/eks:eks-cluster-name', values: [clusterName] };
  const nodePool = { test: 'StringLike', variable: 'aws:RequestTag/karpenter.sh/nodepool', values: ['*'] };
  const resOwned = { test: 'StringEquals', variable: `aws:ResourceTag/kubernetes.io/cluster/${clusterName}`, values: ['owned'] };
  const resNodePool = { test: 'StringLike', variable: 'aws:ResourceTag/karpenter.sh/nodepool', values: ['*'] };
  const regionTag = { test: 'StringEquals', variable: 'aws:RequestTag/topology.kubernetes.io/region', values: [region] };
  const resRegionTag = { test: 'StringEquals', variable: 'aws:ResourceTag/topology.kubernetes.io/region', values: [region] };
  const nodeClass = { test: 'StringLike', variable: 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass', values: ['*'] };
  const resNodeClass = { test: 'StringLike', variable: 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass', values: ['*'] };
  const launched = ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*'].map(ec2);
  const profile = `arn:${partition}:iam::*:instance-profile/*`;
  return [
    { sid: 'AllowScopedEC2InstanceAccessActions', actions: ['ec2:RunInstances', 'ec2:CreateFleet'], resources: [`arn:${partition}:ec2:${region}::image/*`, `arn:${partition}:ec2:${region}::snapshot/*`, ec2('security-group/*'), ec2('subnet/*'), ec2('capacity-reservation/*'), ec2('placement-group/*')] },
    { sid: 'AllowScopedEC2LaunchTemplateAccessActions', actions: ['ec2:RunInstances', 'ec2:CreateFleet'], resources: [ec2('launch-template/*')], conditions: [resOwned, resNodePool] },
    { sid: 'AllowScopedEC2InstanceActionsWithTags', actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'], resources: launched, conditions: [owned, eksName, nodePool] },
    { sid: 'AllowScopedResourceCreationTagging', actions: ['ec2:CreateTags'], resources: launched, conditions: [owned, eksName, nodePool, { test: 'StringEquals', variable: 'ec2:CreateAction', values: ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] }] },
    {
      sid: 'AllowScopedResourceTagging',
      actions: ['ec2:CreateTags'],
      resources: [ec2('instance/*')],
      conditions: [resOwned, resNodePool, { test: 'StringEqualsIfExists', variable: 'aws:RequestTag/eks:eks-cluster-name', values: [clusterName] }, { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] }],
    },
    { sid: 'AllowScopedDeletion', actions: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'], resources: [ec2('instance/*'), ec2('launch-template/*')], conditions: [resOwned, resNodePool] },
    {
      sid: 'AllowRegionalReadActions',
      actions: ['ec2:DescribeCapacityReservations', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribeInstanceTypeOfferings', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplates', 'ec2:DescribePlacementGroups', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets'],
      resources: ['*'],
      conditions: [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: [region] }],
    },
    { sid: 'AllowSSMReadActions', actions: ['ssm:GetParameter'], resources: [`arn:${partition}:ssm:${region}::parameter/aws/service/*`] },
    { sid: 'AllowPricingReadActions', actions: ['pricing:GetProducts'], resources: ['*'] },
    { sid: 'AllowInterruptionQueueActions', actions: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], resources: [queueArn] },
    { sid: 'AllowPassingInstanceRole', actions: ['iam:PassRole'], resources: [nodeRoleArn], conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] }] },
    { sid: 'AllowScopedInstanceProfileCreationActions', actions: ['iam:CreateInstanceProfile'], resources: [profile], conditions: [owned, eksName, regionTag, nodeClass] },
    { sid: 'AllowScopedInstanceProfileTagActions', actions: ['iam:TagInstanceProfile'], resources: [profile], conditions: [resOwned, resRegionTag, owned, eksName, regionTag, resNodeClass, nodeClass] },
    { sid: 'AllowScopedInstanceProfileActions', actions: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'], resources: [profile], conditions: [resOwned, resRegionTag, resNodeClass] },
    { sid: 'AllowUnscopedInstanceProfileListAction', actions: ['iam:ListInstanceProfiles'], resources: ['*'] },
    { sid: 'AllowInstanceProfileReadActions', actions: ['iam:GetInstanceProfile'], resources: [profile] },
    { sid: 'AllowAPIServerEndpointDiscovery', actions: ['eks:DescribeCluster'], resources: [`arn:${partition}:eks:${region}:*:cluster/${clusterName}`] },
  ];
}
