// AiPlatform composition (issue 22): the props arrays and the add* methods are one code path. A
// platform built from props and the same platform built by add* calls after the constructor
// synthesize the same Terraform in every stack, and the whole-platform work (consistency and
// capacity checks, cost estimate, outputs, guardrails) sees what was added after the constructor.
import { App, TerraformStack, Testing } from 'cdktf';
import { IConstruct } from 'constructs';
import {
  AiPlatform, AiPlatformProps, CapacityPreference, GpuCapacityMode, GpuNodePool, PlatformGuardrails, ValidationError,
} from '../../lib';
import { synthApp } from '../harness/synth';
import { EXISTING_CLUSTER } from '../harness/platform-apps';

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];
const INFERENCE = { mode: GpuCapacityMode.KARPENTER, capacity: CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK, instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge'], maxGpus: 8 };
const SHARED = { mode: GpuCapacityMode.KARPENTER, instanceTypes: ['g6.xlarge', 'g6.2xlarge'], maxGpus: 2 };
// A time-sliced pool (for notebooks, not serving): the GPU operator created with the first pool must serve it too.
const SLICED = { mode: GpuCapacityMode.KARPENTER, instanceTypes: ['g6.xlarge', 'g6.2xlarge'], maxGpus: 2, sharing: { timeSlicingReplicas: 4 } };
const CHAT = { releaseName: 'chat', models: [{ name: 'qwen-7b', model: 'Qwen/Qwen2.5-7B-Instruct', replicas: { min: 1, max: 2 }, maxModelLen: 8192 }] };
const EMBED = { models: [{ name: 'qwen3-8b', model: 'Qwen/Qwen3-8B', replicas: { min: 1, max: 2 }, maxModelLen: 4096 }] };
// The drift monitor names the model by its Hugging Face id: the platform maps it to the served name.
const DRIFT = { namespace: 'ml-jobs', schedule: '0 2 * * *', reference: { url: 's3://acme-ml-data/ref.csv' }, current: { url: 's3://acme-ml-data/cur/{{date-1d}}/' }, model: 'Qwen/Qwen2.5-7B-Instruct' };
const EVAL = { schedule: '30 3 * * *', datasetUrl: 's3://acme-ml-data/evals/golden.jsonl' };

/** Everything but the four arrays. */
function base(): AiPlatformProps {
  return {
    region: 'us-west-2',
    cluster: { clusterName: 'demo', availabilityZones: AZS },
    registry: {},
    costMonitoring: { report: { reportPrefix: 's3://finops-reports/gpu/' } },
  };
}

/** A suppression where nothing is found: the guardrails report it as unused only if they visit the stack. */
function suppressOnEmbed(p: AiPlatform): AiPlatform {
  PlatformGuardrails.suppress(p.serving.embed, 'AIP-171', 'shows that the guardrails visit this serving stack');
  return p;
}

function fromProps(app: App): AiPlatform {
  return suppressOnEmbed(new AiPlatform(app, 'ai', {
    ...base(),
    gpuPools: [{ poolName: 'inference', ...INFERENCE }, { poolName: 'shared', ...SHARED }, { poolName: 'sliced', ...SLICED }],
    serving: [{ id: 'chat', gpuPool: 'inference', ...CHAT }, { id: 'embed', gpuPool: 'shared', ...EMBED }],
    driftMonitors: [{ id: 'drift', ...DRIFT }],
    evaluations: [{ id: 'eval', serving: 'chat', ...EVAL }],
  }));
}

function fromAddCalls(app: App): AiPlatform {
  const p = new AiPlatform(app, 'ai', base());
  // Everything below comes after the constructor: pools (the GPU operator with the first), serving
  // stacks on pool references, a drift monitor, an evaluation on a serving stack reference.
  const inference = p.addGpuPool('inference', INFERENCE);
  const shared = p.addGpuPool('shared', SHARED);
  p.addGpuPool('sliced', SLICED);
  const chat = p.addServing('chat', { ...CHAT, gpuPool: inference });
  p.addServing('embed', { ...EMBED, gpuPool: shared });
  p.addDriftMonitor('drift', DRIFT);
  p.addEvaluation('eval', { ...EVAL, serving: chat });
  return suppressOnEmbed(p);
}

/**
 * The stack's Terraform as Terraform reads it: keys sorted at every level and `depends_on` lists
 * sorted (cdktf writes both in construct creation order, which differs when constructs are added
 * after the constructor; Terraform reads objects and depends_on as sets), the outdir removed.
 * Everything else (every value, every list, every address) must be byte-identical.
 */
function canonical(value: unknown, outdir: string): string {
  const sort = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return key === 'depends_on' ? [...v].sort() : v.map((x) => sort(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k], k)]));
    return v;
  };
  return JSON.stringify(sort(value), null, 1).split(outdir).join('<outdir>');
}

