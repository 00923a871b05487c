import { GpuInstanceType } from '../gpu/catalog';
import { ModelArchitecture } from './models';

/** Numeric format of a model's weights, as served by vLLM. */
export enum ModelPrecision {
  /** bfloat16 (2 bytes per parameter; needs compute capability 8.0+: A10G, L4, L40S, A100, H100). */
  BF16 = 'BF16',
  /** float16 (2 bytes per parameter; the choice on T4). */
  FP16 = 'FP16',
  /** FP8 weights: an FP8 checkpoint, or a 16-bit one quantized on load (`--quantization fp8`). Native on 8.9+ (L4, L40S, H100). */
  FP8 = 'FP8',
  /** INT8 (W8A8) checkpoint, e.g. compressed-tensors; the format is read from the checkpoint. */
  INT8 = 'INT8',
  /** 4-bit AWQ checkpoint (group size 128); the format is read from the checkpoint. */
  AWQ_INT4 = 'AWQ_INT4',
  /** 4-bit GPTQ checkpoint (group size 128); the format is read from the checkpoint. */
  GPTQ_INT4 = 'GPTQ_INT4',
}

/** Data type of the KV cache. */
export enum KvCacheDtype {
  /** The model's activation type (16-bit): 2 bytes per element. */
  AUTO = 'AUTO',
  /** FP8 (`--kv-cache-dtype fp8`): 1 byte per element, about twice the concurrent tokens. */
  FP8 = 'FP8',
}

// Bytes per quantized parameter. 4-bit group quantization (g128) stores a 16-bit scale and a 4-bit
// zero point per 128 weights: 0.5 + 2.5/128 bytes.
const BYTES_PER_PARAMETER: { readonly [p in ModelPrecision]: number } = {
  [ModelPrecision.BF16]: 2,
  [ModelPrecision.FP16]: 2,
  [ModelPrecision.FP8]: 1,
  [ModelPrecision.INT8]: 1,
  [ModelPrecision.AWQ_INT4]: 0.5 + 2.5 / 128,
  [ModelPrecision.GPTQ_INT4]: 0.5 + 2.5 / 128,
};

/** Bytes per parameter of a precision (4-bit formats include their group scales and zero points). */
export function bytesPerParameter(precision: ModelPrecision): number {
  return BYTES_PER_PARAMETER[precision];
}

const GIB = 1024 ** 3;

/**
 * Total memory of one GPU as CUDA reports it (nvidia-smi "Total", MiB), by GPU model and marketed
 * size. The catalog's `gpuMemoryGiB` is the marketed size (an L40S is sold as 48 GB but CUDA sees
 * 46068 MiB = 44.99 GiB); vLLM's `--gpu-memory-utilization` is a fraction of the CUDA figure, so
 * right-sizing must use it or a model that "fits 48 GB" fails at start.
 */
const CUDA_TOTAL_MIB: { readonly [gpuModelAndSize: string]: number } = {
  'T4/16': 15360,
  'T4G/16': 15360,
  'A10G/24': 23028,
  'L4/24': 23034,
  'L40S/48': 46068,
  'A100/40': 40960,
  'A100/80': 81920,
  'H100/80': 81559,
  'H200/141': 143771,
};

// Share of the marketed size CUDA exposes, for a GPU missing from the table (the smallest ratio
// above, rounded down: never over-promise memory).
const UNKNOWN_GPU_RATIO = 0.93;

/** Memory of one GPU of an instance type as CUDA reports it, in GiB (what `--gpu-memory-utilization` multiplies). */
export function gpuMemoryGiB(type: GpuInstanceType): number {
  const mib = CUDA_TOTAL_MIB[`${type.gpuModel}/${type.gpuMemoryGiB}`];
  return mib !== undefined ? mib / 1024 : type.gpuMemoryGiB * UNKNOWN_GPU_RATIO;
}

const COMPUTE_CAPABILITY: { readonly [gpuModel: string]: number } = {
  T4: 7.5,
  T4G: 7.5,
  A10G: 8.6,
  L4: 8.9,
  L40S: 8.9,
  A100: 8.0,
  H100: 9.0,
  H200: 9.0,
};

/** CUDA compute capability of an instance type's GPU, or undefined when unknown. */
export function gpuComputeCapability(type: GpuInstanceType): number | undefined {
  return COMPUTE_CAPABILITY[type.gpuModel];
}

/** Default `--max-num-batched-tokens` of the vLLM V1 scheduler, the token budget of one step's activations. */
export const DEFAULT_MAX_NUM_BATCHED_TOKENS = 8192;

/**
 * The per-GPU memory vLLM needs besides weights and KV cache, in GiB. vLLM measures this at
 * start (a profiling forward pass) and gives the KV cache what is left of
 * `gpu-memory-utilization × GPU memory`; this is the allowance the estimate reserves instead:
 * - 1.0 GiB non-torch memory: CUDA context, cuBLAS/cuDNN workspaces;
 * - 0.5 GiB CUDA graphs (captured for the decode batch sizes);
 * - 0.5 GiB with tensor parallelism: NCCL and custom all-reduce buffers;
 * - activations of one scheduler step: `maxNumBatchedTokens × hiddenSize × 24 bytes / TP`
 *   (the MLP intermediate, ~3.5 × hidden for these models, in and out, plus attention temporaries).
 * For Llama 3.1 8B on one GPU this is 2.25 GiB, in line with what vLLM's start-up log leaves
 * between the weights and the KV cache.
 */
