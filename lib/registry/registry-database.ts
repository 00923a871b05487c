import { Construct, IConstruct } from 'constructs';
import { checkRdsWindows } from './windows';
import { Annotations, Token } from 'cdktf';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { servicePrincipalTrust } from '../cluster/iam';
import { LOG_RETENTION_DAYS } from '../cluster/versions';
import { ValidationError } from '../core/errors';
import { arnPartition } from '../core/regions';
import { truncateName, validateAwsName } from '../core/names';
import { Duration, Size } from '../core/units';
import { validateDurationOneOf, validatePattern, validateWholeDuration } from '../core/validate';
import { DEFAULT_POSTGRES_ENGINE_VERSION, ResolvedPostgresEngine, resolvePostgresEngineVersion } from './postgres-versions';

/** PostgreSQL port. */
export const POSTGRES_PORT = 5432;

/** Log types the database exports to CloudWatch Logs. */
export const POSTGRES_LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/** Options of the registry database that a user sets (see {@link RegistryDatabaseProps}). */
export interface RegistryDatabaseOptions {
  /**
   * RDS for PostgreSQL version: a major of `POSTGRES_ENGINE_VERSIONS` (recommended; minors then
   * follow `auto_minor_version_upgrade`) or one of its minors (`'17.5'`).
   * @default DEFAULT_POSTGRES_ENGINE_VERSION ('17')
   */
  readonly engineVersion?: string;
  /**
   * Instance class (`db.*`).
   * @default 'db.t4g.medium'
   */
  readonly instanceClass?: string;
  /**
   * Run a synchronous standby in another AZ (automatic failover, no data loss on an AZ outage).
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Storage at creation (gp3, encrypted; at least 20 GiB).
   * @default Size.gibibytes(20)
   */
  readonly allocatedStorage?: Size;
  /**
   * Upper bound for storage autoscaling (at least `allocatedStorage`).
   * @default Size.gibibytes(100)
   */
  readonly maxAllocatedStorage?: Size;
  /**
   * Automated backups (point-in-time recovery window), 7-35 whole days. Fewer than 7 needs
   * `acknowledgeShortBackupRetention`.
   * @default Duration.days(14)
   */
  readonly backupRetention?: Duration;
  /**
   * Accept a backup retention of 1-6 days (below the SECURITY.md baseline), e.g. for a test registry.
   * @default false
   */
  readonly acknowledgeShortBackupRetention?: boolean;
  /**
   * DB instance identifier (lowercase letters, digits and "-", starting with a letter).
   * @default - derived from the cluster name: `<cluster>-mlflow`
   */
  readonly identifier?: string;
  /**
   * Name of the database MLflow uses.
   * @default 'mlflow'
   */
  readonly databaseName?: string;
  /**
   * Master user name. Its password is generated and rotated by RDS in Secrets Manager
   * (`manage_master_user_password`); it never enters Terraform.
   * @default 'mlflow'
   */
  readonly masterUsername?: string;
  /**
   * Enable IAM database authentication (for humans and tools that connect with IAM tokens).
   * MLflow itself keeps using the synced password (see docs/mlflow-registry.md).
   * @default false
   */
  readonly iamAuthentication?: boolean;
  /**
   * Deletion protection. Turning it off lets `cdktf destroy` delete the database (a final
   * snapshot is still taken).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Performance Insights retention: 7 days (free tier), a multiple of 31 days, or 731 days.
   * @default Duration.days(7)
   */
  readonly performanceInsightsRetention?: Duration;
  /**
   * Enhanced Monitoring interval (0 turns it off; 1, 5, 10, 15, 30 or 60 seconds).
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;
  /**
   * Retention of the exported PostgreSQL logs (whole days CloudWatch accepts: 1, 3, 5, 7, 14, 30,
   * 60, 90, ...).
   * @default Duration.days(90)
   */
  readonly logRetention?: Duration;
  /**
   * Daily backup window (UTC, `hh24:mi-hh24:mi`, at least 30 minutes).
   * @default - RDS picks one
   */
  readonly backupWindow?: string;
  /**
   * Weekly maintenance window (UTC, `ddd:hh24:mi-ddd:hh24:mi`).
   * @default - RDS picks one
   */
  readonly maintenanceWindow?: string;
}

