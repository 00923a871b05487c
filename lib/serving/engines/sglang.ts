// SGLang. Flags, routes and metric names checked against SGLang's source:
// python/sglang/srt/server_args.py (flags), python/sglang/srt/metrics/collector.py
// (SchedulerMetricsCollector, TokenizerMetricsCollector) and the HTTP server's API-key middleware
// (python/sglang/srt/utils/auth.py: /health* and /metrics* are always open).
import { KvCacheDtype, ModelPrecision, WeightSource, estimateModelMemory } from '../sizing';
import { EngineDefinition, EngineModel, ServingEngine, registerEngine } from './engine';
import { formatGibibytes } from '../../core/units';

/** Defaults of the SGLang engine, in one place. */
export const SGLANG_DEFAULTS = {
  /**
   * `--mem-fraction-static`: the fraction of each GPU for weights and the KV-cache pool; activations
   * and CUDA graphs use the rest. SGLang picks one from the GPU size when unset; the library pins it
   * so the synth-time estimate and the server agree.
   */
  memFractionStatic: 0.85,
} as const;

const API_KEY_ENV = 'SGLANG_API_KEY';

function args(m: EngineModel, port: number): string[] {
  const a = ['--model-path', m.modelRef, '--host', '0.0.0.0', '--port', String(port), '--served-model-name', m.servedModelNames[0]];
  a.push('--tp-size', String(m.tensorParallelSize), '--context-length', String(m.maxModelLen), '--mem-fraction-static', String(m.gpuMemoryUtilization));
  if (m.precision === ModelPrecision.BF16) a.push('--dtype', 'bfloat16');
  else if (m.precision === ModelPrecision.FP16) a.push('--dtype', 'float16');
  else a.push('--dtype', 'auto');
  if (m.precision === ModelPrecision.FP8) a.push('--quantization', 'fp8');
  if (m.kvCacheDtype === KvCacheDtype.FP8) a.push('--kv-cache-dtype', 'fp8_e4m3');
  if (m.maxNumSeqs !== undefined) a.push('--max-running-requests', String(m.maxNumSeqs));
  if (m.revision !== undefined) a.push('--revision', m.revision);
  // The key is expanded by the kubelet from the container's environment ($(VAR) syntax): SGLang
  // reads it from its command line only.
  a.push('--api-key', `$(${API_KEY_ENV})`, '--enable-metrics', '--collect-tokens-histogram');
  return [...a, ...m.extraArgs];
}

// SGLang labels its series with model_name (and, per scheduler, tp/dp ranks): sum per pod.
const gauge = (name: string, agg = 'sum') => (sel: string) => `${agg} by (namespace, pod) (${name}{${sel}})`;
const rate = (name: string) => (sel: string) => `sum by (namespace, pod) (rate(${name}{${sel}}[5m]))`;
const bucketRate = (name: string) => (sel: string) => `sum by (namespace, pod, le) (rate(${name}{${sel}}[5m]))`;
const buckets = (name: string) => (sel: string) => `sum by (namespace, pod, le) (${name}{${sel}})`;