export function overheadGiB(hiddenSize: number, tensorParallelSize: number, maxNumBatchedTokens: number = DEFAULT_MAX_NUM_BATCHED_TOKENS): number {
  const activations = (maxNumBatchedTokens * hiddenSize * 24) / tensorParallelSize / GIB;
  return 1.0 + 0.5 + (tensorParallelSize > 1 ? 0.5 : 0) + activations;
}

/** Parameters of the embedding matrix and LM head (kept at 16 bits by quantized checkpoints). */
function embeddingParameters(arch: ModelArchitecture): number {
  if (arch.vocabSize === undefined) return 0;
  const hidden = arch.hiddenSize ?? arch.attentionHeads * arch.headDim;
  return arch.vocabSize * hidden * (arch.tiedEmbeddings ? 1 : 2);
}

/** Size of a model's weights in GiB at a precision (all GPUs together). */
export function modelWeightsGiB(arch: ModelArchitecture, precision: ModelPrecision): number {
  const total = arch.parametersBillions * 1e9;
  const bytes = bytesPerParameter(precision);
  if (bytes === 2) return (total * 2) / GIB;
  const embeddings = Math.min(embeddingParameters(arch), total);
  return ((total - embeddings) * bytes + embeddings * 2) / GIB;
}

/** KV heads one GPU holds: vLLM splits them across tensor-parallel ranks, or replicates one per rank when there are fewer heads than ranks. */
export function kvHeadsPerGpu(kvHeads: number, tensorParallelSize: number): number {
  return Math.max(1, kvHeads / tensorParallelSize);
}

/** Bytes one token of KV cache takes on one GPU: 2 (K and V) × layers × KV heads per GPU × head dim × element size. */
export function kvBytesPerToken(arch: ModelArchitecture, tensorParallelSize: number, kvCacheDtype: KvCacheDtype = KvCacheDtype.AUTO): number {
  const element = kvCacheDtype === KvCacheDtype.FP8 ? 1 : 2;
  return 2 * arch.layers * kvHeadsPerGpu(arch.kvHeads, tensorParallelSize) * arch.headDim * element;
}

/** Inputs of {@link estimateModelMemory}. */
export interface ModelMemoryInput {
  /** The model. */
  readonly architecture: ModelArchitecture;
  /** Memory of one GPU as CUDA reports it, in GiB (see {@link gpuMemoryGiB}). */
  readonly gpuMemoryGiB: number;
  /**
   * Weight format.
   * @default ModelPrecision.BF16
   */
  readonly precision?: ModelPrecision;
  /**
   * KV-cache data type.
   * @default KvCacheDtype.AUTO
   */
  readonly kvCacheDtype?: KvCacheDtype;
  /**
   * Tensor-parallel size (GPUs one replica spans).
   * @default 1
   */
  readonly tensorParallelSize?: number;
  /**
   * Context length served (`--max-model-len`), in tokens.
   * @default - the model's context length
   */
  readonly maxModelLen?: number;
  /**
   * Fraction of each GPU's memory vLLM may use (`--gpu-memory-utilization`).
   * @default 0.9
   */
  readonly gpuMemoryUtilization?: number;
  /**
   * Token budget of one scheduler step (`--max-num-batched-tokens`), for the activation allowance.
   * @default 8192
   */
  readonly maxNumBatchedTokens?: number;
}

/** Result of {@link estimateModelMemory}: memory of one GPU of one replica, in GiB unless stated. */
export interface ModelMemoryEstimate {
  /** Weights of the whole model. */
  readonly weightsGiB: number;
  /** Weights on one GPU (`weightsGiB / tensorParallelSize`). */
  readonly weightsPerGpuGiB: number;
  /** Activation / CUDA-graph / runtime allowance on one GPU (see {@link overheadGiB}). */
  readonly overheadPerGpuGiB: number;
  /** What vLLM may use on one GPU: `gpuMemoryUtilization × gpuMemoryGiB`. */
  readonly budgetPerGpuGiB: number;
  /** Left for the KV cache on one GPU (negative when the weights do not fit). */
  readonly kvCachePerGpuGiB: number;
  /** Bytes of KV cache one token takes on one GPU. */
  readonly kvBytesPerToken: number;
  /** Tokens the KV cache holds (across the replica; vLLM allocates in blocks of 16 tokens). */
  readonly kvCacheTokens: number;
  /** Sequences of `maxModelLen` tokens that fit in the KV cache at once. */
  readonly maxConcurrentSequences: number;
  /** The context length the estimate used. */
  readonly maxModelLen: number;
  /** Whether weights and overhead fit and the KV cache holds at least one full-length sequence. */
  readonly fits: boolean;
}