/** Every annotation of the app (the platform's checks and the guardrails), by construct path, sorted (tree order follows creation order). */
function annotations(root: IConstruct): string[] {
  return root.node.findAll().flatMap((c) => c.node.metadata.filter((m) => String(m.type).startsWith('@cdktf/')).map((m) => `${c.node.path} ${m.type} ${String(m.data)}`)).sort();
}

function errorOf(f: () => unknown): ValidationError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('props arrays and add* methods are one code path', () => {
  const appA = Testing.app({ stackTraces: false });
  const appB = Testing.app({ stackTraces: false });
  const a = fromProps(appA);
  const b = fromAddCalls(appB);
  const stacksA = synthApp(appA);
  const stacksB = synthApp(appB);

  test('every stack synthesizes to the same Terraform JSON', () => {
    expect(Object.keys(stacksB).sort()).toEqual(['ai-cluster', 'ai-platform']);
    expect(Object.keys(stacksA).sort()).toEqual(Object.keys(stacksB).sort());
    for (const name of Object.keys(stacksA)) {
      expect(canonical(stacksB[name], appB.outdir)).toBe(canonical(stacksA[name], appA.outdir));
    }
  });

  test('the records list the added constructs; the GPU operator serves a pool added after it', () => {
    expect(Object.keys(b.gpuPools)).toEqual(['inference', 'shared', 'sliced']);
    expect(Object.keys(b.serving)).toEqual(['chat', 'embed']);
    expect(b.serving.embed.gpuPool).toBe(b.gpuPools.shared);
    expect(Object.keys(b.driftMonitors)).toEqual(['drift']);
    expect(Object.keys(b.evaluations)).toEqual(['eval']);
    expect(b.gpuOperator?.pools.map((x) => x.poolName)).toEqual(['inference', 'shared', 'sliced']);
    expect(b.gpuOperator?.devicePluginConfigData()).toEqual(a.gpuOperator?.devicePluginConfigData());
    expect(b.gpuOperator?.devicePluginConfigData().sliced).toContain('"replicas":4');
  });

  test('whole-platform results include what was added after the constructor: cost estimate, outputs, checks, guardrails', () => {
    // The cost report's estimate prices both serving stacks (added after the cost monitoring).
    expect(b.costMonitoring?.reportConfig?.estimates?.map((e) => e.model)).toEqual(['qwen-7b', 'qwen3-8b']);
    const tokensOut = (x: unknown) => JSON.stringify(x).replace(/TOKEN\.\d+/g, 'TOKEN');
    expect(tokensOut(b.costMonitoring?.reportConfig)).toBe(tokensOut(a.costMonitoring?.reportConfig));
    // Outputs of the added serving stacks.
    expect(Object.keys(stacksB['ai-platform'].output ?? {})).toEqual(expect.arrayContaining(['serving_chat_base_url', 'serving_embed_api_key_secret_name', 'cluster_name', 'registry_tracking_uri']));
    // The drift monitor's model label is the served name of a model of an added stack.
    expect(b.driftMonitors.drift.node.path).toBe('ai/ai-platform/drift');
    // The same annotations on the same paths: the platform's checks (the namespaces it creates) and
    // the guardrails' findings, also on the added stacks.
    const notesA = annotations(appA);
    const notesB = annotations(appB);
    expect(notesB).toEqual(notesA);
    expect(notesB.some((n) => n.startsWith('ai/ai-platform @cdktf/info namespaces created by the platform:') && n.includes('chat') && n.includes('ml-jobs'))).toBe(true);
    expect(notesB.filter((n) => n.startsWith('ai/ai-platform/embed ') && n.includes('AIP-171'))).toHaveLength(1);
    expect(JSON.stringify(b.guardrails?.report().unusedSuppressions)).toContain('ai/ai-platform/embed');
  });
});

