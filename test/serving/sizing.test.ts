import { GPU_INSTANCE_TYPES } from '../../lib/gpu/catalog';
import {
  MODEL_CATALOG, ModelPrecision, KvCacheDtype, WeightSource, findModelArchitecture, estimateModelMemory, modelWeightsGiB, kvBytesPerToken,
  gpuMemoryGiB, tensorParallelProblem, estimateStartupSeconds, replicaHourlyUsd, costPerMillionTokens, overheadGiB, bytesPerParameter,
} from '../../lib/serving';

const arch = (id: string) => {
  const a = findModelArchitecture(id);
  if (!a) throw new Error(`missing ${id}`);
  return a;
};

describe('model catalog', () => {
  test('has the required models, base and instruct ids, case-insensitive', () => {
    for (const id of [
      'meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.2-1B-Instruct', 'meta-llama/Llama-3.2-3B-Instruct',
      'mistralai/Mistral-7B-Instruct-v0.3', 'mistralai/Mixtral-8x7B-Instruct-v0.1', 'Qwen/Qwen2.5-7B-Instruct', 'Qwen/Qwen2.5-32B-Instruct',
      'Qwen/Qwen2.5-72B-Instruct', 'google/gemma-2-9b-it', 'google/gemma-2-27b-it', 'meta-llama/Llama-3.1-8B',
    ]) {
      expect(MODEL_CATALOG[id]).toBeDefined();
    }
    expect(findModelArchitecture('META-LLAMA/llama-3.1-8b-instruct')).toBe(MODEL_CATALOG['meta-llama/Llama-3.1-8B-Instruct']);
    expect(findModelArchitecture('acme/unknown')).toBeUndefined();
  });

  test('config.json facts: GQA heads, Gemma 2 head_dim 256 (9B) / 128 (27B), Mixtral counts all experts', () => {
    expect(arch('meta-llama/Llama-3.1-8B-Instruct')).toMatchObject({ layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, contextLength: 131072 });
    expect(arch('meta-llama/Llama-3.1-70B-Instruct')).toMatchObject({ layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128 });
    expect(arch('meta-llama/Llama-3.2-1B-Instruct')).toMatchObject({ layers: 16, headDim: 64, tiedEmbeddings: true });
    expect(arch('google/gemma-2-9b-it')).toMatchObject({ headDim: 256, attentionHeads: 16, kvHeads: 8, layers: 42, contextLength: 8192 });
    expect(arch('google/gemma-2-27b-it')).toMatchObject({ headDim: 128, attentionHeads: 32, kvHeads: 16, layers: 46 });
    expect(arch('mistralai/Mixtral-8x7B-Instruct-v0.1').parametersBillions).toBeCloseTo(46.7, 1);
    expect(arch('Qwen/Qwen2.5-7B-Instruct')).toMatchObject({ attentionHeads: 28, kvHeads: 4 });
    for (const a of Object.values(MODEL_CATALOG)) expect(a.attentionHeads % a.kvHeads).toBe(0);
  });
});

