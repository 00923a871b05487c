// vLLM (the default engine). Flags, routes and metric names checked against vLLM's source:
// vllm/entrypoints/openai/cli_args.py (FrontendArgs: --port, --api-key and its scope),
// vllm/engine/arg_utils.py (engine flags) and vllm/v1/metrics/loggers.py (PrometheusStatLogger).
import { KvCacheDtype, ModelPrecision, WeightSource, estimateModelMemory } from '../sizing';
import { EngineDefinition, EngineModel, ServingEngine, registerEngine } from './engine';
import { formatGibibytes } from '../../core/units';

/** Defaults of the vLLM engine, in one place. */
export const VLLM_DEFAULTS = {
  /** `--gpu-memory-utilization`: the fraction of each GPU vLLM may use (weights, activations, KV cache). */
  gpuMemoryUtilization: 0.9,
} as const;

function args(m: EngineModel, port: number): string[] {
  const a = [m.modelRef, '--host', '0.0.0.0', '--port', String(port), '--served-model-name', ...m.servedModelNames];
  a.push('--tensor-parallel-size', String(m.tensorParallelSize), '--max-model-len', String(m.maxModelLen), '--gpu-memory-utilization', String(m.gpuMemoryUtilization));
  if (m.precision === ModelPrecision.BF16) a.push('--dtype', 'bfloat16');
  else if (m.precision === ModelPrecision.FP16) a.push('--dtype', 'float16');
  else a.push('--dtype', 'auto');
  // FP8 from a 16-bit checkpoint is quantized on load; the 4-bit and INT8 formats are read from
  // the checkpoint's quantization config.
  if (m.precision === ModelPrecision.FP8) a.push('--quantization', 'fp8');
  if (m.kvCacheDtype === KvCacheDtype.FP8) a.push('--kv-cache-dtype', 'fp8');
  if (m.source === WeightSource.S3_STREAMER) a.push('--load-format', 'runai_streamer');
  if (m.maxNumSeqs !== undefined) a.push('--max-num-seqs', String(m.maxNumSeqs));
  if (m.revision !== undefined) a.push('--revision', m.revision);
  return [...a, ...m.extraArgs];
}

// Per pod: vLLM labels its series with model_name and engine (the data-parallel rank); the
// recording rules sum over those.
const gauge = (name: string) => (sel: string) => `sum by (namespace, pod) (${name}{${sel}})`;
const rate = (name: string, extra = '') => (sel: string) => `sum by (namespace, pod) (rate(${name}{${sel}${extra}}[5m]))`;
const bucketRate = (name: string) => (sel: string) => `sum by (namespace, pod, le) (rate(${name}{${sel}}[5m]))`;
const buckets = (name: string) => (sel: string) => `sum by (namespace, pod, le) (${name}{${sel}})`;

/** The vLLM engine. */
export const VLLM_ENGINE: EngineDefinition = registerEngine({
  id: ServingEngine.VLLM,
  displayName: 'vLLM',
  image: {
    repository: 'vllm/vllm-openai',
    tag: 'v0.31.0',
    source: 'https://github.com/vllm-project/vllm/releases/tag/v0.31.0',
    checked: '2026-12-07',
  },
  containerName: 'vllm',
  homeDir: '/home/vllm',
  defaultMemoryFraction: VLLM_DEFAULTS.gpuMemoryUtilization,
  memoryFractionFlag: '--gpu-memory-utilization',
  probes: { startup: '/health', readiness: '/health', liveness: '/health' },
  apiKey: {
    protects: 'the `/v1`, `/v2` and `/inference` routes',
    // cli_args.py: "Other endpoints on the same server, including /invocations (which exposes
    // the same inference capabilities as /v1), remain unauthenticated."
    open: ['/health', '/metrics', '/ping', '/invocations', '/version', '/tokenize', '/detokenize', '/pooling', '/classify', '/score', '/rerank'],
    metricsNeedKey: false,
  },
  apiKeyEnv: 'VLLM_API_KEY',
  reservedArgs: /^--(tensor-parallel-size|max-model-len|gpu-memory-utilization|served-model-name|port|host|api-key)(=|$)/,
  multipleServedNames: true,
  problem: () => undefined,
  command: () => ['vllm', 'serve'],
  args,
  env: () => [
    { name: 'NUMBA_CACHE_DIR', value: '/tmp/numba' },
    { name: 'VLLM_NO_USAGE_STATS', value: '1' },
    { name: 'DO_NOT_TRACK', value: '1' },
  ],
  signals: {
    requestsWaiting: gauge('vllm:num_requests_waiting'),
    requestsRunning: gauge('vllm:num_requests_running'),
    kvCacheUsage: (sel) => `max by (namespace, pod) (vllm:kv_cache_usage_perc{${sel}})`,
    ttftBucket: bucketRate('vllm:time_to_first_token_seconds_bucket'),
    e2eLatencyBucket: bucketRate('vllm:e2e_request_latency_seconds_bucket'),
    promptTokens: rate('vllm:prompt_tokens_total'),
    generationTokens: rate('vllm:generation_tokens_total'),
    requestsFinished: rate('vllm:request_success_total', ',finished_reason!~"abort|error"'),
    requestsAborted: rate('vllm:request_success_total', ',finished_reason="abort"'),
    requestsFailed: rate('vllm:request_success_total', ',finished_reason="error"'),
    requestPromptTokensBucket: buckets('vllm:request_prompt_tokens_bucket'),
    requestGenerationTokensBucket: buckets('vllm:request_generation_tokens_bucket'),
  },
  missingSignals: {},
  rawMetrics: [
    'vllm:num_requests_waiting', 'vllm:num_requests_running', 'vllm:kv_cache_usage_perc', 'vllm:time_to_first_token_seconds',
    'vllm:e2e_request_latency_seconds', 'vllm:prompt_tokens', 'vllm:generation_tokens', 'vllm:request_success',
    'vllm:request_prompt_tokens', 'vllm:request_generation_tokens',
  ],
  memory: (i) => ({
    ...estimateModelMemory({
      architecture: i.architecture, gpuMemoryGiB: i.gpuMemoryGiB, precision: i.precision, kvCacheDtype: i.kvCacheDtype,
      tensorParallelSize: i.tensorParallelSize, maxModelLen: i.maxModelLen, gpuMemoryUtilization: i.memoryFraction,
      maxNumBatchedTokens: i.maxNumBatchedTokens, hybridKvCache: i.hybridKvCache,
    }),
    budgetExplanation: `gpuMemoryUtilization ${i.memoryFraction} × ${formatGibibytes(i.gpuMemoryGiB)}`,
  }),
});
