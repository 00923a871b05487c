// The serving-engine abstraction: everything the serving stack knows about one inference engine
// sits in one EngineDefinition (one module per engine, registered here under its ServingEngine
// value). The stack, the autoscalers, alerts, dashboard, serving drift and cost read the common
// serving signals (serving-signals.ts) that each engine's recording rules produce, never an
// engine's raw metric names.
import { FactSource } from '../../core/facts';
import { JsonObject } from '../../k8s/values';
import { ImageSpec } from '../images';
import { ModelArchitecture } from '../models';
import { KvCacheDtype, ModelMemoryEstimate, ModelPrecision, WeightSource } from '../sizing';

/** The inference engine that serves a model. */
export enum ServingEngine {
  /** vLLM's OpenAI-compatible server (`vllm serve`). */
  VLLM = 'vllm',
  /** SGLang's OpenAI-compatible server (`python3 -m sglang.launch_server`). */
  SGLANG = 'sglang',
  /** llama.cpp's `llama-server` (GGUF checkpoints, CUDA build). */
  LLAMA_CPP = 'llama-cpp',
}

/** An engine image pinned by tag, with where the tag was checked. */
export interface EngineImage extends ImageSpec, FactSource {}

/** The common serving signals an engine can feed (see `SERVING_SIGNALS` for the recorded series). */
export type SignalKey =
  | 'requestsWaiting'
  | 'requestsRunning'
  | 'kvCacheUsage'
  | 'ttftBucket'
  | 'e2eLatencyBucket'
  | 'promptTokens'
  | 'generationTokens'
  | 'requestsFinished'
  | 'requestsAborted'
  | 'requestsFailed'
  | 'requestPromptTokensBucket'
  | 'requestGenerationTokensBucket';

/** A model as the engine renders it (after defaults and validation). */
export interface EngineModel {
  /** Model name (DNS label). */
  readonly name: string;
  /** What the engine loads (Hugging Face id or S3 URI). */
  readonly modelRef: string;
  /** Where the weights come from. */
  readonly source: WeightSource;
  /** Names clients send in `model` (the first labels the engine's metrics). */
  readonly servedModelNames: string[];
  /** Weight format. */
  readonly precision: ModelPrecision;
  /** KV-cache data type. */
  readonly kvCacheDtype: KvCacheDtype;
  /** GPUs per replica. */
  readonly tensorParallelSize: number;
  /** Context length served per sequence. */
  readonly maxModelLen: number;
  /** The engine's memory fraction (its meaning is the engine's: see `memoryFractionFlag`). */
  readonly gpuMemoryUtilization: number;
  /** Most sequences batched at once. */
  readonly maxNumSeqs?: number;
  /** Model revision. */
  readonly revision?: string;
  /** Extra engine arguments. */
  readonly extraArgs: string[];
}

/** Inputs of an engine's memory model. */
export interface EngineMemoryInput {
  readonly architecture: ModelArchitecture;
  readonly gpuMemoryGiB: number;
  readonly precision: ModelPrecision;
  readonly kvCacheDtype: KvCacheDtype;
  readonly tensorParallelSize: number;
  readonly maxModelLen: number;
  readonly memoryFraction: number;
  readonly maxNumSeqs?: number;
  /** Token budget of one scheduler step, when set through extraArgs. */
  readonly maxNumBatchedTokens?: number;
  /** Whether sliding-window layers keep only their window (vLLM's hybrid KV cache manager). */
  readonly hybridKvCache?: boolean;
}

/** An engine's memory estimate: the shared estimate plus what the engine needs besides it. */
export interface EngineMemoryEstimate extends ModelMemoryEstimate {
  /** How the engine's budget is computed, for messages. */
  readonly budgetExplanation: string;
}

/** What a signal mapping may read about the model besides its series selector. */
export interface SignalModel {
  /** Most sequences batched at once, when set. */
  readonly maxNumSeqs?: number;
}

/** PromQL over an engine's raw metrics for one model (`selector` matches the model's series). */
export type RawExpr = (selector: string, model: SignalModel) => string;

/** One engine: image, command and flags, probes, API-key scope, metric mapping and memory model. */
export interface EngineDefinition {
  /** The ServingEngine value. */
  readonly id: string;
  /** Name for messages and docs. */
  readonly displayName: string;
  /** Default image (tag with source and check date). */
  readonly image: EngineImage;
  /** Container name of the engine pods. */
  readonly containerName: string;
  /** HOME inside the container (an emptyDir: the root filesystem is read-only). */
  readonly homeDir: string;
  /** Default memory fraction, when the engine has one. */
  readonly defaultMemoryFraction: number;
  /** The flag the memory fraction goes to, or undefined when the engine has none. */
  readonly memoryFractionFlag?: string;
  /** Health paths (answered without the API key). */
  readonly probes: { readonly startup: string; readonly readiness: string; readonly liveness: string };
  /** What the engine's API key protects and what it leaves open, as documented in docs/serving.md. */
  readonly apiKey: { readonly protects: string; readonly open: readonly string[]; readonly metricsNeedKey: boolean };
  /** Arguments the stack manages (extraArgs may not set them). */
  readonly reservedArgs: RegExp;
  /** Whether the engine can serve more than one name per model (`/v1/models` lists each). */
  readonly multipleServedNames: boolean;
  /** Why a model cannot be served by this engine, or undefined. */
  problem(m: { readonly source: WeightSource; readonly precision: ModelPrecision; readonly kvCacheDtype: KvCacheDtype; readonly revision?: string }): string | undefined;
  /** The container's command. */
  command(m: EngineModel): string[];
  /** The environment variable the stack puts the API key in (from the Secret). */
  readonly apiKeyEnv: string;
  /** The container's arguments. */
  args(m: EngineModel, port: number): string[];
  /** Engine-specific environment (the stack adds HOME, caches, tokens and the API key variable). */
  env(m: EngineModel): JsonObject[];
  /** PromQL over the raw metrics for each common signal it has (missing keys: see `missingSignals`). */
  readonly signals: { readonly [k in SignalKey]?: RawExpr };
  /** For each signal the engine lacks: what the platform uses instead (docs and messages). */
  readonly missingSignals: { readonly [k in SignalKey]?: string };
  /** Raw metric names the mapping reads (tests check each against the pinned release). */
  readonly rawMetrics: readonly string[];
  /** The memory model: the shared estimate with this engine's budget rules. */
  memory(input: EngineMemoryInput): EngineMemoryEstimate;
}

const REGISTRY = new Map<string, EngineDefinition>();

/** Registers an engine (each engine module calls this once; tests may register test engines). */
export function registerEngine(def: EngineDefinition): EngineDefinition {
  REGISTRY.set(def.id, def);
  return def;
}

/** The engine registered under an id, or undefined. */
export function findEngine(id: string): EngineDefinition | undefined {
  return REGISTRY.get(id);
}

/** Every registered engine. */
export function registeredEngines(): EngineDefinition[] {
  return [...REGISTRY.values()];
}
