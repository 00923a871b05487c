import { GPU_INSTANCE_TYPES } from '../../lib/gpu/catalog';
import { ModelPrecision, KvCacheDtype, WeightSource, estimateModelMemory } from '../../lib/serving';
import { MODEL_CATALOG, findModelArchitecture } from '../../lib/serving/models';
import { bytesPerParameter, costPerMillionTokens, estimateStartupSeconds, gpuComputeCapability, gpuMemoryGiB, kvBytesPerSequenceWindowed, kvBytesPerToken, kvBytesPerTokenPerLayer, modelWeightsGiB, overheadGiB, replicaHourlyUsd, tensorParallelProblem } from '../../lib/serving/sizing';

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
    // Gemma 2: 21 of 42 layers are 4096-token sliding windows, bounded per sequence (see below).
    expect(kvBytesPerToken(arch('google/gemma-2-9b-it'), 1)).toBe(2 * 21 * 8 * 256 * 2);
    expect(kvBytesPerToken(arch('google/gemma-2-9b-it'), 1, KvCacheDtype.AUTO, false)).toBe(2 * 42 * 8 * 256 * 2);
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

// Figures vLLM itself reports or documents, each with its source; the estimate must agree within
// the stated tolerance (or, for "this runs" statements, agree that it fits).
describe('2026 models: catalog shapes from config.json', () => {
  test('the models people serve now are in the catalog', () => {
    for (const id of [
      'meta-llama/Llama-3.3-70B-Instruct', 'meta-llama/Llama-4-Scout-17B-16E-Instruct', 'meta-llama/Llama-4-Maverick-17B-128E-Instruct',
      'Qwen/Qwen3-8B', 'Qwen/Qwen3-32B', 'Qwen/Qwen3-30B-A3B', 'Qwen/Qwen3-235B-A22B', 'openai/gpt-oss-20b', 'openai/gpt-oss-120b',
      'google/gemma-3-27b-it', 'mistralai/Mistral-Small-24B-Instruct-2501', 'deepseek-ai/DeepSeek-R1-Distill-Llama-8B',
      'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B', 'deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-R1',
    ]) expect(MODEL_CATALOG[id]).toBeDefined();
  });

  test('Qwen2.5 base checkpoints declare 131072 positions, instruct 32768 (separate config.json)', () => {
    for (const size of ['7B', '32B', '72B']) {
      expect(arch(`Qwen/Qwen2.5-${size}`).contextLength).toBe(131072);
      expect(arch(`Qwen/Qwen2.5-${size}-Instruct`).contextLength).toBe(32768);
    }
  });

  test('config.json facts: gpt-oss, DeepSeek MLA, Gemma 3, Llama 4, Qwen3 MoE', () => {
    expect(arch('openai/gpt-oss-120b')).toMatchObject({ layers: 36, attentionHeads: 64, kvHeads: 8, headDim: 64, hiddenSize: 2880, experts: 128, expertsPerToken: 4, slidingWindow: 128, slidingWindowLayers: 18, checkpointPrecision: ModelPrecision.MXFP4 });
    expect(arch('openai/gpt-oss-20b')).toMatchObject({ layers: 24, experts: 32, slidingWindowLayers: 12 });
    expect(arch('deepseek-ai/DeepSeek-R1')).toBe(arch('deepseek-ai/DeepSeek-V3'));
    expect(arch('deepseek-ai/DeepSeek-V3')).toMatchObject({ layers: 61, attentionHeads: 128, kvLoraRank: 512, qkRopeHeadDim: 64, experts: 256, expertsPerToken: 8, moeIntermediateSize: 2048, contextLength: 163840, checkpointPrecision: ModelPrecision.FP8, weightBlockSize: 128 });
    // Gemma 3: every 6th layer global → 10 global, 52 sliding of 62.
    expect(arch('google/gemma-3-27b-it')).toMatchObject({ layers: 62, attentionHeads: 32, kvHeads: 16, headDim: 128, slidingWindow: 1024, slidingWindowLayers: 52, contextLength: 131072 });
    expect(arch('meta-llama/Llama-4-Scout-17B-16E-Instruct')).toMatchObject({ layers: 48, attentionHeads: 40, kvHeads: 8, experts: 16, slidingWindow: 8192, slidingWindowLayers: 36, contextLength: 10485760 });
    expect(arch('meta-llama/Llama-4-Maverick-17B-128E-Instruct')).toMatchObject({ experts: 128, contextLength: 1048576 });
    expect(arch('Qwen/Qwen3-30B-A3B')).toMatchObject({ layers: 48, attentionHeads: 32, kvHeads: 4, experts: 128, expertsPerToken: 8, moeIntermediateSize: 768, contextLength: 40960 });
    expect(arch('Qwen/Qwen3-235B-A22B')).toMatchObject({ layers: 94, attentionHeads: 64, kvHeads: 4, moeIntermediateSize: 1536 });
    expect(arch('deepseek-ai/DeepSeek-R1-Distill-Qwen-32B')).toMatchObject({ layers: 64, attentionHeads: 40, kvHeads: 8, contextLength: 131072 });
  });

  test('invariants: MoE parts within the total, windows within the layers, GQA divides', () => {
    for (const [id, a] of Object.entries(MODEL_CATALOG)) {
      expect([id, a.attentionHeads % a.kvHeads]).toEqual([id, 0]);
      expect(a.activeParametersBillions ?? a.parametersBillions).toBeLessThanOrEqual(a.parametersBillions);
      expect(a.expertParametersBillions ?? 0).toBeLessThan(a.parametersBillions);
      expect(a.slidingWindowLayers ?? 0).toBeLessThan(a.layers);
      if (a.slidingWindowLayers) expect(a.slidingWindow).toBeGreaterThan(0);
      if (a.experts) expect(a.expertsPerToken).toBeLessThanOrEqual(a.experts);
    }
  });
});