/**
 * Estimates what one replica of a model needs on each GPU and what KV cache is left. Pure: the
 * serving stack uses it to fail at synth time, the cost report and the docs to show the numbers.
 *
 * weights = parameters × bytes per parameter (4-bit formats with group scales; embeddings and LM
 * head at 16 bits for quantized checkpoints) ÷ TP; KV bytes per token = 2 × layers × KV heads ×
 * head dim × dtype bytes ÷ TP; KV cache = utilization × GPU memory − weights − overhead.
 */
export function estimateModelMemory(input: ModelMemoryInput): ModelMemoryEstimate {
  const arch = input.architecture;
  const tp = input.tensorParallelSize ?? 1;
  const precision = input.precision ?? ModelPrecision.BF16;
  const utilization = input.gpuMemoryUtilization ?? 0.9;
  const maxModelLen = input.maxModelLen ?? arch.contextLength;
  const hidden = arch.hiddenSize ?? arch.attentionHeads * arch.headDim;
  const weightsGiB = modelWeightsGiB(arch, precision);
  const weightsPerGpuGiB = weightsGiB / tp;
  const overheadPerGpuGiB = overheadGiB(hidden, tp, input.maxNumBatchedTokens ?? DEFAULT_MAX_NUM_BATCHED_TOKENS);
  const budgetPerGpuGiB = utilization * input.gpuMemoryGiB;
  const kvCachePerGpuGiB = budgetPerGpuGiB - weightsPerGpuGiB - overheadPerGpuGiB;
  const perToken = kvBytesPerToken(arch, tp, input.kvCacheDtype ?? KvCacheDtype.AUTO);
  const kvCacheTokens = kvCachePerGpuGiB > 0 ? Math.floor((kvCachePerGpuGiB * GIB) / perToken / 16) * 16 : 0;
  const maxConcurrentSequences = Math.floor(kvCacheTokens / maxModelLen);
  return {
    weightsGiB,
    weightsPerGpuGiB,
    overheadPerGpuGiB,
    budgetPerGpuGiB,
    kvCachePerGpuGiB,
    kvBytesPerToken: perToken,
    kvCacheTokens,
    maxConcurrentSequences,
    maxModelLen,
    fits: kvCachePerGpuGiB > 0 && maxConcurrentSequences >= 1,
  };
}

/**
 * Why a tensor-parallel size is invalid for a model, or undefined when vLLM accepts it: TP must
 * divide the attention heads, and divide the KV heads (or be a multiple of them: vLLM then
 * replicates each KV head on TP / kvHeads ranks).
 */
export function tensorParallelProblem(arch: ModelArchitecture, tensorParallelSize: number): string | undefined {
  if (arch.attentionHeads % tensorParallelSize !== 0) {
    return `must divide the model's ${arch.attentionHeads} attention heads`;
  }
  const kv = arch.kvHeads;
  if (kv % tensorParallelSize !== 0 && tensorParallelSize % kv !== 0) {
    return `must divide the model's ${kv} KV heads (or be a multiple of them)`;
  }
  return undefined;
}

/** Where the weights are read from, for the start-up budget. */
export enum WeightSource {
  /** Downloaded from the Hugging Face hub (cold cache) and loaded from local disk. */
  HUGGING_FACE = 'HUGGING_FACE',
  /** Streamed from S3 into GPU memory by the Run:ai model streamer. */
  S3_STREAMER = 'S3_STREAMER',
}

/** Seconds a replica may take from container start to `/health` OK, besides reading weights: CUDA init, torch.compile, CUDA-graph capture. */
export const STARTUP_FIXED_SECONDS = 300;

/** Seconds per GiB of weights: ~85 MiB/s hub download plus the load (cold cache), or ~350 MiB/s from S3 with the streamer. */
export const STARTUP_SECONDS_PER_GIB: { readonly [s in WeightSource]: number } = {
  [WeightSource.HUGGING_FACE]: 12,
  [WeightSource.S3_STREAMER]: 3,
};

/** Start-up budget of one replica (container start to ready), in seconds: fixed part + weights × seconds per GiB. */
export function estimateStartupSeconds(weightsGiB: number, source: WeightSource): number {
  return Math.ceil(STARTUP_FIXED_SECONDS + weightsGiB * STARTUP_SECONDS_PER_GIB[source]);
}

/** What a scale-from-zero adds before the container starts: GPU node launch and join (~3 min) and the vLLM image pull (~10 GB, ~4 min). */
export const COLD_START_NODE_AND_IMAGE_SECONDS = 420;

/** On-demand price of the GPUs one replica uses: instance price ÷ GPUs per node × tensor-parallel size. */
export function replicaHourlyUsd(type: GpuInstanceType, tensorParallelSize: number): number {
  return (type.onDemandHourlyUsd / type.gpuCount) * tensorParallelSize;
}

/** Cost of one million tokens at a throughput: hourly price ÷ 3600 ÷ tokens per second × 1e6. */
export function costPerMillionTokens(hourlyUsd: number, tokensPerSecond: number): number {
  if (tokensPerSecond <= 0) return Number.POSITIVE_INFINITY;
  return (hourlyUsd / 3600 / tokensPerSecond) * 1e6;
}
