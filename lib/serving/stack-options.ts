// Props and plans of the serving stack (VllmServingStack), apart from the construct itself.
import { IProgressiveDelivery, ModelRolloutOptions } from '../rollout/types';
import { Duration, Size } from '../core/units';
import { ICluster } from '../cluster/cluster-reference';
import { IGpuNodePool } from '../gpu/types';
import { InternalAlbIngressOptions } from '../ingress/internal-alb';
import { IKeda } from '../autoscaling/keda';
import { JsonObject } from '../k8s/values';
import { IMetricsBackbone } from '../observability/types';
import { ServingEngine } from './engines/engine';
import { ImageSpec } from './images';
import { ModelArchitecture } from './models';
import { KvCacheDtype, ModelMemoryEstimate, ModelPrecision } from './sizing';
import { AutoscalerKind, RouterRoutingLogic, ScalingMetric, VolumeAccessMode } from './types';

/** Fewest and most replicas of a model. */
export interface ReplicaRange {
  /** Fewest replicas; 0 scales to zero when idle (KEDA only). */
  readonly min: number;
  /** Most replicas. */
  readonly max: number;
}

/** Autoscaling of one model. */
export interface ModelAutoscalingOptions {
  /**
   * What to scale on.
   * @default ScalingMetric.QUEUE_DEPTH
   */
  readonly metric?: ScalingMetric;
  /**
   * Target per replica: waiting requests (QUEUE_DEPTH) or KV-cache usage fraction (KV_CACHE_USAGE).
   * @default 5 for QUEUE_DEPTH, 0.8 for KV_CACHE_USAGE
   */
  readonly target?: number;
}

