import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { AiCluster, AiClusterProps } from '../cluster/ai-cluster';
import { ClusterReference, ICluster, ImportedCluster } from '../cluster/cluster-reference';
import { ValidationError } from '../core/errors';
import { applyTags, TagMap } from '../core/tags';
import { validatePattern } from '../core/validate';
import { PlatformBackend } from './platform-backend';
import { addAwsProvider, addClusterProviders } from './providers';

/** Props of {@link AiPlatform}. */
export interface AiPlatformProps {
  /** AWS region of the platform, e.g. `us-west-2`. */
  readonly region: string;
  /**
   * The cluster to create (cluster stack). Give this or `existingCluster`.
   * @default - none
   */
  readonly cluster?: AiClusterProps;
  /**
   * An existing cluster (bring-your-own-cluster mode: no cluster stack is created).
   * @default - none
   */
  readonly existingCluster?: ClusterReference;
  /**
   * Where Terraform state lives. Use `PlatformBackend.s3(...)` for real deployments.
   * @default PlatformBackend.local()
   */
  readonly backend?: PlatformBackend;
  /**
   * Tags for every taggable AWS resource (also set as the AWS provider's default tags).
   * @default - none
   */
  readonly tags?: TagMap;
}

/**
 * The whole platform from one props object: a cluster stack (AWS only) and a platform stack
 * (AWS + kubernetes + helm) configured from the cluster's outputs, or only the platform stack on
 * an existing cluster.
 */
export class AiPlatform extends Construct {
  /** The cluster stack (undefined in bring-your-own-cluster mode). */
  public readonly clusterStack?: TerraformStack;
  /** The platform stack. */
  public readonly platformStack: TerraformStack;
  /** The created cluster (undefined in bring-your-own-cluster mode). */
  public readonly aiCluster?: AiCluster;
  /** The cluster as the platform stack sees it. */
  public readonly cluster: ICluster;

  /** Creates the stacks. */
  public constructor(scope: Construct, id: string, props: AiPlatformProps) {
    super(scope, id);
    validatePattern(this, 'region', props.region, /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'be an AWS region such as "us-west-2"');
    if ((props.cluster === undefined) === (props.existingCluster === undefined)) {
      throw new ValidationError(this, 'cluster', props.cluster === undefined ? 'neither cluster nor existingCluster' : 'both cluster and existingCluster', 'give exactly one of cluster (create one) or existingCluster (bring your own)');
    }
    const backend = props.backend ?? PlatformBackend.local();
    const stackName = (suffix: string) => `${id}-${suffix}`;

    let reference: ClusterReference & { readonly systemNodeSelector?: Record<string, string> };
    if (props.cluster) {
      // Stack ids are state keys (backend paths): never rename them.
      this.clusterStack = new TerraformStack(this, stackName('cluster'));
      addAwsProvider(this.clusterStack, props.region, props.tags);
      backend.bind(this.clusterStack, stackName('cluster'));
      this.aiCluster = new AiCluster(this.clusterStack, 'cluster', { ...props.cluster, tags: { ...props.tags, ...props.cluster.tags } });
      const c = this.aiCluster;
      reference = {
        clusterName: c.clusterName,
        endpoint: c.endpoint,
        certificateAuthorityData: c.certificateAuthorityData,
        oidcProviderArn: c.oidcProviderArn,
        oidcIssuerUrl: c.oidcIssuerUrl,
        vpcId: c.vpcId,
        privateSubnetIds: c.privateSubnetIds,
        clusterSecurityGroupId: c.clusterSecurityGroupId,
        nodeRoleArn: c.nodeRoleArn,
        nodeRoleName: c.nodeRoleName,
        region: props.region,
        systemNodeSelector: c.systemNodeSelector,
      };
    } else {
      reference = props.existingCluster!;
    }

    this.platformStack = new TerraformStack(this, stackName('platform'));
    addAwsProvider(this.platformStack, props.region, props.tags);
    backend.bind(this.platformStack, stackName('platform'));
    // Platform constructs see the cluster through an import living in the platform stack, so the
    // AWS resources they create (IRSA roles, buckets) stay in the platform stack and the cluster
    // stack never depends on it (a cycle cdktf cannot synthesize).
    this.cluster = new ImportedCluster(this.platformStack, 'cluster', reference);
    addClusterProviders(this.platformStack, { clusterName: reference.clusterName, endpoint: reference.endpoint, certificateAuthorityData: reference.certificateAuthorityData, region: props.region });
    applyTags(this.platformStack, props.tags);
  }
}
