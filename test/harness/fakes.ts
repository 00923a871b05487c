import { TerraformStack } from 'cdktf';
import { ImportedCluster } from '../../lib/cluster/cluster-reference';

/** An imported cluster with fixed, plain values (no cluster stack needed). */
export function fakeCluster(stack: TerraformStack, id = 'cluster'): ImportedCluster {
  return new ImportedCluster(stack, id, {
    clusterName: 'demo',
    endpoint: 'https://example.eks.amazonaws.com',
    certificateAuthorityData: 'Y2E=',
    oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
    oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC',
    vpcId: 'vpc-123',
    privateSubnetIds: ['subnet-a', 'subnet-b'],
    clusterSecurityGroupId: 'sg-123',
    region: 'us-west-2',
    systemNodeSelector: { 'ai-platform.cdktf.io/node-role': 'system' },
  });
}
