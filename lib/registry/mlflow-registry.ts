import { Construct } from 'constructs';
import { ITerraformDependable, TerraformOutput, Token, dependable } from 'cdktf';
import { validateEnum } from '../core/enums';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ICluster } from '../cluster/cluster-reference';
import { ServiceAccountRole } from '../cluster/iam';
import { AwsLoadBalancerController } from '../ingress/aws-load-balancer-controller';
import { InternalAlbIngressOptions, internalAlbIngressValues, validateInternalAlbIngress } from '../ingress/internal-alb';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { EgressRule, PRIVATE_RANGES, validateLabels } from '../k8s/egress';
import { ManifestChart } from '../k8s/manifest-chart';
import { KubernetesObject } from '../k8s/values';
import { JsonObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { ValidationError } from '../core/errors';
import { byCodeUnit, validateDns1123Label, validateDns1123Subdomain, truncateName } from '../core/names';
import { applyTags, TagMap } from '../core/tags';
import { Duration, Size } from '../core/units';
import { validateInteger, validatePattern, validateSize, validateWholeDuration } from '../core/validate';
import { ExternalSecretsOperator } from '../secrets/external-secrets-operator';
import { GeneratedCredentials } from '../secrets/generated-credentials';
import { SecretsManagerStore } from '../secrets/secrets-manager-store';
import { ArtifactBucket, ArtifactBucketOptions, checkArtifactBucketOptions } from './artifact-bucket';
import { RegistryDatabase, RegistryDatabaseOptions, POSTGRES_PORT, checkRegistryDatabaseOptions } from './registry-database';
import { AUTH_DB_ENV, AUTH_DB_INIT_SCRIPT, BootstrapUser, renderBootstrapObjects } from './registry-bootstrap';

/** Default permission MLflow's basic auth gives users on experiments and models they did not create. */
export enum MlflowPermission {
  /** Read only. */
  READ = 'READ',
  /** Read and edit. */
  EDIT = 'EDIT',
  /** Everything, including permissions. */
  MANAGE = 'MANAGE',
  /** Nothing. */
  NO_PERMISSIONS = 'NO_PERMISSIONS',
}

/** The MLflow tracking server pods. */
export interface MlflowServerOptions {
  /**
   * Replicas. Two (spread over zones, with a PodDisruptionBudget) keep the registry available
   * while a node is drained.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * CPU request in millicores (no CPU limit: throttling hurts latency more than it protects).
   * @default 250
   */
  readonly cpuMillis?: number;
  /**
   * Memory request.
   * @default Size.gibibytes(1)
   */
  readonly memoryRequest?: Size;
  /**
   * Memory limit.
   * @default Size.gibibytes(2)
   */
  readonly memoryLimit?: Size;
  /**
   * Permission basic auth grants users on resources they did not create and were not granted. The
   * library's own users (one per grantee, see `grantAccess`) get explicit permissions on what they
   * use, so nothing else needs to be readable by default; give people READ explicitly or set this.
   * @default MlflowPermission.NO_PERMISSIONS
   */
  readonly defaultPermission?: MlflowPermission;
  /**
   * MLflow image tag (the `burakince/mlflow` image the chart uses).
   * @default CHARTS.mlflow.appVersion
   */
  readonly imageTag?: string;
}

/**
 * An internal ALB in front of MLflow (AWS Load Balancer Controller); the same options as the serving
 * router's ({@link InternalAlbIngressOptions}).
 */
export interface MlflowIngressOptions extends InternalAlbIngressOptions {}

/** What the registry is made of, without the cluster it runs on (see {@link MlflowRegistryProps}). */
export interface MlflowRegistryOptions {
  /**
   * Namespace of MLflow.
   * @default 'mlflow'
   */
  readonly namespace?: string;
  /**
   * Create the namespace (Pod Security `restricted`, default-deny ingress).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Helm release name; also the name of the Service, Deployment and service account.
   * @default 'mlflow'
   */
  readonly releaseName?: string;
  /**
   * Key prefix of the artifacts in the bucket (the server's IAM role is limited to it).
   * @default 'mlflow'
   */
  readonly artifactPath?: string;
  /**
   * The artifact bucket.
   * @default - see ArtifactBucketOptions
   */
  readonly artifacts?: ArtifactBucketOptions;
  /**
   * The PostgreSQL backend store.
   * @default - see RegistryDatabaseOptions
   */
  readonly database?: RegistryDatabaseOptions;
  /**
   * The tracking server pods.
   * @default - see MlflowServerOptions
   */
  readonly server?: MlflowServerOptions;
  /**
   * ARN of an existing Secrets Manager secret with the admin credentials as JSON
   * `{"username": …, "password": …}`. The password must not contain `/`, `&`, `\` or `%`
   * (the chart substitutes it with `sed` into an INI file).
   * @default - a secret is created whose password is generated by an ephemeral resource and
   *   written write-only (never in state; needs Terraform 1.11+)
   */
  readonly adminCredentialsSecretArn?: string;
  /**
   * ARN of the KMS key encrypting `adminCredentialsSecretArn`, when it is a customer managed key.
   * @default - the AWS managed key (no KMS permission needed)
   */
  readonly adminCredentialsKmsKeyArn?: string;
  /**
   * Admin user name of the generated credentials.
   * @default 'admin'
   */
  readonly adminUsername?: string;
  /**
   * Bump to generate a new admin password (the write-only value is rewritten only when this
   * changes). The pods pick it up on their next restart.
   * @default 1
   */
  readonly adminPasswordVersion?: number;
  /**
   * Name of the PostgreSQL database (on the registry's instance) that holds MLflow's users and
   * permissions. Its own role (`mlflow_auth`, password generated write-only in Secrets Manager) owns
   * nothing else; the MLflow pods create both and run the auth migrations before the server starts.
   * @default 'mlflow_auth'
   */
  readonly authDatabaseName?: string;
  /**
   * More egress for the MLflow namespace (created here). It denies egress by default and allows DNS,
   * its own pods, public HTTPS (S3, STS) and PostgreSQL (TCP 5432 in the private ranges) for the
   * MLflow pods. See docs/network-policies.md.
   * @default - none
   */
  readonly additionalEgress?: EgressRule[];
  /**
   * An internal ALB Ingress with HTTPS.
   * @default - none (ClusterIP Service only)
   */
  readonly ingress?: MlflowIngressOptions;
  /**
   * Extra CORS origins allowed to make state-changing requests (`https://…`). The ingress origin
   * is added automatically.
   * @default - none
   */
  readonly corsAllowedOrigins?: string[];
  /**
   * Extra Host header values the server accepts (DNS-rebinding protection). The in-cluster
   * Service names, localhost and the ingress host are always accepted.
   * @default - none
   */
  readonly allowedHosts?: string[];
  /**
   * Set `lifecycle.prevent_destroy` on the bucket, the database and the KMS key: Terraform then
   * refuses any plan that would destroy them.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Waiting period before the registry's KMS key is deleted (7-30 whole days).
   * @default Duration.days(30)
   */
  readonly kmsKeyDeletionWindow?: Duration;
  /**
   * MLflow chart version override.
   * @default CHARTS.mlflow.version
   */
  readonly chartVersion?: string;
  /**
   * Values merged over the library's (escape hatch, not validated).
   * @default - none
   */
  readonly extraValues?: JsonObject;
  /**
   * Tags for the registry's AWS resources.
   * @default - none
   */
  readonly tags?: TagMap;
}

/** Props of {@link MlflowRegistry}. */
export interface MlflowRegistryProps extends MlflowRegistryOptions {
  /** The cluster MLflow runs on (its private subnets host the database). */
  readonly cluster: ICluster;
  /** The cluster's External Secrets Operator (syncs the credentials into the namespace). */
  readonly externalSecrets: ExternalSecretsOperator;
}

/** Who may use the registry: pods of one namespace (see {@link MlflowRegistry.grantAccess}). */
export interface MlflowGrantee {
  /** Namespace of the pods (a literal name). It must exist before the grant is applied. */
  readonly namespace: string;
  /**
   * Name of the grantee's identity in its namespace (DNS-1123 label): grants with the same namespace
   * and name share one MLflow user; different names get different users.
   * @default - derived from the namespace and podLabels
   */
  readonly name?: string;
  /**
   * Experiments the grantee logs to: each is created (as the admin) when absent and the grantee's
   * user gets EDIT on it.
   * @default - none (the user can still create experiments of its own, which it then manages)
   */
  readonly experiments?: string[];
  /**
   * Registered models the grantee reads: its user gets READ on each.
   * @default - none
   */
  readonly registeredModels?: string[];
  /**
   * Labels selecting the pods allowed to reach MLflow.
   * @default - every pod of the namespace
   */
  readonly podLabels?: Record<string, string>;
  /**
   * Name of the Kubernetes Secret with the credentials in the grantee's namespace.
   * @default '<releaseName>-credentials'
   */
  readonly secretName?: string;
  /**
   * Resources the grant waits for (e.g. the namespace resource).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** What a grantee needs to call MLflow (see {@link MlflowRegistry.grantAccess}). */
export interface MlflowAccess {
  /** In-cluster tracking URI (`http://<release>.<namespace>.svc.cluster.local`). */
  readonly trackingUri: string;
  /** Kubernetes Secret in the grantee namespace with the credentials. */
  readonly credentialsSecretName: string;
  /** Key of the user name in the Secret (the MLflow client reads this env var name). */
  readonly usernameKey: string;
  /** Key of the password in the Secret (the MLflow client reads this env var name). */
  readonly passwordKey: string;
  /** Key of the tracking URI in the Secret (so `envFrom` configures the client completely). */
  readonly trackingUriKey: string;
  /** The grantee's own MLflow user name. */
  readonly username: string;
  /** ARN of the Secrets Manager secret with the grantee's own credentials (not the admin's). */
  readonly credentialsSecretArn: string;
}

/** One grantee identity: its MLflow user, its secret and the stores that sync it. */
interface GrantIdentity {
  readonly key: string;
  readonly username: string;
  readonly credentials: GeneratedCredentials;
  /** Store in the grantee namespace (reads only this identity's secret). */
  readonly store: SecretsManagerStore;
  /** Store in the MLflow namespace, for the bootstrap Job. */
  readonly bootstrapStore: SecretsManagerStore;
  readonly bootstrapSecretName: string;
  readonly secrets: Set<string>;
  readonly experiments: Set<string>;
  readonly registeredModels: Set<string>;
}

/** Port of the MLflow container (chart default). */
export const MLFLOW_CONTAINER_PORT = 5000;
/** Port of the MLflow Service (chart default). */
export const MLFLOW_SERVICE_PORT = 80;

const ARTIFACT_PATH = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

function shortHash(s: string): string {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(36).padStart(7, '0').slice(0, 7);
}

/** A name fragment AWS accepts in bucket prefixes and DB identifiers, derived from the cluster name. */
function awsSafeName(name: string, max: number): string | undefined {
  if (Token.isUnresolved(name)) return undefined;
  const s = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^[^a-z]+/, '').slice(0, max).replace(/-+$/, '');
  return s.length > 0 ? s : undefined;
}

/**
 * The MLflow tracking server and model registry: RDS PostgreSQL backend (managed master password,
 * synced into the namespace by the External Secrets Operator — no password in state or values),
 * a versioned, KMS-encrypted, TLS-only S3 artifact store served through the tracking server
 * (proxied artifacts: clients need no AWS credentials), an IRSA role scoped to the bucket prefix
 * and key, basic auth with the admin credentials in Secrets Manager, DB migrations on upgrade,
 * allowed hosts/CORS, NetworkPolicies admitting only granted namespaces and the ingress.
 */
export class MlflowRegistry extends Construct implements IWorkloadSource {
  /** The registry's KMS key (bucket, database, Performance Insights, secrets). */
  public readonly key: KmsKey;
  /** The artifact store. */
  public readonly artifacts: ArtifactBucket;
  /** The backend store. */
  public readonly database: RegistryDatabase;
  /** IRSA role of the tracking server. */
  public readonly serverRole: ServiceAccountRole;
  /** The MLflow Helm release. */
  public readonly chart: HelmChart;
  /** Secret store of the database credentials (mlflow namespace). */
  public readonly databaseSecretStore: SecretsManagerStore;
  /** Secret store of the admin credentials (mlflow namespace). */
  public readonly adminSecretStore: SecretsManagerStore;
  /** The generated admin credentials, unless `adminCredentialsSecretArn` was given. */
  public readonly generatedAdminCredentials?: GeneratedCredentials;
  /** ARN of the Secrets Manager secret with the admin credentials. */
  public readonly adminCredentialsSecretArn: string;
  /** The namespace, when created here. */
  public readonly platformNamespace?: PlatformNamespace;
  /** Namespace of MLflow. */
  public readonly namespace: string;
  /** Helm release name (and Service name). */
  public readonly releaseName: string;
  /** In-cluster tracking URI. */
  public readonly trackingUri: string;
  /** HTTPS URL of the internal ALB, when `ingress` is given. */
  public readonly externalUrl?: string;
  /** Key prefix of the artifacts in the bucket. */
  public readonly artifactPath: string;
  /** Name of the Kubernetes Secret with the database credentials. */
  public readonly databaseCredentialsSecretName: string;
  /** Name of the Kubernetes Secret with the admin credentials. */
  public readonly adminCredentialsSecretName: string;
  /** Labels selecting the MLflow pods. */
  public readonly podSelector: Record<string, string>;
  /** NetworkPolicies admitting traffic to MLflow (ingress and grants). */
  public readonly networkPolicies: NetworkPolicyV1[] = [];
  /** PodDisruptionBudget, with more than one replica. */
  public readonly podDisruptionBudget?: PodDisruptionBudgetV1;
  /** The auth database's own credentials (role and password, generated write-only). */
  public readonly authDatabaseCredentials: GeneratedCredentials;
  /** Secret store of the auth database credentials (mlflow namespace). */
  public readonly authDatabaseSecretStore: SecretsManagerStore;
  /** Name of the PostgreSQL database holding MLflow's users and permissions. */
  public readonly authDatabaseName: string;

  private readonly cluster: ICluster;
  private readonly operator: ExternalSecretsOperator;
  private readonly adminKmsKeyArn?: string;
  private readonly replicas: number;
  private readonly identities = new Map<string, GrantIdentity>();
  private readonly clusterPart?: string;
  private readonly imageTag: string;
  private bootstrap?: { chart: ManifestChart; objects: KubernetesObject[]; waitsFor: Set<string> };
  private readonly bootstrapPodLabels: Record<string, string>;
  private readonly adminPasswordVersion: number;

  /** Creates the registry. */
  public constructor(scope: Construct, id: string, props: MlflowRegistryProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.operator = props.externalSecrets;
    const namespace = validateDns1123Label(this, 'namespace', props.namespace ?? 'mlflow');
    if (Token.isUnresolved(namespace)) throw new ValidationError(this, 'namespace', namespace, 'must be a literal namespace name');
    this.releaseName = validateDns1123Label(this, 'releaseName', props.releaseName ?? 'mlflow');
    if (this.releaseName.length > 40) throw new ValidationError(this, 'releaseName', this.releaseName, 'must be at most 40 characters (it prefixes the names of the chart objects and secrets)');
    this.artifactPath = validatePattern(this, 'artifactPath', props.artifactPath ?? 'mlflow', ARTIFACT_PATH, 'be an S3 key prefix without leading or trailing "/" made of letters, digits and !_.*\'()- (e.g. "mlflow" or "teams/ml/mlflow")');
    const server = props.server ?? {};
    validateEnum(this, 'server.defaultPermission', server.defaultPermission, MlflowPermission, 'MlflowPermission');
    this.replicas = validateInteger(this, 'server.replicas', server.replicas ?? 2, 1, 10);
    const cpuMillis = validateInteger(this, 'server.cpuMillis', server.cpuMillis ?? 250, 50, 64000);
    const memRequest = server.memoryRequest ?? Size.gibibytes(1);
    const memLimit = server.memoryLimit ?? Size.gibibytes(2);
    validateSize(this, 'server.memoryRequest', memRequest, Size.mebibytes(256));
    if (memLimit.toBytes() < memRequest.toBytes()) {
      throw new ValidationError(this, 'server.memoryLimit', memLimit, `must be at least server.memoryRequest (${memRequest})`);
    }
    const imageTag = validatePattern(this, 'server.imageTag', server.imageTag ?? CHARTS.mlflow.appVersion, /^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'be a pinned image tag such as "3.15.1" (not "latest")');
    this.imageTag = imageTag;
    this.adminPasswordVersion = props.adminPasswordVersion ?? 1;
    this.bootstrapPodLabels = { 'app.kubernetes.io/name': 'mlflow-bootstrap', 'app.kubernetes.io/instance': this.releaseName };
    const deletionWindow = validateWholeDuration(this, 'kmsKeyDeletionWindow', props.kmsKeyDeletionWindow ?? Duration.days(30), 'day', 7, 30, 'KMS deletion_window_in_days');
    this.authDatabaseName = validatePattern(this, 'authDatabaseName', props.authDatabaseName ?? 'mlflow_auth', /^[a-z][a-z0-9_]{0,62}$/, 'start with a lowercase letter and contain only lowercase letters, digits and "_" (1-63 characters)');
    if (this.authDatabaseName === (props.database?.databaseName ?? 'mlflow') || ['postgres', 'rdsadmin', 'template0', 'template1'].includes(this.authDatabaseName)) {
      throw new ValidationError(this, 'authDatabaseName', this.authDatabaseName, 'must name a database of its own (not the backend store\'s database, postgres, rdsadmin or a template)');
    }
    if (props.additionalEgress !== undefined && props.createNamespace === false) {
      throw new ValidationError(this, 'additionalEgress', props.additionalEgress, 'applies only when the registry creates its namespace (createNamespace); add the allows to your own namespace');
    }
    if (props.adminCredentialsSecretArn !== undefined && !Token.isUnresolved(props.adminCredentialsSecretArn)) {
      validatePattern(this, 'adminCredentialsSecretArn', props.adminCredentialsSecretArn, /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'be a Secrets Manager secret ARN');
    }
    if (props.adminCredentialsKmsKeyArn !== undefined && props.adminCredentialsSecretArn === undefined) {
      throw new ValidationError(this, 'adminCredentialsKmsKeyArn', props.adminCredentialsKmsKeyArn, 'only applies with adminCredentialsSecretArn (the generated secret uses the registry key)');
    }
    if (props.adminCredentialsSecretArn !== undefined && (props.adminUsername !== undefined || props.adminPasswordVersion !== undefined)) {
      throw new ValidationError(this, props.adminUsername !== undefined ? 'adminUsername' : 'adminPasswordVersion', props.adminUsername ?? props.adminPasswordVersion, 'only applies to generated credentials; the user name and password come from adminCredentialsSecretArn');
    }
    const ingress = props.ingress;
    if (ingress) this.validateIngress(ingress);
    const ingressController = ingress ? (ingress.controller ?? AwsLoadBalancerController.forCluster(this, props.cluster)) : undefined;
    const extraOrigins = props.corsAllowedOrigins ?? [];
    extraOrigins.forEach((o, i) => validatePattern(this, `corsAllowedOrigins[${i}]`, o, /^https?:\/\/[^/\s*]+$/, 'be an origin such as "https://mlflow.example.com" (scheme and host, no path, no wildcard)'));
    const extraHosts = props.allowedHosts ?? [];
    extraHosts.forEach((h, i) => validatePattern(this, `allowedHosts[${i}]`, h, /^[A-Za-z0-9.*[\]:-]+$/, 'be a host name or pattern such as "mlflow.example.com" or "mlflow.example.com:*" ("*" alone would turn the protection off)'));
    if (extraHosts.includes('*')) throw new ValidationError(this, 'allowedHosts', extraHosts, 'must not contain "*": it turns off the DNS-rebinding protection');

    const clusterPart = awsSafeName(props.cluster.clusterName, 30);
    this.clusterPart = clusterPart;
    const preventDestroy = props.preventDestroy ?? false;
    const defaultIdentifier = clusterPart ? `${clusterPart}-${this.releaseName}`.slice(0, 63).replace(/-+$/, '') : `${this.releaseName}-registry`;
    // Nested options are checked here first so errors name them as the user wrote them.
    checkArtifactBucketOptions(this, props.artifacts ?? {}, 'artifacts.');
    checkRegistryDatabaseOptions(this, props.database ?? {}, defaultIdentifier, 'database.');

    // Namespace first: everything in the cluster lands in it.
    if (props.createNamespace ?? true) {
      const serverPods = { 'app.kubernetes.io/name': 'mlflow', 'app.kubernetes.io/instance': this.releaseName };
      this.platformNamespace = new PlatformNamespace(this, 'namespace', {
        name: namespace,
        egress: {
          // The RDS instance sits in the cluster's private subnets: its address is private.
          additionalEgress: [{ name: 'postgres', podLabels: serverPods, to: PRIVATE_RANGES.map((cidr) => ({ cidr })), ports: [{ port: POSTGRES_PORT }] }, ...(props.additionalEgress ?? [])],
        },
      });
    }
    this.namespace = namespace;
    const namespaceDeps: ITerraformDependable[] = this.platformNamespace?.defaultDeny ? [this.platformNamespace.namespace, this.platformNamespace.defaultDeny] : [];

    this.key = new KmsKey(this, 'key', {
      description: `MLflow registry ${clusterPart ? `${clusterPart}/` : ''}${namespace}: artifacts, database, secrets`,
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindow,
      lifecycle: preventDestroy ? { preventDestroy: true } : undefined,
    });
    new KmsAlias(this, 'key-alias', { namePrefix: `alias/${clusterPart ? `${clusterPart}-` : ''}mlflow-`, targetKeyId: this.key.keyId });

    this.artifacts = new ArtifactBucket(this, 'artifacts', {
      ...props.artifacts,
      kmsKeyArn: this.key.arn,
      bucketPrefix: `${clusterPart ? `${awsSafeName(clusterPart, 20)}-` : ''}mlflow-`,
      preventDestroy,
    });

    this.database = new RegistryDatabase(this, 'database', {
      ...props.database,
      vpcId: props.cluster.vpcId,
      subnetIds: props.cluster.privateSubnetIds,
      clientSecurityGroupId: props.cluster.clusterSecurityGroupId,
      defaultIdentifier,
      kmsKeyArn: this.key.arn,
      region: props.cluster.region,
      preventDestroy,
    });

    // The tracking server's only AWS permissions: objects under the artifact prefix, and the key
    // (through S3 only, for SSE-KMS).
    const objects = `${this.artifacts.bucketArn}/${this.artifactPath}/*`;
    this.serverRole = props.cluster.addServiceAccountRole(namespace, this.releaseName, {
      statements: [
        { sid: 'ListArtifactPrefix', actions: ['s3:ListBucket'], resources: [this.artifacts.bucketArn], conditions: [{ test: 'StringLike', variable: 's3:prefix', values: [this.artifactPath, `${this.artifactPath}/*`] }] },
        { sid: 'LocateBucket', actions: ['s3:GetBucketLocation'], resources: [this.artifacts.bucketArn] },
        { sid: 'ReadWriteArtifacts', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], resources: [objects] },
        {
          sid: 'UseKeyThroughS3',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.key.arn],
          conditions: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${props.cluster.region}.amazonaws.com`] }],
        },
      ],
    });

    // Admin credentials: generated write-only, or the user's own secret.
    if (props.adminCredentialsSecretArn === undefined) {
      this.generatedAdminCredentials = new GeneratedCredentials(this, 'admin-credentials', {
        namePrefix: `${clusterPart ? `${clusterPart}/` : ''}${namespace}/${this.releaseName}-admin-`,
        username: props.adminUsername ?? 'admin',
        kmsKeyArn: this.key.arn,
        passwordVersion: props.adminPasswordVersion,
        description: `MLflow ${namespace}/${this.releaseName} basic-auth admin (password generated write-only; not in Terraform state)`,
      });
      this.adminCredentialsSecretArn = this.generatedAdminCredentials.secretArn;
      this.adminKmsKeyArn = this.key.arn;
    } else {
      this.adminCredentialsSecretArn = props.adminCredentialsSecretArn;
      this.adminKmsKeyArn = props.adminCredentialsKmsKeyArn;
    }

    // Credentials reach the pods through ESO, one store (and IRSA role) per secret.
    this.databaseSecretStore = new SecretsManagerStore(this, 'database-secret-store', {
      cluster: props.cluster,
      operator: this.operator,
      namespace,
      name: `${this.releaseName}-database`,
      secretArn: this.database.masterUserSecretArn,
      kmsKeyArn: this.key.arn,
      dependsOn: namespaceDeps,
    });
    this.databaseCredentialsSecretName = `${this.releaseName}-database-credentials`;
    this.databaseSecretStore.addExternalSecret({
      name: this.databaseCredentialsSecretName,
      properties: [
        { secretKey: 'username', property: 'username' },
        { secretKey: 'password', property: 'password' },
      ],
      // The RDS-managed secret holds only username/password: the connection details (not secret)
      // are composed here so the Secret is a complete libpq/SQLAlchemy configuration.
      template: {
        username: '{{ .username }}',
        password: '{{ .password }}',
        host: this.database.address,
        port: String(POSTGRES_PORT),
        dbname: this.database.databaseName,
        sslmode: 'require',
      },
    });
    this.adminSecretStore = new SecretsManagerStore(this, 'admin-secret-store', {
      cluster: props.cluster,
      operator: this.operator,
      namespace,
      name: `${this.releaseName}-admin`,
      secretArn: this.adminCredentialsSecretArn,
      kmsKeyArn: this.adminKmsKeyArn,
      dependsOn: namespaceDeps,
    });
    this.adminCredentialsSecretName = `${this.releaseName}-admin-credentials`;
    this.adminSecretStore.addExternalSecret({
      name: this.adminCredentialsSecretName,
      properties: [
        { secretKey: 'username', property: 'username' },
        { secretKey: 'password', property: 'password' },
      ],
    });

    // MLflow's users and permissions: a database and role of their own on the registry's instance,
    // the role's password generated write-only (never in state) and synced by ESO.
    this.authDatabaseCredentials = new GeneratedCredentials(this, 'auth-database-credentials', {
      namePrefix: `${clusterPart ? `${clusterPart}/` : ''}${namespace}/${this.releaseName}-auth-db-`,
      username: 'mlflow_auth',
      kmsKeyArn: this.key.arn,
      description: `MLflow ${namespace}/${this.releaseName} auth database role (password generated write-only; not in Terraform state)`,
    });
    this.authDatabaseSecretStore = new SecretsManagerStore(this, 'auth-database-secret-store', {
      cluster: props.cluster,
      operator: this.operator,
      namespace,
      name: `${this.releaseName}-auth-database`,
      secretArn: this.authDatabaseCredentials.secretArn,
      kmsKeyArn: this.key.arn,
      dependsOn: namespaceDeps,
    });
    const authDatabaseSecretName = `${this.releaseName}-auth-database-credentials`;
    this.authDatabaseSecretStore.addExternalSecret({
      name: authDatabaseSecretName,
      properties: [
        { secretKey: 'username', property: 'username' },
        { secretKey: 'password', property: 'password' },
      ],
    });

    this.podSelector = { 'app.kubernetes.io/name': 'mlflow', 'app.kubernetes.io/instance': this.releaseName };
    const serviceHost = `${this.releaseName}.${namespace}.svc.cluster.local`;
    this.trackingUri = `http://${serviceHost}`;
    this.externalUrl = ingress ? `https://${ingress.host}` : undefined;
    const serviceNames = [this.releaseName, `${this.releaseName}.${namespace}`, `${this.releaseName}.${namespace}.svc`, serviceHost];
    const allowedHosts = [...serviceNames, ...serviceNames.map((h) => `${h}:*`), 'localhost', 'localhost:*', ...(ingress ? [ingress.host, `${ingress.host}:*`] : []), ...extraHosts];
    const corsOrigins = [...(ingress ? [`https://${ingress.host}`] : []), ...extraOrigins];

    const securityContext: JsonObject = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      privileged: false,
      runAsUser: 1001,
      runAsGroup: 1001,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const values: JsonObject = {
      fullnameOverride: this.releaseName,
      replicaCount: this.replicas,
      image: { tag: imageTag },
      initImages: { mlflowDbMigration: { tag: imageTag } },
      // One new pod at a time: each runs the schema migration in its init container, and
      // concurrent Alembic migrations of the same database can collide.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      serviceAccount: {
        create: true,
        name: this.releaseName,
        // MLflow never calls the Kubernetes API; IRSA injects its own projected token.
        automount: false,
        annotations: { 'eks.amazonaws.com/role-arn': this.serverRole.roleArn, 'eks.amazonaws.com/sts-regional-endpoints': 'true' },
      },
      podSecurityContext: { runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
      securityContext,
      service: { enabled: true, type: 'ClusterIP', port: MLFLOW_SERVICE_PORT, containerPort: MLFLOW_CONTAINER_PORT },
      telemetry: { enabled: false },
      backendStore: {
        databaseMigration: true,
        databaseConnectionCheck: true,
        postgres: { enabled: true, host: this.database.address, port: POSTGRES_PORT, database: this.database.databaseName },
        existingDatabaseSecret: { name: this.databaseCredentialsSecretName, usernameKey: 'username', passwordKey: 'password' },
      },
      artifactRoot: {
        proxiedArtifactStorage: true,
        s3: { enabled: true, bucket: this.artifacts.bucketName, path: this.artifactPath },
      },
      auth: {
        enabled: true,
        existingAdminSecret: { name: this.adminCredentialsSecretName, usernameKey: 'username', passwordKey: 'password' },
        defaultPermission: server.defaultPermission ?? MlflowPermission.NO_PERMISSIONS,
        // Users and permissions in PostgreSQL, shared by every replica and kept across restarts
        // (the chart's default is SQLite in the pod). The chart writes the URI into basic_auth.ini
        // with sed: the generated password is alphanumeric, so it needs no escaping.
        postgres: {
          enabled: true,
          host: this.database.address,
          port: POSTGRES_PORT,
          database: this.authDatabaseName,
          existingSecret: { name: authDatabaseSecretName, usernameKey: 'username', passwordKey: 'password' },
        },
      },
      // Creates the auth role and database and runs the auth migrations, once, under a lock.
      initContainers: [authDatabaseInitContainer(imageTag, securityContext, this.databaseCredentialsSecretName, authDatabaseSecretName, this.authDatabaseName)],
      extraEnvVars: {
        // The server's connections to RDS must use TLS (the instance also enforces rds.force_ssl).
        PGSSLMODE: 'require',
        AWS_REGION: props.cluster.region,
        AWS_DEFAULT_REGION: props.cluster.region,
        AWS_STS_REGIONAL_ENDPOINTS: 'regional',
      },
      serverAllowedHosts: allowedHosts,
      corsAllowedOrigins: corsOrigins,
      resources: {
        requests: { cpu: `${cpuMillis}m`, memory: memRequest.toKubernetes() },
        limits: { memory: memLimit.toKubernetes() },
      },
      livenessProbe: { initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
      readinessProbe: { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { ...this.podSelector } } } },
            { weight: 50, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...this.podSelector } } } },
          ],
        },
      },
      // TLS terminates at the ALB (certificate ARN); the tls entry tells the chart the origin is https.
      ingress: ingress && ingressController ? internalAlbIngressValues(ingress, ingressController, '/health', { tls: [{ hosts: [ingress.host] }] }) : { enabled: false },
    };
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.mlflow,
      releaseName: this.releaseName,
      namespace,
      values,
      extraValues: props.extraValues,
      chartVersion: props.chartVersion,
      // The pods start once ESO has written both Secrets; wait so dependants see a ready server.
      wait: true,
      timeout: Duration.minutes(15),
      dependsOn: [this.database.instance, this.artifacts.policy, this.databaseSecretStore.manifests.release, this.adminSecretStore.manifests.release, this.authDatabaseSecretStore.manifests.release, ...(ingressController ? [ingressController.dependable] : []), ...namespaceDeps],
    });

    if (this.replicas > 1) {
      this.podDisruptionBudget = new PodDisruptionBudgetV1(this, 'pdb', {
        metadata: { name: this.releaseName, namespace },
        spec: { minAvailable: '1', selector: { matchLabels: { ...this.podSelector } } },
        dependsOn: namespaceDeps,
      });
    }
    if (ingress) {
      this.networkPolicies.push(
        new NetworkPolicyV1(this, 'allow-load-balancer', {
          metadata: { name: `${this.releaseName}-allow-load-balancer`, namespace },
          spec: {
            podSelector: { matchLabels: { ...this.podSelector } },
            policyTypes: ['Ingress'],
            ingress: [{ from: ingress.loadBalancerSourceCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: String(MLFLOW_CONTAINER_PORT), protocol: 'TCP' }] }],
          },
          dependsOn: namespaceDeps,
        }),
      );
    }

    applyTags(this, props.tags);
    new TerraformOutput(this, 'tracking-uri', { value: this.trackingUri, description: 'In-cluster MLflow tracking URI' });
    if (this.externalUrl) new TerraformOutput(this, 'external-url', { value: this.externalUrl, description: 'MLflow behind the internal ALB (HTTPS)' });
    new TerraformOutput(this, 'artifact-bucket', { value: this.artifacts.bucketName, description: 'S3 bucket of the MLflow artifacts' });
    new TerraformOutput(this, 'server-role-arn', { value: this.serverRole.roleArn, description: 'IRSA role of the MLflow server' });
    new TerraformOutput(this, 'database-endpoint', { value: this.database.instance.endpoint, description: 'PostgreSQL endpoint (host:port) of the backend store' });
    // ARNs of secrets grant nothing by themselves, but they name where credentials live: masked.
    new TerraformOutput(this, 'admin-credentials-secret-arn', { value: this.adminCredentialsSecretArn, description: 'Secrets Manager secret with the MLflow admin credentials', sensitive: true });
    new TerraformOutput(this, 'database-credentials-secret-arn', { value: this.database.masterUserSecretArn, description: 'RDS-managed Secrets Manager secret of the database master user', sensitive: true });
  }

  /**
   * Lets pods of another namespace use the registry with an identity of their own: an MLflow user
   * for this grantee (namespace + `name`, or namespace + pod labels), whose password is generated
   * write-only into a Secrets Manager secret of its own. An ExternalSecret (through a SecretStore
   * whose IRSA role can read only that secret) writes a Secret in the grantee's namespace with
   * `MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD` — the variables
   * the MLflow client reads, so `envFrom: [{ secretRef: { name } }]` configures it. A bootstrap Job
   * in the registry's namespace creates the user (or resets its password) and its permissions
   * (EDIT on `experiments`, READ on `registeredModels`) as the admin; the admin credentials never
   * leave the registry's namespace. A NetworkPolicy admits the pods to MLflow. Artifacts go through
   * the server (proxied), so the pods need no AWS permissions.
   */
  public grantAccess(grantee: MlflowGrantee): MlflowAccess {
    if (Token.isUnresolved(grantee.namespace)) {
      throw new ValidationError(this, 'grantee.namespace', grantee.namespace, 'must be a literal namespace name; pass the namespace resource in grantee.dependsOn for ordering');
    }
    const ns = validateDns1123Label(this, 'grantee.namespace', grantee.namespace);
    if (ns === this.namespace) {
      throw new ValidationError(this, 'grantee.namespace', ns, `must not be the registry's own namespace (${this.namespace}); run clients in their own namespace`);
    }
    const labels = validateLabels(this, 'grantee.podLabels', grantee.podLabels ?? {});
    if (grantee.name !== undefined) validateDns1123Label(this, 'grantee.name', grantee.name);
    const experiments = grantee.experiments ?? [];
    experiments.forEach((e, i) => validatePattern(this, `grantee.experiments[${i}]`, e, /^\S(.{0,498}\S)?$/, 'be an experiment name (1-500 characters, no leading or trailing space)'));
    const models = grantee.registeredModels ?? [];
    models.forEach((m, i) => validatePattern(this, `grantee.registeredModels[${i}]`, m, /^\S(.{0,498}\S)?$/, 'be a registered model name (1-500 characters, no leading or trailing space)'));

    const selectorKey = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
    // One identity per (namespace, name) — or (namespace, pod labels) without a name.
    const key = grantee.name !== undefined ? `${ns}-${grantee.name}` : selectorKey ? `${ns}-${shortHash(selectorKey)}` : ns;
    const defaultSecret = key === ns ? `${this.releaseName}-credentials` : truncateName(`${this.releaseName}-${key.slice(ns.length + 1)}-credentials`, 253);
    const secretName = validateDns1123Subdomain(this, 'grantee.secretName', grantee.secretName ?? defaultSecret);
    const identity = this.identity(key, ns, grantee.dependsOn);
    if (!identity.secrets.has(secretName)) {
      identity.store.addExternalSecret({
        name: secretName,
        properties: [
          { secretKey: 'username', property: 'username' },
          { secretKey: 'password', property: 'password' },
        ],
        template: {
          MLFLOW_TRACKING_URI: this.trackingUri,
          MLFLOW_TRACKING_USERNAME: '{{ .username }}',
          MLFLOW_TRACKING_PASSWORD: '{{ .password }}',
        },
      });
      identity.secrets.add(secretName);
    }
    experiments.forEach((e) => identity.experiments.add(e));
    models.forEach((m) => identity.registeredModels.add(m));
    this.renderBootstrap();

    const policyId = `allow-${ns}${selectorKey ? `-${shortHash(selectorKey)}` : ''}`;
    if (!this.node.tryFindChild(policyId)) {
      this.networkPolicies.push(
        new NetworkPolicyV1(this, policyId, {
          metadata: { name: truncateName(`${this.releaseName}-${policyId}`, 63), namespace: this.namespace },
          spec: {
            podSelector: { matchLabels: { ...this.podSelector } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { ...labels } } }],
                ports: [{ port: String(MLFLOW_CONTAINER_PORT), protocol: 'TCP' }],
              },
            ],
          },
          dependsOn: this.platformNamespace ? [this.platformNamespace.namespace] : undefined,
        }),
      );
    }
    return {
      trackingUri: this.trackingUri,
      credentialsSecretName: secretName,
      usernameKey: 'MLFLOW_TRACKING_USERNAME',
      passwordKey: 'MLFLOW_TRACKING_PASSWORD',
      trackingUriKey: 'MLFLOW_TRACKING_URI',
      username: identity.username,
      credentialsSecretArn: identity.credentials.secretArn,
    };
  }

  /** The identity of a grantee key, created on first use. */
  private identity(key: string, ns: string, dependsOn: ITerraformDependable[] | undefined): GrantIdentity {
    const existing = this.identities.get(key);
    if (existing) return existing;
    const username = `svc-${key}`;
    const credentials = new GeneratedCredentials(this, `user-${key}`, {
      namePrefix: truncateName(`${this.clusterPart ? `${this.clusterPart}/` : ''}${this.namespace}/${this.releaseName}-user-${key}`, 480) + '-',
      username: username.length <= 63 ? username : truncateName(username, 63),
      kmsKeyArn: this.key.arn,
      description: `MLflow ${this.namespace}/${this.releaseName} user of ${key} (password generated write-only; not in Terraform state)`,
    });
    // The grantee's store: its IRSA role reads this identity's secret and nothing else.
    const store = new SecretsManagerStore(this, `grant-${key}`, {
      cluster: this.cluster,
      operator: this.operator,
      namespace: ns,
      name: key === ns ? `${this.releaseName}-credentials` : truncateName(`${this.releaseName}-${key.slice(ns.length + 1)}`, 45),
      secretArn: credentials.secretArn,
      kmsKeyArn: this.key.arn,
      dependsOn,
    });
    // The same secret in the registry's namespace, for the bootstrap Job that creates the user.
    const bootstrapStore = new SecretsManagerStore(this, `user-${key}-store`, {
      cluster: this.cluster,
      operator: this.operator,
      namespace: this.namespace,
      name: truncateName(`${this.releaseName}-user-${key}`, 45),
      secretArn: credentials.secretArn,
      kmsKeyArn: this.key.arn,
      dependsOn: this.platformNamespace ? [this.platformNamespace.namespace] : undefined,
    });
    const bootstrapSecretName = truncateName(`${this.releaseName}-user-${key}`, 253);
    bootstrapStore.addExternalSecret({ name: bootstrapSecretName, properties: [{ secretKey: 'password', property: 'password' }] });
    const identity: GrantIdentity = {
      key, username: credentials.username, credentials, store, bootstrapStore, bootstrapSecretName,
      secrets: new Set(), experiments: new Set(), registeredModels: new Set(),
    };
    this.identities.set(key, identity);
    return identity;
  }

  /**
   * (Re)renders the bootstrap Job from every identity so far. The objects are updated in place: the
   * manifests chart renders them at synth, after the last grant.
   */
  private renderBootstrap(): void {
    const all = [...this.identities.values()].sort((a, b) => byCodeUnit(a.key, b.key));
    const users = all.map((id, i) => {
      const user: BootstrapUser = {
        username: id.username,
        passwordEnv: `BOOTSTRAP_USER_${i}_PASSWORD`,
        experiments: [...id.experiments].sort().map((name) => ({ name, permission: MlflowPermission.EDIT })),
        registeredModels: [...id.registeredModels].sort().map((name) => ({ name, permission: MlflowPermission.READ })),
      };
      return { user, secretName: id.bootstrapSecretName };
    });
    const name = `${this.releaseName}-bootstrap`;
    const objects = renderBootstrapObjects({
      name,
      namespace: this.namespace,
      image: mlflowImage(this.imageTag),
      trackingUri: this.trackingUri,
      adminSecretName: this.adminCredentialsSecretName,
      users,
      podLabels: this.bootstrapPodLabels,
      // The Job's name carries its config: a new grant (or a rotated password version) runs it again.
      configHash: shortHash(JSON.stringify({ users: users.map((u) => u.user), image: this.imageTag, admin: this.adminPasswordVersion })),
    });
    if (!this.bootstrap) {
      const chart = new ManifestChart(this, 'bootstrap', {
        releaseName: name,
        namespace: this.namespace,
        waitForJobs: true,
        dependsOn: [this.chart.release, ...all.map((id) => id.bootstrapStore.manifests.release)],
      });
      objects.forEach((o) => chart.addManifest(o));
      this.bootstrap = { chart, objects, waitsFor: new Set(all.map((id) => id.key)) };
      // The bootstrap pods reach the MLflow pods.
      this.networkPolicies.push(
        new NetworkPolicyV1(this, 'allow-bootstrap', {
          metadata: { name: `${this.releaseName}-allow-bootstrap`, namespace: this.namespace },
          spec: {
            podSelector: { matchLabels: { ...this.podSelector } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: { matchLabels: { ...this.bootstrapPodLabels } } }], ports: [{ port: String(MLFLOW_CONTAINER_PORT), protocol: 'TCP' }] }],
          },
          dependsOn: this.platformNamespace ? [this.platformNamespace.namespace] : undefined,
        }),
      );
      return;
    }
    this.bootstrap.objects.forEach((o, i) => Object.assign(o, objects[i]));
    const release = this.bootstrap.chart.release;
    for (const id of all) {
      if (this.bootstrap.waitsFor.has(id.key)) continue;
      release.dependsOn = [...(release.dependsOn ?? []), dependable(id.bootstrapStore.manifests.release)];
      this.bootstrap.waitsFor.add(id.key);
    }
  }

  /** The MLflow pods as the chart will run them (for the policy Aspect). */
  public renderedWorkloads(): RenderedWorkload[] {
    const v = this.chart.renderedValues();
    return [
      {
        kind: 'HelmValues',
        name: this.releaseName,
        namespace: this.namespace,
        source: 'chart',
        replicas: v.replicaCount as number,
        podMetadata: { labels: { ...this.podSelector } },
        podSpec: {
          automountServiceAccountToken: (v.serviceAccount as JsonObject).automount,
          securityContext: v.podSecurityContext,
          affinity: v.affinity,
          containers: [
            { name: 'mlflow', securityContext: v.securityContext, resources: v.resources, livenessProbe: { httpGet: { path: '/health', port: 'mlflow' }, ...(v.livenessProbe as JsonObject) }, readinessProbe: { httpGet: { path: '/health', port: 'mlflow' }, ...(v.readinessProbe as JsonObject) } },
          ],
        },
      },
    ];
  }

  private validateIngress(ingress: MlflowIngressOptions): void {
    validateInternalAlbIngress(this, ingress, { exampleHost: 'mlflow.internal.example.com', endpoint: 'the registry' });
  }
}

