// The state contract of serving stacks: every Terraform address a vLLM stack creates, for a
// multi-model stack with every optional part (generated API key, model cache, S3 weights with IRSA,
// ingress, KEDA, monitoring) and an HPA variant. Renaming any of these destroys infrastructure, so
// the snapshot may only grow (additions, named in the commit), never change.
import { Duration } from '../../lib/core/units';
import { VllmServingStack, AutoscalerKind } from '../../lib/serving';
import { awsStack, stateAddresses as addresses, synth, Synth } from '../harness/synth';
import { FakeGpuPool, FakeMetrics, fakeCluster } from './fakes';


function fullStack(): Synth {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const gpuPool = new FakeGpuPool(stack, 'pool', { instanceTypes: ['g6e.12xlarge', 'g6e.24xlarge'] });
  const metrics = new FakeMetrics(stack, 'metrics');
  new VllmServingStack(stack, 'chat', {
    cluster,
    gpuPool,
    metrics,
    models: [
      { name: 'llama-8b', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 0, max: 4 } },
      { name: 'qwen-7b', model: 's3://weights-bucket/models/qwen', baseModel: 'Qwen/Qwen2.5-7B-Instruct', replicas: { min: 1, max: 2 }, startupTimeout: Duration.minutes(20) },
      { name: 'llama-70b', model: 'meta-llama/Llama-3.3-70B-Instruct', baseModel: 'meta-llama/Llama-3.1-70B', tensorParallelSize: 4, replicas: { min: 1, max: 1 } },
    ],
    modelCache: {},
    ingress: {
      host: 'llm.internal.example.com',
      certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/abc-123',
      clientCidrs: ['10.0.0.0/8'],
      loadBalancerSourceCidrs: ['10.0.0.0/16'],
    },
  });
  new VllmServingStack(stack, 'embed', {
    cluster,
    gpuPool,
    metrics,
    namespace: 'embeddings',
    apiKey: { existingSecretName: 'embed-key' },
    autoscaling: { autoscaler: AutoscalerKind.HPA },
    models: [{ name: 'small', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 3 } }],
  });
  return synth(stack);
}

test('state addresses of vLLM serving stacks are unchanged', () => {
  expect(addresses(fullStack())).toMatchSnapshot();
});
