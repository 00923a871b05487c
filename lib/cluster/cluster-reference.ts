import { Construct, IConstruct } from 'constructs';
import { Annotations, Token } from 'cdktf';
import { ServiceAccountPolicy, ServiceAccountRole } from './iam';
import { ValidationError } from '../core/errors';
import { validateAwsName } from '../core/names';
import { validatePattern } from '../core/validate';
import { checkEksSupport, supportCalendarDate } from './support-calendar';

/**
 * What the platform needs to know about an EKS cluster it did not create
 * (bring-your-own-cluster mode). Every field is a plain value or a Terraform reference.
 */
export interface ClusterReference {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** API server endpoint (`https://…`). */
  readonly endpoint: string;
  /** Base64 certificate authority data of the API server. */
  readonly certificateAuthorityData: string;
  /** ARN of the cluster's IAM OIDC provider (for IRSA). */
  readonly oidcProviderArn: string;
  /** Issuer URL of the cluster's OIDC provider (`https://oidc.eks.<region>.amazonaws.com/id/…`). */
  readonly oidcIssuerUrl: string;
  /** VPC of the cluster. */
  readonly vpcId: string;
  /** Private subnets where nodes run. */
  readonly privateSubnetIds: string[];
  /** The cluster security group EKS created (nodes and control plane). */
  readonly clusterSecurityGroupId: string;
  /**
   * ARN of the IAM role of the cluster's nodes (Karpenter reuses it when given).
   * @default - a node role is created where one is needed
   */
  readonly nodeRoleArn?: string;
  /**
   * Name of the node role (for instance profiles).
   * @default - derived from nodeRoleArn where needed
   */
  readonly nodeRoleName?: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /**
   * Labels of the on-demand nodes where controllers (Karpenter, operators) must run.
   * @default - no node selector: controllers may land on any node, including spot GPU nodes
   */
  readonly systemNodeSelector?: Record<string, string>;
  /**
   * Kubernetes minor of the control plane (`"1.35"`). With it the version is checked against the
   * EKS support calendar (a warning in extended support, an error past its end) and
   * cluster-autoscaler runs the release of that minor.
   * @default - unknown: no calendar check, and cluster-autoscaler (managed node group pools) warns
   */
  readonly kubernetesVersion?: string;
}

/**
 * An EKS cluster the platform can run on: created by {@link AiCluster} or imported with
 * {@link ImportedCluster}. Constructs take this, never a concrete class. Its attributes are those of
 * a {@link ClusterReference} (declared once, there); an optional one is undefined when the cluster
 * does not know it (an imported cluster without a system node group has no `systemNodeSelector`).
 */
export interface ICluster extends IConstruct, ClusterReference {
  /**
   * Creates an IAM role for a Kubernetes service account (IRSA), trusted only by
   * `system:serviceaccount:<namespace>:<serviceAccount>` with audience `sts.amazonaws.com`.
   */
  addServiceAccountRole(namespace: string, serviceAccount: string, policy: ServiceAccountPolicy): ServiceAccountRole;
}

/** Keeps one role per service account and derives stable ids and names. */
export class ServiceAccountRoles {
  private readonly roles = new Map<string, ServiceAccountRole>();

  /** @param owner construct the roles are created under */
  public constructor(private readonly owner: Construct, private readonly cluster: ICluster) {}

  /** See {@link ICluster.addServiceAccountRole}. */
  public add(namespace: string, serviceAccount: string, policy: ServiceAccountPolicy): ServiceAccountRole {
    const key = `${namespace}/${serviceAccount}`;
    if (this.roles.has(key)) {
      throw new ValidationError(this.owner, 'serviceAccount', key, 'already has an IRSA role; one role per service account (merge the policies)');
    }
    // The construct id is the state address of the role: derived from namespace and service
    // account only, so adding or removing other roles never moves it.
    const role = new ServiceAccountRole(this.owner, `irsa-${namespace}-${serviceAccount}`, {
      oidcProviderArn: this.cluster.oidcProviderArn,
      oidcIssuerUrl: this.cluster.oidcIssuerUrl,
      namespace,
      serviceAccount,
      policy,
      roleName: `${this.cluster.clusterName}-${namespace}-${serviceAccount}`,
    });
    this.roles.set(key, role);
    return role;
  }

