import { GpuInstanceType } from '../gpu/catalog';
import { checkHelperNumber } from '../core/helper-args';
import { checkMemoryInputNumbers } from './option-checks';
import { validateEnum } from '../core/enums';
import { checkSizingArgs } from './option-checks';
import type { ModelArchitecture } from './models';

import { KvCacheDtype, ModelPrecision } from './precision';

export { KvCacheDtype, ModelPrecision } from './precision';

// Bytes per quantized parameter. 4-bit group quantization (g128) stores a 16-bit scale and a 4-bit
// zero point per 128 weights: 0.5 + 2.5/128 bytes. MXFP4 (OCP microscaling): 4-bit values and one
// 8-bit (E8M0) scale per block of 32: 4.25 bits.
const BYTES_PER_PARAMETER: { readonly [p in ModelPrecision]: number } = {
  [ModelPrecision.BF16]: 2,
  [ModelPrecision.FP16]: 2,
  [ModelPrecision.FP8]: 1,
  [ModelPrecision.INT8]: 1,
  [ModelPrecision.AWQ_INT4]: 0.5 + 2.5 / 128,
  [ModelPrecision.GPTQ_INT4]: 0.5 + 2.5 / 128,
  [ModelPrecision.MXFP4]: 4.25 / 8,
};

/** Bytes per quantized parameter of a precision (4-bit formats include their group scales and zero points; MXFP4 its block scales). */
export function bytesPerParameter(precision: ModelPrecision): number {
  checkSizingArgs('bytesPerParameter', { precision });
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
  // Blackwell, checked 2026-12-07: B200 183359 MiB (nvidia-smi, and EC2's own figure for
  // p6-b200); RTX PRO 6000 Blackwell Server Edition 97887 MiB (nvidia-smi); B300: EC2's 275040 MiB
  // (aws/karpenter-provider-aws instance-types.md), no nvidia-smi figure found.
  'B200/180': 183359,
  'B300/288': 275040,
  'RTX PRO 6000/96': 97887,
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
  // https://developer.nvidia.com/cuda-gpus: B200 10.0, B300 10.3, RTX PRO 6000 Blackwell 12.0.
  B200: 10.0,
  B300: 10.3,
  'RTX PRO 6000': 12.0,
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

/**
 * Size of a model's weights in GiB at a precision (all GPUs together). Every expert of a
 * mixture-of-experts model counts: vLLM keeps them all in GPU memory (active parameters only change
 * compute). 16-bit: parameters × 2. FP8, INT8, AWQ, GPTQ: embeddings and LM head at 16 bits, the
 * rest at the quantized width. MXFP4 (gpt-oss): the routed experts at 4.25 bits, everything else
 * (attention, router, embeddings) at 16 bits; a model without expert parameters is quantized like
 * the other formats.
 */
export function modelWeightsGiB(arch: ModelArchitecture, precision: ModelPrecision): number {
  checkSizingArgs('modelWeightsGiB', { architecture: arch, precision });
  const total = arch.parametersBillions * 1e9;
  const bytes = bytesPerParameter(precision);
  if (bytes === 2) return (total * 2) / GIB;
  const experts = Math.min((arch.expertParametersBillions ?? 0) * 1e9, total);
  if (precision === ModelPrecision.MXFP4 && experts > 0) return (experts * bytes + (total - experts) * 2) / GIB;
  const embeddings = Math.min(embeddingParameters(arch), total);
  return ((total - embeddings) * bytes + embeddings * 2) / GIB;
}

/** KV heads one GPU holds: vLLM splits them across tensor-parallel ranks, or replicates one per rank when there are fewer heads than ranks. */
export function kvHeadsPerGpu(kvHeads: number, tensorParallelSize: number): number {
  return Math.max(1, kvHeads / tensorParallelSize);
}

// Whether a model uses multi-head latent attention (a compressed KV latent instead of K and V heads).
function usesLatentAttention(arch: ModelArchitecture): boolean {
  return arch.kvLoraRank !== undefined && arch.kvLoraRank > 0;
}

/**
 * Bytes one token takes in ONE attention layer on one GPU. Standard attention: 2 (K and V) × KV
 * heads per GPU × head dim × element size. Multi-head latent attention (DeepSeek): one latent of
 * `kvLoraRank + qkRopeHeadDim` elements, kept whole on every tensor-parallel rank (vLLM's
 * MLAAttentionSpec: one "head" of that size, no factor 2).
 */
export function kvBytesPerTokenPerLayer(arch: ModelArchitecture, tensorParallelSize: number, kvCacheDtype: KvCacheDtype = KvCacheDtype.AUTO): number {
  checkSizingArgs('kvBytesPerTokenPerLayer', { architecture: arch, kvCacheDtype });
  const element = kvCacheDtype === KvCacheDtype.FP8 ? 1 : 2;
  if (usesLatentAttention(arch)) return (arch.kvLoraRank! + (arch.qkRopeHeadDim ?? 0)) * element;
  return 2 * kvHeadsPerGpu(arch.kvHeads, tensorParallelSize) * arch.headDim * element;
}

/** Layers with a sliding (or chunked local) window whose KV cache vLLM bounds by the window. */
function windowedLayers(arch: ModelArchitecture, hybridKvCache: boolean): number {
  if (!hybridKvCache || !arch.slidingWindow) return 0;
  return Math.min(arch.slidingWindowLayers ?? 0, arch.layers);
}

/**
 * Bytes one token of context takes on one GPU in the layers that keep every token: all layers,
 * less the sliding-window layers vLLM's hybrid KV cache manager bounds by their window
 * ({@link kvBytesPerSequenceWindowed}). For standard attention 2 × layers × KV heads per GPU ×
 * head dim × dtype bytes.
 */
export function kvBytesPerToken(arch: ModelArchitecture, tensorParallelSize: number, kvCacheDtype: KvCacheDtype = KvCacheDtype.AUTO, hybridKvCache: boolean = true): number {
  checkSizingArgs('kvBytesPerToken', { architecture: arch, kvCacheDtype });
  return (arch.layers - windowedLayers(arch, hybridKvCache)) * kvBytesPerTokenPerLayer(arch, tensorParallelSize, kvCacheDtype);
}

// Tokens vLLM allocates in one block of KV cache (its default block size).
const KV_BLOCK_TOKENS = 16;

/**
 * Bytes the sliding-window layers take per sequence on one GPU, whatever its length: vLLM keeps the
 * last `window − 1` tokens plus one scheduler step of new ones, in blocks, plus one block for a
 * window that does not start on a block boundary (vLLM's SlidingWindowSpec.max_memory_usage_bytes),
 * never more than `maxModelLen` tokens. Zero without windowed layers or without the hybrid manager.
 */
export function kvBytesPerSequenceWindowed(
  arch: ModelArchitecture, tensorParallelSize: number, maxModelLen: number, kvCacheDtype: KvCacheDtype = KvCacheDtype.AUTO,
  maxNumBatchedTokens: number = DEFAULT_MAX_NUM_BATCHED_TOKENS, hybridKvCache: boolean = true,
): number {
  checkSizingArgs('kvBytesPerSequenceWindowed', { architecture: arch, kvCacheDtype });
  const layers = windowedLayers(arch, hybridKvCache);
  if (layers === 0) return 0;
  const tokens = Math.min(arch.slidingWindow! - 1 + maxNumBatchedTokens, maxModelLen);
  const blocks = Math.ceil(tokens / KV_BLOCK_TOKENS) + 1;
  return layers * blocks * KV_BLOCK_TOKENS * kvBytesPerTokenPerLayer(arch, tensorParallelSize, kvCacheDtype);
}

/** Inputs of {@link estimateModelMemory}. */
export interface ModelMemoryInput {
  /** The model. */
  readonly architecture: ModelArchitecture;
  /** Memory of one GPU as CUDA reports it, in GiB (see {@link gpuMemoryGiB}). */
  readonly gpuMemoryGiB: number;
  /**
   * Weight format.
   * @default - the architecture's `checkpointPrecision`, else ModelPrecision.BF16
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
   * Token budget of one scheduler step (`--max-num-batched-tokens`), for the activation allowance
   * and the sliding-window layers' per-sequence share.
   * @default 8192
   */
  readonly maxNumBatchedTokens?: number;
  /**
   * Whether vLLM's hybrid KV cache manager bounds sliding-window layers by their window (on by
   * default in vLLM V1; `--disable-hybrid-kv-cache-manager` turns it off, and every layer then
   * keeps the whole context).
   * @default true
   */
  readonly hybridKvCache?: boolean;
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
  /** Bytes of KV cache one token of context takes on one GPU in the layers that keep every token. */
  readonly kvBytesPerToken: number;
  /** Bytes the sliding-window layers take per sequence on one GPU (0 without them). */
  readonly kvBytesPerSequenceWindowed: number;
  /** Tokens the full-context layers' KV cache holds (across the replica; vLLM allocates in blocks of 16). */
  readonly kvCacheTokens: number;
  /** Sequences of `maxModelLen` tokens that fit in the KV cache at once. */
  readonly maxConcurrentSequences: number;
  /** The context length the estimate used. */
  readonly maxModelLen: number;
  /** The weight format the estimate used. */
  readonly precision: ModelPrecision;
  /** Whether weights and overhead fit and the KV cache holds at least one full-length sequence. */
  readonly fits: boolean;
}

/**
 * Estimates what one replica of a model needs on each GPU and what KV cache is left. Pure: the
 * serving stack uses it to fail at synth time, the cost report and the docs to show the numbers.
 *
 * weights ({@link modelWeightsGiB}) ÷ TP; KV cache = utilization × GPU memory − weights − overhead;
 * a full-length sequence takes `maxModelLen × kvBytesPerToken` (full-context layers; MLA: one
 * latent per layer, not split by TP) plus `kvBytesPerSequenceWindowed` (sliding-window layers,
 * bounded by their window).
 */
export function estimateModelMemory(input: ModelMemoryInput): ModelMemoryEstimate {
  checkSizingArgs('estimateModelMemory', { architecture: input.architecture, precision: input.precision, kvCacheDtype: input.kvCacheDtype });
  checkMemoryInputNumbers(input);
  const arch = input.architecture;
  const tp = input.tensorParallelSize ?? 1;
  const precision = input.precision ?? arch.checkpointPrecision ?? ModelPrecision.BF16;
  const utilization = input.gpuMemoryUtilization ?? 0.9;
  const maxModelLen = input.maxModelLen ?? arch.contextLength;
  const batched = input.maxNumBatchedTokens ?? DEFAULT_MAX_NUM_BATCHED_TOKENS;
  const hybrid = input.hybridKvCache ?? true;
  const dtype = input.kvCacheDtype ?? KvCacheDtype.AUTO;
  const hidden = arch.hiddenSize ?? arch.attentionHeads * arch.headDim;
  const weightsGiB = modelWeightsGiB(arch, precision);
  const weightsPerGpuGiB = weightsGiB / tp;
  const overheadPerGpuGiB = overheadGiB(hidden, tp, batched);
  const budgetPerGpuGiB = utilization * input.gpuMemoryGiB;
  const kvCachePerGpuGiB = budgetPerGpuGiB - weightsPerGpuGiB - overheadPerGpuGiB;
  const perToken = kvBytesPerToken(arch, tp, dtype, hybrid);
  const perSequenceWindowed = kvBytesPerSequenceWindowed(arch, tp, maxModelLen, dtype, batched, hybrid);
  const kvBytes = Math.max(0, kvCachePerGpuGiB) * GIB;
  const kvCacheTokens = perToken > 0 ? Math.floor(kvBytes / perToken / KV_BLOCK_TOKENS) * KV_BLOCK_TOKENS : 0;
  const perSequence = Math.ceil(maxModelLen / KV_BLOCK_TOKENS) * KV_BLOCK_TOKENS * perToken + perSequenceWindowed;
  const maxConcurrentSequences = perSequence > 0 ? Math.floor(kvBytes / perSequence) : 0;
  return {
    weightsGiB,
    weightsPerGpuGiB,
    overheadPerGpuGiB,
    budgetPerGpuGiB,
    kvCachePerGpuGiB,
    kvBytesPerToken: perToken,
    kvBytesPerSequenceWindowed: perSequenceWindowed,
    kvCacheTokens,
    maxConcurrentSequences,
    maxModelLen,
    precision,
    fits: kvCachePerGpuGiB > 0 && maxConcurrentSequences >= 1,
  };
}

/**
 * Why a tensor-parallel size is invalid for a model, or undefined when vLLM accepts it:
 * - TP must divide the attention heads;
 * - standard attention: TP must divide the KV heads or be a multiple of them (vLLM then replicates
 *   each KV head on TP / kvHeads ranks); MLA has no KV heads to split (every rank keeps the latent);
 * - mixture-of-experts without expert parallelism: TP splits each expert's intermediate size, which
 *   must divide evenly, and for a block-quantized FP8 checkpoint into whole blocks (vLLM: "The
 *   output_size of gate's and up's weight = … is not divisible by weight quantization block_n").
 *   With `--enable-expert-parallel` experts stay whole and only the attention rules apply.
 */
export function tensorParallelProblem(arch: ModelArchitecture, tensorParallelSize: number, precision?: ModelPrecision, expertParallel: boolean = false): string | undefined {
  checkSizingArgs('tensorParallelProblem', { architecture: arch, precision });
  const tp = tensorParallelSize;
  if (arch.attentionHeads % tp !== 0) {
    return `must divide the model's ${arch.attentionHeads} attention heads`;
  }
  const kv = arch.kvHeads;
  if (!usesLatentAttention(arch) && kv % tp !== 0 && tp % kv !== 0) {
    return `must divide the model's ${kv} KV heads (or be a multiple of them)`;
  }
  const inter = arch.moeIntermediateSize;
  if (!expertParallel && inter !== undefined && (arch.experts ?? 0) > 0) {
    if (inter % tp !== 0) {
      return `must divide the experts' intermediate size ${inter} (tensor parallelism splits every expert); or pass --enable-expert-parallel in extraArgs`;
    }
    const block = arch.weightBlockSize;
    const effective = precision ?? arch.checkpointPrecision;
    if (block !== undefined && effective === ModelPrecision.FP8 && (inter / tp) % block !== 0) {
      return `splits each expert's intermediate size ${inter} into ${inter / tp} per GPU, not a whole number of the checkpoint's ${block}-wide FP8 blocks (vLLM refuses to load it); use a tensorParallelSize with ${inter} / TP a multiple of ${block}, or pass --enable-expert-parallel in extraArgs`;
    }
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
  validateEnum('estimateStartupSeconds', 'source', source, WeightSource as unknown as Record<string, string>, 'WeightSource');
  checkHelperNumber('estimateStartupSeconds', 'weightsGiB', weightsGiB, 0, 100_000, { minInclusive: true });
  return Math.ceil(STARTUP_FIXED_SECONDS + weightsGiB * STARTUP_SECONDS_PER_GIB[source]);
}

/** What a scale-from-zero adds before the container starts: GPU node launch and join (~3 min) and the vLLM image pull (~10 GB, ~4 min). */
export const COLD_START_NODE_AND_IMAGE_SECONDS = 420;

/** On-demand price of the GPUs one replica uses: instance price ÷ GPUs per node × tensor-parallel size. */
export function replicaHourlyUsd(type: GpuInstanceType, tensorParallelSize: number): number {
  return (type.onDemandHourlyUsd / type.gpuCount) * tensorParallelSize;
}

/** Cost of one million tokens at a throughput (the shared definition, lib/cost/definitions.ts). */
export { costPerMillionTokens } from '../cost/definitions';