/** Props of {@link RegistryDatabase}. */
export interface RegistryDatabaseProps extends RegistryDatabaseOptions {
  /** VPC of the database. */
  readonly vpcId: string;
  /** Private subnets (in at least two AZs) for the DB subnet group. */
  readonly subnetIds: string[];
  /** The only security group admitted on 5432 (the EKS cluster security group). */
  readonly clientSecurityGroupId: string;
  /** Identifier used when `identifier` is not given. */
  readonly defaultIdentifier: string;
  /** KMS key ARN for storage, Performance Insights and the managed master secret. */
  readonly kmsKeyArn: string;
  /**
   * AWS region of the database, for the partition of the ARNs it writes (the Enhanced Monitoring policy).
   * @default - the partition of the provider's region (an `aws_partition` data source)
   */
  readonly region?: string;
  /**
   * Set `lifecycle.prevent_destroy` on the instance.
   * @default false
   */
  readonly preventDestroy?: boolean;
}

const RDS_IDENTIFIER_LOWER = /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$|^[a-z]$/;
const PI_RETENTION = [7, 731, ...Array.from({ length: 23 }, (_, i) => 31 * (i + 1))];
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];

/** Options after validation (see {@link checkRegistryDatabaseOptions}). */
export interface CheckedRegistryDatabaseOptions {
  /** The engine version. */
  readonly engine: ResolvedPostgresEngine;
  /** Instance class. */
  readonly instanceClass: string;
  /** DB identifier. */
  readonly identifier: string;
  /** Database name. */
  readonly databaseName: string;
  /** Master user name. */
  readonly username: string;
  /** Backup retention in days. */
  readonly backupDays: number;
  /** Allocated storage in GiB. */
  readonly allocatedGiB: number;
  /** Maximum storage in GiB. */
  readonly maxAllocatedGiB: number;
  /** Performance Insights retention in days. */
  readonly piRetentionDays: number;
  /** Enhanced Monitoring interval in seconds. */
  readonly monitoringInterval: number;
  /** Log retention in days. */
  readonly logRetentionDays: number;
}

/**
 * Validates {@link RegistryDatabaseOptions}; `prefix` is prepended to prop names in errors (e.g.
 * `database.` when the options are nested in another construct's props).
 */
export function checkRegistryDatabaseOptions(scope: IConstruct, options: RegistryDatabaseOptions, defaultIdentifier: string, prefix = ''): CheckedRegistryDatabaseOptions {
  const p = (name: string) => `${prefix}${name}`;
  const engine = resolvePostgresEngineVersion(scope, p('engineVersion'), options.engineVersion ?? DEFAULT_POSTGRES_ENGINE_VERSION);
  const instanceClass = validatePattern(scope, p('instanceClass'), options.instanceClass ?? 'db.t4g.medium', /^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'be an RDS instance class such as "db.t4g.medium" or "db.r7g.large" (it starts with "db.")');
  const identifier = options.identifier ?? defaultIdentifier;
  validateAwsName(scope, p('identifier'), identifier, 'rdsIdentifier');
  validatePattern(scope, p('identifier'), identifier, RDS_IDENTIFIER_LOWER, 'be lowercase: the AWS provider rejects upper-case DB identifiers (RDS stores them lowercased)');
  const databaseName = validatePattern(scope, p('databaseName'), options.databaseName ?? 'mlflow', /^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'start with a letter and contain only letters, digits and "_" (1-63 characters)');
  const username = validatePattern(scope, p('masterUsername'), options.masterUsername ?? 'mlflow', /^[A-Za-z][A-Za-z0-9_]{0,15}$/, 'start with a letter and contain only letters, digits and "_" (1-16 characters)');
  if (['rdsadmin', 'rdsrepladmin', 'rds_superuser', 'rdstopmgr'].includes(username.toLowerCase())) {
    throw new ValidationError(scope, p('masterUsername'), username, 'must not be a name RDS reserves for itself');
  }
  const backupRetention = options.backupRetention ?? Duration.days(14);
  const backupDays = validateWholeDuration(scope, p('backupRetention'), backupRetention, 'day', 1, 35, 'RDS backup_retention_period');
  if (backupDays < 7 && !options.acknowledgeShortBackupRetention) {
    throw new ValidationError(scope, p('backupRetention'), backupRetention, `must be at least ${Duration.days(7)} (docs/guardrails.md, rule AIP-140); set ${p('acknowledgeShortBackupRetention')}: true to accept 1-6 days for a non-production registry`);
  }
  const storageGiB = (prop: string, size: Size): number => {
    const gib = Math.ceil(size.toGibibytes());
    if (!(gib >= 20 && gib <= 65536)) throw new ValidationError(scope, p(prop), size, `must be between ${Size.gibibytes(20)} and ${Size.tebibytes(64)} (RDS allocates whole GiB)`);
    return gib;
  };
  const allocatedGiB = storageGiB('allocatedStorage', options.allocatedStorage ?? Size.gibibytes(20));
  const maxAllocatedGiB = storageGiB('maxAllocatedStorage', options.maxAllocatedStorage ?? Size.gibibytes(100));
  if (maxAllocatedGiB < allocatedGiB) {
    throw new ValidationError(scope, p('maxAllocatedStorage'), Size.gibibytes(maxAllocatedGiB), `must be at least ${p('allocatedStorage')} (${Size.gibibytes(allocatedGiB)})`);
  }
  const piRetentionDays = validateDurationOneOf(scope, p('performanceInsightsRetention'), options.performanceInsightsRetention ?? Duration.days(7), 'day', PI_RETENTION, 'RDS performance_insights_retention_period');
  const monitoringInterval = validateDurationOneOf(scope, p('monitoringInterval'), options.monitoringInterval ?? Duration.seconds(60), 'second', MONITORING_INTERVALS, 'RDS monitoring_interval');
  const logRetentionDays = validateDurationOneOf(scope, p('logRetention'), options.logRetention ?? Duration.days(90), 'day', LOG_RETENTION_DAYS, 'CloudWatch retention_in_days');
  if (options.backupWindow !== undefined) validatePattern(scope, p('backupWindow'), options.backupWindow, /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'be "hh24:mi-hh24:mi" in UTC, e.g. "03:00-04:00"');
  if (options.maintenanceWindow !== undefined) validatePattern(scope, p('maintenanceWindow'), options.maintenanceWindow, /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/, 'be "ddd:hh24:mi-ddd:hh24:mi" in UTC with lowercase days, e.g. "sun:05:00-sun:06:00"');
  checkRdsWindows(scope, prefix, options.backupWindow, options.maintenanceWindow);
  return { engine, instanceClass, identifier, databaseName, username, backupDays, allocatedGiB, maxAllocatedGiB, piRetentionDays, monitoringInterval, logRetentionDays };
}

