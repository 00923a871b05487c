import { Construct } from 'constructs';
import { ITerraformDependable, Token } from 'cdktf';
import { ICluster } from '../cluster/cluster-reference';
import { PolicyStatement, ServiceAccountRole } from '../cluster/iam';
import { ManifestChart } from '../k8s/manifest-chart';
import { JsonObject, KubernetesObject } from '../k8s/values';
import { ValidationError } from '../core/errors';
import { validateDns1123Label, validateDns1123Subdomain } from '../core/names';
import { Duration } from '../core/units';
import { validatePattern } from '../core/validate';
import { ExternalSecretsOperator } from './external-secrets-operator';

/** API version of the External Secrets Operator kinds the library renders. */
export const EXTERNAL_SECRETS_API_VERSION = 'external-secrets.io/v1';

/** One key of the Kubernetes Secret, read from a JSON property of the Secrets Manager secret. */
export interface SecretProperty {
  /** Key in the Kubernetes Secret (and the template variable name, `{{ .<secretKey> }}`). */
  readonly secretKey: string;
  /** JSON property of the Secrets Manager secret, e.g. `password`. */
  readonly property: string;
}

/** Options of {@link SecretsManagerStore.addExternalSecret}. */
export interface ExternalSecretOptions {
  /** Name of the ExternalSecret and of the Kubernetes Secret it writes. */
  readonly name: string;
  /** Properties of the Secrets Manager secret to read. */
  readonly properties: SecretProperty[];
  /**
   * Keys of the Kubernetes Secret rendered with the ESO template engine (v2) from the properties
   * (`{{ .password }}`) and literals (non-secret connection details). When given, only these keys
   * are written.
   * @default - the properties as they are
   */
  readonly template?: Record<string, string>;
  /**
   * How often ESO re-reads the secret (rotations reach the Kubernetes Secret within this time).
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
  /**
   * Labels on the ExternalSecret and the Secret.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Props of {@link SecretsManagerStore}. */
export interface SecretsManagerStoreProps {
  /** The cluster (for the IRSA role). */
  readonly cluster: ICluster;
  /** The operator that reconciles the store. */
  readonly operator: ExternalSecretsOperator;
  /** Namespace of the store (a literal name: it is part of the IRSA trust and the role's id). */
  readonly namespace: string;
  /** Name of the SecretStore (DNS-1123 label); its service account is `eso-<name>`. */
  readonly name: string;
  /** ARN of the one Secrets Manager secret this store may read. */
  readonly secretArn: string;
  /**
   * ARN of the customer managed KMS key that encrypts the secret (the role gets `kms:Decrypt` on
   * it, through Secrets Manager only).
   * @default - none (the secret uses the AWS managed key)
   */
  readonly kmsKeyArn?: string;
  /**
   * Resources the store waits for besides the operator (e.g. the namespace).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * A namespaced ESO `SecretStore` for **one** AWS Secrets Manager secret. It authenticates with its
 * own service account (`eso-<name>`) whose IRSA role may call only `GetSecretValue` and
 * `DescribeSecret` on that secret ARN (and `kms:Decrypt` on its key via Secrets Manager), so a
 * namespace can read exactly the secrets it was given and nothing else. The service account,
 * store and ExternalSecrets are applied as one Helm release of the library's manifests chart,
 * after the operator (whose webhook validates them).
 */
export class SecretsManagerStore extends Construct {
  /** The store's IRSA role. */
  public readonly role: ServiceAccountRole;
  /** Namespace of the store. */
  public readonly namespace: string;
  /** Name of the SecretStore. */
  public readonly storeName: string;
  /** Name of the service account the store authenticates with. */
  public readonly serviceAccountName: string;
  /** ARN of the secret the store may read. */
  public readonly secretArn: string;
  /** The release that applies the store's objects. */
  public readonly manifests: ManifestChart;
  /** The SecretStore object. */
  public readonly secretStore: KubernetesObject;

