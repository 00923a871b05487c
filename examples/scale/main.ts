// Benchmark input: the example platform with MODELS models in one serving stack (bench/run.js --models 1,10,50).
import { App } from 'cdktf';
import { AiPlatform, PlatformBackend } from 'cdktf-ai-platform';

const count = Number(process.env.MODELS ?? '1');
const app = new App();
new AiPlatform(app, 'scale', {
  region: 'us-west-2',
  backend: PlatformBackend.s3({ bucket: 'my-terraform-state', region: 'us-west-2' }),
  cluster: { clusterName: 'ai-scale', availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
  gpuPools: [{ poolName: 'gpu', instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'], maxGpus: Math.max(16, count * 2) }],
  registry: {},
  serving: [{ id: 'models', gpuPool: 'gpu', models: Array.from({ length: count }, (_, i) => ({ name: `model-${i}`, model: `acme/llama-3.2-1b-support-${i}`, baseModel: 'meta-llama/Llama-3.2-1B', maxModelLen: 8192 })) }],
});
app.synth();
