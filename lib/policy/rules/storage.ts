// S3 buckets and RDS databases. Bucket settings live in companion resources (aws_s3_bucket_*)
// that name the bucket; a companion belongs to a bucket when its `bucket` references the bucket
// resource or equals its literal name.
import { GuardrailRule, GuardrailSeverity } from '../types';
import { fail, onElements, Outcome, RuleImpl, undecided } from '../internal/rule';
import { ElementEntry, StackIndex } from '../internal/stack-index';
import { classifySubnets } from '../internal/network';
import { hasWildcardPrincipal, readPolicy, Statement } from '../internal/iam-policy';
import { Attrs, block, blocks, bool, isExpression, isSet, num, show, str, strList, UNKNOWN } from '../internal/values';

const E = GuardrailSeverity.ERROR;
const W = GuardrailSeverity.WARNING;
const I = GuardrailSeverity.INFO;

const rule = (id: string, severity: GuardrailSeverity, area: string, title: string, fix: string, securityRow: string, appliesTo: string[], note?: string): GuardrailRule => ({ id, title, severity, fix, area, securityRow, appliesTo, note });

const S3_VERSIONING = rule('CKV_AWS_21', E, 'S3', 'S3 buckets are versioned', 'add aws_s3_bucket_versioning with versioning_configuration.status = "Enabled"', 'versioning', ['aws_s3_bucket']);
const S3_KMS = rule('CKV_AWS_145', E, 'S3', 'S3 buckets are encrypted with SSE-KMS by default', 'add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm "aws:kms" and a customer key', 'SSE-KMS', ['aws_s3_bucket']);
const S3_PAB = rule('CKV2_AWS_6', E, 'S3', 'S3 buckets have a public access block', 'add aws_s3_bucket_public_access_block with all four settings true', 'public access block (all four true)', ['aws_s3_bucket']);
const PAB_FLAGS: [string, string, string][] = [
  ['CKV_AWS_53', 'block_public_acls', 'S3 public access block blocks public ACLs'],
  ['CKV_AWS_54', 'block_public_policy', 'S3 public access block blocks public policies'],
  ['CKV_AWS_55', 'ignore_public_acls', 'S3 public access block ignores public ACLs'],
  ['CKV_AWS_56', 'restrict_public_buckets', 'S3 public access block restricts public buckets'],
];
const S3_TLS = rule('AIP-130', E, 'S3', 'S3 bucket policies deny requests without TLS', 'add an aws_s3_bucket_policy statement: Deny s3:* to * when aws:SecureTransport is false', 'bucket policy denying non-TLS', ['aws_s3_bucket']);
const S3_OWNERSHIP = rule('CKV2_AWS_65', E, 'S3', 'S3 buckets enforce bucket-owner object ownership (ACLs off)', 'add aws_s3_bucket_ownership_controls with rule.object_ownership = "BucketOwnerEnforced"', 'ownership controls BucketOwnerEnforced', ['aws_s3_bucket']);
const S3_NONCURRENT = rule(
  'AIP-131',
  E,
  'S3',
  'S3 buckets expire noncurrent object versions',
  'add aws_s3_bucket_lifecycle_configuration with an enabled rule that has noncurrent_version_expiration',
  'lifecycle for noncurrent versions',
  ['aws_s3_bucket'],
  'Stricter than CKV2_AWS_61 (any lifecycle configuration): versioning without an expiry keeps every overwritten artifact forever.',
);