/** One model served by the stack. */
export interface VllmModelOptions {
  /** Name (DNS-1123 label): the engine Deployment's name part and the model name clients send. */
  readonly name: string;
  /** Hugging Face model id (`meta-llama/Llama-3.1-8B-Instruct`) or an S3 prefix (`s3://bucket/models/llama-8b`, loaded with the Run:ai streamer; vLLM only). For llama.cpp, the GGUF repository (`org/name-GGUF`). */
  readonly model: string;
  /**
   * The inference engine that serves this model (docs/serving.md, "Engines").
   * @default ServingEngine.VLLM
   */
  readonly engine?: ServingEngine;
  /**
   * The engine image of this model.
   * @default - `vllmImage` for vLLM, else the engine's pinned image (docs/facts.md)
   */
  readonly image?: ImageSpec;
  /**
   * Replicas.
   * @default { min: 1, max: 1 }
   */
  readonly replicas?: ReplicaRange;
  /**
   * Catalog model whose architecture this model has (a fine-tune, a quantized export, an S3 copy).
   * @default - `model` itself
   */
  readonly baseModel?: string;
  /**
   * Architecture of a model that is not in `MODEL_CATALOG` (takes precedence over the catalog).
   * @default - from MODEL_CATALOG
   */
  readonly architecture?: ModelArchitecture;
  /**
   * Weight format.
   * @default - the catalog model's checkpoint format (`checkpointPrecision`: MXFP4 for gpt-oss, FP8 for DeepSeek-V3/R1), else ModelPrecision.BF16
   */
  readonly precision?: ModelPrecision;
  /**
   * KV-cache data type.
   * @default KvCacheDtype.AUTO
   */
  readonly kvCacheDtype?: KvCacheDtype;
  /**
   * GPUs per replica (tensor parallelism). Must divide the attention heads and fit one node of every instance type in the pool.
   * @default 1
   */
  readonly tensorParallelSize?: number;
  /**
   * Context length served (`--max-model-len`).
   * @default - the model's context length, capped at 32768 tokens
   */
  readonly maxModelLen?: number;
  /**
   * The engine's memory fraction: vLLM `--gpu-memory-utilization` (weights, activations and KV
   * cache), SGLang `--mem-fraction-static` (weights and KV cache); llama.cpp has none (the share of
   * the GPU the estimate lets it fill).
   * @default - the engine's default: VLLM_DEFAULTS.gpuMemoryUtilization, SGLANG_DEFAULTS.memFractionStatic, LLAMA_CPP_DEFAULTS.memoryFraction
   */
  readonly gpuMemoryUtilization?: number;
  /**
   * Most sequences batched at once (`--max-num-seqs`).
   * @default - vLLM's default
   */
  readonly maxNumSeqs?: number;
  /**
   * Warn when the KV cache holds fewer full-length sequences than this.
   * @default 4
   */
  readonly minConcurrentSequences?: number;
  /**
   * Model revision (branch, tag or commit) to pin.
   * @default - the default branch
   */
  readonly revision?: string;
  /**
   * More engine arguments (the engine's own flags; those the stack manages are refused).
   * @default - none
   */
  readonly extraArgs?: string[];
  /**
   * How long a replica may take to become ready (startup probe budget).
   * @default - estimated from the weights: 300 s + 12 s/GiB (Hugging Face) or 3 s/GiB (S3 streamer)
   */
  readonly startupTimeout?: Duration;
  /**
   * Autoscaling signal and target.
   * @default - queue depth, 5 waiting requests per replica
   */
  readonly autoscaling?: ModelAutoscalingOptions;
  /**
   * CPU request of an engine pod (no CPU limit).
   * @default - 75% of the pod's share (GPUs / GPUs per node) of the smallest instance type in the pool
   */
  readonly cpu?: number;
  /**
   * Memory request and limit of an engine pod.
   * @default - 75% of the pod's share of the smallest instance type's memory
   */
  readonly memory?: Size;
  /**
   * Size of the memory-backed `/dev/shm` (only with tensor parallelism > 1; counts against `memory`).
   * @default - a quarter of `memory`, between 1 and 8 GiB
   */
  readonly shmSize?: Size;
  /**
   * Annotate pods `karpenter.sh/do-not-disrupt` so consolidation never evicts a replica that took minutes to load.
   * @default - true when the pool uses Karpenter
   */
  readonly doNotDisrupt?: boolean;
  /**
   * Grace period from SIGTERM to SIGKILL; at most 120 s on pools that use spot (the interruption notice).
   * @default Duration.seconds(120)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * Sleep before SIGTERM so the router stops sending new requests first.
   * @default Duration.seconds(15)
   */
  readonly preStopSleep?: Duration;
  /**
   * KMS key encrypting the S3 weights (adds `kms:Decrypt` to the engine's role).
   * @default - none (SSE-S3)
   */
  readonly s3KmsKeyArn?: string;
  /**
   * Progressive rollout of new revisions of this model (a change of `revision`, `image`,
   * `extraArgs` or any other pod setting): a canary (or blue/green preview) gated by the evaluation
   * and by Prometheus checks against the stable pods, with automatic rollback. Needs the stack's
   * `rollouts` controller and `metrics` (docs/rollouts.md).
   * @default - off: a plain Deployment rolling update
   */
  readonly rollout?: ModelRolloutOptions;
}

/** The API key clients send (`Authorization: Bearer <key>`), checked by every engine. */
export interface ApiKeyOptions {
  /**
   * An existing Secret holding the key. Without it the library generates one: a Secrets Manager
   * random password (ephemeral resource) written with the write-only `data_wo` of a Secret, so
   * the key is in neither the Terraform state nor the plan (Terraform 1.11+).
   * @default - generated into the Secret `<release>-api-key`
   */
  readonly existingSecretName?: string;
  /**
   * Key of the Secret holding the API key.
   * @default 'api-key'
   */
  readonly secretKey?: string;
  /**
   * Bump to rotate a generated key (the write-only value is only sent when this changes).
   * @default 1
   */
  readonly revision?: number;
}

/** An existing Secret with the Hugging Face token (for gated models such as Llama). */
export interface HuggingFaceTokenOptions {
  /** Secret name (in the serving namespace). */
  readonly secretName: string;
  /**
   * Key of the token in the Secret.
   * @default 'token'
   */
  readonly secretKey?: string;
}

