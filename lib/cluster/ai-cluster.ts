import { Construct } from 'constructs';
import { checkAddonVersions } from './addon-checks';
import { checkSystemInstanceTypes } from './cpu-instance-types';
import { Annotations, TerraformOutput } from 'cdktf';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { ClusterVpc, NatGatewayMode } from './cluster-vpc';
import { ClusterReference, ICluster, ServiceAccountRoles } from './cluster-reference';
import { ServiceAccountPolicy, ServiceAccountRole, servicePrincipalTrust } from './iam';
import { AddonVersions, DEFAULT_KUBERNETES_VERSION, EKS_VERSIONS, EksSupportPhase, LOG_RETENTION_DAYS } from './versions';
import { checkEksSupport, supportCalendarDate } from './support-calendar';
import { ValidationError } from '../core/errors';
import { arnPartition } from '../core/regions';
import { validateAwsName, truncateName } from '../core/names';
import { validateCidr } from '../core/cidr';
import { validateDurationOneOf, validateInteger, validateMinMax, validateOneOf, validatePattern, validateSize, validateWholeDuration } from '../core/validate';
import { applyTags, TagMap } from '../core/tags';
import { Duration, Size } from '../core/units';
import { validateEnum } from '../core/enums';

/** Control-plane log types EKS can send to CloudWatch. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/**
 * What EKS does with the cluster when its Kubernetes version leaves standard support
 * (`upgradePolicy.supportType`).
 */
export enum EksSupportType {
  /**
   * EKS upgrades the control plane to the next version when standard support ends; the cluster
   * never bills extended support. Only valid while the version is in standard support.
   */
  STANDARD = 'STANDARD',
  /**
   * The cluster stays on its version into extended support, at the extended cluster-hour price
   * (see docs/operations.md), until extended support ends.
   */
  EXTENDED = 'EXTENDED',
}

/** Options of the on-demand system node group (controllers, CoreDNS, operators). */
export interface SystemNodeGroupOptions {
  /**
   * Instance types, all with the same vCPU/memory shape. On-demand only: Karpenter and the
   * operators that keep GPU nodes alive must not run on capacity that can be reclaimed.
   * @default ['m7i.large', 'm6i.large']
   */
  readonly instanceTypes?: string[];
  /**
   * Minimum nodes. Two keep controllers available while a node is replaced.
   * @default 2
   */
  readonly minSize?: number;
  /**
   * Maximum nodes.
   * @default 4
   */
  readonly maxSize?: number;
  /**
   * Nodes at creation (later changes by the autoscaler are ignored by Terraform).
   * @default minSize
   */
  readonly desiredSize?: number;
  /**
   * Root volume (gp3, encrypted).
   * @default Size.gibibytes(50)
   */
  readonly diskSize?: Size;
}

