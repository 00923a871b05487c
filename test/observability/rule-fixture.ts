// The platform the promtool tests load their rules from: every feature that ships rules is on
// (GPU alerts, serving alerts, a drift monitor with serving signals, an evaluation). Windows of the
// serving-signal drift are short so promtool can evaluate them in a few hundred steps.
import { App, Testing } from 'cdktf';
import { AiPlatform, CapacityPreference, Duration, DriftDataFormat, GpuCapacityMode } from '../../lib';
import { Synth, synthApp } from '../harness/synth';

/** Names the promtool cases refer to. */
export const FIXTURE = {
  monitoringNamespace: 'monitoring',
  jobsNamespace: 'ml-jobs',
  servingNamespace: 'serving',
  servingRelease: 'chat',
  servedModel: 'llama-8b',
  modelId: 'meta-llama/Llama-3.1-8B-Instruct',
  deployment: 'chat-llama-8b',
  driftMonitor: 'tickets',
  driftCronJob: 'drift-tickets',
  evaluation: 'chat-nightly',
  evalCronJob: 'eval-chat-nightly',
} as const;

/** Builds and synthesizes the fixture platform (once per test file). */
export function synthRuleFixture(): { platform: AiPlatform; stacks: Record<string, Synth> } {
  const app: App = Testing.app({ stackTraces: false });
  const platform = new AiPlatform(app, 'ai', {
    region: 'us-west-2',
    cluster: { clusterName: 'rules', availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
    gpuPools: [{ poolName: 'inference', mode: GpuCapacityMode.KARPENTER, capacity: CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK, instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'], maxGpus: 8 }],
    observability: {},
    serving: [{
      id: 'chat',
      gpuPool: 'inference',
      releaseName: FIXTURE.servingRelease,
      namespace: FIXTURE.servingNamespace,
      models: [{ name: FIXTURE.servedModel, model: FIXTURE.modelId, replicas: { min: 1, max: 2 }, maxModelLen: 8192 }],
    }],
    driftMonitors: [{
      id: 'tickets-drift',
      name: FIXTURE.driftMonitor,
      namespace: FIXTURE.jobsNamespace,
      schedule: '*/10 * * * *',
      reference: { url: 's3://data/ref.csv', format: DriftDataFormat.CSV },
      current: { url: 's3://data/cur/{{date}}.csv', format: DriftDataFormat.CSV },
      // Named by its Hugging Face id: the platform labels alerts with the served name and the id.
      model: FIXTURE.modelId,
      servingSignals: {
        models: [FIXTURE.servedModel],
        servingNamespace: FIXTURE.servingNamespace,
        currentWindow: Duration.minutes(10),
        referenceWindow: Duration.minutes(10),
        referenceOffset: Duration.hours(1),
        forDuration: Duration.minutes(5),
      },
    }],
    evaluations: [{
      id: 'chat-eval',
      name: FIXTURE.evaluation,
      serving: 'chat',
      model: FIXTURE.modelId,
      schedule: '5-59/10 * * * *',
      datasetUrl: 's3://data/golden.jsonl',
      gates: [{ metric: 'pass_rate', min: 0.85 }],
    }],
  });
  return { platform, stacks: synthApp(app) };
}
