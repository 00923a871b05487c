// llama.cpp's llama-server (CUDA build), for GGUF checkpoints. Flags, routes and metric names
// checked against ggml-org/llama.cpp: common/arg.cpp (flags and their environment variables),
// tools/server/server-http.cpp (public_endpoints: the routes open without the API key) and
// tools/server/server-context.cpp (the /metrics exposition, enabled by --metrics).
import { KvCacheDtype, ModelPrecision, WeightSource, estimateModelMemory } from '../sizing';
import { EngineDefinition, EngineModel, ServingEngine, registerEngine } from './engine';
import { formatGibibytes } from '../../core/units';

/** Defaults of the llama.cpp engine, in one place. */
export const LLAMA_CPP_DEFAULTS = {
  /** `--parallel`: request slots; the context (`--ctx-size`) is maxModelLen × slots, shared by them. */
  parallelSlots: 4,
  /**
   * Share of each GPU the estimate lets weights, KV cache and compute buffers fill (llama.cpp has no
   * memory-fraction flag: it allocates what the context needs and fails at start when it does not fit).
   */
  memoryFraction: 0.95,
} as const;

/** GGUF quantization tag (`-hf repo:TAG`) of each precision llama.cpp serves here. */
const GGUF_TAG: { readonly [p in ModelPrecision]?: string } = {
  [ModelPrecision.BF16]: 'BF16',
  [ModelPrecision.FP16]: 'F16',
  [ModelPrecision.INT8]: 'Q8_0',
};

function slots(m: { readonly maxNumSeqs?: number }): number {
  return m.maxNumSeqs ?? LLAMA_CPP_DEFAULTS.parallelSlots;
}

function args(m: EngineModel, port: number): string[] {
  const a = ['--hf-repo', `${m.modelRef}:${GGUF_TAG[m.precision]}`, '--alias', m.servedModelNames[0], '--host', '0.0.0.0', '--port', String(port)];
  a.push('--ctx-size', String(m.maxModelLen * slots(m)), '--parallel', String(slots(m)), '--n-gpu-layers', '999');
  // Layers are split across the GPUs of a replica (llama.cpp's default split mode).
  if (m.tensorParallelSize > 1) a.push('--split-mode', 'layer');
  if (m.kvCacheDtype === KvCacheDtype.FP8) a.push('--cache-type-k', 'q8_0', '--cache-type-v', 'q8_0');
  a.push('--metrics', '--no-webui');
  return [...a, ...m.extraArgs];
}

const gauge = (name: string) => (sel: string) => `sum by (namespace, pod) (${name}{${sel}})`;
const rate = (name: string) => (sel: string) => `sum by (namespace, pod) (rate(${name}{${sel}}[5m]))`;