describe('the whole-platform checks see what add* added after the constructor, with the props path\'s message', () => {
  const byo = (): AiPlatformProps => ({ region: 'us-west-2', existingCluster: EXISTING_CLUSTER, guardrails: { enabled: false } });
  const SMALL = { mode: GpuCapacityMode.KARPENTER, instanceTypes: ['g6e.xlarge', 'g6e.2xlarge'], maxGpus: 1 };

  test('capacity: a stack whose maximum replicas do not fit its pool', () => {
    const fromPropsError = errorOf(() => new AiPlatform(Testing.app({ stackTraces: false }), 'ai', { ...byo(), gpuPools: [{ poolName: 'gpu', ...SMALL }], serving: [{ id: 'chat', gpuPool: 'gpu', ...CHAT }] }));
    const p = new AiPlatform(Testing.app({ stackTraces: false }), 'ai', byo());
    p.addServing('chat', { ...CHAT, gpuPool: p.addGpuPool('gpu', SMALL) });
    const fromAddError = errorOf(() => Testing.synth(p.platformStack));
    expect(fromAddError.prop).toBe('serving[chat].models');
    expect(fromAddError.message).toBe(fromPropsError.message);
    expect(fromAddError.message).toMatch(/may ask for 2 GPUs at maximum replicas .* more than pool gpu can hold \(1\)/);
  });

  test('consistency: a namespace two constructs would create', () => {
    const pool = { poolName: 'gpu', ...INFERENCE };
    const fromPropsError = errorOf(() => new AiPlatform(Testing.app({ stackTraces: false }), 'ai', { ...byo(), gpuPools: [pool], serving: [{ id: 'chat', gpuPool: 'gpu', ...CHAT, namespace: 'monitoring' }] }));
    const p = new AiPlatform(Testing.app({ stackTraces: false }), 'ai', { ...byo(), gpuPools: [pool] });
    p.addServing('chat', { ...CHAT, namespace: 'monitoring', gpuPool: p.gpuPools.gpu });
    const fromAddError = errorOf(() => Testing.synth(p.platformStack));
    expect(fromAddError.message).toBe(fromPropsError.message);
    expect(fromAddError.prop).toBe('serving[chat].namespace');
  });

  test('a drift monitor added before the serving stack whose model it names (by alias) is refused at synth', () => {
    const p = new AiPlatform(Testing.app({ stackTraces: false }), 'ai', byo());
    p.addDriftMonitor('drift', DRIFT);
    p.addServing('chat', { ...CHAT, gpuPool: p.addGpuPool('gpu', INFERENCE) });
    const e = errorOf(() => Testing.synth(p.platformStack));
    expect(e.prop).toBe('driftMonitors[drift].model');
    expect(e.message).toMatch(/add the serving stack before the drift monitor/);
  });
});