/** MLflow image (the chart's `image.repository`) at the registry's tag. */
function mlflowImage(tag: string): string {
  return `burakince/mlflow:${tag}`;
}

/** The init container that prepares the auth database (see AUTH_DB_INIT_SCRIPT). */
function authDatabaseInitContainer(imageTag: string, securityContext: JsonObject, databaseSecret: string, authSecret: string, authDatabase: string): JsonObject {
  const fromSecret = (name: string, secret: string, key: string): JsonObject => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
  return {
    name: 'auth-database',
    image: mlflowImage(imageTag),
    command: ['python', '-c', AUTH_DB_INIT_SCRIPT],
    env: [
      // libpq's variables: the master user connects with them (the Secret's keys are composed for it).
      fromSecret('PGHOST', databaseSecret, 'host'),
      fromSecret('PGPORT', databaseSecret, 'port'),
      fromSecret('PGDATABASE', databaseSecret, 'dbname'),
      fromSecret('PGUSER', databaseSecret, 'username'),
      fromSecret('PGPASSWORD', databaseSecret, 'password'),
      fromSecret('PGSSLMODE', databaseSecret, 'sslmode'),
      fromSecret(AUTH_DB_ENV.user, authSecret, 'username'),
      fromSecret(AUTH_DB_ENV.password, authSecret, 'password'),
      { name: AUTH_DB_ENV.database, value: authDatabase },
      { name: 'HOME', value: '/tmp' },
    ],
    securityContext,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}