/** The llama.cpp engine. */
export const LLAMA_CPP_ENGINE: EngineDefinition = registerEngine({
  id: ServingEngine.LLAMA_CPP,
  displayName: 'llama.cpp',
  image: {
    repository: 'ghcr.io/ggml-org/llama.cpp',
    tag: 'server-cuda-b11243',
    source: 'https://github.com/ggml-org/llama.cpp/releases/tag/b11243',
    checked: '2026-12-07',
  },
  containerName: 'llama-server',
  homeDir: '/home/llama',
  defaultMemoryFraction: LLAMA_CPP_DEFAULTS.memoryFraction,
  probes: { startup: '/health', readiness: '/health', liveness: '/health' },
  apiKey: {
    protects: 'every route except `/health`, `/v1/health`, `/models`, `/v1/models` and `/api/tags` (including `/metrics`, which Prometheus scrapes with the key)',
    open: ['/health', '/v1/health', '/models', '/v1/models', '/api/tags'],
    metricsNeedKey: true,
  },
  // llama-server reads the key from this variable (common/arg.cpp: --api-key, env LLAMA_API_KEY).
  apiKeyEnv: 'LLAMA_API_KEY',
  reservedArgs: /^(-hf|-hfr|--hf-repo|-m|--model|--alias|-c|--ctx-size|-np|--parallel|-ngl|--n-gpu-layers|--port|--host|--api-key|--metrics)(=|$)/,
  multipleServedNames: false,
  problem: (m) => {
    if (m.source === WeightSource.S3_STREAMER) return 'llama.cpp loads GGUF files from the Hugging Face hub here (`-hf org/repo:QUANT`); s3:// models need engine VLLM';
    if (GGUF_TAG[m.precision] === undefined) return `has no GGUF quantization mapped for llama.cpp; use ModelPrecision.BF16 (BF16), FP16 (F16) or INT8 (Q8_0)`;
    if (m.revision !== undefined) return 'llama.cpp\'s -hf download takes no revision; pin the GGUF repository by its name instead';
    return undefined;
  },
  command: () => ['/app/llama-server'],
  args,
  env: () => [{ name: 'LLAMA_CACHE', value: '/models/llama.cpp' }],
  signals: {
    requestsWaiting: gauge('llamacpp:requests_deferred'),
    requestsRunning: gauge('llamacpp:requests_processing'),
    // No KV-cache gauge: the share of busy slots stands in (each slot owns maxModelLen tokens of
    // the context, so all slots busy = the cache can hold no further request).
    kvCacheUsage: (sel, m) => `sum by (namespace, pod) (llamacpp:requests_processing{${sel}}) / ${slots(m)}`,
    promptTokens: rate('llamacpp:prompt_tokens_total'),
    generationTokens: rate('llamacpp:tokens_predicted_total'),
  },
  missingSignals: {
    ttftBucket: 'llama-server exports no time-to-first-token histogram: the TTFT panel is empty for these models.',
    e2eLatencyBucket: 'llama-server exports no request-latency histogram: the latency alert does not cover these models; the queue and no-ready-replica alerts do.',
    requestsFinished: 'llama-server counts no requests: request rates come from the router\'s per-model request counter.',
    requestsAborted: 'llama-server counts no requests by outcome: serving drift of the error ratio does not cover these models.',
    requestsFailed: 'llama-server counts no requests by outcome: serving drift of the error ratio does not cover these models.',
    requestPromptTokensBucket: 'llama-server exports no per-request token histograms: serving drift of prompt lengths does not cover these models.',
    requestGenerationTokensBucket: 'llama-server exports no per-request token histograms: serving drift of output lengths does not cover these models.',
  },
  rawMetrics: ['llamacpp:requests_deferred', 'llamacpp:requests_processing', 'llamacpp:prompt_tokens_total', 'llamacpp:tokens_predicted_total'],
  memory: (i) => {
    // The whole context (maxModelLen × slots) is allocated at start, next to the weights and the
    // compute buffers; everything must fit in the fraction of the GPU.
    const base = estimateModelMemory({
      architecture: i.architecture, gpuMemoryGiB: i.gpuMemoryGiB, precision: i.precision, kvCacheDtype: i.kvCacheDtype,
      tensorParallelSize: i.tensorParallelSize, maxModelLen: i.maxModelLen, gpuMemoryUtilization: i.memoryFraction,
      maxNumBatchedTokens: i.maxNumBatchedTokens, hybridKvCache: i.hybridKvCache,
    });
    const n = slots(i);
    const contextGiB = (n * (i.maxModelLen * base.kvBytesPerToken + base.kvBytesPerSequenceWindowed)) / 1024 ** 3;
    const free = base.budgetPerGpuGiB - base.weightsPerGpuGiB - base.overheadPerGpuGiB;
    return {
      ...base,
      kvCachePerGpuGiB: free > 0 ? Math.min(free, contextGiB) : free,
      kvCacheTokens: free >= contextGiB ? i.maxModelLen * n : 0,
      maxConcurrentSequences: free >= contextGiB ? n : 0,
      fits: free >= contextGiB,
      budgetExplanation: `${i.memoryFraction} × ${formatGibibytes(i.gpuMemoryGiB)} for weights, compute buffers and the context of ${n} slots × ${i.maxModelLen} tokens (${formatGibibytes(contextGiB)})`,
    };
  },
});