/** The SGLang engine. */
export const SGLANG_ENGINE: EngineDefinition = registerEngine({
  id: ServingEngine.SGLANG,
  displayName: 'SGLang',
  image: {
    repository: 'lmsysorg/sglang',
    tag: 'v0.5.20',
    source: 'https://github.com/sgl-project/sglang/releases/tag/v0.5.20',
    checked: '2026-12-07',
  },
  containerName: 'sglang',
  homeDir: '/home/sglang',
  defaultMemoryFraction: SGLANG_DEFAULTS.memFractionStatic,
  memoryFractionFlag: '--mem-fraction-static',
  probes: { startup: '/health', readiness: '/health', liveness: '/health' },
  apiKey: {
    protects: 'every route except `/health*` and `/metrics*` (admin routes additionally need `--admin-api-key`, which the stack does not set, so they answer 403)',
    open: ['/health', '/health_generate', '/metrics'],
    metricsNeedKey: false,
  },
  apiKeyEnv: API_KEY_ENV,
  reservedArgs: /^--(model-path|tp-size|tensor-parallel-size|context-length|mem-fraction-static|served-model-name|port|host|api-key|enable-metrics)(=|$)/,
  multipleServedNames: false,
  problem: (m) => (m.source === WeightSource.S3_STREAMER ? 'SGLang is served from the Hugging Face hub (or the model cache) here: S3 streaming is wired for vLLM only; use engine VLLM for s3:// models' : undefined),
  command: () => ['python3', '-m', 'sglang.launch_server'],
  args,
  env: () => [
    { name: 'TRITON_CACHE_DIR', value: '/tmp/triton' },
    { name: 'DO_NOT_TRACK', value: '1' },
  ],
  signals: {
    requestsWaiting: gauge('sglang:num_queue_reqs'),
    requestsRunning: gauge('sglang:num_running_reqs'),
    kvCacheUsage: gauge('sglang:token_usage', 'max'),
    ttftBucket: bucketRate('sglang:time_to_first_token_seconds_bucket'),
    e2eLatencyBucket: bucketRate('sglang:e2e_request_latency_seconds_bucket'),
    promptTokens: rate('sglang:prompt_tokens_total'),
    generationTokens: rate('sglang:generation_tokens_total'),
    requestsFinished: rate('sglang:num_requests_total'),
    requestsAborted: rate('sglang:num_aborted_requests_total'),
    requestPromptTokensBucket: buckets('sglang:prompt_tokens_histogram_bucket'),
    requestGenerationTokensBucket: buckets('sglang:generation_tokens_histogram_bucket'),
  },
  missingSignals: {
    requestsFailed: 'SGLang counts finished and aborted requests only; a request that fails (HTTP 4xx/5xx) is not counted. The error-rate signals of these models read the aborted outcome, and the router\'s per-model request counter shows failed calls.',
  },
  rawMetrics: [
    'sglang:num_queue_reqs', 'sglang:num_running_reqs', 'sglang:token_usage', 'sglang:time_to_first_token_seconds',
    'sglang:e2e_request_latency_seconds', 'sglang:prompt_tokens_total', 'sglang:generation_tokens_total', 'sglang:num_requests_total',
    'sglang:num_aborted_requests_total', 'sglang:prompt_tokens_histogram', 'sglang:generation_tokens_histogram',
  ],
  memory: (i) => {
    // mem-fraction-static bounds weights + KV pool; activations and CUDA graphs come from the
    // remaining (1 - fraction) of the GPU, so they are checked against that instead.
    const base = estimateModelMemory({
      architecture: i.architecture, gpuMemoryGiB: i.gpuMemoryGiB, precision: i.precision, kvCacheDtype: i.kvCacheDtype,
      tensorParallelSize: i.tensorParallelSize, maxModelLen: i.maxModelLen, gpuMemoryUtilization: i.memoryFraction,
      maxNumBatchedTokens: i.maxNumBatchedTokens, hybridKvCache: i.hybridKvCache,
    });
    const rest = (1 - i.memoryFraction) * i.gpuMemoryGiB;
    const kvCachePerGpuGiB = base.overheadPerGpuGiB > rest ? rest - base.overheadPerGpuGiB : base.budgetPerGpuGiB - base.weightsPerGpuGiB;
    // Per-sequence bytes of sliding-window layers (when the model has them) come off the pool like
    // in the shared estimate.
    const perSequence = i.maxModelLen * base.kvBytesPerToken + base.kvBytesPerSequenceWindowed;
    const kvCacheTokens = kvCachePerGpuGiB > 0 ? Math.floor((kvCachePerGpuGiB * 1024 ** 3) / base.kvBytesPerToken) : 0;
    const maxConcurrentSequences = kvCachePerGpuGiB > 0 ? Math.floor((kvCachePerGpuGiB * 1024 ** 3) / perSequence) : 0;
    return {
      ...base,
      kvCachePerGpuGiB,
      kvCacheTokens,
      maxConcurrentSequences,
      fits: kvCachePerGpuGiB > 0 && maxConcurrentSequences >= 1,
      budgetExplanation: `mem-fraction-static ${i.memoryFraction} × ${formatGibibytes(i.gpuMemoryGiB)} for weights and KV cache; activations (${formatGibibytes(base.overheadPerGpuGiB)}) from the remaining ${formatGibibytes(rest)}`,
    };
  },
});
