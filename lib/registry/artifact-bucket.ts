import { Construct, IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { ValidationError } from '../core/errors';
import { validateAwsName } from '../core/names';
import { Duration } from '../core/units';
import { validatePattern, validateWholeDuration } from '../core/validate';

/** Options of the artifact bucket that a user sets (see {@link ArtifactBucketProps}). */
export interface ArtifactBucketOptions {
  /**
   * Bucket name (globally unique; S3 naming rules apply).
   * @default - Terraform generates a unique name from `bucketPrefix`
   */
  readonly bucketName?: string;
  /**
   * How long S3 keeps noncurrent (overwritten or deleted) object versions before expiring them.
   * Versioning protects artifacts from an accidental delete; the expiry bounds what that costs.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Age after which incomplete multipart uploads (interrupted artifact uploads) are aborted.
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUpload?: Duration;
  /**
   * Bucket that receives S3 server access logs. It must allow the `logging.s3.amazonaws.com`
   * service to write (a bucket policy) and must not be this bucket.
   * @default - no access logs
   */
  readonly accessLogsBucket?: string;
  /**
   * Key prefix of the access logs in `accessLogsBucket`.
   * @default 'mlflow-artifacts/'
   */
  readonly accessLogsPrefix?: string;
}

/** Props of {@link ArtifactBucket}. */
export interface ArtifactBucketProps extends ArtifactBucketOptions {
  /** ARN of the customer managed KMS key for SSE-KMS. */
  readonly kmsKeyArn: string;
  /**
   * Name prefix when `bucketName` is not given (at most 37 characters; Terraform appends 26).
   * @default 'mlflow-artifacts-'
   */
  readonly bucketPrefix?: string;
  /**
   * Set `lifecycle.prevent_destroy` on the bucket.
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/**
 * Validates {@link ArtifactBucketOptions}; `prefix` is prepended to prop names in errors (e.g.
 * `artifacts.` when the options are nested in another construct's props).
 */
export function checkArtifactBucketOptions(scope: IConstruct, options: ArtifactBucketOptions, prefix = ''): { noncurrentDays: number; abortDays: number } {
  if (options.bucketName !== undefined) validateAwsName(scope, `${prefix}bucketName`, options.bucketName, 's3Bucket');
  const noncurrentDays = validateWholeDuration(scope, `${prefix}noncurrentVersionExpiration`, options.noncurrentVersionExpiration ?? Duration.days(90), 'day', 1, 36500, 'the S3 lifecycle rule');
  const abortDays = validateWholeDuration(scope, `${prefix}abortIncompleteMultipartUpload`, options.abortIncompleteMultipartUpload ?? Duration.days(7), 'day', 1, 365, 'the S3 lifecycle rule');
  if (options.accessLogsBucket !== undefined) {
    validateAwsName(scope, `${prefix}accessLogsBucket`, options.accessLogsBucket, 's3Bucket');
    if (options.bucketName !== undefined && options.accessLogsBucket === options.bucketName) {
      throw new ValidationError(scope, `${prefix}accessLogsBucket`, options.accessLogsBucket, 'must be another bucket than the artifact bucket (logging a bucket into itself loops)');
    }
  }
  if (options.accessLogsPrefix !== undefined) validatePattern(scope, `${prefix}accessLogsPrefix`, options.accessLogsPrefix, /^[A-Za-z0-9!_.*'()/-]{0,512}$/, 'be an S3 key prefix (letters, digits and !_.*\'()/-)');
  return { noncurrentDays, abortDays };
}

/**
 * An S3 bucket for ML artifacts, secure by default (SECURITY.md, S3): versioning, SSE-KMS with a
 * customer key and S3 Bucket Keys, all four public access blocks, a bucket policy that denies
 * requests without TLS (and TLS older than 1.2), ObjectOwnership `BucketOwnerEnforced` (ACLs
 * off), expiry of noncurrent versions, abort of incomplete multipart uploads and optional server
 * access logs.
 */
export class ArtifactBucket extends Construct {
  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** Bucket name (a reference). */
  public readonly bucketName: string;
  /** Bucket ARN (a reference). */
  public readonly bucketArn: string;
  /** Versioning configuration. */
  public readonly versioning: S3BucketVersioningA;
  /** Default encryption configuration. */
  public readonly encryption: S3BucketServerSideEncryptionConfigurationA;
  /** Public access block. */
  public readonly publicAccessBlock: S3BucketPublicAccessBlock;
  /** Ownership controls. */
  public readonly ownershipControls: S3BucketOwnershipControls;
  /** The TLS-only bucket policy. */
  public readonly policy: S3BucketPolicy;
  /** Lifecycle rules. */
  public readonly lifecycle: S3BucketLifecycleConfiguration;
  /** Access logging, when `accessLogsBucket` is given. */
  public readonly logging?: S3BucketLoggingA;

  /** Creates the bucket and its configuration. */
  public constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id);
    const { noncurrentDays, abortDays } = checkArtifactBucketOptions(this, props);
    const prefix = props.bucketName === undefined ? props.bucketPrefix ?? 'mlflow-artifacts-' : undefined;
    if (prefix !== undefined && !Token.isUnresolved(prefix)) {
      validatePattern(this, 'bucketPrefix', prefix, /^[a-z0-9][a-z0-9.-]{0,36}$/, 'be 1-37 lowercase letters, digits, "." and "-", starting with a letter or digit (Terraform appends a 26-character suffix)');
    }

    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      bucketPrefix: prefix,
      // A versioned bucket full of artifacts is never deleted by `cdktf destroy` by accident.
      forceDestroy: false,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;

    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.ownershipControls = new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    this.versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    this.encryption = new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, 'tls-only', {
      statement: [
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
        {
          sid: 'DenyOutdatedTls',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
        },
      ],
    });
    // After the public access block: a policy PUT racing it can be rejected.
    this.policy = new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: tlsOnly.json, dependsOn: [this.publicAccessBlock] });
    this.lifecycle = new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'noncurrent-versions-and-uploads',
          status: 'Enabled',
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: abortDays }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
      // S3 evaluates noncurrent-version rules only once versioning is on.
      dependsOn: [this.versioning],
    });
    if (props.accessLogsBucket !== undefined) {
      this.logging = new S3BucketLoggingA(this, 'access-logs', {
        bucket: this.bucket.id,
        targetBucket: props.accessLogsBucket,
        targetPrefix: props.accessLogsPrefix ?? 'mlflow-artifacts/',
      });
    }
  }
}