describe('construct references and ids', () => {
  const app = Testing.app({ stackTraces: false });
  const p = new AiPlatform(app, 'ai', { region: 'us-west-2', existingCluster: EXISTING_CLUSTER, gpuPools: [{ poolName: 'gpu', ...INFERENCE }], serving: [{ id: 'chat', gpuPool: 'gpu', ...CHAT }], guardrails: { enabled: false } });
  const other = new AiPlatform(app, 'other', { region: 'us-west-2', existingCluster: EXISTING_CLUSTER, gpuPools: [{ poolName: 'gpu', ...INFERENCE }], serving: [{ id: 'chat', gpuPool: 'gpu', ...CHAT }], guardrails: { enabled: false } });

  test('a GPU pool of another platform (another stack) is refused', () => {
    const e = errorOf(() => p.addServing('chat2', { ...CHAT, releaseName: 'chat2', gpuPool: other.gpuPools.gpu }));
    expect(e.constructPath).toBe('ai');
    expect(e.prop).toBe('serving[chat2].gpuPool');
    expect(e.message).toContain('("other/other-platform/gpu-pool-gpu") is invalid: must be a GPU pool of this platform (returned by addGpuPool or listed in gpuPools: "gpu"); it is in stack other/other-platform, not in this platform\'s stack ai/ai-platform');
    expect(p.serving.chat2).toBeUndefined();
  });

  test('a GPU pool in the platform stack that the platform did not add is refused', () => {
    const stray = new GpuNodePool(p.platformStack, 'stray', { poolName: 'stray', cluster: p.cluster, ...INFERENCE });
    const e = errorOf(() => p.addServing('chat3', { ...CHAT, releaseName: 'chat3', gpuPool: stray }));
    expect(e.message).toMatch(/serving\[chat3\]\.gpuPool \("ai\/ai-platform\/stray"\) is invalid: .*was not added through this platform/);
  });

  test('a serving stack of another platform is refused by addEvaluation', () => {
    const e = errorOf(() => p.addEvaluation('eval', { ...EVAL, serving: other.serving.chat }));
    expect(e.prop).toBe('evaluations[eval].serving');
    expect(e.message).toContain('must be a serving stack of this platform (returned by addServing or listed in serving: "chat"); it is in stack other/other-platform');
  });

  test('a construct that is not in a stack is refused', () => {
    const e = errorOf(() => p.addServing('chat4', { ...CHAT, gpuPool: app as unknown as GpuNodePool }));
    expect(e.message).toMatch(/it is not in a stack/);
    expect(TerraformStack.isStack(p.platformStack)).toBe(true);
  });

  test('duplicate ids: the same message from props arrays and add* calls', () => {
    const pool = { poolName: 'gpu', ...INFERENCE };
    const fromProps = (extra: Partial<AiPlatformProps>) => errorOf(() => new AiPlatform(Testing.app({ stackTraces: false }), 'ai', { region: 'us-west-2', existingCluster: EXISTING_CLUSTER, gpuPools: [pool], ...extra }));
    // A second pool of one name.
    const poolProps = fromProps({ gpuPools: [pool, pool] });
    const poolAdd = errorOf(() => p.addGpuPool('gpu', INFERENCE));
    expect(poolAdd.message).toBe(poolProps.message);
    expect(poolAdd.message).toContain('ai: gpuPools[gpu] ("gpu") is invalid: must be unique among the platform\'s GPU pools');
    // A second serving stack of one id.
    const servingProps = fromProps({ serving: [{ id: 'chat', gpuPool: 'gpu', ...CHAT }, { id: 'chat', gpuPool: 'gpu', ...CHAT }] });
    const servingAdd = errorOf(() => p.addServing('chat', { ...CHAT, gpuPool: p.gpuPools.gpu }));
    expect(servingAdd.message).toBe(servingProps.message);
    expect(servingAdd.message).toContain('serving[chat] ("chat") is invalid: must be unique among the construct ids of the platform stack');
    expect(servingAdd.message).toContain('"chat" is used by serving stack chat');
    // Drift monitors and evaluations share the platform stack's ids with serving stacks.
    const driftProps = fromProps({ serving: [{ id: 'chat', gpuPool: 'gpu', ...CHAT }], driftMonitors: [{ id: 'chat', ...DRIFT }] });
    const driftAdd = errorOf(() => p.addDriftMonitor('chat', DRIFT));
    expect(driftAdd.message).toBe(driftProps.message);
    expect(driftAdd.prop).toBe('driftMonitors[chat]');
    // Ids the platform uses itself, even before it creates them.
    expect(errorOf(() => p.addEvaluation('jobs-namespace', { ...EVAL, serving: p.serving.chat })).message).toMatch(/evaluations\[jobs-namespace\] \("jobs-namespace"\) is invalid: .* is used by the platform itself/);
    expect(errorOf(() => p.addEvaluation('observability', { ...EVAL, serving: p.serving.chat })).message).toMatch(/"observability" is used by the platform itself/);
  });
});
