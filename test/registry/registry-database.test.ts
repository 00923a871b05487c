import { TerraformOutput } from 'cdktf';
import { RegistryDatabase, RegistryDatabaseProps } from '../../lib/registry';
import { Duration, Size } from '../../lib/core/units';
import { awsStack, synth, onlyResource, resources, warnings } from '../harness/synth';
import { POSTGRES_ENGINE_VERSIONS, resolvePostgresEngineVersion } from '../../lib/registry/postgres-versions';

const KEY = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function build(props: Partial<RegistryDatabaseProps> = {}) {
  const stack = awsStack();
  const db = new RegistryDatabase(stack, 'db', {
    vpcId: 'vpc-123',
    subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    clientSecurityGroupId: 'sg-cluster',
    defaultIdentifier: 'demo-mlflow',
    kmsKeyArn: KEY,
    ...props,
  });
  return { stack, db, s: synth(stack) };
}

describe('RegistryDatabase', () => {
  const { s, db, stack } = build();
  const instance = onlyResource(s, 'aws_db_instance');

  test('storage, Performance Insights and the managed master secret are encrypted with the customer key', () => {
    expect(instance).toMatchObject({ storage_encrypted: true, kms_key_id: KEY, performance_insights_enabled: true, performance_insights_kms_key_id: KEY, master_user_secret_kms_key_id: KEY });
  });

  test('the master password is managed by RDS in Secrets Manager: no password argument at all', () => {
    expect(instance.manage_master_user_password).toBe(true);
    for (const k of ['password', 'password_wo', 'master_password']) expect(instance[k]).toBeUndefined();
    const b = build();
    new TerraformOutput(b.stack, 'secret', { value: b.db.masterUserSecretArn });
    expect(synth(b.stack).output!.secret.value).toMatch(/^\$\{aws_db_instance\.[\w-]+\.master_user_secret\[0\]\.secret_arn\}$/);
  });

  test('deletion protection, backups >= 7 days, a final snapshot, automated backups kept', () => {
    expect(instance).toMatchObject({ deletion_protection: true, backup_retention_period: 14, skip_final_snapshot: false, final_snapshot_identifier: 'demo-mlflow-final', delete_automated_backups: false, copy_tags_to_snapshot: true });
  });

  test('private: not publicly accessible, subnet group on the given private subnets', () => {
    expect(instance.publicly_accessible).toBe(false);
    expect(onlyResource(s, 'aws_db_subnet_group').subnet_ids).toEqual(['subnet-a', 'subnet-b', 'subnet-c']);
    expect(instance.db_subnet_group_name).toMatch(/^\$\{aws_db_subnet_group\./);
  });

  test('the security group admits only 5432 from the cluster security group, with descriptions, no 0.0.0.0/0, no egress', () => {
    const sg = onlyResource(s, 'aws_security_group');
    expect(sg.description).toBeTruthy();
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    const rules = Object.values(resources(s, 'aws_vpc_security_group_ingress_rule'));
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ referenced_security_group_id: 'sg-cluster', ip_protocol: 'tcp', from_port: 5432, to_port: 5432 });
    expect(String(rules[0].description).length).toBeGreaterThan(10);
    expect(rules[0].cidr_ipv4).toBeUndefined();
    expect(resources(s, 'aws_vpc_security_group_egress_rule')).toEqual({});
    expect(JSON.stringify(s)).not.toMatch(/0\.0\.0\.0\/0/);
    expect(instance.vpc_security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\./)]);
  });

  test('rds.force_ssl = 1 in a parameter group of the engine family', () => {
    const pg = onlyResource(s, 'aws_db_parameter_group') as { family: string; parameter: { name: string; value: string }[] };
    expect(pg.family).toBe('postgres17');
    expect(pg.parameter).toEqual([{ name: 'rds.force_ssl', value: '1', apply_method: 'pending-reboot' }]);
    expect(instance.parameter_group_name).toMatch(/^\$\{aws_db_parameter_group\./);
  });

  test('Multi-AZ and instance class are props; engine pinned to a supported major; minor upgrades automatic', () => {
    expect(instance).toMatchObject({ multi_az: true, instance_class: 'db.t4g.medium', engine: 'postgres', engine_version: '17', auto_minor_version_upgrade: true, allow_major_version_upgrade: false });
    const single = onlyResource(build({ multiAz: false, instanceClass: 'db.r7g.large', engineVersion: '16' }).s, 'aws_db_instance');
    expect(single).toMatchObject({ multi_az: false, instance_class: 'db.r7g.large', engine_version: '16' });
  });

  test('logs postgresql and upgrade go to CloudWatch log groups created first with a retention', () => {
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(['postgresql', 'upgrade']);
    const groups = Object.values(resources(s, 'aws_cloudwatch_log_group')) as { name: string; retention_in_days: number }[];
    expect(groups.map((g) => g.name).sort()).toEqual(['/aws/rds/instance/demo-mlflow/postgresql', '/aws/rds/instance/demo-mlflow/upgrade']);
    expect(groups.every((g) => g.retention_in_days === 90)).toBe(true);
    expect((instance.depends_on as string[]).filter((d) => d.startsWith('aws_cloudwatch_log_group.'))).toHaveLength(2);
  });

  test('IAM authentication is an option, off by default', () => {
    expect(instance.iam_database_authentication_enabled).toBe(false);
    expect(onlyResource(build({ iamAuthentication: true }).s, 'aws_db_instance').iam_database_authentication_enabled).toBe(true);
  });

  test('enhanced monitoring with the AWS documented role; off at interval 0', () => {
    expect(instance.monitoring_interval).toBe(60);
    expect(instance.monitoring_role_arn).toMatch(/^\$\{aws_iam_role\./);
    expect(onlyResource(s, 'aws_iam_role_policy_attachment').policy_arn).toMatch(/AmazonRDSEnhancedMonitoringRole$/);
    const off = build({ monitoringInterval: Duration.seconds(0) }).s;
    expect(resources(off, 'aws_iam_role')).toEqual({});
  });

  test('prevent_destroy only on request', () => {
    expect(instance.lifecycle).toBeUndefined();
    expect(onlyResource(build({ preventDestroy: true }).s, 'aws_db_instance').lifecycle).toEqual({ prevent_destroy: true });
  });

  test('no warnings for the defaults', () => {
    expect(warnings(stack)).toEqual([]);
  });

  test('engine version table: majors with their parameter family', () => {
    expect(Object.keys(POSTGRES_ENGINE_VERSIONS)).toEqual(['16', '17']);
    expect(resolvePostgresEngineVersion(db, 'v', '16.4')).toMatchObject({ major: '16', pinsMinor: true });
    const pinned = build({ engineVersion: '17.5' });
    expect(onlyResource(pinned.s, 'aws_db_instance').engine_version).toBe('17.5');
    expect(warnings(pinned.stack).join('\n')).toMatch(/pins a minor version/);
  });

  test('bad input throws naming the prop and the value', () => {
    expect(() => build({ engineVersion: '15' })).toThrow(/db: engineVersion \("15"\) is invalid: must be a supported RDS for PostgreSQL version: a major \("16", "17"\)/);
    expect(() => build({ engineVersion: '17.0' })).toThrow(/engineVersion \("17.0"\) is invalid/);
    expect(() => build({ engineVersion: 'latest' })).toThrow(/engineVersion \("latest"\) is invalid/);
    expect(() => build({ backupRetention: Duration.days(3) })).toThrow(/backupRetention \("3 days"\) is invalid: must be at least 7 days .*acknowledgeShortBackupRetention/);
    expect(() => build({ backupRetention: Duration.days(0), acknowledgeShortBackupRetention: true })).toThrow(/backupRetention \("0 seconds"\) is invalid: must be between 1 day and 35 days, a whole number of days/);
    expect(() => build({ backupRetention: Duration.hours(36) })).toThrow(/backupRetention \("36 hours"\) is invalid: must be between 1 day and 35 days, a whole number of days \(RDS backup_retention_period counts days\)/);
    expect(() => build({ backupRetention: Duration.days(36) })).toThrow(/backupRetention \("36 days"\) is invalid/);
    expect(() => build({ instanceClass: 'm7g.large' })).toThrow(/instanceClass \("m7g.large"\) is invalid: must be an RDS instance class/);
    expect(() => build({ identifier: '1mlflow' })).toThrow(/identifier \("1mlflow"\) is invalid/);
    expect(() => build({ identifier: 'ml--flow' })).toThrow(/identifier \("ml--flow"\) is invalid/);
    expect(() => build({ identifier: 'mlflow-' })).toThrow(/identifier \("mlflow-"\) is invalid/);
    expect(() => build({ identifier: 'MLflow' })).toThrow(/identifier \("MLflow"\) is invalid: must be lowercase/);
    expect(() => build({ identifier: 'a'.repeat(64) })).toThrow(/identifier .* is invalid/);
    expect(() => build({ masterUsername: 'rdsadmin' })).toThrow(/masterUsername \("rdsadmin"\) is invalid/);
    expect(() => build({ databaseName: 'ml-flow' })).toThrow(/databaseName \("ml-flow"\) is invalid/);
    expect(() => build({ allocatedStorage: Size.gibibytes(10) })).toThrow(/allocatedStorage \("10 GiB"\) is invalid: must be between 20 GiB and 64 TiB/);
    expect(() => build({ allocatedStorage: Size.gibibytes(200) })).toThrow(/maxAllocatedStorage \("100 GiB"\) is invalid: must be at least allocatedStorage \(200 GiB\)/);
    expect(() => build({ performanceInsightsRetention: Duration.days(30) })).toThrow(/performanceInsightsRetention \("30 days"\) is invalid: must be one of 7 days, 731 days, 31 days/);
    expect(() => build({ monitoringInterval: Duration.seconds(45) })).toThrow(/monitoringInterval \("45 seconds"\) is invalid: must be one of 0 seconds, 1 second, 5 seconds, 10 seconds, 15 seconds, 30 seconds, 1 minute/);
    expect(() => build({ subnetIds: ['subnet-a'] })).toThrow(/subnetIds \(\["subnet-a"\]\) is invalid/);
    expect(() => build({ backupWindow: '3am' })).toThrow(/backupWindow \("3am"\) is invalid/);
  });

  test('a short backup retention is accepted only with the acknowledgement, and warned about', () => {
    const short = build({ backupRetention: Duration.days(3), acknowledgeShortBackupRetention: true });
    expect(onlyResource(short.s, 'aws_db_instance').backup_retention_period).toBe(3);
    expect(warnings(short.stack).join('\n')).toMatch(/backupRetention is 3 days/);
  });

  test('deletion protection can be turned off, with a warning', () => {
    const off = build({ deletionProtection: false });
    expect(onlyResource(off.s, 'aws_db_instance').deletion_protection).toBe(false);
    expect(warnings(off.stack).join('\n')).toMatch(/deletionProtection is false/);
  });
});