const DB = ['aws_db_instance', 'aws_rds_cluster'];
const RDS_ENCRYPTED = rule('CKV_AWS_16', E, 'RDS', 'RDS storage is encrypted', 'set storage_encrypted = true (with kms_key_id for a customer key)', 'storage_encrypted', DB, 'Covers Aurora clusters too (Checkov: CKV_AWS_96).');
const RDS_DELETION = rule('CKV_AWS_293', E, 'RDS', 'RDS deletion protection is on', 'set deletion_protection = true', 'deletion_protection', DB, 'Covers Aurora clusters too (Checkov: CKV_AWS_139).');
const RDS_BACKUP = rule('AIP-140', E, 'RDS', 'RDS keeps automated backups for at least 7 days', 'set backup_retention_period to 7 or more', 'backup_retention_period ≥ 7', DB, 'Stricter than CKV_AWS_133 (any retention).');
const RDS_FINAL = rule('AIP-141', E, 'RDS', 'RDS takes a final snapshot on destroy', 'set skip_final_snapshot = false and a final_snapshot_identifier', 'skip_final_snapshot = false with a final snapshot id', DB);
const RDS_PUBLIC = rule('CKV_AWS_17', E, 'RDS', 'RDS instances are not publicly accessible', 'set publicly_accessible = false', 'not publicly accessible', ['aws_db_instance', 'aws_rds_cluster_instance']);
const RDS_PASSWORD = rule(
  'AIP-142',
  E,
  'RDS',
  'RDS master password is not stored in Terraform state',
  'set manage_master_user_password = true (or a write-only password_wo from an ephemeral resource) instead of password',
  '`manage_master_user_password` (no password in state)',
  DB,
);
const RDS_TLS = rule(
  'CKV2_AWS_69',
  E,
  'RDS',
  'RDS forces TLS connections',
  'use a parameter group with rds.force_ssl = 1 (PostgreSQL, SQL Server) or require_secure_transport = 1 (MySQL, MariaDB)',
  'rds.force_ssl = 1',
  DB,
  'RDS for PostgreSQL 15 and later forces TLS in the default parameter group, so no custom group is needed there (Aurora needs one); Checkov passes any instance without a parameter group.',
);
const RDS_PRIVATE = rule('AIP-143', E, 'RDS', 'RDS runs in private subnets', 'set db_subnet_group_name to a subnet group of private subnets', 'private subnets', DB, 'Decided only for subnets created in the same stack.');
const RDS_MULTI_AZ = rule('CKV_AWS_157', I, 'RDS', 'RDS is Multi-AZ', 'set multi_az = true for production databases', 'multi_az option', ['aws_db_instance']);
const RDS_PI = rule('CKV_AWS_354', E, 'RDS', 'RDS Performance Insights are encrypted with a customer key', 'set performance_insights_kms_key_id when performance_insights_enabled is true', 'performance insights encrypted', ['aws_db_instance', 'aws_rds_cluster', 'aws_rds_cluster_instance']);
const RDS_IAM = rule('CKV_AWS_161', I, 'RDS', 'RDS IAM authentication is enabled', 'set iam_database_authentication_enabled = true where clients can use IAM tokens', 'IAM auth option', DB, 'Covers Aurora clusters too (Checkov: CKV_AWS_162).');
const RDS_MINOR = rule('CKV_AWS_226', W, 'RDS', 'RDS gets minor version upgrades automatically', 'leave auto_minor_version_upgrade at true', 'RDS (patching)', ['aws_db_instance', 'aws_rds_cluster_instance']);
const RDS_MONITORING = rule('CKV_AWS_118', I, 'RDS', 'RDS enhanced monitoring is enabled', 'set monitoring_interval (e.g. 60) and monitoring_role_arn', 'RDS (observability)', ['aws_db_instance', 'aws_rds_cluster_instance']);

function companions(index: StackIndex, bucket: ElementEntry, type: string): ElementEntry[] {
  const name = str(bucket.attrs()?.bucket);
  return index.ofType(type).filter((c) => {
    const a = c.attrs();
    if (!a) return false;
    return index.refersTo(a.bucket, bucket) || (typeof name === 'string' && a.bucket === name);
  });
}

