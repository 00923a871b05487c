// The platform stack on an existing EKS cluster: no cluster stack, the cluster described by plain
// values (from your cluster's outputs or `aws eks describe-cluster`).
import { App } from 'cdktf';
import { AiPlatform, GpuCapacityMode, PlatformBackend } from 'cdktf-ai-platform';

const app = new App();
new AiPlatform(app, 'byo', {
  region: 'eu-west-1',
  backend: PlatformBackend.s3({ bucket: process.env.TF_STATE_BUCKET ?? 'my-terraform-state', region: 'eu-west-1', keyPrefix: 'byo' }),
  existingCluster: {
    clusterName: 'shared-eks',
    endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
    certificateAuthorityData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
    oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
    oidcIssuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
    vpcId: 'vpc-0abc1234def567890',
    privateSubnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f', 'subnet-0aaa5555cccc6666d'],
    clusterSecurityGroupId: 'sg-0123456789abcdef0',
    nodeRoleArn: 'arn:aws:iam::111122223333:role/shared-eks-node',
    nodeRoleName: 'shared-eks-node',
    region: 'eu-west-1',
    systemNodeSelector: { 'eks.amazonaws.com/nodegroup': 'system' },
  },
  gpuPools: [{ poolName: 'gpu', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g6.4xlarge'] }],
  registry: {},
  serving: [{ id: 'chat', gpuPool: 'gpu', models: [{ name: 'qwen-7b', model: 'Qwen/Qwen2.5-7B-Instruct', replicas: { min: 1, max: 3 }, maxModelLen: 8192 }] }],
});
app.synth();
