import { Construct, IConstruct } from 'constructs';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ICluster } from '../cluster/cluster-reference';
import { ServiceAccountRole } from '../cluster/iam';
import { ValidationError } from '../core/errors';
import { arnPartition } from '../core/regions';
import { validateDns1123Label } from '../core/names';
import { validateInteger } from '../core/validate';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { EgressRule } from '../k8s/egress';
import { restrictedContainerSecurityContext } from '../k8s/pod-security';
import { JsonObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { awsLoadBalancerControllerStatements } from './alb-controller-policy';

/** An ingress controller, as constructs that create Ingresses see it. Implemented by {@link AwsLoadBalancerController}. */
export interface IIngressController extends IConstruct {
  /** The IngressClass name Ingresses use (`spec.ingressClassName`). */
  readonly ingressClassName: string;
  /** What Ingresses must depend on: the release whose validating webhook admits them. */
  readonly dependable: ITerraformDependable;
}

/** Props of {@link AwsLoadBalancerController}. */
export interface AwsLoadBalancerControllerProps {
  /** The cluster (its name, region and VPC are passed to the controller explicitly). */
  readonly cluster: ICluster;
  /**
   * Namespace of the controller. `kube-system` is where AWS documents it (its pods use the
   * `system-cluster-critical` priority class).
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * Create the namespace (Pod Security `restricted`, default-deny ingress plus an allow for the
   * webhook). Leave off for `kube-system`.
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Controller replicas (leader election; the webhook is served by every replica).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Chart version override.
   * @default CHARTS.awsLoadBalancerController.version
   */
  readonly chartVersion?: string;
  /**
   * More egress for the pods of the namespace (created here): the namespace denies egress by default
   * and allows DNS, its own pods, public HTTPS (ELB, EC2, STS APIs) and the Kubernetes API. See docs/network-policies.md.
   * @default - none
   */
  readonly additionalEgress?: EgressRule[];
  /**
   * Values merged over the library's (escape hatch, not validated).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

const installed = new WeakMap<ICluster, AwsLoadBalancerController>();

/** Service account of the controller (its IRSA role trusts exactly this one). */
const SERVICE_ACCOUNT = 'aws-load-balancer-controller';
/** Port of the controller's admission webhooks. */
const WEBHOOK_PORT = 9443;

/**
 * The AWS Load Balancer Controller from the pinned chart: IRSA role with the controller's
 * documented permissions (mutations limited to its tagged resources), cluster name, region and
 * VPC id set explicitly (no IMDS lookups: nodes allow one hop only), on the system nodes, two
 * replicas with a PodDisruptionBudget. The release waits until the webhook is ready
 * (GPU-OPERATIONS 26), so Ingresses that depend on {@link dependable} are admitted.
 */
export class AwsLoadBalancerController extends Construct implements IIngressController, IWorkloadSource {
  /**
   * The controller of a cluster: the one already created for it in this app, or a new one (id
   * `aws-load-balancer-controller` in the scope's stack).
   */
  public static forCluster(scope: IConstruct, cluster: ICluster): AwsLoadBalancerController {
    return installed.get(cluster) ?? new AwsLoadBalancerController(TerraformStack.of(scope), 'aws-load-balancer-controller', { cluster });
  }

  /** The Helm release. */
  public readonly chart: HelmChart;
  /** The controller's IRSA role. */
  public readonly role: ServiceAccountRole;
  /** Namespace of the controller. */
  public readonly namespace: string;
  /** @inheritdoc */
  public readonly ingressClassName: string = 'alb';
  /** @inheritdoc */
  public readonly dependable: ITerraformDependable;

  /** Installs the controller. */
  public constructor(scope: Construct, id: string, props: AwsLoadBalancerControllerProps) {
    super(scope, id);
    if (installed.has(props.cluster)) {
      throw new ValidationError(this, 'cluster', props.cluster.node.path, `already has an AWS Load Balancer Controller (${installed.get(props.cluster)!.node.path}); install it once per cluster (AwsLoadBalancerController.forCluster)`);
    }
    installed.set(props.cluster, this);
    this.namespace = validateDns1123Label(this, 'namespace', props.namespace ?? 'kube-system');
    const replicas = validateInteger(this, 'replicas', props.replicas ?? 2, 1, 5);
    let namespaceRef = this.namespace;
    if (props.createNamespace ?? false) {
      const ns = new PlatformNamespace(this, 'namespace', { name: this.namespace, egress: { kubernetesApiClients: [{}], additionalEgress: props.additionalEgress } });
      namespaceRef = ns.name;
      // The API server calls the webhooks from the control plane's ENIs (no stable CIDR).
      new NetworkPolicyV1(this, 'allow-webhook', {
        metadata: { name: 'aws-load-balancer-controller-webhook', namespace: namespaceRef },
        spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'aws-load-balancer-controller' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: String(WEBHOOK_PORT), protocol: 'TCP' }] }] },
      });
    }
    this.role = props.cluster.addServiceAccountRole(this.namespace, SERVICE_ACCOUNT, { statements: awsLoadBalancerControllerStatements(arnPartition(this, props.cluster.region)) });
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.awsLoadBalancerController,
      releaseName: 'aws-load-balancer-controller',
      namespace: namespaceRef,
      chartVersion: props.chartVersion,
      values: {
        clusterName: props.cluster.clusterName,
        region: props.cluster.region,
        vpcId: props.cluster.vpcId,
        replicaCount: replicas,
        serviceAccount: { create: true, name: SERVICE_ACCOUNT, annotations: { 'eks.amazonaws.com/role-arn': this.role.roleArn } },
        nodeSelector: props.cluster.systemNodeSelector ?? {},
        // The image runs as 65534 (nobody); the chart's defaults lack seccomp and dropped capabilities.
        podSecurityContext: { fsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        securityContext: restrictedContainerSecurityContext(),
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        podDisruptionBudget: replicas > 1 ? { maxUnavailable: 1 } : {},
        // Leave Services of type LoadBalancer alone: the mutating webhook (failurePolicy Fail) would
        // make every such Service in the cluster depend on this controller being up.
        enableServiceMutatorWebhook: false,
      },
      extraValues: props.extraValues,
      wait: true,
    });
    this.dependable = this.chart.release;
  }

  /** @inheritdoc */
  public renderedWorkloads(): RenderedWorkload[] {
    const v = this.chart.renderedValues();
    return [
      {
        kind: 'HelmValues',
        name: 'aws-load-balancer-controller',
        namespace: this.namespace,
        source: 'chart',
        replicas: v.replicaCount as number,
        podSpec: {
          serviceAccountName: SERVICE_ACCOUNT,
          nodeSelector: v.nodeSelector ?? {},
          securityContext: v.podSecurityContext ?? {},
          containers: [
            {
              name: 'controller',
              // The chart's defaults: image pinned to the app version, probes on /healthz and /readyz.
              image: `public.ecr.aws/eks/aws-load-balancer-controller:${CHARTS.awsLoadBalancerController.appVersion}`,
              securityContext: v.securityContext ?? {},
              resources: v.resources ?? {},
              livenessProbe: { httpGet: { path: '/healthz', port: 61779 } },
              readinessProbe: { httpGet: { path: '/readyz', port: 61779 } },
            },
          ],
        },
      },
    ];
  }
}