describe('mixture of experts: every expert resident', () => {
  test('weights count total, not active, parameters (Qwen3-30B-A3B: 30.53 B, 3.34 B active)', () => {
    const a = arch('Qwen/Qwen3-30B-A3B');
    expect(modelWeightsGiB(a, ModelPrecision.BF16)).toBeCloseTo((30.53e9 * 2) / 1024 ** 3, 6);
    expect(modelWeightsGiB(a, ModelPrecision.BF16)).toBeGreaterThan(((a.activeParametersBillions ?? 0) * 2e9 / 1024 ** 3) * 9);
  });

  test('MXFP4: experts at 4.25 bits, attention/router/embeddings at 16 bits', () => {
    expect(bytesPerParameter(ModelPrecision.MXFP4)).toBe(4.25 / 8);
    expect(modelWeightsGiB(arch('openai/gpt-oss-120b'), ModelPrecision.MXFP4)).toBeCloseTo((114.71e9 * 4.25 / 8 + (116.83e9 - 114.71e9) * 2) / 1024 ** 3, 6);
  });

  test('gpt-oss-120b weights vs vLLM "Model loading took 64.38 GiB" (1× H100, v0.14.1) within 7%', () => {
    // vllm-project/vllm#33155: "Model loading took 64.38 GiB memory" for openai/gpt-oss-120b on one
    // H100 with the Triton MXFP4 backend. The estimate is the checkpoint's MXFP4 size (60.70 GiB);
    // the rest is the kernels' weight layout, so the estimate may be lower by up to 7%, not more.
    const w = modelWeightsGiB(arch('openai/gpt-oss-120b'), ModelPrecision.MXFP4);
    expect(w).toBeLessThan(64.38);
    expect((64.38 - w) / 64.38).toBeLessThan(0.07);
  });

  test('gpt-oss-120b on one GPU: vLLM\'s recipe runs it on one H100 and one A100 80GB at the full 131072 context', () => {
    // vllm-project/recipes OpenAI/GPT-OSS.md: "gpt-oss-120b will fit on a single A100 (80GB)";
    // Hopper: `vllm serve openai/gpt-oss-120b --tensor-parallel-size 1` (default max-model-len).
    for (const type of ['p5.4xlarge', 'p4de.24xlarge']) {
      const e = estimateModelMemory({ architecture: arch('openai/gpt-oss-120b'), gpuMemoryGiB: gpuMemoryGiB(GPU_INSTANCE_TYPES[type]) });
      expect([type, e.precision, e.fits, e.maxModelLen]).toEqual([type, ModelPrecision.MXFP4, true, 131072]);
    }
    // The recipe shards it over 2, 4 and 8 GPUs.
    for (const tp of [2, 4, 8]) expect(tensorParallelProblem(arch('openai/gpt-oss-120b'), tp)).toBeUndefined();
  });
});