  /** Creates the role, service account and store. */
  public constructor(scope: Construct, id: string, props: SecretsManagerStoreProps) {
    super(scope, id);
    if (Token.isUnresolved(props.namespace)) {
      throw new ValidationError(this, 'namespace', props.namespace, 'must be a literal namespace name (it is part of the IRSA trust policy and the role id); pass the namespace resource in dependsOn for ordering');
    }
    this.namespace = validateDns1123Label(this, 'namespace', props.namespace);
    this.storeName = validateDns1123Label(this, 'name', props.name);
    this.serviceAccountName = `eso-${this.storeName}`;
    validateDns1123Label(this, 'name', this.serviceAccountName);
    if (!Token.isUnresolved(props.secretArn)) {
      validatePattern(this, 'secretArn', props.secretArn, /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'be a Secrets Manager secret ARN such as "arn:aws:secretsmanager:us-west-2:123456789012:secret:mlflow/admin-AbCdEf"');
    }
    if (props.kmsKeyArn !== undefined && !Token.isUnresolved(props.kmsKeyArn)) {
      validatePattern(this, 'kmsKeyArn', props.kmsKeyArn, /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/, 'be a KMS key ARN such as "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"');
    }
    this.secretArn = props.secretArn;

    const statements: PolicyStatement[] = [
      { sid: 'ReadOneSecret', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [props.secretArn] },
    ];
    if (props.kmsKeyArn) {
      statements.push({
        sid: 'DecryptThroughSecretsManager',
        actions: ['kms:Decrypt'],
        resources: [props.kmsKeyArn],
        conditions: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${props.cluster.region}.amazonaws.com`] }],
      });
    }
    this.role = props.cluster.addServiceAccountRole(this.namespace, this.serviceAccountName, { statements });

    this.manifests = new ManifestChart(this, 'manifests', {
      releaseName: `secrets-${this.storeName}`.slice(0, 53).replace(/-+$/, ''),
      namespace: this.namespace,
      dependsOn: [props.operator.release, ...(props.dependsOn ?? [])],
    });
    this.manifests.addManifest({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: this.serviceAccountName,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' },
        annotations: { 'eks.amazonaws.com/role-arn': this.role.roleArn, 'eks.amazonaws.com/sts-regional-endpoints': 'true' },
      },
      // Only the ESO controller requests tokens for it (TokenRequest); no pod mounts it.
      automountServiceAccountToken: false,
    });
    this.secretStore = {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'SecretStore',
      metadata: { name: this.storeName, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' } },
      spec: {
        provider: {
          aws: {
            service: 'SecretsManager',
            region: props.cluster.region,
            auth: { jwt: { serviceAccountRef: { name: this.serviceAccountName } } },
          },
        },
      },
    };
    this.manifests.addManifest(this.secretStore);
  }

  /**
   * Adds an ExternalSecret that writes a Kubernetes Secret in the store's namespace from the
   * store's secret. Returns the object (for tests and policy checks).
   */
  public addExternalSecret(options: ExternalSecretOptions): KubernetesObject {
    const name = validateDns1123Subdomain(this, 'externalSecret.name', options.name);
    if (options.properties.length === 0) {
      throw new ValidationError(this, 'externalSecret.properties', options.properties, 'must list at least one property of the secret to read');
    }
    options.properties.forEach((p, i) => {
      validatePattern(this, `externalSecret.properties[${i}].secretKey`, p.secretKey, SECRET_KEY, 'contain only letters, digits, "-", "_" and "." (a Kubernetes Secret key)');
      validatePattern(this, `externalSecret.properties[${i}].property`, p.property, /^\S+$/, 'be the JSON property of the secret to read, e.g. "password"');
    });
    for (const key of Object.keys(options.template ?? {})) {
      validatePattern(this, `externalSecret.template.${key}`, key, SECRET_KEY, 'be a Kubernetes Secret key: letters, digits, "-", "_" and "."');
    }
    const labels = { 'app.kubernetes.io/managed-by': 'cdktf-ai-platform', ...options.labels };
    const target: JsonObject = {
      name,
      creationPolicy: 'Owner',
      // Keep the Kubernetes Secret if the remote secret disappears: a running workload keeps
      // working while someone restores the secret, instead of failing on its next restart.
      deletionPolicy: 'Retain',
      template: {
        engineVersion: 'v2',
        type: 'Opaque',
        mergePolicy: 'Replace',
        metadata: { labels },
        ...(options.template ? { data: { ...options.template } } : {}),
      },
    };
    const obj: KubernetesObject = {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ExternalSecret',
      metadata: { name, namespace: this.namespace, labels },
      spec: {
        refreshInterval: (options.refreshInterval ?? Duration.hours(1)).toGoDuration(),
        secretStoreRef: { kind: 'SecretStore', name: this.storeName },
        target,
        data: options.properties.map((p) => ({ secretKey: p.secretKey, remoteRef: { key: this.secretArn, property: p.property } })),
      },
    };
    this.manifests.addManifest(obj);
    return obj;
  }
}
