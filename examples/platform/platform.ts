// The full platform: a cluster, a spot-first GPU pool, two chat models (one on vLLM, one on
// SGLang, behind one router) and an embedding model, the MLflow registry, drift monitoring and a
// nightly evaluation that also gates the canary rollouts of llama-8b. `main.ts` synthesizes it; the cost
// report and the benchmark build it from here too.
import { App } from 'cdktf';
import { AiPlatform, CapacityPreference, DriftDataFormat, GpuCapacityMode, PlatformBackend, ServingEngine, Size } from 'cdktf-ai-platform';

/** Builds the example platform in `app`. */
export function buildPlatform(app: App): AiPlatform {
  const region = 'us-west-2';
  return new AiPlatform(app, 'ai', {
    region,
    // Real deployments keep state in S3 with locking; synth does not touch the bucket.
    backend: PlatformBackend.s3({ bucket: process.env.TF_STATE_BUCKET ?? 'my-terraform-state', region }),
    tags: { project: 'ai-platform', env: 'prod' },
    cluster: {
      clusterName: 'ai-prod',
      availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
      adminPrincipalArns: ['arn:aws:iam::111122223333:role/platform-admin'],
    },
    gpuPools: [
      {
        poolName: 'inference',
        mode: GpuCapacityMode.KARPENTER,
        capacity: CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK,
        // One L40S/L4/A10G per node, five types across three families for spot depth.
        instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'],
        maxGpus: 16,
      },
    ],
    observability: { storageSize: Size.gibibytes(100) },
    // Created outside Terraform (kubectl create secret generic hf-token -n chat --from-literal=token=...).
    existing: { secrets: ['chat/hf-token'] },
    registry: {},
    serving: [
      {
        id: 'chat',
        gpuPool: 'inference',
        releaseName: 'chat',
        models: [
          // New revisions (revision, image, extraArgs) roll out as a canary gated by the evaluation
          // below and by Prometheus checks against the stable pods (docs/rollouts.md).
          { name: 'llama-8b', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 4 }, maxModelLen: 16384, rollout: {} },
          // The same router serves a second model on another engine (docs/serving.md, "Engines").
          { name: 'qwen-7b', model: 'Qwen/Qwen2.5-7B-Instruct', engine: ServingEngine.SGLANG, replicas: { min: 1, max: 2 }, maxModelLen: 16384 },
        ],
        huggingFaceToken: { secretName: 'hf-token' },
      },
      {
        id: 'embeddings',
        gpuPool: 'inference',
        releaseName: 'embeddings',
        models: [{ name: 'e5-mistral', model: 'intfloat/e5-mistral-7b-instruct', baseModel: 'mistralai/Mistral-7B-v0.3', replicas: { min: 1, max: 2 }, maxModelLen: 4096, extraArgs: ['--task', 'embed'] }],
      },
    ],
    driftMonitors: [
      {
        id: 'support-tickets-drift',
        namespace: 'ml-jobs',
        schedule: '0 2 * * *',
        // Training data vs. yesterday's traffic features, written by the feature pipeline.
        reference: { url: 's3://acme-ml-data/support/training/features.csv', format: DriftDataFormat.CSV },
        current: { url: 's3://acme-ml-data/support/traffic/{{date-1d}}/', format: DriftDataFormat.CSV },
        model: 'llama-8b',
      },
    ],
    // Live unit economics: node prices (spot from EC2's price history), cost per 1M tokens per model,
    // idle spend, and a weekly report in S3 and MLflow beside the pre-deployment estimate (docs/cost.md).
    costMonitoring: {
      spotPrices: {},
      report: { reportPrefix: 's3://acme-ml-data/reports/gpu-cost/' },
    },
    evaluations: [
      {
        id: 'chat-nightly-eval',
        serving: 'chat',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        schedule: '30 3 * * *',
        datasetUrl: 's3://acme-ml-data/evals/support-golden.jsonl',
        gates: [{ metric: 'pass_rate', min: 0.85 }, { metric: 'latency_p95_ms', max: 8000 }],
        regression: { gates: [{ metric: 'pass_rate', tolerance: 0.02 }] },
        // The same evaluation gates every rollout of llama-8b, against the canary only.
        gateRollouts: true,
      },
    ],
  });
}