describe('sliding-window layers (vLLM hybrid KV cache manager)', () => {
  test('per sequence: window − 1 + one scheduler step, in 16-token blocks, plus one block (SlidingWindowSpec)', () => {
    // vllm-project/vllm vllm/v1/kv_cache_interface.py SlidingWindowSpec.max_memory_usage_bytes:
    // (cdiv(min(sliding_window - 1 + max_num_batched_tokens, max_model_len), block_size) + 1) × page.
    const oss = arch('openai/gpt-oss-120b');
    const perLayer = 2 * 8 * 64 * 2;
    expect(kvBytesPerTokenPerLayer(oss, 1)).toBe(perLayer);
    expect(kvBytesPerSequenceWindowed(oss, 1, 131072)).toBe(18 * (Math.ceil((128 - 1 + 8192) / 16) + 1) * 16 * perLayer);
    expect(kvBytesPerToken(oss, 1)).toBe(18 * perLayer);
    // Short contexts: never more than max_model_len tokens.
    expect(kvBytesPerSequenceWindowed(oss, 1, 2048)).toBe(18 * (2048 / 16 + 1) * 16 * perLayer);
    // Without the hybrid manager every layer keeps the whole context.
    expect(kvBytesPerSequenceWindowed(oss, 1, 131072, KvCacheDtype.AUTO, 8192, false)).toBe(0);
    expect(kvBytesPerToken(oss, 1, KvCacheDtype.AUTO, false)).toBe(36 * perLayer);
  });

  test('Gemma 3 27B at 128K on one H100: 10 global layers grow with the context, 52 stay at the window', () => {
    const g = arch('google/gemma-3-27b-it');
    const h100 = gpuMemoryGiB(GPU_INSTANCE_TYPES['p5.4xlarge']);
    const hybrid = estimateModelMemory({ architecture: g, gpuMemoryGiB: h100, maxModelLen: 131072 });
    expect(hybrid.kvBytesPerToken).toBe(10 * 2 * 16 * 128 * 2);
    expect(hybrid.fits).toBe(true);
    // Counting every layer at the full context (the old estimate, or --disable-hybrid-kv-cache-manager) it does not fit.
    expect(estimateModelMemory({ architecture: g, gpuMemoryGiB: h100, maxModelLen: 131072, hybridKvCache: false }).fits).toBe(false);
  });

  test('Llama 4 Scout: vLLM serves 1.28M tokens on 8× H100 and 3.6M on 8× H200 (chunked local attention)', () => {
    // vllm-project/vllm#16104 (Llama 4 support): "Using 8xH100, vLLM can serve Scout with 1M context"
    // (--tensor-parallel-size 8 --max-model-len 1280000); "Using 8xH200 ... Scout with 3.6M context".
    // That release predates the hybrid manager: it holds with and without it.
    const scout = arch('meta-llama/Llama-4-Scout-17B-16E-Instruct');
    for (const [type, len] of [['p5.48xlarge', 1280000], ['p5en.48xlarge', 3600000]] as const) {
      for (const hybridKvCache of [false, true]) {
        expect([type, hybridKvCache, estimateModelMemory({ architecture: scout, gpuMemoryGiB: gpuMemoryGiB(GPU_INSTANCE_TYPES[type]), tensorParallelSize: 8, maxModelLen: len, hybridKvCache }).fits]).toEqual([type, hybridKvCache, true]);
      }
    }
  });
});

