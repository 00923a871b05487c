import { ArtifactBucket, ArtifactBucketProps } from '../../lib/registry';
import { Duration } from '../../lib/core/units';
import { awsStack, synth, onlyResource, resources } from '../harness/synth';

const KEY = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function build(props: Partial<ArtifactBucketProps> = {}) {
  const stack = awsStack();
  const bucket = new ArtifactBucket(stack, 'artifacts', { kmsKeyArn: KEY, ...props });
  return { stack, bucket, s: synth(stack) };
}

type Statement = { sid: string; effect: string; principals: { type: string; identifiers: string[] }[]; actions: string[]; resources: string[]; condition: { test: string; variable: string; values: string[] }[] };

describe('ArtifactBucket', () => {
  const { s } = build();

  test('versioning is on', () => {
    expect(onlyResource(s, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
  });

  test('SSE-KMS with the customer key and S3 Bucket Keys', () => {
    const enc = onlyResource(s, 'aws_s3_bucket_server_side_encryption_configuration') as { rule: { apply_server_side_encryption_by_default: { sse_algorithm: string; kms_master_key_id: string }; bucket_key_enabled: boolean }[] };
    expect(enc.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: KEY }, bucket_key_enabled: true }]);
  });

  test('all four public access blocks are on', () => {
    expect(onlyResource(s, 'aws_s3_bucket_public_access_block')).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
  });

  test('ownership controls enforce the bucket owner (ACLs off)', () => {
    expect(onlyResource(s, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  test('the bucket policy denies every request without TLS (and TLS < 1.2), for everyone', () => {
    const doc = Object.values(s.data!.aws_iam_policy_document)[0] as { statement: Statement[] };
    const insecure = doc.statement.find((st) => st.condition.some((c) => c.variable === 'aws:SecureTransport'))!;
    expect(insecure).toMatchObject({ effect: 'Deny', actions: ['s3:*'], principals: [{ type: '*', identifiers: ['*'] }] });
    expect(insecure.condition).toEqual([{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
    expect(insecure.resources).toHaveLength(2);
    expect(insecure.resources[1]).toMatch(/\/\*$/);
    const oldTls = doc.statement.find((st) => st.condition.some((c) => c.variable === 's3:TlsVersion'))!;
    expect(oldTls).toMatchObject({ effect: 'Deny', condition: [{ test: 'NumericLessThan', values: ['1.2'] }] });
    const policy = onlyResource(s, 'aws_s3_bucket_policy') as { policy: string; depends_on: string[] };
    expect(policy.policy).toMatch(/^\$\{data\.aws_iam_policy_document\..+\.json\}$/);
    expect(policy.depends_on[0]).toMatch(/^aws_s3_bucket_public_access_block\./);
  });

  test('lifecycle expires noncurrent versions and aborts incomplete multipart uploads', () => {
    const lc = onlyResource(s, 'aws_s3_bucket_lifecycle_configuration') as { rule: { status: string; filter: object[]; noncurrent_version_expiration: { noncurrent_days: number }[]; abort_incomplete_multipart_upload: { days_after_initiation: number }[] }[]; depends_on: string[] };
    expect(lc.rule).toHaveLength(1);
    expect(lc.rule[0]).toMatchObject({ status: 'Enabled', filter: [{}], noncurrent_version_expiration: [{ noncurrent_days: 90 }], abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] });
    expect(lc.depends_on[0]).toMatch(/^aws_s3_bucket_versioning\./);
    const custom = onlyResource(build({ noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUpload: Duration.days(2) }).s, 'aws_s3_bucket_lifecycle_configuration') as typeof lc;
    expect(custom.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
    expect(custom.rule[0].abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 2 }]);
  });

  test('a generated unique name by default, never force-destroyed; prevent_destroy on request', () => {
    expect(onlyResource(s, 'aws_s3_bucket')).toEqual({ bucket_prefix: 'mlflow-artifacts-', force_destroy: false });
    expect(onlyResource(build({ bucketName: 'acme-mlflow-artifacts', preventDestroy: true }).s, 'aws_s3_bucket')).toEqual({ bucket: 'acme-mlflow-artifacts', force_destroy: false, lifecycle: { prevent_destroy: true } });
  });

  test('access logs only when a target bucket is given', () => {
    expect(resources(s, 'aws_s3_bucket_logging')).toEqual({});
    const logged = onlyResource(build({ accessLogsBucket: 'acme-access-logs' }).s, 'aws_s3_bucket_logging');
    expect(logged).toMatchObject({ target_bucket: 'acme-access-logs', target_prefix: 'mlflow-artifacts/' });
  });

  test('bucket names S3 rejects throw naming the prop and the value', () => {
    expect(() => build({ bucketName: '' })).toThrow(/artifacts: bucketName \(""\) is invalid: must be 3-63 characters/);
    expect(() => build({ bucketName: 'My_Bucket' })).toThrow(/bucketName \("My_Bucket"\) is invalid/);
    expect(() => build({ bucketName: '192.168.1.1' })).toThrow(/bucketName \("192.168.1.1"\) is invalid/);
    expect(() => build({ bucketName: 'xn--bucket' })).toThrow(/bucketName \("xn--bucket"\) is invalid/);
    expect(() => build({ bucketName: 'a'.repeat(64) })).toThrow(/bucketName .* is invalid/);
    expect(() => build({ bucketPrefix: 'Upper-' })).toThrow(/bucketPrefix \("Upper-"\) is invalid/);
    expect(() => build({ accessLogsBucket: 'Logs!' })).toThrow(/accessLogsBucket \("Logs!"\) is invalid/);
    expect(() => build({ bucketName: 'same-bucket', accessLogsBucket: 'same-bucket' })).toThrow(/accessLogsBucket \("same-bucket"\) is invalid: must be another bucket/);
    expect(() => build({ noncurrentVersionExpiration: Duration.days(0) })).toThrow(/noncurrentVersionExpiration \("0 seconds"\) is invalid: must be between 1 day and 36500 days, a whole number of days/);
  });
});