  /** Roles created so far. */
  public all(): ServiceAccountRole[] {
    return [...this.roles.values()];
  }
}

/**
 * An existing EKS cluster described by a {@link ClusterReference}; lets the platform stack run
 * on a cluster created elsewhere.
 */
export class ImportedCluster extends Construct implements ICluster {
  /** @inheritdoc */
  public readonly clusterName: string;
  /** @inheritdoc */
  public readonly endpoint: string;
  /** @inheritdoc */
  public readonly certificateAuthorityData: string;
  /** @inheritdoc */
  public readonly oidcProviderArn: string;
  /** @inheritdoc */
  public readonly oidcIssuerUrl: string;
  /** @inheritdoc */
  public readonly vpcId: string;
  /** @inheritdoc */
  public readonly privateSubnetIds: string[];
  /** @inheritdoc */
  public readonly clusterSecurityGroupId: string;
  /** @inheritdoc */
  public readonly nodeRoleArn?: string;
  /** @inheritdoc */
  public readonly nodeRoleName?: string;
  /** @inheritdoc */
  public readonly region: string;
  /** @inheritdoc */
  public readonly systemNodeSelector?: Record<string, string>;
  /** @inheritdoc */
  public readonly kubernetesVersion?: string;
  private readonly roles: ServiceAccountRoles;

  /** Imports the cluster. */
  public constructor(scope: Construct, id: string, reference: ClusterReference) {
    super(scope, id);
    validateAwsName(this, 'clusterName', reference.clusterName, 'eksCluster');
    if (!reference.privateSubnetIds || reference.privateSubnetIds.length === 0) {
      throw new ValidationError(this, 'privateSubnetIds', reference.privateSubnetIds, 'must list the private subnets of the cluster');
    }
    this.clusterName = reference.clusterName;
    this.endpoint = reference.endpoint;
    this.certificateAuthorityData = reference.certificateAuthorityData;
    this.oidcProviderArn = reference.oidcProviderArn;
    this.oidcIssuerUrl = reference.oidcIssuerUrl;
    this.vpcId = reference.vpcId;
    this.privateSubnetIds = reference.privateSubnetIds;
    this.clusterSecurityGroupId = reference.clusterSecurityGroupId;
    this.nodeRoleArn = reference.nodeRoleArn;
    this.nodeRoleName = reference.nodeRoleName;
    this.region = reference.region;
    this.systemNodeSelector = reference.systemNodeSelector;
    this.roles = new ServiceAccountRoles(this, this);
    if (reference.kubernetesVersion !== undefined) {
      this.kubernetesVersion = validatePattern(this, 'kubernetesVersion', reference.kubernetesVersion, /^1\.\d{2}$/, 'be a Kubernetes minor such as "1.35"');
      // The cluster exists: a version past its end is an error (EKS has upgraded it, or will).
      if (!Token.isUnresolved(this.kubernetesVersion)) {
        const date = supportCalendarDate(this, 'kubernetesVersion', undefined);
        const { entry } = checkEksSupport(this, 'kubernetesVersion', this.kubernetesVersion, date, 'the cluster');
        if (!entry) Annotations.of(this).addWarning(`kubernetesVersion ${this.kubernetesVersion} is not in the library's EKS release calendar (lib/cluster/versions.ts): its support dates are not checked`);
      }
    }
  }

  /** @inheritdoc */
  public addServiceAccountRole(namespace: string, serviceAccount: string, policy: ServiceAccountPolicy): ServiceAccountRole {
    return this.roles.add(namespace, serviceAccount, policy);
  }
}