function isTlsDeny(s: Statement): boolean {
  return (
    s.effect === 'Deny' &&
    s.actions.some((a) => a === '*' || a === 's3:*') &&
    hasWildcardPrincipal(s) &&
    s.conditions.some((c) => c.test === 'Bool' && c.variable.toLowerCase() === 'aws:securetransport' && c.values.map((v) => String(v).toLowerCase()).includes('false'))
  );
}

function isReplicaOrRestore(attrs: Attrs): boolean {
  return isSet(attrs.replicate_source_db) || isSet(attrs.snapshot_identifier) || isSet(attrs.global_cluster_identifier) || isSet(attrs.replication_source_identifier);
}

function boolMust(attrs: Attrs, key: string, want: boolean, unsetMeans: string): Outcome[] {
  const v = bool(attrs[key]);
  if (v === UNKNOWN) return [undecided(`${key} is computed`)];
  if (v === want) return [];
  return [fail(v === undefined ? `${key} is unset (${unsetMeans})` : `${key} is ${v}`)];
}

function tlsCheck(entry: ElementEntry, attrs: Attrs, index: StackIndex): Outcome[] {
  const engine = str(attrs.engine);
  if (engine === UNKNOWN) return [undecided('engine is computed')];
  if (engine === undefined) return [];
  const pg = /postgres/.test(engine);
  const sqlserver = /sqlserver/.test(engine);
  const mysql = /mysql|mariadb/.test(engine);
  if (!pg && !sqlserver && !mysql) return [];
  const [param, accepted] = mysql ? ['require_secure_transport', ['1', 'on']] : ['rds.force_ssl', ['1']];
  const version = str(attrs.engine_version);
  // RDS for PostgreSQL 15+ sets rds.force_ssl = 1 in its default parameter group (Aurora does not).
  const pgForcesByDefault = engine === 'postgres' && (version === undefined || (typeof version === 'string' && Number(version.split('.')[0]) >= 15));
  const [groupAttr, groupType] = entry.type === 'aws_rds_cluster' ? ['db_cluster_parameter_group_name', 'aws_rds_cluster_parameter_group'] : ['parameter_group_name', 'aws_db_parameter_group'];
  const ref = attrs[groupAttr];
  if (!isSet(ref)) {
    return pgForcesByDefault ? [] : [fail(`no ${groupAttr}: the default parameter group does not set ${param}`)];
  }
  const group = index.referenced(ref, [groupType]) ?? (typeof ref === 'string' && !isExpression(ref) ? index.ofType(groupType).find((g) => g.attrs()?.name === ref) : undefined);
  if (!group) return [undecided(`${groupAttr} ${show(ref)} is not a parameter group of this stack`)];
  const p = blocks(group.attrs()?.parameter).find((x) => x.name === param);
  if (!p) return pgForcesByDefault ? [] : [fail(`parameter group ${group.address} does not set ${param}`)];
  const value = str(p.value);
  if (value === UNKNOWN) return [undecided(`${param} is computed`)];
  return accepted.includes(String(value).toLowerCase()) ? [] : [fail(`parameter group ${group.address} sets ${param} = ${show(value)}`)];
}

