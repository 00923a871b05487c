// Every enum-valued input of the public API, given a string that is not one of its values (what a
// plain-JavaScript caller or a typo in JSON config produces), must fail with a ValidationError that
// names the prop and the bad value, never pass through to the synthesized output or crash.
// The inputs are found with the TypeScript checker (enum-walker.ts); each is reached from a root
// below with a fixture that sets every optional object, so a new enum prop is exercised without
// editing this file (and the test fails if no root reaches it).
import { Testing, TerraformStack } from 'cdktf';
import { AiPlatform, AiPlatformProps, AutoscalerKind, ClusterVpc, DriftDataFormat, DriftColumnKind, DriftMethod, Duration, GpuCapacityMode, PlatformNamespace, ScheduledJob, ScheduledJobKind, ServingDriftMonitor, ValidationError, Observability, selectGpuInstanceTypes, estimateModelMemory, ModelPrecision, KvCacheDtype, AlertReceiverKind, VolumeAccessMode, RouterRoutingLogic, ScalingMetric, MlflowPermission, MigStrategy, ConsolidationPolicy, DisruptionReason, GpuAmiFamily, CapacityPreference, AlertSeverity, GuardrailMode, GuardrailSeverity, NatGatewayMode, WeightSource, PodSecurityLevel, RelabelAction, ScrapeScheme, GUARDRAIL_RULES, NetworkProtocol, RolloutStrategy, RolloutMigration } from '../../lib';
import { fakeCluster } from '../harness/fakes';
import { FakeMetrics } from '../monitoring/fakes';
import { EnumInput, findEnumInputs, KEEP, setAt } from './enum-walker';
import { findModelArchitecture } from '../../lib/serving/models';
import { bytesPerParameter, estimateStartupSeconds, kvBytesPerSequenceWindowed, kvBytesPerToken, kvBytesPerTokenPerLayer, modelWeightsGiB, tensorParallelProblem } from '../../lib/serving/sizing';

const BAD = 'NOT_A_VALUE';
const LLAMA = findModelArchitecture('meta-llama/Llama-3.1-8B-Instruct')!;