/** A persistent, shared cache of downloaded weights (Hugging Face models). */
export interface ModelCacheOptions {
  /**
   * Storage class (must exist in the cluster; `efs-sc` is the EFS CSI driver's usual name).
   * @default 'efs-sc'
   */
  readonly storageClassName?: string;
  /**
   * Access mode.
   * @default VolumeAccessMode.READ_WRITE_MANY
   */
  readonly accessMode?: VolumeAccessMode;
  /**
   * Requested size (EFS ignores it; EBS/FSx provision it).
   * @default - 1.2 × the weights of every model + 20 GiB
   */
  readonly size?: Size;
}

/** Autoscaling of the stack. */
export interface ServingAutoscalingOptions {
  /**
   * The autoscaler.
   * @default - AutoscalerKind.KEDA when a model's replicas.min differs from replicas.max (or is 0), else NONE
   */
  readonly autoscaler?: AutoscalerKind;
  /**
   * The cluster's KEDA.
   * @default - Keda.forCluster(): the cluster's KEDA, created once if missing
   */
  readonly keda?: IKeda;
  /**
   * Time between metric checks (5 seconds to 10 minutes, whole seconds: KEDA's `pollingInterval`).
   * @default Duration.seconds(15)
   */
  readonly pollingInterval?: Duration;
  /**
   * How far back the HPA looks before removing a replica (0 to 1 hour, whole seconds).
   * @default Duration.minutes(10)
   */
  readonly scaleDownStabilization?: Duration;
  /**
   * Time without traffic before a scale-to-zero model goes to zero (1 minute to 1 day, whole
   * seconds: KEDA's `cooldownPeriod`).
   * @default Duration.minutes(30)
   */
  readonly scaleToZeroCooldown?: Duration;
}

/**
 * An internal ALB in front of the router (AWS Load Balancer Controller); the same options as
 * MLflow's ({@link InternalAlbIngressOptions}).
 */
export interface ServingIngressOptions extends InternalAlbIngressOptions {}

/** The router. */
export interface VllmRouterOptions {
  /**
   * Replicas (2 keeps the endpoint up through a node drain).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Routing among the engines of a model.
   * @default RouterRoutingLogic.ROUND_ROBIN
   */
  readonly routingLogic?: RouterRoutingLogic;
  /**
   * Other engines a request is retried on when its engine fails before answering (an interrupted spot node).
   * @default 2
   */
  readonly failoverRetries?: number;
  /**
   * Nodes the router runs on.
   * @default - the cluster's system nodes (on-demand: the single entry point survives spot interruptions)
   */
  readonly nodeSelector?: Record<string, string>;
}

/** Alert thresholds. */
export interface ServingAlertOptions {
  /**
   * Waiting requests per replica that raise VllmQueueHigh.
   * @default 10
   */
  readonly queueDepth?: number;
  /**
   * p95 end-to-end latency that raises VllmLatencyHigh.
   * @default Duration.seconds(60)
   */
  readonly latencyP95?: Duration;
  /**
   * KV-cache usage that raises VllmKvCacheSaturated.
   * @default 0.95
   */
  readonly kvCacheUsage?: number;
}