describe('estimateModelMemory', () => {
  const l40s = gpuMemoryGiB(GPU_INSTANCE_TYPES['g6e.xlarge']);
  const a100 = gpuMemoryGiB(GPU_INSTANCE_TYPES['p4de.24xlarge']);

  test('GPU memory is what CUDA reports, not the marketed size', () => {
    expect(l40s).toBeCloseTo(44.99, 2); // 46068 MiB
    expect(gpuMemoryGiB(GPU_INSTANCE_TYPES['g5.xlarge'])).toBeCloseTo(22.49, 2);
    expect(gpuMemoryGiB(GPU_INSTANCE_TYPES['p5.48xlarge'])).toBeCloseTo(79.65, 2);
    expect(a100).toBe(80);
  });

  test('Llama 3.1 8B bf16 weights match vLLM\'s "model weights take 14.99 GiB" within 1%', () => {
    const w = modelWeightsGiB(arch('meta-llama/Llama-3.1-8B-Instruct'), ModelPrecision.BF16);
    expect(Math.abs(w - 14.99) / 14.99).toBeLessThan(0.01);
  });

  test('KV bytes per token = 2 × layers × KV heads × head dim × dtype bytes ÷ TP', () => {
    const l8 = arch('meta-llama/Llama-3.1-8B-Instruct');
    expect(kvBytesPerToken(l8, 1)).toBe(2 * 32 * 8 * 128 * 2);
    expect(kvBytesPerToken(l8, 2)).toBe((2 * 32 * 8 * 128 * 2) / 2);
    expect(kvBytesPerToken(l8, 1, KvCacheDtype.FP8)).toBe(2 * 32 * 8 * 128);
    expect(kvBytesPerToken(arch('meta-llama/Llama-3.1-70B-Instruct'), 8)).toBe(2 * 80 * 1 * 128 * 2);
    expect(kvBytesPerToken(arch('google/gemma-2-9b-it'), 1)).toBe(2 * 42 * 8 * 256 * 2);
    // Fewer KV heads than ranks: vLLM replicates one head per rank.
    expect(kvBytesPerToken(arch('Qwen/Qwen2.5-7B-Instruct'), 8)).toBe(2 * 28 * 1 * 128 * 2);
  });

  test('worked example 1: Llama 3.1 8B bf16 on g6e.xlarge (L40S)', () => {
    const e = estimateModelMemory({ architecture: arch('meta-llama/Llama-3.1-8B-Instruct'), gpuMemoryGiB: l40s, maxModelLen: 32768 });
    expect(e.weightsPerGpuGiB).toBeCloseTo(14.96, 2);
    expect(e.overheadPerGpuGiB).toBeCloseTo(2.25, 2);
    expect(e.budgetPerGpuGiB).toBeCloseTo(40.49, 2);
    expect(e.kvCachePerGpuGiB).toBeCloseTo(23.28, 2);
    expect(e.kvCacheTokens).toBe(190720);
    expect(e.maxConcurrentSequences).toBe(5);
    expect(e.fits).toBe(true);
    // At the full 128K context only one sequence fits.
    expect(estimateModelMemory({ architecture: arch('meta-llama/Llama-3.1-8B-Instruct'), gpuMemoryGiB: l40s }).maxConcurrentSequences).toBe(1);
  });

  test('worked example 2: Llama 3.1 70B bf16 TP=8 on p4de.24xlarge (A100 80GB)', () => {
    const e = estimateModelMemory({ architecture: arch('meta-llama/Llama-3.1-70B-Instruct'), gpuMemoryGiB: a100, tensorParallelSize: 8, maxModelLen: 32768 });
    expect(e.weightsGiB).toBeCloseTo(131.41, 1);
    expect(e.weightsPerGpuGiB).toBeCloseTo(16.43, 2);
    expect(e.overheadPerGpuGiB).toBeCloseTo(2.19, 2);
    expect(e.kvCachePerGpuGiB).toBeCloseTo(53.38, 1);
    expect(e.kvBytesPerToken).toBe(40960);
    expect(e.kvCacheTokens).toBe(1399488);
    expect(e.maxConcurrentSequences).toBe(42);
  });

  test('70B AWQ-int4 keeps embeddings and LM head at 16 bits; TP=4 on g6e.12xlarge fits', () => {
    const a = arch('meta-llama/Llama-3.1-70B-Instruct');
    const w = modelWeightsGiB(a, ModelPrecision.AWQ_INT4);
    const embeddings = (128256 * 8192 * 2 * 2) / 1024 ** 3;
    expect(w).toBeCloseTo(((70.55e9 - 128256 * 8192 * 2) * bytesPerParameter(ModelPrecision.AWQ_INT4)) / 1024 ** 3 + embeddings, 6);
    expect(w).toBeGreaterThan(36);
    expect(w).toBeLessThan(38);
    const e = estimateModelMemory({ architecture: a, gpuMemoryGiB: l40s, tensorParallelSize: 4, precision: ModelPrecision.AWQ_INT4, maxModelLen: 32768 });
    expect(e.fits).toBe(true);
    expect(e.weightsPerGpuGiB).toBeCloseTo(9.26, 2);
    expect(e.kvCacheTokens).toBe(378208);
    expect(e.maxConcurrentSequences).toBe(11);
  });

  test('70B bf16 with TP=4 on L40S fits only barely (docs example)', () => {
    const e = estimateModelMemory({ architecture: arch('meta-llama/Llama-3.1-70B-Instruct'), gpuMemoryGiB: l40s, tensorParallelSize: 4, maxModelLen: 32768 });
    expect(e.weightsPerGpuGiB).toBeCloseTo(32.85, 2);
    expect(e.kvCacheTokens).toBe(68960);
    expect(e.maxConcurrentSequences).toBe(2);
  });

  test('a model that does not fit has no KV cache', () => {
    const e = estimateModelMemory({ architecture: arch('meta-llama/Llama-3.1-70B-Instruct'), gpuMemoryGiB: l40s });
    expect(e.fits).toBe(false);
    expect(e.kvCachePerGpuGiB).toBeLessThan(0);
    expect(e.kvCacheTokens).toBe(0);
  });

  test('overhead grows with hidden size and shrinks with TP; TP adds communication buffers', () => {
    expect(overheadGiB(4096, 1)).toBeCloseTo(2.25, 6);
    expect(overheadGiB(8192, 8)).toBeCloseTo(2.1875, 6);
    expect(overheadGiB(4096, 2)).toBeGreaterThan(overheadGiB(4096, 1) - 0.375);
  });
});

describe('tensor parallelism, start-up and cost', () => {
  test('TP must divide the attention heads and the KV heads (or be a multiple of them)', () => {
    expect(tensorParallelProblem(arch('meta-llama/Llama-3.1-70B-Instruct'), 8)).toBeUndefined();
    expect(tensorParallelProblem(arch('Qwen/Qwen2.5-7B-Instruct'), 8)).toMatch(/28 attention heads/);
    expect(tensorParallelProblem(arch('meta-llama/Llama-3.2-3B-Instruct'), 16)).toMatch(/24 attention heads/);
    expect(tensorParallelProblem({ parametersBillions: 1, layers: 1, attentionHeads: 12, kvHeads: 4, headDim: 64, contextLength: 1024 }, 6)).toMatch(/4 KV heads/);
  });

  test('start-up budget follows the weights and the source', () => {
    expect(estimateStartupSeconds(15, WeightSource.HUGGING_FACE)).toBe(480);
    expect(estimateStartupSeconds(15, WeightSource.S3_STREAMER)).toBe(345);
  });

  test('cost per 1M tokens = price / GPUs per node × TP ÷ 3600 ÷ tokens/s × 1e6', () => {
    expect(replicaHourlyUsd(GPU_INSTANCE_TYPES['g6e.12xlarge'], 4)).toBeCloseTo(10.493, 6);
    expect(replicaHourlyUsd(GPU_INSTANCE_TYPES['p5.48xlarge'], 2)).toBeCloseTo((55.04 / 8) * 2, 6);
    expect(costPerMillionTokens(1.861, 1000)).toBeCloseTo(0.51694, 4);
    expect(costPerMillionTokens(1, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