/**
 * An RDS for PostgreSQL instance for the MLflow backend store, secure by default (SECURITY.md,
 * RDS): private subnets, a security group admitting only 5432 from the cluster security group,
 * encrypted storage, Performance Insights and master secret with a customer KMS key, deletion
 * protection, backups of at least 7 days, a final snapshot, `manage_master_user_password` (no
 * password in state), `rds.force_ssl = 1`, Multi-AZ, log exports, not publicly accessible.
 */
export class RegistryDatabase extends Construct {
  /** The instance. */
  public readonly instance: DbInstance;
  /** Security group of the instance. */
  public readonly securityGroup: SecurityGroup;
  /** The ingress rule for the cluster security group. */
  public readonly ingressRule: VpcSecurityGroupIngressRule;
  /** The DB subnet group. */
  public readonly subnetGroup: DbSubnetGroup;
  /** The parameter group (`rds.force_ssl = 1`). */
  public readonly parameterGroup: DbParameterGroup;
  /** Log groups of the exported logs, by log type. */
  public readonly logGroups: Record<string, CloudwatchLogGroup> = {};
  /** DB instance identifier. */
  public readonly identifier: string;
  /** Name of the database. */
  public readonly databaseName: string;
  /** Host name of the instance (a reference). */
  public readonly address: string;
  /** Port. */
  public readonly port: number = POSTGRES_PORT;
  /** ARN of the Secrets Manager secret RDS manages for the master user (`username`, `password`). */
  public readonly masterUserSecretArn: string;
  /** Major engine version. */
  public readonly engineMajorVersion: string;