/** What a serving stack is made of, without the platform it runs on (see {@link VllmServingStackProps}). */
export interface VllmServingStackOptions {
  /** The models (one router serves them all, routing by model name). */
  readonly models: VllmModelOptions[];
  /**
   * Namespace.
   * @default - the release name
   */
  readonly namespace?: string;
  /**
   * Create the namespace (Pod Security `restricted`, default-deny ingress).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Helm release name (DNS-1035 label, at most 40 characters): prefixes every object.
   * @default - the construct id
   */
  readonly releaseName?: string;
  /**
   * The API key.
   * @default - generated (never in state)
   */
  readonly apiKey?: ApiKeyOptions;
  /**
   * Hugging Face token for gated models.
   * @default - none (public models only)
   */
  readonly huggingFaceToken?: HuggingFaceTokenOptions;
  /**
   * Persistent cache for Hugging Face downloads.
   * @default - none: each replica downloads into an emptyDir (a warning)
   */
  readonly modelCache?: ModelCacheOptions;
  /**
   * Autoscaling.
   * @default - see ServingAutoscalingOptions
   */
  readonly autoscaling?: ServingAutoscalingOptions;
  /**
   * Internal ALB in front of the router.
   * @default - none: the router is a ClusterIP Service
   */
  readonly ingress?: ServingIngressOptions;
  /**
   * Namespaces whose pods may call the router.
   * @default - the serving namespace only
   */
  readonly clientNamespaces?: string[];
  /**
   * Router settings.
   * @default - see VllmRouterOptions
   */
  readonly router?: VllmRouterOptions;
  /**
   * `runtimeClassName` of the engine pods, for clusters whose containerd needs the NVIDIA runtime class.
   * @default - none (EKS GPU AMIs make the NVIDIA runtime the default)
   */
  readonly runtimeClassName?: string;
  /**
   * vLLM image.
   * @default SERVING_IMAGES.vllm
   */
  readonly vllmImage?: ImageSpec;
  /**
   * Router image.
   * @default SERVING_IMAGES.router
   */
  readonly routerImage?: ImageSpec;
  /**
   * Alert thresholds.
   * @default - see ServingAlertOptions
   */
  readonly alerts?: ServingAlertOptions;
  /**
   * Wait for the engines to be ready before the release counts as deployed (the timeout follows the slowest start-up budget).
   * @default true
   */
  readonly waitForReady?: boolean;
  /**
   * Chart version override.
   * @default CHARTS.vllmStack.version
   */
  readonly chartVersion?: string;
  /**
   * Values merged over the library's (escape hatch, not validated).
   * @default - none
   */
  readonly extraValues?: JsonObject;
  /**
   * The progressive-delivery controller (`ArgoRollouts`) for models with `rollout`.
   * @default - ArgoRollouts.forCluster when a model has `rollout`
   */
  readonly rollouts?: IProgressiveDelivery;
}

/** Props of {@link VllmServingStack}. */
export interface VllmServingStackProps extends VllmServingStackOptions {
  /** The cluster. */
  readonly cluster: ICluster;
  /** The GPU pool the engines run on. */
  readonly gpuPool: IGpuNodePool;
  /**
   * The metrics backbone: ServiceMonitors, alert rules, dashboard, and the Prometheus KEDA queries.
   * @default - no monitoring (a warning); required for KEDA autoscaling
   */
  readonly metrics?: IMetricsBackbone;
}

/** A model's memory estimate on one instance type. */
export interface InstanceTypeEstimate {
  /** Instance type. */
  readonly instanceType: string;
  /** The estimate for one GPU of it. */
  readonly estimate: ModelMemoryEstimate;
}

/** What the stack decided for one model (sizes, budgets, prices), for reports and tests. */
export interface ServedModelPlan {
  /** Model name. */
  readonly name: string;
  /** The engine serving the model. */
  readonly engine: ServingEngine;
  /** What the engine loads. */
  readonly model: string;
  /** Names clients may send in `model` (the first labels the metrics). */
  readonly servedModelNames: string[];
  /** Engine Deployment name. */
  readonly deploymentName: string;
  /** GPUs per replica. */
  readonly tensorParallelSize: number;
  /** Context length served. */
  readonly maxModelLen: number;
  /** Replica range. */
  readonly replicas: ReplicaRange;
  /** Memory estimate per instance type of the pool. */
  readonly estimates: InstanceTypeEstimate[];
  /** Start-up budget of one replica (container start to ready), seconds. */
  readonly startupSeconds: number;
  /** Scale-from-zero budget: node launch + image pull + start-up, seconds. */
  readonly coldStartSeconds: number;
  /** On-demand price of one replica's GPUs on the cheapest instance type of the pool, USD per hour. */
  readonly replicaHourlyUsd: number;
}
