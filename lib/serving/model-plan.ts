// The pure model plan of a serving stack: architecture lookup, engine choice, memory budget,
// tensor-parallel checks, pod resources and budgets, per model. No resources are created here
// except the IRSA role of an S3-streamed model (on the cluster).
import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import { ServiceAccountRole, PolicyStatement } from '../cluster/iam';
import { ValidationError, check } from '../core/errors';
import { arnPartition } from '../core/regions';
import { validateDns1123Label } from '../core/names';
import { Duration, Size, formatGibibytes, formatPercent } from '../core/units';
import { validateDuration, validateInteger, validateMinMax, validateNonEmpty, validateNumber, validatePattern } from '../core/validate';
import { GpuInstanceType } from '../gpu/catalog';
import { CapacityPreference, GpuCapacityMode, IGpuNodePool } from '../gpu/types';
import { ResolvedModel } from './engine-manifests';
import { ServingEngine, findEngine, registeredEngines } from './engines/engine';
import { ImageSpec } from './images';
import { ModelArchitecture, findModelArchitecture } from './models';
import { COLD_START_NODE_AND_IMAGE_SECONDS, KvCacheDtype, ModelPrecision, WeightSource, estimateStartupSeconds, gpuComputeCapability, gpuMemoryGiB, replicaHourlyUsd, tensorParallelProblem } from './sizing';
import { ServedModelPlan, VllmModelOptions, VllmServingStackProps } from './stack-options';
import { AutoscalerKind, ScalingMetric } from './types';

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;
const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DEFAULT_MAX_MODEL_LEN = 32768;

/**
 * Per-pod metric names the HPA reads from the custom metrics API: a prometheus-adapter rule maps
 * the common signals `aiplatform:serving_requests_waiting` and `aiplatform:serving_kv_cache_usage_ratio`
 * to them (docs/serving.md).
 */
export const HPA_METRICS = {
  queueDepth: 'aiplatform_serving_requests_waiting',
  kvCacheUsage: 'aiplatform_serving_kv_cache_usage_ratio',
} as const;

/** An amount of GiB as every message prints a size ({@link formatGibibytes}). */
export function gib(n: number): string {
  return formatGibibytes(n);
}

/** What every model of a stack shares. */
export interface PlanContext {
  readonly props: VllmServingStackProps;
  readonly pool: IGpuNodePool;
  readonly release: string;
  readonly namespace: string;
  readonly autoscaler: AutoscalerKind;
  /** Stack-wide image overrides by engine id. */
  readonly images: { readonly [engine: string]: ImageSpec | undefined };
}

/** One resolved model: what the manifests need, the plan, and the S3 role when there is one. */
export interface ResolvedPlan {
  readonly model: ResolvedModel;
  readonly plan: ServedModelPlan;
  readonly role?: ServiceAccountRole;
}

/** The pool must give each replica whole, unshared GPUs. */
export function validateServingPool(scope: Construct, pool: IGpuNodePool): void {
  if (!pool.instanceTypes || pool.instanceTypes.length === 0) throw new ValidationError(scope, 'gpuPool.instanceTypes', pool.instanceTypes, 'must list the instance types of the pool');
  if (pool.sharing?.migProfile !== undefined) {
    throw new ValidationError(scope, 'gpuPool.sharing.migProfile', pool.sharing.migProfile, 'is not supported for serving: vLLM preallocates a fraction of the whole GPU and cannot span MIG slices; serve from a pool without MIG');
  }
  if (pool.sharing?.timeSlicingReplicas !== undefined) {
    throw new ValidationError(scope, 'gpuPool.sharing.timeSlicingReplicas', pool.sharing.timeSlicingReplicas, 'is not supported for serving: each vLLM replica preallocates gpuMemoryUtilization of the whole GPU, so a second replica on a time-sliced GPU fails to start (docs/gpu-node-pools.md, "GPU sharing"); serve from a pool without time-slicing');
  }
}

