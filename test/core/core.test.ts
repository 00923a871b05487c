import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError, Size, Duration } from '../../lib';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { awsStack, synth } from '../harness/synth';
import { validateFraction, validateInteger, validateMinMax, validateNonEmpty, validateNonEmptyList, validateOneOf } from '../../lib/core/validate';
import { isDns1123Label, isDns1123Subdomain, truncateName, validateAwsName } from '../../lib/core/names';
import { cidrSubnet, parseIpv4Cidr, validateCidr } from '../../lib/core/cidr';
import { applyTags } from '../../lib/core/tags';

const scope = new Construct(Testing.app(), 'scope');

describe('ValidationError', () => {
  test('names the construct path, the prop, the value and what is valid', () => {
    const e = new ValidationError(scope, 'replicas.min', 5, 'must be <= replicas.max (2)');
    expect(e.message).toBe('scope: replicas.min (5) is invalid: must be <= replicas.max (2)');
    expect(e.prop).toBe('replicas.min');
    expect(e.constructPath).toBe('scope');
  });
  test('validators', () => {
    expect(() => validateInteger(scope, 'n', 1.5, 0, 3)).toThrow('n (1.5) is invalid: must be an integer between 0 and 3');
    expect(() => validateInteger(scope, 'n', -1, 0)).toThrow('must be an integer >= 0');
    expect(validateInteger(scope, 'n', 2, 0, 3)).toBe(2);
    expect(() => validateMinMax(scope, 'min', 3, 'max', 2)).toThrow('min (3) cannot be greater than max (2)');
    expect(() => validateOneOf(scope, 'mode', 'x', ['a', 'b'])).toThrow('mode ("x") is invalid: must be one of "a", "b"');
    expect(() => validateFraction(scope, 'threshold', 1.2)).toThrow('threshold (1.2) is invalid: must be a number between 0 and 1');
    expect(() => validateNonEmpty(scope, 'model', '  ')).toThrow('model ("  ") is invalid: must be a non-empty string');
    expect(() => validateNonEmptyList(scope, 'types', [])).toThrow('types ([]) is invalid: must be a non-empty list');
  });
  test('tokens pass through unchecked (known only at apply time)', () => {
    const stack = awsStack();
    const bucket = new S3Bucket(stack, 'b', { bucket: 'x' });
    expect(() => validateAwsName(scope, 'bucket', bucket.bucket, 's3Bucket')).not.toThrow();
  });
});

describe('names', () => {
  test.each([
    ['llama-8b', true], ['a', true], ['A', false], ['-a', false], ['a-', false], ['a.b', false], ['a'.repeat(63), true], ['a'.repeat(64), false], ['', false],
  ])('DNS-1123 label %s -> %s', (name, ok) => expect(isDns1123Label(name)).toBe(ok));
  test.each([['a.b-c.d', true], ['a..b', false], ['a'.repeat(254), false], ['Abc', false]])('DNS-1123 subdomain %s -> %s', (n, ok) => expect(isDns1123Subdomain(n)).toBe(ok));
  test.each([
    ['s3Bucket', 'my-bucket', true], ['s3Bucket', 'My_Bucket', false], ['s3Bucket', '192.168.1.1', false], ['s3Bucket', 'xn--abc', false], ['s3Bucket', 'ab', false],
    ['rdsIdentifier', 'mlflow-db', true], ['rdsIdentifier', '1db', false], ['rdsIdentifier', 'db--x', false], ['rdsIdentifier', 'db-', false],
    ['iamRole', 'a'.repeat(64), true], ['iamRole', 'a'.repeat(65), false], ['sqsQueue', 'q.fifo', false], ['eksCluster', 'ai_prod-1', true],
  ] as const)('%s %s -> %s', (kind, name, ok) => {
    const f = () => validateAwsName(scope, 'name', name, kind);
    if (ok) expect(f).not.toThrow();
    else expect(f).toThrow(/name .* is invalid: must/);
  });
  test('truncateName is deterministic and within the limit', () => {
    const long = 'x'.repeat(80);
    expect(truncateName(long, 64)).toHaveLength(64);
    expect(truncateName(long, 64)).toBe(truncateName(long, 64));
    expect(truncateName(`${long}a`, 64)).not.toBe(truncateName(`${long}b`, 64));
    expect(truncateName('short', 64)).toBe('short');
  });
});

