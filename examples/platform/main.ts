// The full platform example. `npm run synth` (or `cdktf synth` in the repository root) synthesizes
// it offline into cdktf.out/.
import { App, S3Backend, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AiCluster, awsDefaultTags } from 'cdktf-ai-platform';

const app = new App();
const region = 'us-west-2';
const tags = { project: 'ai-platform', env: 'prod' };

const clusterStack = new TerraformStack(app, 'ai-platform-cluster');
new AwsProvider(clusterStack, 'aws', { region, defaultTags: awsDefaultTags(tags) });
// Real deployments keep state in S3 with native locking; synth does not touch the bucket.
const backend = new S3Backend(clusterStack, { bucket: process.env.TF_STATE_BUCKET ?? 'my-terraform-state', key: 'ai-platform/cluster.tfstate', region, encrypt: true });
// S3-native state locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no prop for it yet.
backend.addOverride('use_lockfile', true);
new AiCluster(clusterStack, 'cluster', {
  clusterName: 'ai-prod',
  availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  adminPrincipalArns: ['arn:aws:iam::111122223333:role/platform-admin'],
  tags,
});

app.synth();