/** Resolves one model: defaults, validation, right-sizing and budgets (the pure model plan). */
export function resolveModel(scope: Construct, m: VllmModelOptions, i: number, ctx: PlanContext): ResolvedPlan {
  const { props, pool, release } = ctx;
  const p = `models[${i}]`;
  const name = validateDns1123Label(scope, `${p}.name`, m.name);
  const deploymentName = `${release}-${name}-engine`;
  check(deploymentName.length <= 63, scope, `${p}.name`, name, `makes the engine name "${deploymentName}" ${deploymentName.length} characters long; Service names allow 63 (shorten the name or the release name)`);
  validateNonEmpty(scope, `${p}.model`, m.model);
  const model = m.model.trim();
  const s3 = S3_URI.exec(model);
  if (!s3 && !HF_ID.test(model)) {
    throw new ValidationError(scope, `${p}.model`, m.model, 'must be a Hugging Face model id ("org/name") or an S3 prefix ("s3://bucket/path")');
  }
  const source = s3 ? WeightSource.S3_STREAMER : WeightSource.HUGGING_FACE;
  const engineId = m.engine ?? ServingEngine.VLLM;
  const engine = findEngine(engineId);
  if (!engine) throw new ValidationError(scope, `${p}.engine`, engineId, `must be one of ${registeredEngines().map((e) => e.id).join(', ')}`);

  // Architecture: explicit, then the base model, then the model id.
  const catalogId = m.baseModel ?? (s3 ? undefined : model);
  const arch = m.architecture ?? (catalogId ? findModelArchitecture(catalogId) : undefined);
  if (!arch) {
    throw new ValidationError(scope, m.baseModel ? `${p}.baseModel` : `${p}.model`, m.baseModel ?? m.model, 'is not in MODEL_CATALOG: give `architecture` (parameters, layers, heads, KV heads, head dim, context length from its config.json) or `baseModel` (a catalog id with the same architecture)');
  }
  if (m.architecture) validateArchitecture(scope, `${p}.architecture`, m.architecture);

  // Replicas.
  const min = validateInteger(scope, `${p}.replicas.min`, m.replicas?.min ?? 1, 0, 1000);
  const max = validateInteger(scope, `${p}.replicas.max`, m.replicas?.max ?? (m.replicas ? min : 1), 1, 1000);
  validateMinMax(scope, `${p}.replicas.min`, min, `${p}.replicas.max`, max);
  if ((min !== max || min === 0) && ctx.autoscaler === AutoscalerKind.NONE) {
    throw new ValidationError(scope, `${p}.replicas`, { min, max }, 'needs an autoscaler when min differs from max or is 0 (autoscaling.autoscaler is NONE); set min equal to max or use KEDA');
  }
  if (min === 0 && ctx.autoscaler === AutoscalerKind.HPA) {
    throw new ValidationError(scope, `${p}.replicas.min`, min, 'cannot be 0 with the HPA (it cannot scale to zero); use KEDA for scale-to-zero');
  }

  // Parallelism and memory.
  const tp = validateInteger(scope, `${p}.tensorParallelSize`, m.tensorParallelSize ?? 1, 1, 64);
  const precision = m.precision ?? arch.checkpointPrecision ?? ModelPrecision.BF16;
  // Engine flags passed through extraArgs that change the memory model.
  const extra = m.extraArgs ?? [];
  const expertParallel = extra.includes('--enable-expert-parallel');
  const hybridKvCache = !extra.includes('--disable-hybrid-kv-cache-manager');
  const batchedArg = extra.map((a, j) => (a.startsWith('--max-num-batched-tokens=') ? a.split('=')[1] : a === '--max-num-batched-tokens' ? extra[j + 1] : undefined)).find((v) => v !== undefined);
  const maxNumBatchedTokens = batchedArg !== undefined && /^\d+$/.test(batchedArg) ? Number(batchedArg) : undefined;
  const tpProblem = tensorParallelProblem(arch, tp, precision, expertParallel);
  if (tpProblem) throw new ValidationError(scope, `${p}.tensorParallelSize`, tp, tpProblem);
  const tooSmall = pool.instanceTypes.filter((t) => t.gpuCount < tp);
  if (tooSmall.length > 0) {
    throw new ValidationError(scope, `${p}.tensorParallelSize`, tp, `needs ${tp} GPUs on one node, but ${tooSmall.map((t) => `${t.name} has ${t.gpuCount}`).join(', ')}; lower it or remove those instance types from the pool`);
  }
  const kvCacheDtype = m.kvCacheDtype ?? KvCacheDtype.AUTO;
  const maxModelLen = validateInteger(scope, `${p}.maxModelLen`, m.maxModelLen ?? Math.min(arch.contextLength, DEFAULT_MAX_MODEL_LEN), 1, arch.contextLength);
  const utilization = validateNumber(scope, `${p}.gpuMemoryUtilization`, m.gpuMemoryUtilization ?? engine.defaultMemoryFraction, 0.05, 1);
  if (utilization > 0.95) Annotations.of(scope).addWarning(`${p}.gpuMemoryUtilization (${utilization}) leaves under ${formatPercent(0.05)} of GPU memory for the CUDA context and fragmentation; ${engine.displayName} may fail with out-of-memory under load`);
  const engineProblem = engine.problem({ source, precision, kvCacheDtype, revision: m.revision });
  if (engineProblem) throw new ValidationError(scope, `${p}.engine`, engine.id, `cannot serve this model: ${engineProblem}`);
  const minSeqs = validateInteger(scope, `${p}.minConcurrentSequences`, m.minConcurrentSequences ?? 4, 1);
  for (const t of pool.instanceTypes) checkComputeCapability(scope, `${p}.precision`, precision, t);
  const estimates = pool.instanceTypes.map((t) => ({
    instanceType: t.name,
    estimate: engine.memory({ architecture: arch, gpuMemoryGiB: gpuMemoryGiB(t), precision, kvCacheDtype, tensorParallelSize: tp, maxModelLen, memoryFraction: utilization, maxNumSeqs: m.maxNumSeqs, maxNumBatchedTokens, hybridKvCache }),
  }));
  estimates.forEach(({ instanceType, estimate: e }) => {
    const t = pool.instanceTypes.find((x) => x.name === instanceType)!;
    const where = `${instanceType} (${t.gpuModel}, ${gib(gpuMemoryGiB(t))} per GPU as CUDA reports it)`;
    if (e.kvCachePerGpuGiB <= 0) {
      throw new ValidationError(scope, `${p}.model`, model, `does not fit on ${where}: weights ${gib(e.weightsPerGpuGiB)} + overhead ${gib(e.overheadPerGpuGiB)} per GPU exceed the budget ${gib(e.budgetPerGpuGiB)} (${e.budgetExplanation}) at tensorParallelSize ${tp}; raise tensorParallelSize, quantize (precision) or use larger GPUs`);
    }
    if (!e.fits) {
      const windowed = e.kvBytesPerSequenceWindowed > 0 ? ` plus ${gib(e.kvBytesPerSequenceWindowed / 1024 ** 3)} per sequence for the sliding-window layers` : '';
      throw new ValidationError(scope, `${p}.maxModelLen`, maxModelLen, `does not fit on ${where}: the KV cache gets ${gib(e.kvCachePerGpuGiB)} per GPU = ${e.kvCacheTokens} tokens at ${e.kvBytesPerToken} bytes/token/GPU${windowed}, less than one sequence of ${maxModelLen} tokens (${engine.displayName} refuses to start); lower maxModelLen, use kvCacheDtype FP8, raise tensorParallelSize or use larger GPUs`);
    }
    if (e.maxConcurrentSequences < minSeqs) {
      Annotations.of(scope).addWarning(`${p} (${name}) on ${where}: the KV cache (${gib(e.kvCachePerGpuGiB)} per GPU, ${e.kvCacheTokens} tokens) holds only ${e.maxConcurrentSequences} concurrent sequence(s) of ${maxModelLen} tokens (minConcurrentSequences ${minSeqs}); lower maxModelLen, use kvCacheDtype FP8 or raise tensorParallelSize`);
    }
  });
  const weightsGiB = estimates[0].estimate.weightsGiB;

  // Start-up and cold-start budgets.
  const startupSeconds = m.startupTimeout ? validateDuration(scope, `${p}.startupTimeout`, m.startupTimeout, { min: Duration.minutes(1), max: Duration.hours(2), whole: 'second', field: 'the startup probe' }).toSeconds() : estimateStartupSeconds(weightsGiB, source);
  const coldStartSeconds = COLD_START_NODE_AND_IMAGE_SECONDS + startupSeconds;
  if (min === 0) {
    Annotations.of(scope).addWarning(`${p} (${name}) scales to zero: the first request after idle waits for a GPU node, the image pull and the model load (cold-start budget ~${Math.ceil(coldStartSeconds / 60)} min); the router answers 503 until a replica is ready.`);
  }

  // Pod resources, from the smallest share of a node in the pool.
  const shares = pool.instanceTypes.map((t) => ({ t, share: tp / t.gpuCount }));
  const defaultCpu = Math.max(1, Math.min(...shares.map(({ t, share }) => Math.floor(t.vcpu * share * 0.75))));
  const defaultMemGiB = Math.max(4, Math.min(...shares.map(({ t, share }) => Math.floor(t.memoryGiB * share * 0.75))));
  const cpu = m.cpu ?? defaultCpu;
  validateNumber(scope, `${p}.cpu`, cpu, 0.5, 1000);
  const memory = m.memory ?? Size.gibibytes(defaultMemGiB);
  for (const { t, share } of shares) {
    check(cpu <= t.vcpu * share * 0.9, scope, `${p}.cpu`, cpu, `does not fit ${t.name}: a replica's share of it (${tp} of ${t.gpuCount} GPUs) is ${(t.vcpu * share).toFixed(1)} vCPU, and the node keeps ~${formatPercent(0.1)} for the system`);
    check(memory.toGibibytes() <= t.memoryGiB * share * 0.9, scope, `${p}.memory`, memory, `does not fit ${t.name}: a replica's share of it (${tp} of ${t.gpuCount} GPUs) is ${gib(t.memoryGiB * share)}, and the node keeps ~${formatPercent(0.1)} for the system`);
  }
  let shmSize: Size | undefined;
  if (tp > 1) {
    shmSize = m.shmSize ?? Size.gibibytes(Math.max(1, Math.min(8, Math.floor(memory.toGibibytes() / 4))));
    check(shmSize.toBytes() <= memory.toBytes() / 2, scope, `${p}.shmSize`, shmSize, `must be at most half of memory (${memory}): a memory-backed /dev/shm counts against the container's memory limit`);
  } else if (m.shmSize) {
    Annotations.of(scope).addWarning(`${p}.shmSize is ignored: /dev/shm is only mounted with tensorParallelSize > 1`);
  }

  // Spot safety.
  const spot = pool.capacity !== CapacityPreference.ON_DEMAND;
  const graceDuration = m.terminationGracePeriod ?? Duration.seconds(120);
  const grace = validateDuration(scope, `${p}.terminationGracePeriod`, graceDuration, { min: Duration.seconds(10), max: spot ? Duration.minutes(2) : Duration.hours(1), whole: 'second', field: 'terminationGracePeriodSeconds' }).toSeconds();
  const preStopDuration = m.preStopSleep ?? Duration.seconds(15);
  const preStop = validateDuration(scope, `${p}.preStopSleep`, preStopDuration, { min: Duration.seconds(1), max: Duration.minutes(1), whole: 'second', field: 'the preStop sleep' }).toSeconds();
  check(preStop < grace, scope, `${p}.preStopSleep`, preStopDuration, `must be shorter than terminationGracePeriod (${graceDuration}), leaving time for in-flight requests`);
  const doNotDisrupt = m.doNotDisrupt ?? pool.mode === GpuCapacityMode.KARPENTER;

  // Autoscaling signal.
  const metric = m.autoscaling?.metric ?? ScalingMetric.QUEUE_DEPTH;
  const target = metric === ScalingMetric.QUEUE_DEPTH
    ? validateNumber(scope, `${p}.autoscaling.target`, m.autoscaling?.target ?? 5, 0.1, 10000)
    : validateNumber(scope, `${p}.autoscaling.target`, m.autoscaling?.target ?? 0.8, 0.05, 1);

  // S3 streaming identity.
  let roleArn: string | undefined;
  let modelRole: ServiceAccountRole | undefined;
  if (s3) {
    const bucket = s3[1];
    const prefix = (s3[2] ?? '').replace(/\/+$/, '');
    const partition = arnPartition(scope, props.cluster.region);
    const statements: PolicyStatement[] = [
      { sid: 'ReadWeights', actions: ['s3:GetObject'], resources: [`arn:${partition}:s3:::${bucket}/${prefix ? `${prefix}/*` : '*'}`] },
      {
        sid: 'ListWeights',
        actions: ['s3:ListBucket'],
        resources: [`arn:${partition}:s3:::${bucket}`],
        conditions: prefix ? [{ test: 'StringLike', variable: 's3:prefix', values: [prefix, `${prefix}/*`] }] : undefined,
      },
    ];
    if (m.s3KmsKeyArn) {
      validatePattern(scope, `${p}.s3KmsKeyArn`, m.s3KmsKeyArn, /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'be a KMS key ARN');
      statements.push({ sid: 'DecryptWeights', actions: ['kms:Decrypt'], resources: [m.s3KmsKeyArn] });
    }
    const role = props.cluster.addServiceAccountRole(ctx.namespace, deploymentName, { statements });
    modelRole = role;
    roleArn = role.roleArn;
  } else if (m.s3KmsKeyArn) {
    throw new ValidationError(scope, `${p}.s3KmsKeyArn`, m.s3KmsKeyArn, 'only applies to S3 models (model: "s3://…")');
  }

  // The router learns the names from each engine's /v1/models; engines with one served name answer to `name` only.
  const servedModelNames = engine.multipleServedNames && source === WeightSource.HUGGING_FACE && model !== name ? [name, model] : [name];
  const extraArgs = m.extraArgs ?? [];
  extraArgs.forEach((a, j) => check(typeof a === 'string' && !a.includes('{{'), scope, `${p}.extraArgs[${j}]`, a, 'must be a string without "{{" (the chart renders extraObjects through tpl)'));
  const reserved = extraArgs.find((a) => engine.reservedArgs.test(a));
  if (reserved) throw new ValidationError(scope, `${p}.extraArgs`, reserved, 'sets an argument the stack manages; use the matching prop (tensorParallelSize, maxModelLen, gpuMemoryUtilization, name, apiKey)');
  if (m.revision !== undefined) validatePattern(scope, `${p}.revision`, m.revision, /^[A-Za-z0-9._/-]{1,100}$/, 'be a branch, tag or commit');
  if (m.maxNumSeqs !== undefined) validateInteger(scope, `${p}.maxNumSeqs`, m.maxNumSeqs, 1, 4096);

  const cheapest = Math.min(...pool.instanceTypes.map((t) => replicaHourlyUsd(t, tp)));
  const emptyDirModelCache = source === WeightSource.HUGGING_FACE && !props.modelCache ? Size.gibibytes(Math.ceil(weightsGiB * 1.1 + 5)) : undefined;
  const resolved: ResolvedModel = {
    name,
    deploymentName,
    modelRef: model,
    source,
    engine,
    image: validateImage(scope, m.image ? `${p}.image` : (engine.id === ServingEngine.VLLM ? 'vllmImage' : `${p}.engine`), m.image ?? ctx.images[engine.id] ?? engine.image),
    servedModelNames,
    precision,
    kvCacheDtype,
    tensorParallelSize: tp,
    maxModelLen,
    gpuMemoryUtilization: utilization,
    maxNumSeqs: m.maxNumSeqs,
    revision: m.revision,
    extraArgs,
    minReplicas: min,
    maxReplicas: max,
    startupSeconds,
    cpu,
    memory,
    shmSize,
    emptyDirModelCache,
    doNotDisrupt,
    terminationGraceSeconds: grace,
    preStopSeconds: preStop,
    roleArn,
    scaler: ctx.autoscaler,
    metric,
    hpaMetricName: metric === ScalingMetric.QUEUE_DEPTH ? HPA_METRICS.queueDepth : HPA_METRICS.kvCacheUsage,
    target,
    rollout: m.rollout,
  };
  const plan: ServedModelPlan = {
    name,
    engine: engine.id as ServingEngine,
    model,
    servedModelNames,
    deploymentName,
    tensorParallelSize: tp,
    maxModelLen,
    replicas: { min, max },
    estimates,
    startupSeconds,
    coldStartSeconds,
    replicaHourlyUsd: cheapest,
  };
  return { model: resolved, plan, role: modelRole };
}

/** SECURITY.md: images pinned by tag at least, never `latest`. */
export function validateImage(scope: Construct, prop: string, image: ImageSpec): ImageSpec {
  validatePattern(scope, `${prop}.repository`, image.repository, /^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'be an image repository such as "vllm/vllm-openai"');
  validatePattern(scope, `${prop}.tag`, image.tag, /^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'be a pinned tag (not "latest")');
  return image;
}

function validateArchitecture(scope: Construct, p: string, a: ModelArchitecture): void {
  validateNumber(scope, `${p}.parametersBillions`, a.parametersBillions, 0.01, 5000);
  validateInteger(scope, `${p}.layers`, a.layers, 1, 1000);
  validateInteger(scope, `${p}.attentionHeads`, a.attentionHeads, 1, 1024);
  validateInteger(scope, `${p}.kvHeads`, a.kvHeads, 1, a.attentionHeads);
  check(a.attentionHeads % a.kvHeads === 0, scope, `${p}.kvHeads`, a.kvHeads, `must divide attentionHeads (${a.attentionHeads})`);
  validateInteger(scope, `${p}.headDim`, a.headDim, 8, 1024);
  validateInteger(scope, `${p}.contextLength`, a.contextLength, 128, 10_000_000);
  if (a.hiddenSize !== undefined) validateInteger(scope, `${p}.hiddenSize`, a.hiddenSize, 64, 1_000_000);
  if (a.vocabSize !== undefined) validateInteger(scope, `${p}.vocabSize`, a.vocabSize, 1, 10_000_000);
  if (a.activeParametersBillions !== undefined) validateNumber(scope, `${p}.activeParametersBillions`, a.activeParametersBillions, 0.01, a.parametersBillions);
  if (a.expertParametersBillions !== undefined) validateNumber(scope, `${p}.expertParametersBillions`, a.expertParametersBillions, 0, a.parametersBillions);
  if (a.experts !== undefined) validateInteger(scope, `${p}.experts`, a.experts, 1, 4096);
  if (a.expertsPerToken !== undefined) validateInteger(scope, `${p}.expertsPerToken`, a.expertsPerToken, 1, a.experts ?? 4096);
  if (a.moeIntermediateSize !== undefined) validateInteger(scope, `${p}.moeIntermediateSize`, a.moeIntermediateSize, 1, 1_000_000);
  if (a.kvLoraRank !== undefined) validateInteger(scope, `${p}.kvLoraRank`, a.kvLoraRank, 1, 65536);
  if (a.qkRopeHeadDim !== undefined) {
    check(a.kvLoraRank !== undefined, scope, `${p}.qkRopeHeadDim`, a.qkRopeHeadDim, 'only applies with kvLoraRank (multi-head latent attention)');
    validateInteger(scope, `${p}.qkRopeHeadDim`, a.qkRopeHeadDim, 0, 4096);
  }
  if (a.slidingWindow !== undefined) validateInteger(scope, `${p}.slidingWindow`, a.slidingWindow, 1, 10_000_000);
  if (a.slidingWindowLayers !== undefined) {
    check(a.slidingWindow !== undefined, scope, `${p}.slidingWindowLayers`, a.slidingWindowLayers, 'needs slidingWindow (the window those layers keep)');
    validateInteger(scope, `${p}.slidingWindowLayers`, a.slidingWindowLayers, 0, a.layers);
  }
  if (a.weightBlockSize !== undefined) validateInteger(scope, `${p}.weightBlockSize`, a.weightBlockSize, 1, 4096);
}

function checkComputeCapability(scope: Construct, p: string, precision: ModelPrecision, t: GpuInstanceType): void {
  const cc = gpuComputeCapability(t);
  if (cc === undefined) return;
  if (precision === ModelPrecision.BF16 && cc < 8.0) {
    throw new ValidationError(scope, p, precision, `is not supported on ${t.name} (${t.gpuModel}, compute capability ${cc}): bfloat16 needs 8.0+; use ModelPrecision.FP16 or remove ${t.family} from the pool`);
  }
  if (precision === ModelPrecision.MXFP4 && cc < 8.0) {
    throw new ValidationError(scope, p, precision, `is not supported on ${t.name} (${t.gpuModel}, compute capability ${cc}): MXFP4 checkpoints keep attention in bfloat16 and vLLM's MXFP4 kernels need 8.0+; remove ${t.family} from the pool`);
  }
  if (precision === ModelPrecision.MXFP4 && cc < 9.0) {
    Annotations.of(scope).addWarning(`${p} MXFP4 on ${t.name} (${t.gpuModel}, compute capability ${cc}) runs as weight-only FP4 (Marlin kernels): vLLM's gpt-oss recipe names Hopper and Blackwell for its optimized kernels`);
  }
  if (precision === ModelPrecision.FP8 && cc < 8.9) {
    Annotations.of(scope).addWarning(`${p} FP8 on ${t.name} (${t.gpuModel}, compute capability ${cc}) runs as weight-only FP8 (Marlin kernels): memory savings without the FP8 compute speed-up of 8.9+ GPUs`);
  }
}

