// The platform apps the tests build, in one place: test/platform/ai-platform.test.ts asserts on them
// and test/oracles/whole-stack.test.ts puts every one of their stacks through Terraform.
import { App, Testing } from 'cdktf';
import { AiPlatform, AiPlatformProps, GpuCapacityMode, PlatformBackend } from '../../lib';

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

/** A cluster as an existing-cluster reference (bring-your-own-cluster mode). */
export const EXISTING_CLUSTER: AiPlatformProps['existingCluster'] = {
  clusterName: 'existing',
  endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com',
  // base64 of a PEM certificate, as describe-cluster returns it (the platform checks the shape).
  certificateAuthorityData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
  oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
  oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC',
  vpcId: 'vpc-0abc1234def567890',
  privateSubnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'],
  clusterSecurityGroupId: 'sg-0123456789abcdef0',
  region: 'us-west-2',
};

/** Props of each test platform app, by name. */
export const PLATFORM_APPS: Record<string, AiPlatformProps> = {
  /** A created cluster, tags, nothing else. */
  'created-tags': { region: 'us-west-2', cluster: { clusterName: 'demo', availabilityZones: AZS }, tags: { team: 'ml' } },
  /** A created cluster, S3 backend. */
  'created-s3': { region: 'us-west-2', cluster: { clusterName: 'demo', availabilityZones: AZS }, backend: PlatformBackend.s3({ bucket: 'state', region: 'us-west-2' }) },
  /** An existing cluster, nothing else. */
  'byo-empty': { region: 'us-west-2', existingCluster: EXISTING_CLUSTER },
  /** An existing cluster with everything the examples leave out: an ingress, a drift monitor, an evaluation with the default model. */
  'byo-full': {
    region: 'us-west-2',
    existingCluster: { ...EXISTING_CLUSTER, nodeRoleArn: 'arn:aws:iam::111122223333:role/existing-node', nodeRoleName: 'existing-node' },
    gpuPools: [{ poolName: 'gpu', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g6.4xlarge'] }],
    registry: {},
    serving: [
      {
        id: 'chat',
        gpuPool: 'gpu',
        models: [{ name: 'qwen-7b', model: 'Qwen/Qwen2.5-7B-Instruct', replicas: { min: 1, max: 2 }, maxModelLen: 8192 }],
        ingress: { host: 'llm.internal.example.com', certificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/0123abcd-0123-4567-89ab-0123456789ab', clientCidrs: ['10.0.0.0/8'], loadBalancerSourceCidrs: ['10.0.0.0/16'] },
      },
    ],
    driftMonitors: [{ id: 'drift', namespace: 'ml-jobs', schedule: '0 2 * * *', reference: { url: 's3://acme-ml-data/ref.csv' }, current: { url: 's3://acme-ml-data/cur/{{date-1d}}/' }, model: 'qwen-7b' }],
    evaluations: [{ id: 'eval', serving: 'chat', schedule: '30 3 * * *', datasetUrl: 's3://acme-ml-data/evals/golden.jsonl' }],
  },
};

/** Builds one of {@link PLATFORM_APPS} in a fresh test app. */
export function buildPlatformApp(name: string): AiPlatform {
  const app: App = Testing.app({ stackTraces: false });
  return new AiPlatform(app, 'ai', PLATFORM_APPS[name]);
}