/** Props of {@link AiCluster}. */
export interface AiClusterProps {
  /** EKS cluster name; also prefixes the names of the cluster's AWS resources. */
  readonly clusterName: string;
  /**
   * Kubernetes version; one of the keys of `EKS_VERSIONS`. It is checked against the EKS release
   * calendar at synth: a version in extended support warns with the cost difference, a version past
   * the end of extended support is an error (docs/operations.md).
   * @default DEFAULT_KUBERNETES_VERSION ('1.36')
   */
  readonly kubernetesVersion?: string;
  /**
   * Upgrade policy (`upgradePolicy.supportType`). `STANDARD` is only valid while the version is in
   * standard support (EKS then upgrades the control plane when standard support ends); a version
   * already in extended support needs `EXTENDED`.
   * @default - STANDARD while the version is in standard support, EXTENDED once it is in extended support
   */
  readonly supportType?: EksSupportType;
  /**
   * The date (`YYYY-MM-DD`, UTC) the EKS support calendar is evaluated at. Pin it in tests so their
   * verdicts do not change as time passes; a whole app can pin it with the context key
   * `ai-platform:support-calendar-date`.
   * @default - the context key, else today's date
   */
  readonly supportCalendarDate?: string;
  /**
   * VPC CIDR, /16 to /20. Pods take VPC addresses (VPC CNI), so prefer a /16.
   * @default '10.0.0.0/16'
   */
  readonly vpcCidr?: string;
  /**
   * Availability zones (2-6). Give them explicitly for reproducible plans; without them the
   * first `azCount` available zones are read at plan time.
   * @default - the first 3 available zones of the region
   */
  readonly availabilityZones?: string[];
  /**
   * NAT gateways: one per AZ (no cross-AZ dependency) or one for the VPC (cheaper).
   * @default NatGatewayMode.PER_AZ
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Expose the API server on a public endpoint as well as the private one. Requires
   * `publicAccessCidrs`.
   * @default false
   */
  readonly publicEndpoint?: boolean;
  /**
   * CIDRs allowed to reach the public endpoint. `0.0.0.0/0` is rejected unless
   * `acknowledgeOpenPublicEndpoint` is set.
   * @default - none (required when publicEndpoint is true)
   */
  readonly publicAccessCidrs?: string[];
  /**
   * Accept a public endpoint open to the whole internet (CKV_AWS_38). Only for throwaway clusters.
   * @default false
   */
  readonly acknowledgeOpenPublicEndpoint?: boolean;
  /**
   * IAM role or user ARNs granted cluster admin through EKS access entries.
   * @default - none (only the identity that creates the cluster is admin)
   */
  readonly adminPrincipalArns?: string[];
  /**
   * Grant the identity running `cdktf deploy` cluster admin. The platform stack's Helm and
   * Kubernetes providers use that identity, so turning it off requires an entry in
   * `adminPrincipalArns` for the deploying role.
   * @default true
   */
  readonly bootstrapCreatorAdmin?: boolean;
  /**
   * Control-plane log types sent to CloudWatch. api, audit and authenticator are required (CKV_AWS_37).
   * @default all of CONTROL_PLANE_LOG_TYPES
   */
  readonly controlPlaneLogTypes?: string[];
  /**
   * Retention of control-plane and VPC flow logs (whole days CloudWatch accepts: 1, 3, 5, 7, 14,
   * 30, 60, 90, ...).
   * @default Duration.days(90)
   */
  readonly logRetention?: Duration;
  /**
   * Waiting period before the secrets-encryption KMS key is deleted (7-30 whole days).
   * @default Duration.days(30)
   */
  readonly kmsKeyDeletionWindow?: Duration;
  /**
   * The on-demand system node group.
   * @default - see SystemNodeGroupOptions
   */
  readonly systemNodeGroup?: SystemNodeGroupOptions;
  /**
   * Add-on version overrides (e.g. a newer vpc-cni). Unset fields keep the pinned versions.
   * @default - the pins of EKS_VERSIONS for the Kubernetes version
   */
  readonly addonVersions?: Partial<AddonVersions>;
  /**
   * Tags for every taggable AWS resource of the cluster.
   * @default - none
   */
  readonly tags?: TagMap;
}

/** Label on system nodes; controllers select it so they never run on nodes Karpenter manages. */
export const SYSTEM_NODE_LABEL = 'ai-platform.cdktf.io/node-role';

const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * The cluster stack's core: a VPC across three AZs, an EKS cluster with encrypted secrets,
 * control-plane logs, a private endpoint by default, access entries, an OIDC provider with an IRSA
 * helper, a small on-demand system node group and pinned EKS add-ons.
 */
export class AiCluster extends Construct implements ICluster {
  /** The network. */
  public readonly network: ClusterVpc;
  /** The EKS cluster resource. */
  public readonly cluster: EksCluster;
  /** The KMS key that encrypts Kubernetes secrets. */
  public readonly secretsKey: KmsKey;
  /** The IAM OIDC provider for IRSA. */
  public readonly oidcProvider: IamOpenidConnectProvider;
  /** The system node group. */
  public readonly systemNodeGroup: EksNodeGroup;
  /** The system node group's launch template. */
  public readonly systemLaunchTemplate: LaunchTemplate;
  /** IAM role of the nodes. */
  public readonly nodeRole: IamRole;
  /** EKS add-ons by name. */
  public readonly addons: Record<string, EksAddon> = {};
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
  public readonly nodeRoleArn: string;
  /** @inheritdoc */
  public readonly nodeRoleName: string;
  /** @inheritdoc */
  public readonly region: string;
  /** @inheritdoc */
  public readonly systemNodeSelector: Record<string, string> = { [SYSTEM_NODE_LABEL]: 'system' };
  /** Kubernetes version of the control plane. */
  public readonly kubernetesVersion: string;
  /** The upgrade policy the cluster is created with. */
  public readonly supportType: EksSupportType;
  private readonly roles: ServiceAccountRoles;
  private readonly partition: string;