  /** Creates the database. */
  public constructor(scope: Construct, id: string, props: RegistryDatabaseProps) {
    super(scope, id);
    const c = checkRegistryDatabaseOptions(this, props, props.defaultIdentifier);
    const { engine, identifier, username } = c;
    this.engineMajorVersion = engine.major;
    this.identifier = identifier;
    this.databaseName = c.databaseName;
    if (c.backupDays < 7) Annotations.of(this).addWarning(`backupRetention is ${Duration.days(c.backupDays)}: point-in-time recovery reaches back fewer than 7 days.`);
    if (!Token.isUnresolved(props.subnetIds) && props.subnetIds.length < 2) {
      throw new ValidationError(this, 'subnetIds', props.subnetIds, 'must list private subnets in at least two availability zones (RDS requires it for a DB subnet group)');
    }
    const deletionProtection = props.deletionProtection ?? true;
    if (!deletionProtection) Annotations.of(this).addWarning('deletionProtection is false: `cdktf destroy` will delete the registry database (a final snapshot is still taken).');
    if (engine.pinsMinor) {
      Annotations.of(this).addWarning(`engineVersion pins a minor version (${props.engineVersion}) while auto minor version upgrades are on: after RDS upgrades the minor, Terraform plans a downgrade it cannot apply. Prefer the major ("${engine.major}").`);
    }

    this.subnetGroup = new DbSubnetGroup(this, 'subnets', {
      namePrefix: `${truncateName(identifier, 40)}-`,
      description: `Private subnets of the ${identifier} MLflow database`,
      subnetIds: props.subnetIds,
    });
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      namePrefix: `${truncateName(identifier, 40)}-db-`,
      description: `PostgreSQL ${identifier}: 5432 from the EKS cluster security group only`,
      vpcId: props.vpcId,
      // No inline rules: Terraform then removes the default allow-all egress, and the database
      // initiates no connections.
      lifecycle: { createBeforeDestroy: true },
    });
    this.ingressRule = new VpcSecurityGroupIngressRule(this, 'from-cluster', {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: props.clientSecurityGroupId,
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      description: 'PostgreSQL from the EKS cluster security group (nodes, and pods through the VPC CNI)',
    });
    this.parameterGroup = new DbParameterGroup(this, 'parameters', {
      namePrefix: `${truncateName(identifier, 40)}-`,
      family: engine.spec.parameterGroupFamily,
      description: `MLflow database ${identifier}: TLS required`,
      // pending-reboot is accepted for static and dynamic parameters alike; a new instance boots
      // with the group, so the setting holds from the first connection.
      parameter: [{ name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' }],
      lifecycle: { createBeforeDestroy: true },
    });
    // Created before the instance so RDS does not create them without a retention.
    for (const type of POSTGRES_LOG_EXPORTS) {
      this.logGroups[type] = new CloudwatchLogGroup(this, `logs-${type}`, { name: `/aws/rds/instance/${identifier}/${type}`, retentionInDays: c.logRetentionDays });
    }
    let monitoringRoleArn: string | undefined;
    if (c.monitoringInterval > 0) {
      const partition = arnPartition(this, props.region);
      const role = new IamRole(this, 'monitoring-role', {
        name: truncateName(`${identifier}-rds-monitoring`, 64),
        description: `Enhanced Monitoring of ${identifier}`,
        assumeRolePolicy: servicePrincipalTrust(this, 'monitoring-trust', 'monitoring.rds.amazonaws.com'),
      });
      // The AWS managed policy AWS documents for Enhanced Monitoring.
      new IamRolePolicyAttachment(this, 'monitoring-policy', { role: role.name, policyArn: `arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole` });
      monitoringRoleArn = role.arn;
    }

    this.instance = new DbInstance(this, 'instance', {
      identifier,
      engine: 'postgres',
      engineVersion: props.engineVersion ?? DEFAULT_POSTGRES_ENGINE_VERSION,
      instanceClass: c.instanceClass,
      dbName: this.databaseName,
      username,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      port: POSTGRES_PORT,
      multiAz: props.multiAz ?? true,
      storageType: 'gp3',
      allocatedStorage: c.allocatedGiB,
      maxAllocatedStorage: c.maxAllocatedGiB,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      dbSubnetGroupName: this.subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: this.parameterGroup.name,
      publiclyAccessible: false,
      iamDatabaseAuthenticationEnabled: props.iamAuthentication ?? false,
      deletionProtection,
      backupRetentionPeriod: c.backupDays,
      backupWindow: props.backupWindow,
      maintenanceWindow: props.maintenanceWindow,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${truncateName(identifier, 240)}-final`,
      deleteAutomatedBackups: false,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.kmsKeyArn,
      performanceInsightsRetentionPeriod: c.piRetentionDays,
      monitoringInterval: c.monitoringInterval,
      monitoringRoleArn,
      enabledCloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
      dependsOn: Object.values(this.logGroups),
    });
    this.address = this.instance.address;
    this.masterUserSecretArn = this.instance.masterUserSecret.get(0).secretArn;
  }
}
