import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';

/** Options of an S3 state backend. */
export interface S3BackendOptions {
  /** Bucket holding the state (versioning on, encryption on: create it outside this app). */
  readonly bucket: string;
  /** AWS region of the bucket. */
  readonly region: string;
  /**
   * Key prefix; each stack's state goes to `<prefix>/<stack name>.tfstate`.
   * @default 'cdktf-ai-platform'
   */
  readonly keyPrefix?: string;
  /**
   * DynamoDB table for locking (older setups). Without it, S3-native locking (`use_lockfile`,
   * Terraform >= 1.10) is used.
   * @default - S3-native locking
   */
  readonly dynamodbTable?: string;
}

/**
 * Where the platform's Terraform state lives. S3 with locking is the default to use for real
 * deployments; the local backend is for trying things out (state on this machine only).
 */
export abstract class PlatformBackend {
  /** State in S3 with locking (recommended). */
  public static s3(options: S3BackendOptions): PlatformBackend {
    return new S3PlatformBackend(options);
  }

  /**
   * State in local files next to `cdktf.out/` (`terraform.<stack>.tfstate`), with paths relative to
   * the stack directory so nothing machine-specific lands in the synthesized JSON.
   */
  public static local(): PlatformBackend {
    return new LocalPlatformBackend();
  }

  /** Configures the backend of a stack. */
  public abstract bind(stack: TerraformStack, stackName: string): void;
}

class S3PlatformBackend extends PlatformBackend {
  public constructor(private readonly options: S3BackendOptions) {
    super();
  }

  public bind(stack: TerraformStack, stackName: string): void {
    const backend = new S3Backend(stack, {
      bucket: this.options.bucket,
      key: `${this.options.keyPrefix ?? 'cdktf-ai-platform'}/${stackName}.tfstate`,
      region: this.options.region,
      encrypt: true,
      dynamodbTable: this.options.dynamodbTable,
    });
    // cdktf 0.21's S3Backend has no prop for S3-native locking yet.
    if (!this.options.dynamodbTable) backend.addOverride('use_lockfile', true);
  }
}

class LocalPlatformBackend extends PlatformBackend {
  public bind(stack: TerraformStack, stackName: string): void {
    // Terraform runs in cdktf.out/stacks/<stack>/: three levels up is the project directory.
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
  }
}