describe('multi-head latent attention (DeepSeek-V3/R1)', () => {
  const ds = arch('deepseek-ai/DeepSeek-R1');

  test('KV per token per layer = kv_lora_rank + qk_rope_head_dim, once, on every TP rank (MLAAttentionSpec)', () => {
    // vllm-project/vllm vllm/v1/kv_cache_interface.py MLAAttentionSpec.real_page_size_bytes:
    // block_size × num_kv_heads (1) × head_size (512 + 64) × dtype — no factor 2, not split by TP.
    expect(kvBytesPerTokenPerLayer(ds, 1)).toBe((512 + 64) * 2);
    expect(kvBytesPerTokenPerLayer(ds, 8)).toBe((512 + 64) * 2);
    expect(kvBytesPerTokenPerLayer(ds, 8, KvCacheDtype.FP8)).toBe(512 + 64);
    expect(kvBytesPerToken(ds, 8)).toBe(61 * 1152);
    // The standard formula with its 128 KV heads would be 57× larger on one GPU (7× at TP 8).
    expect((2 * 61 * 128 * 128 * 2) / kvBytesPerToken(ds, 1)).toBeCloseTo(56.9, 1);
  });

  test('FP8 weights per GPU at TP 8 vs vLLM (Gaudi fork) "Pre-loading model weights on hpu:0 took 79.41 GiB" within 3%', () => {
    // HabanaAI/vllm-fork#809: DeepSeek-R1 (FP8 checkpoint), tensor parallel 8, 79.41 GiB per device.
    const perGpu = modelWeightsGiB(ds, ModelPrecision.FP8) / 8;
    expect(Math.abs(perGpu - 79.41) / 79.41).toBeLessThan(0.03);
  });

  test('vLLM\'s recipe: R1 in FP8 runs on 8× H200 (TP 8); the estimate also says 8× H100 cannot hold it', () => {
    // vllm-project/recipes DeepSeek/DeepSeek-V3.md: "Running DeepSeek-R1 with FP8 on 8xH200",
    // `--tensor-parallel-size 8`, "--max-model-len=65536 is usually good".
    const h200 = gpuMemoryGiB(GPU_INSTANCE_TYPES['p5en.48xlarge']);
    const e = estimateModelMemory({ architecture: ds, gpuMemoryGiB: h200, tensorParallelSize: 8, maxModelLen: 65536 });
    expect(e).toMatchObject({ precision: ModelPrecision.FP8, fits: true, kvBytesPerToken: 70272 });
    expect(e.maxConcurrentSequences).toBeGreaterThanOrEqual(4);
    expect(estimateModelMemory({ architecture: ds, gpuMemoryGiB: gpuMemoryGiB(GPU_INSTANCE_TYPES['p5.48xlarge']), tensorParallelSize: 8, maxModelLen: 65536 }).fits).toBe(false);
  });

  test('TP checks for MLA and MoE: no KV-head rule; FP8 blocks must stay whole (vLLM: "not divisible by weight quantization block_n")', () => {
    expect(tensorParallelProblem(ds, 16)).toBeUndefined();
    expect(tensorParallelProblem(ds, 32)).toMatch(/splits each expert's intermediate size 2048 into 64 per GPU, not a whole number of the checkpoint's 128-wide FP8 blocks/);
    expect(tensorParallelProblem(ds, 32, ModelPrecision.FP8, true)).toBeUndefined();
    expect(tensorParallelProblem(ds, 32, ModelPrecision.BF16)).toBeUndefined();
    expect(tensorParallelProblem(ds, 3)).toMatch(/128 attention heads/);
    // Qwen3-235B-A22B-FP8: 1536 / 8 = 192 per GPU is not whole 128-blocks; TP 4 (384) is.
    expect(tensorParallelProblem(arch('Qwen/Qwen3-235B-A22B-FP8'), 8)).toMatch(/1536 into 192 per GPU/);
    expect(tensorParallelProblem(arch('Qwen/Qwen3-235B-A22B-FP8'), 4)).toBeUndefined();
    // Unquantized MoE: TP must divide the expert intermediate size (Qwen3-30B-A3B: 768).
    expect(tensorParallelProblem(arch('Qwen/Qwen3-30B-A3B'), 16)).toBeUndefined();
    expect(tensorParallelProblem({ ...arch('Qwen/Qwen3-30B-A3B'), moeIntermediateSize: 760 }, 16)).toMatch(/experts' intermediate size 760/);
  });
});

describe('Blackwell GPUs', () => {
  test('CUDA memory and compute capability of B200, B300 and RTX PRO 6000', () => {
    expect(gpuMemoryGiB(GPU_INSTANCE_TYPES['p6-b200.48xlarge'])).toBeCloseTo(183359 / 1024, 6);
    expect(gpuMemoryGiB(GPU_INSTANCE_TYPES['p6-b300.48xlarge'])).toBeCloseTo(275040 / 1024, 6);
    expect(gpuMemoryGiB(GPU_INSTANCE_TYPES['g7e.2xlarge'])).toBeCloseTo(97887 / 1024, 6);
    expect(gpuComputeCapability(GPU_INSTANCE_TYPES['p6-b200.48xlarge'])).toBe(10.0);
    expect(gpuComputeCapability(GPU_INSTANCE_TYPES['g7e.2xlarge'])).toBe(12.0);
  });

  test('DeepSeek-R1 FP8 fits 8× B200 (TP 8)', () => {
    expect(estimateModelMemory({ architecture: arch('deepseek-ai/DeepSeek-R1'), gpuMemoryGiB: gpuMemoryGiB(GPU_INSTANCE_TYPES['p6-b200.48xlarge']), tensorParallelSize: 8, maxModelLen: 65536 }).fits).toBe(true);
  });
});