describe('CIDR', () => {
  test('parses and rejects', () => {
    expect(parseIpv4Cidr('10.0.0.0/16')).toEqual({ address: 0x0a000000, prefix: 16 });
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '256.0.0.0/8', '10.0.0.1/16', 'abc', '10.0.0/16']) expect(parseIpv4Cidr(bad)).toBeUndefined();
    expect(() => validateCidr(scope, 'cidr', '10.0.0.0/8', 16, 20)).toThrow('cidr ("10.0.0.0/8") is invalid: must have a prefix length between /16 and /20');
  });
  test('cidrSubnet matches Terraform cidrsubnet()', () => {
    // Values from `terraform console`: cidrsubnet("10.0.0.0/16", 2, 3) = "10.0.192.0/18", cidrsubnet("10.0.192.0/18", 3, 2) = "10.0.208.0/21".
    expect(cidrSubnet('10.0.0.0/16', 2, 3)).toBe('10.0.192.0/18');
    expect(cidrSubnet('10.0.192.0/18', 3, 2)).toBe('10.0.208.0/21');
    expect(cidrSubnet('172.16.0.0/20', 4, 15)).toBe('172.16.15.0/24');
    expect(() => cidrSubnet('10.0.0.0/16', 2, 4)).toThrow();
  });
});

describe('units', () => {
  test('Size renders Kubernetes quantities', () => {
    expect(Size.gibibytes(16).toKubernetes()).toBe('16Gi');
    expect(Size.mebibytes(512).toKubernetes()).toBe('512Mi');
    expect(Size.mebibytes(1536).toKubernetes()).toBe('1536Mi');
    expect(Size.tebibytes(1).toGibibytes()).toBe(1024);
    expect(() => Size.gibibytes(-1)).toThrow();
  });
  test('Duration renders Go durations and rounds up', () => {
    expect(Duration.minutes(5).toGoDuration()).toBe('5m');
    expect(Duration.seconds(90).toGoDuration()).toBe('90s');
    expect(Duration.hours(2).toGoDuration()).toBe('2h');
    expect(Duration.seconds(61).toMinutes()).toBe(2);
    expect(Duration.days(1).toSeconds()).toBe(86400);
  });
});

describe('tags', () => {
  test('tags reach taggable AWS resources only, resource tags win', () => {
    const stack = awsStack();
    const holder = new Construct(stack, 'holder');
    const bucket = new S3Bucket(holder, 'bucket', { bucket: 'b', tags: { Name: 'mine', team: 'override' } });
    new S3BucketPolicy(holder, 'policy', { bucket: bucket.id, policy: '{}' });
    new S3Bucket(stack, 'outside', { bucket: 'c' });
    applyTags(holder, { team: 'ml', env: 'prod' });
    const s = synth(stack);
    expect(s.resource!.aws_s3_bucket.holder_bucket_8C4C9A33 ?? Object.values(s.resource!.aws_s3_bucket).find((b) => b.bucket === 'b')).toMatchObject({ tags: { Name: 'mine', team: 'override', env: 'prod' } });
    expect(Object.values(s.resource!.aws_s3_bucket).find((b) => b.bucket === 'c')!.tags).toBeUndefined();
    expect(Object.values(s.resource!.aws_s3_bucket_policy)[0].tags).toBeUndefined();
  });
});

test('TerraformStack import kept for type-only use', () => {
  expect(TerraformStack).toBeDefined();
});