/** An AiPlatform with every optional object that holds an enum set to a valid value. */
function platformFixture(): AiPlatformProps {
  return {
    region: 'us-west-2',
    cluster: { clusterName: 'demo', availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'], natGateways: NatGatewayMode.SINGLE },
    observability: { additionalEgress: [{ name: 'dns-extra', to: [{ cidr: '10.0.0.0/16' }], ports: [{ port: 5353, protocol: NetworkProtocol.UDP }] }], alertReceiver: { kind: AlertReceiverKind.WEBHOOK, secretName: 'alert-webhook', secretKey: 'url' } },
    gpuPools: [{
      poolName: 'gpu',
      instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'],
      mode: GpuCapacityMode.KARPENTER,
      capacity: CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK,
      amiFamily: GpuAmiFamily.AL2023,
      consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY,
      disruptionFreeze: { schedule: '0 8 * * 1-5', duration: Duration.hours(10), reasons: [DisruptionReason.DRIFTED] },
    }],
    gpuOperator: { migStrategy: MigStrategy.SINGLE, additionalEgress: [{ name: 'dns-extra', to: [{ cidr: '10.0.0.0/16' }], ports: [{ port: 5353, protocol: NetworkProtocol.UDP }] }] },
    serving: [{
      id: 'chat',
      gpuPool: 'gpu',
      models: [{
        name: 'llama',
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        maxModelLen: 8192,
        replicas: { min: 1, max: 2 },
        precision: ModelPrecision.BF16,
        kvCacheDtype: KvCacheDtype.AUTO,
        architecture: LLAMA,
        autoscaling: { metric: ScalingMetric.QUEUE_DEPTH },
        rollout: { strategy: RolloutStrategy.CANARY, migration: RolloutMigration.NONE },
      }],
      autoscaling: { autoscaler: AutoscalerKind.KEDA },
      modelCache: { accessMode: VolumeAccessMode.READ_WRITE_MANY },
      router: { routingLogic: RouterRoutingLogic.ROUND_ROBIN },
    }],
    existing: { secrets: ['monitoring/alert-webhook'] },
    registry: { server: { defaultPermission: MlflowPermission.READ }, additionalEgress: [{ name: 'dns-extra', to: [{ cidr: '10.0.0.0/16' }], ports: [{ port: 5353, protocol: NetworkProtocol.UDP }] }] },
    driftMonitors: [{
      id: 'drift',
      namespace: 'ml-jobs',
      schedule: '0 2 * * *',
      reference: { url: 's3://acme-data/ref/features.csv', format: DriftDataFormat.CSV },
      current: { url: 's3://acme-data/traffic/{{date}}/', format: DriftDataFormat.CSV },
      columns: [{ name: 'age', kind: DriftColumnKind.NUMERIC, methods: [DriftMethod.PSI] }],
      numericMethods: [DriftMethod.PSI],
      categoricalMethods: [DriftMethod.CHI_SQUARE],
      alerts: { severity: AlertSeverity.WARNING, jobHealthSeverity: AlertSeverity.WARNING, featureDriftSeverity: AlertSeverity.INFO },
      servingSignals: { models: ['meta-llama/Llama-3.1-8B-Instruct'], servingNamespace: 'chat', severity: AlertSeverity.WARNING },
    }],
    evaluations: [{
      id: 'eval',
      serving: 'chat',
      schedule: '30 3 * * *',
      model: 'llama',
      datasetUrl: 's3://acme-data/evals/golden.jsonl',
      alerts: { severity: AlertSeverity.WARNING, jobHealthSeverity: AlertSeverity.CRITICAL },
    }],
    guardrails: { mode: GuardrailMode.ERROR, severityOverrides: { [GUARDRAIL_RULES[0].id]: GuardrailSeverity.WARNING } },
  };
}

type Runner = (input: EnumInput, value: unknown) => void;

/** Parameter `index` of a plain function: the valid value, or it with `value` set at the input's path. */
function arg<T>(e: EnumInput, index: number, value: unknown, valid: T): T {
  return e.param === index ? setAt(valid, e.path, value) as T : valid;
}

const stack = () => new TerraformStack(Testing.app({ stackTraces: false }), 'stack');

const RUNNERS: Record<string, Runner> = {
  'new AiPlatform': (e, v) => {
    new AiPlatform(Testing.app({ stackTraces: false }), 'ai', setAt(platformFixture(), e.path, v) as AiPlatformProps);
  },
  'new PlatformNamespace': (e, v) => {
    new PlatformNamespace(stack(), 'ns', setAt({ name: 'apps', podSecurity: PodSecurityLevel.RESTRICTED, egress: { additionalEgress: [{ name: 'dns-extra', to: [{ cidr: '10.0.0.0/16' }], ports: [{ port: 5353, protocol: NetworkProtocol.UDP }] }] } }, e.path, v) as never);
  },
  'new ClusterVpc': (e, v) => {
    new ClusterVpc(stack(), 'vpc', setAt({ name: 'demo', cidr: '10.0.0.0/16', natGateways: NatGatewayMode.PER_AZ, flowLogRetention: Duration.days(90) }, e.path, v) as never);
  },
  'new ScheduledJob': (e, v) => {
    const s = stack();
    new ScheduledJob(s, 'job', setAt({ kind: ScheduledJobKind.DRIFT, name: 'job', namespace: 'ml-jobs', schedule: '0 * * * *', cluster: fakeCluster(s), config: {} }, e.path, v) as never);
  },
  'new ServingDriftMonitor': (e, v) => {
    const s = stack();
    new ServingDriftMonitor(s, 'sd', setAt({ models: ['m'], servingNamespace: 'chat', severity: AlertSeverity.WARNING, metrics: new FakeMetrics(s, 'metrics') }, e.path, v) as never);
  },
  'Observability.addServiceMonitor': (e, v) => {
    const s = stack();
    new Observability(s, 'obs', { cluster: fakeCluster(s) }).addServiceMonitor(setAt({
      name: 'm', namespace: 'monitoring', selector: { app: 'x' },
      endpoints: [{ port: 'metrics', scheme: ScrapeScheme.HTTP, relabelings: [{ action: RelabelAction.KEEP, sourceLabels: ['a'], regex: 'b' }], metricRelabelings: [{ action: RelabelAction.DROP, sourceLabels: ['a'], regex: 'b' }] }],
    }, e.path, v) as never);
  },
  'Observability.podLabels': (e, v) => {
    const s = stack();
    new Observability(s, 'obs', { cluster: fakeCluster(s) }).podLabels(arg(e, 0, v, 'prometheus'));
  },
  selectGpuInstanceTypes: (e, v) => { selectGpuInstanceTypes(setAt({ architecture: undefined }, e.path, v) as never); },
  estimateModelMemory: (e, v) => {
    estimateModelMemory(setAt({ architecture: LLAMA, precision: ModelPrecision.BF16, kvCacheDtype: KvCacheDtype.AUTO, tensorParallelSize: 1, maxModelLen: 8192, gpuMemoryGiB: 48 }, e.path, v) as never);
  },
  bytesPerParameter: (e, v) => { bytesPerParameter(arg(e, 0, v, ModelPrecision.BF16)); },
  modelWeightsGiB: (e, v) => { modelWeightsGiB(arg(e, 0, v, LLAMA), arg(e, 1, v, ModelPrecision.BF16)); },
  estimateStartupSeconds: (e, v) => { estimateStartupSeconds(10, arg(e, 1, v, WeightSource.HUGGING_FACE)); },
  kvBytesPerToken: (e, v) => { kvBytesPerToken(arg(e, 0, v, LLAMA), 1, arg(e, 2, v, KvCacheDtype.AUTO)); },
  kvBytesPerTokenPerLayer: (e, v) => { kvBytesPerTokenPerLayer(arg(e, 0, v, LLAMA), 1, arg(e, 2, v, KvCacheDtype.AUTO)); },
  kvBytesPerSequenceWindowed: (e, v) => { kvBytesPerSequenceWindowed(arg(e, 0, v, LLAMA), 1, 8192, arg(e, 3, v, KvCacheDtype.AUTO)); },
  tensorParallelProblem: (e, v) => { tensorParallelProblem(arg(e, 0, v, LLAMA), 1, arg(e, 2, v, ModelPrecision.BF16)); },
};

// Inputs that are not enum props a user sets: outputs of the library handed back to it (reports to
// render, catalog records), internal plumbing that is exported for other modules of the library.
// Each entry says why; the list must stay exact (a stale entry fails).
const NOT_USER_INPUT: Record<string, string> = {
  'GpuInstanceType.architecture': 'a catalog record (GPU_INSTANCE_TYPES), not built by users',
  'PoolCost.capacity': 'part of a CostReport produced by platformCostReport, rendered by renderCostReport',
  'GuardrailFinding.severity': 'part of a GuardrailReport produced by the guardrails, rendered by renderGuardrailReport',
};

const inputs = findEnumInputs();
const key = (e: EnumInput) => (NOT_USER_INPUT[`${e.owner}@${e.root}`] ? `${e.owner}@${e.root}` : e.owner);
const exercised = inputs.filter((e) => RUNNERS[e.root] && !NOT_USER_INPUT[`${e.owner}@${e.root}`]);

test('the walk finds the enum inputs', () => expect(inputs.length).toBeGreaterThan(60));

test('every enum-valued input is reached from a root with a fixture', () => {
  const reached = new Set(exercised.map((e) => e.owner));
  const missing = [...new Set(inputs.map(key))].filter((k) => !reached.has(k) && !NOT_USER_INPUT[k]).sort();
  expect(missing).toEqual([]);
  const stale = Object.keys(NOT_USER_INPUT).filter((k) => !inputs.some((e) => key(e) === k));
  expect(stale).toEqual([]);
});

test.each(Object.keys(RUNNERS))('the fixture of %s is valid', (root) => {
  const e = exercised.find((x) => x.root === root);
  if (!e) throw new Error(`no enum input found under ${root}`);
  expect(() => RUNNERS[root](e, KEEP)).not.toThrow();
});

test.each(exercised.map((e) => [`${e.root} ${e.path.join('.')} (${e.owner})`, e] as const))('%s rejects a string that is not a value', (_name, e) => {
  let error: unknown;
  try {
    RUNNERS[e.root](e, BAD);
  } catch (err) {
    error = err;
  }
  if (!(error instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  const propName = e.path.filter((s) => s !== '[]' && s !== '{}').pop() ?? e.owner.split('.').pop()!;
  expect(error.prop).toContain(propName);
  expect(error.message).toContain(JSON.stringify(BAD));
  expect(error.message).toMatch(/ is invalid: \S+/);
});
