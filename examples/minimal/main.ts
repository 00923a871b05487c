// The smallest useful platform: a cluster, one spot-first GPU pool and one model.
import { App } from 'cdktf';
import { AiPlatform, PlatformBackend } from 'cdktf-ai-platform';

const app = new App();
new AiPlatform(app, 'minimal', {
  region: 'us-east-1',
  backend: PlatformBackend.s3({ bucket: process.env.TF_STATE_BUCKET ?? 'my-terraform-state', region: 'us-east-1', keyPrefix: 'minimal' }),
  cluster: { clusterName: 'ai-minimal', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  gpuPools: [{ poolName: 'gpu', instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge', 'g5.2xlarge', 'g6e.xlarge'] }],
  serving: [{ id: 'llm', gpuPool: 'gpu', models: [{ name: 'llama-3b', model: 'meta-llama/Llama-3.2-3B-Instruct', maxModelLen: 8192 }] }],
});
app.synth();