/** S3 and RDS rules. */
export const STORAGE_RULES: RuleImpl[] = [
  onElements(S3_VERSIONING, ({ entry, attrs, index }) => {
    if (bool(block(attrs.versioning)?.enabled) === true) return [];
    const cs = companions(index, entry, 'aws_s3_bucket_versioning');
    if (cs.length === 0) return [fail('no aws_s3_bucket_versioning for this bucket')];
    const statuses = cs.map((c) => str(block(c.attrs()?.versioning_configuration)?.status));
    if (statuses.includes('Enabled')) return [];
    if (statuses.includes(UNKNOWN)) return [undecided('versioning status is computed')];
    return [fail(`versioning status is ${statuses.map(show).join(', ')}`)];
  }),
  onElements(S3_KMS, ({ entry, attrs, index }) => {
    const inline = blocks(block(attrs.server_side_encryption_configuration)?.rule);
    const rules = [...inline, ...companions(index, entry, 'aws_s3_bucket_server_side_encryption_configuration').flatMap((c) => blocks(c.attrs()?.rule))];
    if (rules.length === 0) return [fail('no default encryption configuration (S3 falls back to SSE-S3)')];
    const algos = rules.map((r) => str(block(r.apply_server_side_encryption_by_default)?.sse_algorithm));
    if (algos.some((a) => a === 'aws:kms' || a === 'aws:kms:dsse')) return [];
    if (algos.includes(UNKNOWN)) return [undecided('sse_algorithm is computed')];
    return [fail(`sse_algorithm is ${algos.map(show).join(', ')}`)];
  }),
  onElements(S3_PAB, ({ entry, index }) => (companions(index, entry, 'aws_s3_bucket_public_access_block').length > 0 ? [] : [fail('no aws_s3_bucket_public_access_block for this bucket')])),
  ...PAB_FLAGS.map(([id, key, title]) =>
    onElements(rule(id, E, 'S3', title, `set ${key} = true`, 'public access block (all four true)', ['aws_s3_bucket_public_access_block']), ({ attrs }) => boolMust(attrs, key, true, 'false by default')),
  ),
  onElements(S3_TLS, ({ entry, attrs, index }) => {
    const policies = [attrs.policy, ...companions(index, entry, 'aws_s3_bucket_policy').map((c) => c.attrs()?.policy)].filter(isSet);
    if (policies.length === 0) return [fail('no bucket policy')];
    const unknown: string[] = [];
    for (const p of policies) {
      const read = readPolicy(p, index);
      if (read?.statements.some(isTlsDeny)) return [];
      if (read?.unknown) unknown.push(read.unknown);
    }
    return unknown.length > 0 ? [undecided(unknown.join('; '))] : [fail('the bucket policy has no Deny for aws:SecureTransport = false')];
  }),
  onElements(S3_OWNERSHIP, ({ entry, index }) => {
    const cs = companions(index, entry, 'aws_s3_bucket_ownership_controls');
    if (cs.length === 0) return [fail('no aws_s3_bucket_ownership_controls (ACLs stay enabled)')];
    const values = cs.map((c) => str(block(c.attrs()?.rule)?.object_ownership));
    if (values.includes('BucketOwnerEnforced')) return [];
    if (values.includes(UNKNOWN)) return [undecided('object_ownership is computed')];
    return [fail(`object_ownership is ${values.map(show).join(', ')}`)];
  }),
  onElements(S3_NONCURRENT, ({ entry, attrs, index }) => {
    const inline = blocks(attrs.lifecycle_rule).some((r) => bool(r.enabled) !== false && isSet(r.noncurrent_version_expiration));
    if (inline) return [];
    const rules = companions(index, entry, 'aws_s3_bucket_lifecycle_configuration').flatMap((c) => blocks(c.attrs()?.rule));
    if (rules.some((r) => r.status !== 'Disabled' && blocks(r.noncurrent_version_expiration).length > 0)) return [];
    return [fail(rules.length === 0 ? 'no lifecycle configuration' : 'no enabled lifecycle rule with noncurrent_version_expiration')];
  }),

  onElements(RDS_ENCRYPTED, ({ attrs }) => (isSet(attrs.replicate_source_db) ? [] : boolMust(attrs, 'storage_encrypted', true, 'unencrypted by default'))),
  onElements(RDS_DELETION, ({ attrs }) => boolMust(attrs, 'deletion_protection', true, 'off by default')),
  onElements(RDS_BACKUP, ({ attrs }) => {
    if (isSet(attrs.replicate_source_db)) return [];
    const days = num(attrs.backup_retention_period);
    if (days === UNKNOWN) return [undecided('backup_retention_period is computed')];
    if (days === undefined) return [fail('backup_retention_period is unset (AWS keeps 1 day)')];
    return days >= 7 ? [] : [fail(`backup_retention_period is ${days}`)];
  }),
  onElements(RDS_FINAL, ({ attrs }) => {
    const skip = bool(attrs.skip_final_snapshot);
    if (skip === UNKNOWN) return [undecided('skip_final_snapshot is computed')];
    if (skip === true) return [fail('skip_final_snapshot is true')];
    return isSet(attrs.final_snapshot_identifier) ? [] : [fail('no final_snapshot_identifier (destroy would fail or lose the data)')];
  }),
  onElements(RDS_PUBLIC, ({ attrs }) => {
    const v = bool(attrs.publicly_accessible);
    if (v === UNKNOWN) return [undecided('publicly_accessible is computed')];
    return v === true ? [fail('publicly_accessible is true')] : [];
  }),
  onElements(RDS_PASSWORD, ({ entry, attrs }) => {
    const [pw, pwWo] = entry.type === 'aws_rds_cluster' ? ['master_password', 'master_password_wo'] : ['password', 'password_wo'];
    if (isSet(attrs[pw])) return [fail(`${pw} is set: the password is stored in Terraform state`)];
    if (bool(attrs.manage_master_user_password) === true || isSet(attrs[pwWo])) return [];
    if (isReplicaOrRestore(attrs)) return [];
    if (bool(attrs.manage_master_user_password) === UNKNOWN) return [undecided('manage_master_user_password is computed')];
    return [fail('manage_master_user_password is not true')];
  }),
  onElements(RDS_TLS, ({ entry, attrs, index }) => tlsCheck(entry, attrs, index)),
  onElements(RDS_PRIVATE, ({ attrs, index }) => {
    if (isSet(attrs.replicate_source_db) && !isSet(attrs.db_subnet_group_name)) return [];
    const ref = attrs.db_subnet_group_name;
    if (!isSet(ref)) return [fail('no db_subnet_group_name: the database goes to the default VPC')];
    const group = index.referenced(ref, ['aws_db_subnet_group']) ?? (typeof ref === 'string' && !isExpression(ref) ? index.ofType('aws_db_subnet_group').find((g) => g.attrs()?.name === ref) : undefined);
    if (!group) return [undecided(`db_subnet_group_name ${show(ref)} is not a subnet group of this stack`)];
    const ids = strList(group.attrs()?.subnet_ids);
    if (ids === UNKNOWN || ids === undefined) return [undecided('the subnet group subnet_ids are computed')];
    const c = classifySubnets(index, ids);
    if (c.public.length > 0) return [fail(`subnet group ${group.address} has public subnets ${c.public.join(', ')}`)];
    return c.unknown.length > 0 ? [undecided(`subnets not created in this stack: ${c.unknown.join(', ')}`)] : [];
  }),
  onElements(RDS_MULTI_AZ, ({ attrs }) => (isSet(attrs.replicate_source_db) ? [] : boolMust(attrs, 'multi_az', true, 'single-AZ by default'))),
  onElements(RDS_PI, ({ attrs }) => {
    const on = bool(attrs.performance_insights_enabled);
    if (on !== true) return [];
    return isSet(attrs.performance_insights_kms_key_id) ? [] : [fail('performance_insights_enabled without performance_insights_kms_key_id')];
  }),
  onElements(RDS_IAM, ({ attrs }) => boolMust(attrs, 'iam_database_authentication_enabled', true, 'off by default')),
  onElements(RDS_MINOR, ({ attrs }) => (bool(attrs.auto_minor_version_upgrade) === false ? [fail('auto_minor_version_upgrade is false')] : [])),
  onElements(RDS_MONITORING, ({ attrs }) => {
    const n = num(attrs.monitoring_interval);
    if (n === UNKNOWN) return [undecided('monitoring_interval is computed')];
    return n !== undefined && n > 0 ? [] : [fail(`monitoring_interval is ${show(n)}`)];
  }),
];