  /** Creates the cluster. */
  public constructor(scope: Construct, id: string, props: AiClusterProps) {
    super(scope, id);
    const name = validateAwsName(this, 'clusterName', props.clusterName, 'eksCluster');
    this.clusterName = name;
    this.kubernetesVersion = validateOneOf(this, 'kubernetesVersion', props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION, Object.keys(EKS_VERSIONS));
    this.supportType = this.resolveSupportType(props);
    const cidr = validateCidr(this, 'vpcCidr', props.vpcCidr ?? '10.0.0.0/16', 16, 20);
    validateEnum(this, 'natGateways', props.natGateways, NatGatewayMode, 'NatGatewayMode');
    validateEnum(this, 'natGateways', props.natGateways, NatGatewayMode, 'NatGatewayMode');
    if (props.availabilityZones !== undefined) {
      const azs = props.availabilityZones;
      if (azs.length < 2 || azs.length > 6) throw new ValidationError(this, 'availabilityZones', azs, 'must list 2 to 6 availability zones (EKS needs subnets in at least two)');
      azs.forEach((az, i) => validatePattern(this, `availabilityZones[${i}]`, az, /^[a-z]{2}(-[a-z]+)+-\d[a-z]$|^[a-z]{3,4}\d-az\d$/, 'be an availability zone name such as "us-west-2a" or id such as "usw2-az1"'));
      if (new Set(azs).size !== azs.length) throw new ValidationError(this, 'availabilityZones', azs, 'must not repeat a zone');
    }
    const logRetention = props.logRetention ?? Duration.days(90);
    const retention = validateDurationOneOf(this, 'logRetention', logRetention, 'day', LOG_RETENTION_DAYS, 'CloudWatch retention_in_days');
    const deletionWindow = validateWholeDuration(this, 'kmsKeyDeletionWindow', props.kmsKeyDeletionWindow ?? Duration.days(30), 'day', 7, 30, 'KMS deletion_window_in_days');
    const logTypes = props.controlPlaneLogTypes ?? [...CONTROL_PLANE_LOG_TYPES];
    logTypes.forEach((t, i) => validateOneOf(this, `controlPlaneLogTypes[${i}]`, t, CONTROL_PLANE_LOG_TYPES as unknown as string[]));
    for (const required of ['api', 'audit', 'authenticator']) {
      if (!logTypes.includes(required)) throw new ValidationError(this, 'controlPlaneLogTypes', logTypes, `must include "${required}" (api, audit and authenticator logs are the audit trail, CKV_AWS_37)`);
    }
    const publicEndpoint = props.publicEndpoint ?? false;
    const publicCidrs = props.publicAccessCidrs ?? [];
    if (publicEndpoint && publicCidrs.length === 0) {
      throw new ValidationError(this, 'publicAccessCidrs', publicCidrs, 'must list the CIDRs allowed to reach the public endpoint when publicEndpoint is true');
    }
    if (!publicEndpoint && publicCidrs.length > 0) {
      throw new ValidationError(this, 'publicAccessCidrs', publicCidrs, 'only applies with publicEndpoint: true (the endpoint is private by default)');
    }
    publicCidrs.forEach((c, i) => validateCidr(this, `publicAccessCidrs[${i}]`, c));
    if (publicCidrs.includes('0.0.0.0/0') && !props.acknowledgeOpenPublicEndpoint) {
      throw new ValidationError(this, 'publicAccessCidrs', publicCidrs, 'must not contain 0.0.0.0/0: the API server would be reachable from the whole internet (CKV_AWS_38); list your office/VPN CIDRs, or set acknowledgeOpenPublicEndpoint: true for a throwaway cluster');
    }
    if (props.acknowledgeOpenPublicEndpoint) {
      Annotations.of(this).addWarning('acknowledgeOpenPublicEndpoint is set: the EKS API server may be reachable from the whole internet.');
    }
    const admins = props.adminPrincipalArns ?? [];
    admins.forEach((arn, i) => validatePattern(this, `adminPrincipalArns[${i}]`, arn, IAM_PRINCIPAL_ARN, 'be an IAM role or user ARN such as "arn:aws:iam::123456789012:role/platform-admin" (access entries do not accept assumed-role session ARNs)'));
    if (props.bootstrapCreatorAdmin === false && admins.length === 0) {
      throw new ValidationError(this, 'adminPrincipalArns', admins, 'must list at least one admin when bootstrapCreatorAdmin is false, or nobody could administer the cluster');
    }
    const sys = props.systemNodeGroup ?? {};
    const sysTypes = sys.instanceTypes ?? ['m7i.large', 'm6i.large'];
    if (sysTypes.length === 0) throw new ValidationError(this, 'systemNodeGroup.instanceTypes', sysTypes, 'must list at least one instance type');
    checkSystemInstanceTypes(this, 'systemNodeGroup.instanceTypes', sysTypes, 'AL2023_x86_64_STANDARD');
    const minSize = validateInteger(this, 'systemNodeGroup.minSize', sys.minSize ?? 2, 1, 100);
    const maxSize = validateInteger(this, 'systemNodeGroup.maxSize', sys.maxSize ?? 4, 1, 100);
    validateMinMax(this, 'systemNodeGroup.minSize', minSize, 'systemNodeGroup.maxSize', maxSize);
    const desired = validateInteger(this, 'systemNodeGroup.desiredSize', sys.desiredSize ?? minSize, minSize, maxSize);
    const diskGiB = Math.ceil(validateSize(this, 'systemNodeGroup.diskSize', sys.diskSize ?? Size.gibibytes(50), Size.gibibytes(20), Size.tebibytes(16)).toGibibytes());
    checkAddonVersions(this, this.kubernetesVersion, props.addonVersions);
    const addonVersions: AddonVersions = { ...EKS_VERSIONS[this.kubernetesVersion], ...props.addonVersions };

    // The cluster's region is the provider's (read by a data source below), so is its partition.
    this.partition = arnPartition(this, undefined);
    const managedPolicy = (policy: string) => `arn:${this.partition}:iam::aws:policy/${policy}`;

    this.network = new ClusterVpc(this, 'network', {
      name,
      cidr,
      availabilityZones: props.availabilityZones,
      azCount: 3,
      natGateways: props.natGateways ?? NatGatewayMode.PER_AZ,
      flowLogRetention: logRetention,
    });

    // Secrets encryption (CKV_AWS_58) with a rotating customer key.
    this.secretsKey = new KmsKey(this, 'secrets-key', {
      description: `EKS secrets encryption for ${name}`,
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindow,
    });
    new KmsAlias(this, 'secrets-key-alias', { name: `alias/${truncateName(`${name}-eks-secrets`, 200)}`, targetKeyId: this.secretsKey.keyId });

    // Created before the cluster so EKS does not create it without a retention.
    const controlPlaneLogs = new CloudwatchLogGroup(this, 'control-plane-logs', { name: `/aws/eks/${name}/cluster`, retentionInDays: retention });

    const clusterRole = new IamRole(this, 'cluster-role', {
      name: truncateName(`${name}-cluster`, 64),
      assumeRolePolicy: servicePrincipalTrust(this, 'cluster-trust', 'eks.amazonaws.com'),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'cluster-policy', { role: clusterRole.name, policyArn: managedPolicy('AmazonEKSClusterPolicy') });

    this.cluster = new EksCluster(this, 'cluster', {
      name,
      version: this.kubernetesVersion,
      roleArn: clusterRole.arn,
      // The library installs vpc-cni, kube-proxy and CoreDNS as pinned managed add-ons.
      bootstrapSelfManagedAddons: false,
      enabledClusterLogTypes: logTypes,
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: props.bootstrapCreatorAdmin ?? true },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: this.secretsKey.arn } },
      vpcConfig: {
        subnetIds: this.network.privateSubnets.map((s) => s.id),
        endpointPrivateAccess: true,
        endpointPublicAccess: publicEndpoint,
        publicAccessCidrs: publicEndpoint ? publicCidrs : undefined,
      },
      upgradePolicy: { supportType: this.supportType },
      dependsOn: [controlPlaneLogs, clusterPolicy],
    });

    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.oidcIssuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    this.vpcId = this.network.vpc.id;
    this.privateSubnetIds = this.network.privateSubnets.map((s) => s.id);
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;
    this.region = new DataAwsRegion(this, 'region').name;

    // Karpenter discovers the security group for the nodes it launches by this tag.
    new Ec2Tag(this, 'cluster-sg-discovery-tag', { resourceId: this.clusterSecurityGroupId, key: 'karpenter.sh/discovery', value: name });

    // AWS stopped validating thumbprints for EKS OIDC; the provider computes one when omitted.
    this.oidcProvider = new IamOpenidConnectProvider(this, 'oidc', { url: this.oidcIssuerUrl, clientIdList: ['sts.amazonaws.com'] });
    this.oidcProviderArn = this.oidcProvider.arn;
    this.roles = new ServiceAccountRoles(this, this);

    admins.forEach((arn, i) => {
      const entry = new EksAccessEntry(this, `admin-${i}`, { clusterName: this.cluster.name, principalArn: arn, type: 'STANDARD' });
      new EksAccessPolicyAssociation(this, `admin-${i}-policy`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${this.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: 'cluster' },
      });
    });

    // Node role: the managed policies AWS documents for EKS nodes. The CNI policy goes to the
    // vpc-cni service account through IRSA instead, so pods on the node cannot use it.
    this.nodeRole = new IamRole(this, 'node-role', {
      name: truncateName(`${name}-node`, 64),
      assumeRolePolicy: servicePrincipalTrust(this, 'node-trust', 'ec2.amazonaws.com'),
    });
    const nodePolicies = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly'].map(
      (p) => new IamRolePolicyAttachment(this, `node-${p}`, { role: this.nodeRole.name, policyArn: managedPolicy(p) }),
    );
    this.nodeRoleArn = this.nodeRole.arn;
    this.nodeRoleName = this.nodeRole.name;

    const vpcCniRole = this.addServiceAccountRole('kube-system', 'aws-node', { managedPolicyArns: [managedPolicy('AmazonEKS_CNI_Policy')] });
    const ebsCsiRole = this.addServiceAccountRole('kube-system', 'ebs-csi-controller-sa', { managedPolicyArns: [managedPolicy('service-role/AmazonEBSCSIDriverPolicy')] });

    // DaemonSet add-ons go before the nodes: a node without the CNI never becomes Ready.
    const addon = (addonName: string, version: string, extra: { serviceAccountRoleArn?: string; dependsOn?: EksNodeGroup[] } = {}) => {
      this.addons[addonName] = new EksAddon(this, `addon-${addonName}`, {
        clusterName: this.cluster.name,
        addonName,
        addonVersion: version,
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'PRESERVE',
        serviceAccountRoleArn: extra.serviceAccountRoleArn,
        dependsOn: extra.dependsOn,
      });
      return this.addons[addonName];
    };
    addon('vpc-cni', addonVersions.vpcCni, { serviceAccountRoleArn: vpcCniRole.roleArn });
    addon('kube-proxy', addonVersions.kubeProxy);
    addon('eks-pod-identity-agent', addonVersions.podIdentityAgent);

    // IMDSv2 only with hop limit 1 (CKV_AWS_79/341): pods cannot reach the node's credentials.
    this.systemLaunchTemplate = new LaunchTemplate(this, 'system-lt', {
      namePrefix: `${truncateName(name, 60)}-system-`,
      description: `System node group of ${name}`,
      updateDefaultVersion: true,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: diskGiB, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } }],
      monitoring: { enabled: true },
      tagSpecifications: [
        { resourceType: 'instance', tags: { ...props.tags, Name: `${name}-system` } },
        { resourceType: 'volume', tags: { ...props.tags, Name: `${name}-system` } },
      ],
    });
    this.systemNodeGroup = new EksNodeGroup(this, 'system-nodes', {
      clusterName: this.cluster.name,
      nodeGroupNamePrefix: `${truncateName(name, 30)}-system-`,
      nodeRoleArn: this.nodeRole.arn,
      subnetIds: this.privateSubnetIds,
      capacityType: 'ON_DEMAND',
      amiType: 'AL2023_x86_64_STANDARD',
      instanceTypes: sysTypes,
      scalingConfig: { minSize, maxSize, desiredSize: desired },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: this.systemLaunchTemplate.id, version: this.systemLaunchTemplate.latestVersion.toString() },
      labels: this.systemNodeSelector,
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'], createBeforeDestroy: true },
      dependsOn: [...nodePolicies, this.addons['vpc-cni'], this.addons['kube-proxy']],
    });
    addon('coredns', addonVersions.coredns, { dependsOn: [this.systemNodeGroup] });
    addon('aws-ebs-csi-driver', addonVersions.ebsCsiDriver, { serviceAccountRoleArn: ebsCsiRole.roleArn, dependsOn: [this.systemNodeGroup] });

    applyTags(this, props.tags);

    const out = (oid: string, value: string, description: string) => new TerraformOutput(this, oid, { value, description });
    out('cluster-name', this.cluster.name, 'EKS cluster name');
    out('endpoint', this.endpoint, 'EKS API server endpoint');
    out('certificate-authority-data', this.certificateAuthorityData, 'Base64 CA data of the API server');
    out('oidc-issuer-url', this.oidcIssuerUrl, 'OIDC issuer URL (IRSA)');
    out('oidc-provider-arn', this.oidcProviderArn, 'IAM OIDC provider ARN (IRSA)');
    out('node-role-arn', this.nodeRoleArn, 'IAM role of the nodes');
  }

  /** @inheritdoc */
  /**
   * The cluster as a {@link ClusterReference}: the one list of its attributes an
   * {@link ImportedCluster} in another stack is built from.
   * @param region the region as a plain value (this construct's `region` is a Terraform reference)
   */
  public toReference(region: string): ClusterReference {
    return {
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      certificateAuthorityData: this.certificateAuthorityData,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuerUrl: this.oidcIssuerUrl,
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      nodeRoleArn: this.nodeRoleArn,
      nodeRoleName: this.nodeRoleName,
      region,
      systemNodeSelector: this.systemNodeSelector,
      kubernetesVersion: this.kubernetesVersion,
    };
  }

  public addServiceAccountRole(namespace: string, serviceAccount: string, policy: ServiceAccountPolicy): ServiceAccountRole {
    return this.roles.add(namespace, serviceAccount, policy);
  }

  // GPU-OPERATIONS 27: the version against the EKS calendar, and an upgrade policy that matches it.
  private resolveSupportType(props: AiClusterProps): EksSupportType {
    const date = supportCalendarDate(this, 'supportCalendarDate', props.supportCalendarDate);
    const { phase } = checkEksSupport(this, 'kubernetesVersion', this.kubernetesVersion, date, 'the cluster');
    if (phase === undefined) {
      // Every offered version is in the calendar (a test guards it); never guess a policy.
      throw new ValidationError(this, 'kubernetesVersion', this.kubernetesVersion, 'has no entry in the EKS release calendar of the library (lib/cluster/versions.ts)');
    }
    const inStandard = phase === EksSupportPhase.STANDARD;
    if (props.supportType === undefined) return inStandard ? EksSupportType.STANDARD : EksSupportType.EXTENDED;
    const supportType = validateOneOf(this, 'supportType', props.supportType, Object.values(EksSupportType));
    if (supportType === EksSupportType.STANDARD && !inStandard) {
      throw new ValidationError(this, 'supportType', supportType, `contradicts the calendar: ${this.kubernetesVersion} is in EKS extended support on ${date}, and STANDARD is only valid while a version is in standard support; use EksSupportType.EXTENDED (or leave supportType unset) or upgrade kubernetesVersion (docs/operations.md)`);
    }
    return supportType;
  }

  /** Every IRSA role created through this cluster. */
  public get serviceAccountRoles(): ServiceAccountRole[] {
    return this.roles.all();
  }
}
