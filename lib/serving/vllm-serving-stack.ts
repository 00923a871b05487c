import { IOpenAiEndpoint } from '../evaluation/types';
import { Construct } from 'constructs';
import { Annotations, ITerraformDependable, Token } from 'cdktf';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { IKeda, Keda } from '../autoscaling/keda';
import { buildPrometheusScaledObject } from '../autoscaling/scaled-object';
import { ICluster } from '../cluster/cluster-reference';
import { ServiceAccountRole, PolicyStatement } from '../cluster/iam';
import { validateCidr } from '../core/cidr';
import { ValidationError, check } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { Duration, Size } from '../core/units';
import { validateFraction, validateInteger, validateMinMax, validateNonEmpty, validateNumber, validatePattern } from '../core/validate';
import { GpuInstanceType } from '../gpu/catalog';
import { CapacityPreference, GpuCapacityMode, IGpuNodePool } from '../gpu/types';
import { IIngressController, AwsLoadBalancerController } from '../ingress/aws-load-balancer-controller';
import { awsPartition } from '../ingress/alb-controller-policy';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { ManifestChart } from '../k8s/manifest-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { JsonObject, JsonValue, KubernetesObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { IMetricsBackbone } from '../observability/types';
import { EphemeralRandomPassword } from '../secrets/ephemeral-random-password';
import {
  EngineContext, ResolvedModel, allEnginesSelector, enginePodAnnotations, enginePodSpec, isAutoscaled, renderEngineObjects,
  renderModelCacheClaim, renderNetworkPolicies, routerSelector,
} from './engine-manifests';
import { ImageSpec, SERVING_IMAGES } from './images';
import { AutoscalerKind, RouterRoutingLogic, ScalingMetric, VolumeAccessMode } from './types';
import { ModelArchitecture, findModelArchitecture } from './models';
import {
  COLD_START_NODE_AND_IMAGE_SECONDS, KvCacheDtype, ModelMemoryEstimate, ModelPrecision, WeightSource, estimateModelMemory,
  estimateStartupSeconds, gpuComputeCapability, gpuMemoryGiB, replicaHourlyUsd, tensorParallelProblem,
} from './sizing';
import { MonitoredModel, engineSeries, kvCacheUsageExpr, promRegexEscape, renderAlertRules, renderDashboardConfigMap, renderServiceMonitors } from './serving-monitoring';

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
  /** Hugging Face model id (`meta-llama/Llama-3.1-8B-Instruct`) or an S3 prefix (`s3://bucket/models/llama-8b`, loaded with the Run:ai streamer). */
  readonly model: string;
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
   * Fraction of GPU memory vLLM may use.
   * @default 0.9
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
   * More `vllm serve` arguments.
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
   * Seconds between metric checks.
   * @default 15
   */
  readonly pollingIntervalSeconds?: number;
  /**
   * Seconds the HPA looks back before removing a replica.
   * @default 600
   */
  readonly scaleDownStabilizationSeconds?: number;
  /**
   * Seconds without traffic before a scale-to-zero model goes to zero.
   * @default 1800
   */
  readonly scaleToZeroCooldownSeconds?: number;
}

/** An internal ALB in front of the router (AWS Load Balancer Controller). */
export interface ServingIngressOptions {
  /** Host name clients use (the DNS record pointing at the ALB is yours to create). */
  readonly host: string;
  /** ACM certificate ARN for the HTTPS listener (HTTP redirects to HTTPS). */
  readonly certificateArn: string;
  /** CIDRs allowed to reach the ALB (its security group). `0.0.0.0/0` is rejected. */
  readonly clientCidrs: string[];
  /**
   * CIDRs of the subnets the internal ALB runs in (usually the VPC CIDR): with `target-type: ip`
   * the ALB connects to the router pods directly, so the NetworkPolicy admits them.
   */
  readonly loadBalancerSourceCidrs: string[];
  /**
   * TLS policy of the HTTPS listener.
   * @default 'ELBSecurityPolicy-TLS13-1-2-2021-06'
   */
  readonly sslPolicy?: string;
  /**
   * ALB idle timeout: long streamed completions must not be cut.
   * @default Duration.seconds(600)
   */
  readonly idleTimeout?: Duration;
  /**
   * The ingress controller.
   * @default - AwsLoadBalancerController.forCluster(): the cluster's controller, created once if missing
   */
  readonly controller?: IIngressController;
}

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
  /** What `vllm serve` loads. */
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

const RELEASE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;
const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CERT_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const ROUTER_PORT = 8000;
const DEFAULT_MAX_MODEL_LEN = 32768;

/** `x.y` with one decimal, for messages. */
function gib(n: number): string {
  return `${n.toFixed(1)} GiB`;
}

/**
 * Production LLM serving with the vLLM production stack: one router (chart) in front of one vLLM
 * Deployment per model, right-sized at synth time against every instance type of the GPU pool,
 * autoscaled on queue depth or KV-cache usage (KEDA, optional scale-to-zero), safe on spot
 * (preStop + grace period, router retries, PDBs, zone spread, do-not-disrupt), locked down
 * (API key never in state, restricted pods, NetworkPolicies) and observed (ServiceMonitors,
 * alerts, dashboard with tokens/s and cost per 1M tokens).
 */
export class VllmServingStack extends Construct implements IWorkloadSource, IOpenAiEndpoint {
  /** The production-stack chart release (router + engines via `extraObjects`). */
  public readonly chart: HelmChart;
  /** Helm release name (prefix of every object). */
  public readonly releaseName: string;
  /** Namespace. */
  public readonly namespace: string;
  /** In-cluster OpenAI-compatible base URL (`…/v1`). */
  public readonly endpoint: string;
  /** The router's OpenAI-compatible base URL (same as `endpoint`). */
  public readonly baseUrl: string;
  /** @inheritdoc */
  public readonly modelNames: string[];
  /** @inheritdoc */
  public readonly servedModelNames: Record<string, string>;
  /** @inheritdoc */
  public readonly modelIds: Record<string, string>;
  /** The short name of the stack's model when it serves exactly one (the evaluation's default `model`). */
  public readonly defaultModel?: string;
  /** HTTPS URL of the internal ALB, when `ingress` is given. */
  public readonly externalUrl?: string;
  /** Secret holding the API key (key {@link apiKeySecretKey}). */
  public readonly apiKeySecretName: string;
  /** Key of the API key in {@link apiKeySecretName}. */
  public readonly apiKeySecretKey: string;
  /** The generated API key Secret, when the key is generated. */
  public readonly generatedApiKey?: SecretV1;
  /** ServiceMonitors, alert rules and dashboard, when `metrics` is given. */
  public readonly monitoring?: ManifestChart;
  /** KEDA ScaledObjects, when KEDA scales the engines. */
  public readonly scaledObjects?: ManifestChart;
  /** IRSA roles of engines that stream weights from S3, by model name. */
  public readonly modelRoles: { readonly [model: string]: ServiceAccountRole } = {};
  /** Per-model plans: sizes, budgets, prices. */
  public readonly plans: ServedModelPlan[];
  /** The GPU pool the engines run on. */
  public readonly gpuPool: IGpuNodePool;
  /** The autoscaler in use. */
  public readonly autoscaler: AutoscalerKind;
  private readonly resolved: ResolvedModel[];
  private readonly engineContext: EngineContext;

  /** Creates the stack. */
  public constructor(scope: Construct, id: string, props: VllmServingStackProps) {
    super(scope, id);
    const release = props.releaseName ?? id;
    validatePattern(this, 'releaseName', release, RELEASE_NAME, 'be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter) of at most 40 characters');
    check(release.length <= 40, this, 'releaseName', release, 'must be at most 40 characters (Helm allows 53 and the monitoring release appends "-monitoring")');
    this.releaseName = release;
    this.namespace = validateDns1123Label(this, 'namespace', props.namespace ?? release);
    const pool = props.gpuPool;
    this.validatePool(pool);
    if (!Array.isArray(props.models) || props.models.length === 0) throw new ValidationError(this, 'models', props.models, 'must list at least one model');

    // --- autoscaler ---------------------------------------------------------------------------
    const wantsScaling = props.models.some((m) => (m.replicas ? m.replicas.min !== m.replicas.max || m.replicas.min === 0 : false));
    this.autoscaler = props.autoscaling?.autoscaler ?? (wantsScaling ? AutoscalerKind.KEDA : AutoscalerKind.NONE);
    if (this.autoscaler === AutoscalerKind.KEDA && !props.metrics) {
      throw new ValidationError(this, 'metrics', undefined, 'is required with KEDA autoscaling: the triggers query Prometheus (give the platform\'s IMetricsBackbone, or autoscaling.autoscaler: AutoscalerKind.HPA/NONE)');
    }

    // --- secrets -------------------------------------------------------------------------------
    const apiKey = props.apiKey ?? {};
    this.apiKeySecretKey = apiKey.secretKey ?? 'api-key';
    validatePattern(this, 'apiKey.secretKey', this.apiKeySecretKey, /^[-._a-zA-Z0-9]{1,253}$/, 'be a Secret key (letters, digits, "-", "_", ".")');
    let namespaceRef = this.namespace;
    let platformNamespace: PlatformNamespace | undefined;
    if (props.createNamespace ?? true) {
      platformNamespace = new PlatformNamespace(this, 'namespace', {
        name: this.namespace,
        // The ALB controller adds a readiness gate to pods in labelled namespaces: a rollout then
        // waits until the new router pod is registered with the target group.
        labels: props.ingress ? { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } : undefined,
      });
      namespaceRef = platformNamespace.name;
    }
    if (apiKey.existingSecretName !== undefined) {
      this.apiKeySecretName = validateDns1123Label(this, 'apiKey.existingSecretName', apiKey.existingSecretName);
    } else {
      // DEVIATION: the issue asks for a sensitive output of the generated key; the key never enters
      // Terraform (ephemeral value into a write-only attribute), so there is nothing to output.
      this.apiKeySecretName = `${release}-api-key`;
      const password = new EphemeralRandomPassword(this, 'api-key-value', { length: 48 });
      this.generatedApiKey = new SecretV1(this, 'api-key', {
        metadata: { name: this.apiKeySecretName, namespace: namespaceRef, labels: { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' } },
        type: 'Opaque',
        dataWo: { [this.apiKeySecretKey]: password.value },
        dataWoRevision: validateInteger(this, 'apiKey.revision', apiKey.revision ?? 1, 1),
      });
    }
    let hfToken: { name: string; key: string } | undefined;
    if (props.huggingFaceToken) {
      hfToken = {
        name: validateDns1123Label(this, 'huggingFaceToken.secretName', props.huggingFaceToken.secretName),
        key: validatePattern(this, 'huggingFaceToken.secretKey', props.huggingFaceToken.secretKey ?? 'token', /^[-._a-zA-Z0-9]{1,253}$/, 'be a Secret key (letters, digits, "-", "_", ".")'),
      };
    }

    // --- models --------------------------------------------------------------------------------
    const names = new Set<string>();
    const served = new Set<string>();
    const plans: ServedModelPlan[] = [];
    this.resolved = props.models.map((m, i) => {
      const r = this.resolveModel(m, i, props, pool, release);
      if (names.has(r.model.name)) throw new ValidationError(this, `models[${i}].name`, r.model.name, 'must be unique within the stack');
      names.add(r.model.name);
      for (const s of r.model.servedModelNames) {
        if (served.has(s)) throw new ValidationError(this, `models[${i}].model`, s, 'is already served by another model of the stack: the router routes by model name, so each name must be unique');
        served.add(s);
      }
      plans.push(r.plan);
      return r.model;
    });
    this.plans = plans;
    this.gpuPool = props.gpuPool;

    // --- model cache ---------------------------------------------------------------------------
    let modelCacheClaim: string | undefined;
    const extraObjects: KubernetesObject[] = [];
    const hfModels = this.resolved.filter((m) => m.source === WeightSource.HUGGING_FACE);
    if (props.modelCache) {
      const accessMode = props.modelCache.accessMode ?? VolumeAccessMode.READ_WRITE_MANY;
      const storageClass = validateDns1123Label(this, 'modelCache.storageClassName', props.modelCache.storageClassName ?? 'efs-sc');
      const pods = this.resolved.reduce((n, m) => n + m.maxReplicas, 0);
      if (accessMode === VolumeAccessMode.READ_WRITE_ONCE && pods > 1) {
        throw new ValidationError(this, 'modelCache.accessMode', accessMode, `cannot be ReadWriteOnce with up to ${pods} engine pods on different nodes; use ReadWriteMany (EFS: storage class "efs-sc")`);
      }
      const weights = this.plans.reduce((n, p) => n + p.estimates[0].estimate.weightsGiB, 0);
      const size = props.modelCache.size ?? Size.gibibytes(Math.ceil((weights * 1.2 + 20) / 10) * 10);
      modelCacheClaim = `${release}-model-cache`;
      extraObjects.push(renderModelCacheClaim(release, this.namespace, storageClass, accessMode, size));
    } else if (hfModels.length > 0) {
      Annotations.of(this).addWarning(
        `no modelCache: every new replica of ${hfModels.map((m) => m.name).join(', ')} downloads its weights from the Hugging Face hub (docs/serving.md, "Model weights"). Give modelCache (EFS "efs-sc", ReadWriteMany) or serve from S3 (s3://… with the Run:ai streamer).`,
      );
    }

    this.engineContext = {
      release,
      namespace: this.namespace,
      pool,
      image: this.validateImage('vllmImage', props.vllmImage ?? SERVING_IMAGES.vllm),
      apiKeySecret: { name: this.apiKeySecretName, key: this.apiKeySecretKey },
      hfTokenSecret: hfToken,
      modelCacheClaim,
      runtimeClassName: props.runtimeClassName,
      region: props.cluster.region,
    };
    if (props.runtimeClassName !== undefined) validateDns1123Label(this, 'runtimeClassName', props.runtimeClassName);
    for (const m of this.resolved) extraObjects.push(...renderEngineObjects(this.engineContext, m));

    // --- network policies ------------------------------------------------------------------------
    const clientNamespaces = props.clientNamespaces ?? [this.namespace];
    clientNamespaces.forEach((ns, i) => validateDns1123Label(this, `clientNamespaces[${i}]`, ns));
    const ingress = props.ingress;
    if (ingress) this.validateIngress(ingress);
    extraObjects.push(
      ...renderNetworkPolicies({
        release,
        namespace: this.namespace,
        routerPort: ROUTER_PORT,
        metricsNamespace: props.metrics?.namespace,
        clientNamespaces,
        loadBalancerSourceCidrs: ingress?.loadBalancerSourceCidrs ?? [],
      }),
    );

    // --- the chart -----------------------------------------------------------------------------
    const router = props.router ?? {};
    const routerReplicas = validateInteger(this, 'router.replicas', router.replicas ?? 2, 1, 20);
    const retries = validateInteger(this, 'router.failoverRetries', router.failoverRetries ?? 2, 0, 10);
    const routerNodes = router.nodeSelector ?? props.cluster.systemNodeSelector ?? {};
    const routerImage = this.validateImage('routerImage', props.routerImage ?? SERVING_IMAGES.router);
    const ingressController = ingress ? (ingress.controller ?? AwsLoadBalancerController.forCluster(this, props.cluster)) : undefined;
    const startup = Math.max(...this.resolved.map((m) => m.startupSeconds));
    const dependsOn: ITerraformDependable[] = [];
    if (this.generatedApiKey) dependsOn.push(this.generatedApiKey);
    if (ingressController) dependsOn.push(ingressController.dependable);
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.vllmStack,
      releaseName: release,
      namespace: namespaceRef,
      version: props.chartVersion,
      // The chart's only CRD is the LoRA adapter's; this stack does not use the LoRA controller.
      installCrds: false,
      wait: props.waitForReady ?? true,
      timeoutSeconds: startup + 600,
      dependsOn,
      values: {
        // DEVIATION: the chart's engine template cannot express the grace period, preStop hook,
        // topology spread or per-model probes: the engines are rendered by the library and
        // installed through the chart's extraObjects (docs/serving.md, "what the chart cannot express").
        servingEngineSpec: { enableEngine: false },
        routerSpec: this.routerValues(release, routerReplicas, retries, routerNodes, routerImage, router.routingLogic ?? RouterRoutingLogic.ROUND_ROBIN, ingress, ingressController),
        extraObjects: extraObjects as unknown as JsonValue[],
      },
      extraValues: props.extraValues,
    });
    this.endpoint = `http://${release}-router-service.${this.namespace}.svc.cluster.local/v1`;
    this.baseUrl = this.endpoint;
    this.modelNames = this.plans.flatMap((p) => p.servedModelNames);
    this.servedModelNames = Object.fromEntries(this.plans.flatMap((p) => p.servedModelNames.map((n) => [n, p.name])));
    this.modelIds = Object.fromEntries(this.plans.map((p) => [p.name, p.model]));
    // One model answers to its short name and its Hugging Face id: still one model.
    this.defaultModel = this.resolved.length === 1 ? this.resolved[0].name : undefined;
    this.externalUrl = ingress ? `https://${ingress.host}/v1` : undefined;

    // --- autoscaling ----------------------------------------------------------------------------
    const scaled = this.resolved.filter((m) => isAutoscaled(m));
    if (this.autoscaler === AutoscalerKind.KEDA && scaled.length > 0) {
      const keda = props.autoscaling?.keda ?? Keda.forCluster(this, props.cluster);
      const a = props.autoscaling ?? {};
      const polling = validateInteger(this, 'autoscaling.pollingIntervalSeconds', a.pollingIntervalSeconds ?? 15, 5, 600);
      const stabilization = validateInteger(this, 'autoscaling.scaleDownStabilizationSeconds', a.scaleDownStabilizationSeconds ?? 600, 0, 3600);
      const cooldown = validateInteger(this, 'autoscaling.scaleToZeroCooldownSeconds', a.scaleToZeroCooldownSeconds ?? 1800, 60, 86400);
      this.scaledObjects = new ManifestChart(this, 'autoscaling', {
        releaseName: `${release}-autoscaling`,
        namespace: namespaceRef,
        dependsOn: [keda.dependable, this.chart.release],
      });
      for (const m of scaled) {
        this.scaledObjects.addManifest(this.scaledObject(m, props.metrics!.prometheusUrl, polling, stabilization, cooldown));
      }
    } else if (this.autoscaler === AutoscalerKind.HPA && scaled.length > 0) {
      Annotations.of(this).addWarning(
        `autoscaling.autoscaler is HPA: the HorizontalPodAutoscalers read the per-pod metrics ${[...new Set(scaled.map((m) => m.hpaMetricName))].join(', ')} from the custom metrics API; install a custom metrics adapter (prometheus-adapter) with rules for them (docs/serving.md).`,
      );
    }

    // --- monitoring ------------------------------------------------------------------------------
    if (props.metrics) {
      const metrics = props.metrics;
      const alerts = props.alerts ?? {};
      const monitored: MonitoredModel[] = this.resolved.map((m, i) => ({ name: m.name, deploymentName: m.deploymentName, replicaHourlyUsd: this.plans[i].replicaHourlyUsd }));
      const noReplicaMinutes = Math.ceil(Math.max(...this.plans.map((p) => p.coldStartSeconds)) / 60) + 5;
      this.monitoring = new ManifestChart(this, 'monitoring', {
        releaseName: `${release}-monitoring`,
        namespace: namespaceRef,
        dependsOn: [...metrics.crdDependencies],
      });
      for (const sm of renderServiceMonitors(release, this.namespace, metrics.monitorLabels)) this.monitoring.addManifest(sm);
      this.monitoring.addManifest(
        renderAlertRules(release, this.namespace, metrics.ruleLabels, monitored, {
          queueDepth: validateNumber(this, 'alerts.queueDepth', alerts.queueDepth ?? 10, 0, 10000),
          latencyP95Seconds: (alerts.latencyP95 ?? Duration.seconds(60)).toSeconds(),
          kvCacheUsage: validateFraction(this, 'alerts.kvCacheUsage', alerts.kvCacheUsage ?? 0.95),
          noReplicaMinutes,
        }),
      );
      this.monitoring.addManifest(renderDashboardConfigMap(release, this.namespace, metrics.namespace, metrics.dashboardLabels, monitored));
    } else {
      Annotations.of(this).addWarning('no metrics backbone: no ServiceMonitors, alert rules or dashboard for the vLLM engines and router (give `metrics`).');
    }
  }

  /** The pool must give each replica whole, unshared GPUs. */
  private validatePool(pool: IGpuNodePool): void {
    if (!pool.instanceTypes || pool.instanceTypes.length === 0) throw new ValidationError(this, 'gpuPool.instanceTypes', pool.instanceTypes, 'must list the instance types of the pool');
    if (pool.sharing?.migProfile !== undefined) {
      throw new ValidationError(this, 'gpuPool.sharing.migProfile', pool.sharing.migProfile, 'is not supported for serving: vLLM preallocates a fraction of the whole GPU and cannot span MIG slices; serve from a pool without MIG');
    }
    if (pool.sharing?.timeSlicingReplicas !== undefined) {
      throw new ValidationError(this, 'gpuPool.sharing.timeSlicingReplicas', pool.sharing.timeSlicingReplicas, 'is not supported for serving: each vLLM replica preallocates gpuMemoryUtilization of the whole GPU, so a second replica on a time-sliced GPU fails to start (docs/gpu-node-pools.md, "GPU sharing"); serve from a pool without time-slicing');
    }
  }

  private resolveModel(m: VllmModelOptions, i: number, props: VllmServingStackProps, pool: IGpuNodePool, release: string): { model: ResolvedModel; plan: ServedModelPlan } {
    const p = `models[${i}]`;
    const name = validateDns1123Label(this, `${p}.name`, m.name);
    const deploymentName = `${release}-${name}-engine`;
    check(deploymentName.length <= 63, this, `${p}.name`, name, `makes the engine name "${deploymentName}" ${deploymentName.length} characters long; Service names allow 63 (shorten the name or the release name)`);
    validateNonEmpty(this, `${p}.model`, m.model);
    const model = m.model.trim();
    const s3 = S3_URI.exec(model);
    if (!s3 && !HF_ID.test(model)) {
      throw new ValidationError(this, `${p}.model`, m.model, 'must be a Hugging Face model id ("org/name") or an S3 prefix ("s3://bucket/path")');
    }
    const source = s3 ? WeightSource.S3_STREAMER : WeightSource.HUGGING_FACE;

    // Architecture: explicit, then the base model, then the model id.
    const catalogId = m.baseModel ?? (s3 ? undefined : model);
    const arch = m.architecture ?? (catalogId ? findModelArchitecture(catalogId) : undefined);
    if (!arch) {
      throw new ValidationError(this, m.baseModel ? `${p}.baseModel` : `${p}.model`, m.baseModel ?? m.model, 'is not in MODEL_CATALOG: give `architecture` (parameters, layers, heads, KV heads, head dim, context length from its config.json) or `baseModel` (a catalog id with the same architecture)');
    }
    if (m.architecture) this.validateArchitecture(`${p}.architecture`, m.architecture);

    // Replicas.
    const min = validateInteger(this, `${p}.replicas.min`, m.replicas?.min ?? 1, 0, 1000);
    const max = validateInteger(this, `${p}.replicas.max`, m.replicas?.max ?? (m.replicas ? min : 1), 1, 1000);
    validateMinMax(this, `${p}.replicas.min`, min, `${p}.replicas.max`, max);
    if ((min !== max || min === 0) && this.autoscaler === AutoscalerKind.NONE) {
      throw new ValidationError(this, `${p}.replicas`, { min, max }, 'needs an autoscaler when min differs from max or is 0 (autoscaling.autoscaler is NONE); set min equal to max or use KEDA');
    }
    if (min === 0 && this.autoscaler === AutoscalerKind.HPA) {
      throw new ValidationError(this, `${p}.replicas.min`, min, 'cannot be 0 with the HPA (it cannot scale to zero); use KEDA for scale-to-zero');
    }

    // Parallelism and memory.
    const tp = validateInteger(this, `${p}.tensorParallelSize`, m.tensorParallelSize ?? 1, 1, 64);
    const precision = m.precision ?? arch.checkpointPrecision ?? ModelPrecision.BF16;
    // Engine flags passed through extraArgs that change the memory model.
    const extra = m.extraArgs ?? [];
    const expertParallel = extra.includes('--enable-expert-parallel');
    const hybridKvCache = !extra.includes('--disable-hybrid-kv-cache-manager');
    const batchedArg = extra.map((a, j) => (a.startsWith('--max-num-batched-tokens=') ? a.split('=')[1] : a === '--max-num-batched-tokens' ? extra[j + 1] : undefined)).find((v) => v !== undefined);
    const maxNumBatchedTokens = batchedArg !== undefined && /^\d+$/.test(batchedArg) ? Number(batchedArg) : undefined;
    const tpProblem = tensorParallelProblem(arch, tp, precision, expertParallel);
    if (tpProblem) throw new ValidationError(this, `${p}.tensorParallelSize`, tp, tpProblem);
    const tooSmall = pool.instanceTypes.filter((t) => t.gpuCount < tp);
    if (tooSmall.length > 0) {
      throw new ValidationError(this, `${p}.tensorParallelSize`, tp, `needs ${tp} GPUs on one node, but ${tooSmall.map((t) => `${t.name} has ${t.gpuCount}`).join(', ')}; lower it or remove those instance types from the pool`);
    }
    const kvCacheDtype = m.kvCacheDtype ?? KvCacheDtype.AUTO;
    const maxModelLen = validateInteger(this, `${p}.maxModelLen`, m.maxModelLen ?? Math.min(arch.contextLength, DEFAULT_MAX_MODEL_LEN), 1, arch.contextLength);
    const utilization = validateNumber(this, `${p}.gpuMemoryUtilization`, m.gpuMemoryUtilization ?? 0.9, 0.05, 1);
    if (utilization > 0.95) Annotations.of(this).addWarning(`${p}.gpuMemoryUtilization (${utilization}) leaves under 5% of GPU memory for the CUDA context and fragmentation; vLLM may fail with out-of-memory under load`);
    const minSeqs = validateInteger(this, `${p}.minConcurrentSequences`, m.minConcurrentSequences ?? 4, 1);
    for (const t of pool.instanceTypes) this.checkComputeCapability(`${p}.precision`, precision, t);
    const estimates: InstanceTypeEstimate[] = pool.instanceTypes.map((t) => ({
      instanceType: t.name,
      estimate: estimateModelMemory({ architecture: arch, gpuMemoryGiB: gpuMemoryGiB(t), precision, kvCacheDtype, tensorParallelSize: tp, maxModelLen, gpuMemoryUtilization: utilization, maxNumBatchedTokens, hybridKvCache }),
    }));
    estimates.forEach(({ instanceType, estimate: e }) => {
      const t = pool.instanceTypes.find((x) => x.name === instanceType)!;
      const where = `${instanceType} (${t.gpuModel}, ${gib(gpuMemoryGiB(t))} per GPU as CUDA reports it)`;
      if (e.weightsPerGpuGiB + e.overheadPerGpuGiB >= e.budgetPerGpuGiB) {
        throw new ValidationError(this, `${p}.model`, model, `does not fit on ${where}: weights ${gib(e.weightsPerGpuGiB)} + overhead ${gib(e.overheadPerGpuGiB)} per GPU exceed the budget ${gib(e.budgetPerGpuGiB)} (gpuMemoryUtilization ${utilization} × ${gib(gpuMemoryGiB(t))}) at tensorParallelSize ${tp}; raise tensorParallelSize, quantize (precision) or use larger GPUs`);
      }
      if (!e.fits) {
        const windowed = e.kvBytesPerSequenceWindowed > 0 ? ` plus ${gib(e.kvBytesPerSequenceWindowed / 1024 ** 3)} per sequence for the sliding-window layers` : '';
        throw new ValidationError(this, `${p}.maxModelLen`, maxModelLen, `does not fit on ${where}: the KV cache gets ${gib(e.kvCachePerGpuGiB)} per GPU = ${e.kvCacheTokens} tokens at ${e.kvBytesPerToken} bytes/token/GPU${windowed}, less than one sequence of ${maxModelLen} tokens (vLLM refuses to start); lower maxModelLen, use kvCacheDtype FP8, raise tensorParallelSize or use larger GPUs`);
      }
      if (e.maxConcurrentSequences < minSeqs) {
        Annotations.of(this).addWarning(`${p} (${name}) on ${where}: the KV cache (${gib(e.kvCachePerGpuGiB)} per GPU, ${e.kvCacheTokens} tokens) holds only ${e.maxConcurrentSequences} concurrent sequence(s) of ${maxModelLen} tokens (minConcurrentSequences ${minSeqs}); lower maxModelLen, use kvCacheDtype FP8 or raise tensorParallelSize`);
      }
    });
    const weightsGiB = estimates[0].estimate.weightsGiB;

    // Start-up and cold-start budgets.
    const startupSeconds = m.startupTimeout ? validateInteger(this, `${p}.startupTimeout`, m.startupTimeout.toSeconds(), 60, 7200) : estimateStartupSeconds(weightsGiB, source);
    const coldStartSeconds = COLD_START_NODE_AND_IMAGE_SECONDS + startupSeconds;
    if (min === 0) {
      Annotations.of(this).addWarning(`${p} (${name}) scales to zero: the first request after idle waits for a GPU node, the image pull and the model load (cold-start budget ~${Math.ceil(coldStartSeconds / 60)} min); the router answers 503 until a replica is ready.`);
    }

    // Pod resources, from the smallest share of a node in the pool.
    const shares = pool.instanceTypes.map((t) => ({ t, share: tp / t.gpuCount }));
    const defaultCpu = Math.max(1, Math.min(...shares.map(({ t, share }) => Math.floor(t.vcpu * share * 0.75))));
    const defaultMemGiB = Math.max(4, Math.min(...shares.map(({ t, share }) => Math.floor(t.memoryGiB * share * 0.75))));
    const cpu = m.cpu ?? defaultCpu;
    validateNumber(this, `${p}.cpu`, cpu, 0.5, 1000);
    const memory = m.memory ?? Size.gibibytes(defaultMemGiB);
    for (const { t, share } of shares) {
      check(cpu <= t.vcpu * share * 0.9, this, `${p}.cpu`, cpu, `does not fit ${t.name}: a replica's share of it (${tp} of ${t.gpuCount} GPUs) is ${(t.vcpu * share).toFixed(1)} vCPU, and the node keeps ~10% for the system`);
      check(memory.toGibibytes() <= t.memoryGiB * share * 0.9, this, `${p}.memory`, `${memory.toGibibytes()} GiB`, `does not fit ${t.name}: a replica's share of it (${tp} of ${t.gpuCount} GPUs) is ${(t.memoryGiB * share).toFixed(1)} GiB, and the node keeps ~10% for the system`);
    }
    let shmSize: Size | undefined;
    if (tp > 1) {
      shmSize = m.shmSize ?? Size.gibibytes(Math.max(1, Math.min(8, Math.floor(memory.toGibibytes() / 4))));
      check(shmSize.toBytes() <= memory.toBytes() / 2, this, `${p}.shmSize`, shmSize.toKubernetes(), `must be at most half of memory (${memory.toKubernetes()}): a memory-backed /dev/shm counts against the container's memory limit`);
    } else if (m.shmSize) {
      Annotations.of(this).addWarning(`${p}.shmSize is ignored: /dev/shm is only mounted with tensorParallelSize > 1`);
    }

    // Spot safety.
    const spot = pool.capacity !== CapacityPreference.ON_DEMAND;
    const grace = validateInteger(this, `${p}.terminationGracePeriod`, (m.terminationGracePeriod ?? Duration.seconds(120)).toSeconds(), 10, spot ? 120 : 3600);
    const preStop = validateInteger(this, `${p}.preStopSleep`, (m.preStopSleep ?? Duration.seconds(15)).toSeconds(), 1, 60);
    check(preStop < grace, this, `${p}.preStopSleep`, preStop, `must be shorter than terminationGracePeriod (${grace}s), leaving time for in-flight requests`);
    const doNotDisrupt = m.doNotDisrupt ?? pool.mode === GpuCapacityMode.KARPENTER;

    // Autoscaling signal.
    const metric = m.autoscaling?.metric ?? ScalingMetric.QUEUE_DEPTH;
    const target = metric === ScalingMetric.QUEUE_DEPTH
      ? validateNumber(this, `${p}.autoscaling.target`, m.autoscaling?.target ?? 5, 0.1, 10000)
      : validateNumber(this, `${p}.autoscaling.target`, m.autoscaling?.target ?? 0.8, 0.05, 1);

    // S3 streaming identity.
    let roleArn: string | undefined;
    if (s3) {
      const bucket = s3[1];
      const prefix = (s3[2] ?? '').replace(/\/+$/, '');
      const partition = awsPartition(props.cluster.region);
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
        validatePattern(this, `${p}.s3KmsKeyArn`, m.s3KmsKeyArn, /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'be a KMS key ARN');
        statements.push({ sid: 'DecryptWeights', actions: ['kms:Decrypt'], resources: [m.s3KmsKeyArn] });
      }
      const role = props.cluster.addServiceAccountRole(this.namespace, deploymentName, { statements });
      (this.modelRoles as { [k: string]: ServiceAccountRole })[name] = role;
      roleArn = role.roleArn;
    } else if (m.s3KmsKeyArn) {
      throw new ValidationError(this, `${p}.s3KmsKeyArn`, m.s3KmsKeyArn, 'only applies to S3 models (model: "s3://…")');
    }

    const servedModelNames = source === WeightSource.HUGGING_FACE && model !== name ? [name, model] : [name];
    const extraArgs = m.extraArgs ?? [];
    extraArgs.forEach((a, j) => check(typeof a === 'string' && !a.includes('{{'), this, `${p}.extraArgs[${j}]`, a, 'must be a string without "{{" (the chart renders extraObjects through tpl)'));
    const reserved = extraArgs.find((a) => /^--(tensor-parallel-size|max-model-len|gpu-memory-utilization|served-model-name|port|host|api-key)(=|$)/.test(a));
    if (reserved) throw new ValidationError(this, `${p}.extraArgs`, reserved, 'sets an argument the stack manages; use the matching prop (tensorParallelSize, maxModelLen, gpuMemoryUtilization, name, apiKey)');
    if (m.revision !== undefined) validatePattern(this, `${p}.revision`, m.revision, /^[A-Za-z0-9._/-]{1,100}$/, 'be a branch, tag or commit');
    if (m.maxNumSeqs !== undefined) validateInteger(this, `${p}.maxNumSeqs`, m.maxNumSeqs, 1, 4096);

    const cheapest = Math.min(...pool.instanceTypes.map((t) => replicaHourlyUsd(t, tp)));
    const emptyDirModelCache = source === WeightSource.HUGGING_FACE && !props.modelCache ? Size.gibibytes(Math.ceil(weightsGiB * 1.1 + 5)) : undefined;
    const resolved: ResolvedModel = {
      name,
      deploymentName,
      modelRef: model,
      source,
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
      scaler: this.autoscaler,
      metric,
      hpaMetricName: metric === ScalingMetric.QUEUE_DEPTH ? 'vllm_num_requests_waiting' : 'vllm_kv_cache_usage_perc',
      target,
    };
    const plan: ServedModelPlan = {
      name,
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
    return { model: resolved, plan };
  }

  /** SECURITY.md: images pinned by tag at least, never `latest`. */
  private validateImage(prop: string, image: ImageSpec): ImageSpec {
    validatePattern(this, `${prop}.repository`, image.repository, /^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'be an image repository such as "vllm/vllm-openai"');
    validatePattern(this, `${prop}.tag`, image.tag, /^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'be a pinned tag (not "latest")');
    return image;
  }

  private validateArchitecture(p: string, a: ModelArchitecture): void {
    validateNumber(this, `${p}.parametersBillions`, a.parametersBillions, 0.01, 5000);
    validateInteger(this, `${p}.layers`, a.layers, 1, 1000);
    validateInteger(this, `${p}.attentionHeads`, a.attentionHeads, 1, 1024);
    validateInteger(this, `${p}.kvHeads`, a.kvHeads, 1, a.attentionHeads);
    check(a.attentionHeads % a.kvHeads === 0, this, `${p}.kvHeads`, a.kvHeads, `must divide attentionHeads (${a.attentionHeads})`);
    validateInteger(this, `${p}.headDim`, a.headDim, 8, 1024);
    validateInteger(this, `${p}.contextLength`, a.contextLength, 128, 10_000_000);
    if (a.hiddenSize !== undefined) validateInteger(this, `${p}.hiddenSize`, a.hiddenSize, 64, 1_000_000);
    if (a.vocabSize !== undefined) validateInteger(this, `${p}.vocabSize`, a.vocabSize, 1, 10_000_000);
    if (a.activeParametersBillions !== undefined) validateNumber(this, `${p}.activeParametersBillions`, a.activeParametersBillions, 0.01, a.parametersBillions);
    if (a.expertParametersBillions !== undefined) validateNumber(this, `${p}.expertParametersBillions`, a.expertParametersBillions, 0, a.parametersBillions);
    if (a.experts !== undefined) validateInteger(this, `${p}.experts`, a.experts, 1, 4096);
    if (a.expertsPerToken !== undefined) validateInteger(this, `${p}.expertsPerToken`, a.expertsPerToken, 1, a.experts ?? 4096);
    if (a.moeIntermediateSize !== undefined) validateInteger(this, `${p}.moeIntermediateSize`, a.moeIntermediateSize, 1, 1_000_000);
    if (a.kvLoraRank !== undefined) validateInteger(this, `${p}.kvLoraRank`, a.kvLoraRank, 1, 65536);
    if (a.qkRopeHeadDim !== undefined) {
      check(a.kvLoraRank !== undefined, this, `${p}.qkRopeHeadDim`, a.qkRopeHeadDim, 'only applies with kvLoraRank (multi-head latent attention)');
      validateInteger(this, `${p}.qkRopeHeadDim`, a.qkRopeHeadDim, 0, 4096);
    }
    if (a.slidingWindow !== undefined) validateInteger(this, `${p}.slidingWindow`, a.slidingWindow, 1, 10_000_000);
    if (a.slidingWindowLayers !== undefined) {
      check(a.slidingWindow !== undefined, this, `${p}.slidingWindowLayers`, a.slidingWindowLayers, 'needs slidingWindow (the window those layers keep)');
      validateInteger(this, `${p}.slidingWindowLayers`, a.slidingWindowLayers, 0, a.layers);
    }
    if (a.weightBlockSize !== undefined) validateInteger(this, `${p}.weightBlockSize`, a.weightBlockSize, 1, 4096);
  }

  private checkComputeCapability(p: string, precision: ModelPrecision, t: GpuInstanceType): void {
    const cc = gpuComputeCapability(t);
    if (cc === undefined) return;
    if (precision === ModelPrecision.BF16 && cc < 8.0) {
      throw new ValidationError(this, p, precision, `is not supported on ${t.name} (${t.gpuModel}, compute capability ${cc}): bfloat16 needs 8.0+; use ModelPrecision.FP16 or remove ${t.family} from the pool`);
    }
    if (precision === ModelPrecision.MXFP4 && cc < 8.0) {
      throw new ValidationError(this, p, precision, `is not supported on ${t.name} (${t.gpuModel}, compute capability ${cc}): MXFP4 checkpoints keep attention in bfloat16 and vLLM's MXFP4 kernels need 8.0+; remove ${t.family} from the pool`);
    }
    if (precision === ModelPrecision.MXFP4 && cc < 9.0) {
      Annotations.of(this).addWarning(`${p} MXFP4 on ${t.name} (${t.gpuModel}, compute capability ${cc}) runs as weight-only FP4 (Marlin kernels): vLLM's gpt-oss recipe names Hopper and Blackwell for its optimized kernels`);
    }
    if (precision === ModelPrecision.FP8 && cc < 8.9) {
      Annotations.of(this).addWarning(`${p} FP8 on ${t.name} (${t.gpuModel}, compute capability ${cc}) runs as weight-only FP8 (Marlin kernels): memory savings without the FP8 compute speed-up of 8.9+ GPUs`);
    }
  }

  private validateIngress(ingress: ServingIngressOptions): void {
    validatePattern(this, 'ingress.host', ingress.host, HOST, 'be a lowercase DNS name such as "llm.internal.example.com"');
    if (!Token.isUnresolved(ingress.certificateArn)) validatePattern(this, 'ingress.certificateArn', ingress.certificateArn, CERT_ARN, 'be an ACM certificate ARN such as "arn:aws:acm:us-west-2:123456789012:certificate/…"');
    if (!ingress.clientCidrs || ingress.clientCidrs.length === 0) throw new ValidationError(this, 'ingress.clientCidrs', ingress.clientCidrs, 'must list the CIDRs allowed to reach the ALB (office/VPN/VPC ranges)');
    ingress.clientCidrs.forEach((c, i) => validateCidr(this, `ingress.clientCidrs[${i}]`, c));
    if (ingress.clientCidrs.some((c) => c.endsWith('/0'))) throw new ValidationError(this, 'ingress.clientCidrs', ingress.clientCidrs, 'must not contain 0.0.0.0/0: list the networks that may reach the endpoint');
    if (!ingress.loadBalancerSourceCidrs || ingress.loadBalancerSourceCidrs.length === 0) {
      throw new ValidationError(this, 'ingress.loadBalancerSourceCidrs', ingress.loadBalancerSourceCidrs, 'must list the CIDRs of the subnets the internal ALB runs in (e.g. the VPC CIDR)');
    }
    ingress.loadBalancerSourceCidrs.forEach((c, i) => validateCidr(this, `ingress.loadBalancerSourceCidrs[${i}]`, c, 8));
    if (ingress.sslPolicy !== undefined) validatePattern(this, 'ingress.sslPolicy', ingress.sslPolicy, /^ELBSecurityPolicy-[A-Za-z0-9-]+$/, 'be an ELB security policy name such as "ELBSecurityPolicy-TLS13-1-2-2021-06"');
    if (ingress.idleTimeout) validateInteger(this, 'ingress.idleTimeout', ingress.idleTimeout.toSeconds(), 1, 4000);
  }

  private routerValues(release: string, replicas: number, retries: number, nodes: Record<string, string>, image: ImageSpec, routing: RouterRoutingLogic, ingress: ServingIngressOptions | undefined, controller: IIngressController | undefined): JsonObject {
    const affinity: JsonObject = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: routerSelector(release) } } },
          { weight: 50, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: routerSelector(release) } } },
        ],
      },
    };
    const keys = Object.keys(nodes);
    if (keys.length > 0) {
      affinity.nodeAffinity = {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: keys.map((k) => ({ key: k, operator: 'In', values: [nodes[k]] })) }] },
      };
    }
    const selector = Object.entries(allEnginesSelector(release)).map(([k, v]) => `${k}=${v}`).join(',');
    const values: JsonObject = {
      enableRouter: true,
      repository: image.repository,
      tag: image.tag,
      imagePullPolicy: 'IfNotPresent',
      replicaCount: replicas,
      serviceType: 'ClusterIP',
      serviceDiscovery: 'k8s',
      k8sServiceDiscoveryType: 'pod-ip',
      routingLogic: routing,
      // The chart passes the engine label selector only for its own engines, and the router does
      // not retry on another engine unless told (default 0 attempts).
      extraArgs: ['--k8s-label-selector', selector, '--max-instance-failover-reroute-attempts', String(retries)],
      vllmApiKey: { secretName: this.apiKeySecretName, secretKey: this.apiKeySecretKey },
      securityContext: restrictedPodSecurityContext(),
      containerSecurityContext: restrictedContainerSecurityContext(),
      env: [{ name: 'HOME', value: '/tmp' }],
      extraVolumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
      extraVolumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
      pdb: replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
      affinity,
      serviceMonitor: { enabled: false },
    };
    if (ingress && controller) {
      const listen = JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]);
      values.ingress = {
        enabled: true,
        className: controller.ingressClassName,
        annotations: {
          'alb.ingress.kubernetes.io/scheme': 'internal',
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/listen-ports': listen,
          'alb.ingress.kubernetes.io/ssl-redirect': '443',
          'alb.ingress.kubernetes.io/certificate-arn': ingress.certificateArn,
          'alb.ingress.kubernetes.io/ssl-policy': ingress.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          'alb.ingress.kubernetes.io/backend-protocol': 'HTTP',
          'alb.ingress.kubernetes.io/healthcheck-path': '/health',
          'alb.ingress.kubernetes.io/inbound-cidrs': ingress.clientCidrs.join(','),
          'alb.ingress.kubernetes.io/load-balancer-attributes': `idle_timeout.timeout_seconds=${(ingress.idleTimeout ?? Duration.seconds(600)).toSeconds()},routing.http.drop_invalid_header_fields.enabled=true`,
          'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
        },
        hosts: [{ host: ingress.host, paths: [{ path: '/', pathType: 'Prefix' }] }],
        tls: [],
      };
    }
    return values;
  }

  private scaledObject(m: ResolvedModel, prometheusUrl: string, polling: number, stabilization: number, cooldown: number): KubernetesObject {
    const sel = engineSeries(this.namespace, m.name);
    const triggers = [
      m.metric === ScalingMetric.QUEUE_DEPTH
        ? { name: 'queue-depth', query: `sum(vllm:num_requests_waiting{${sel}})`, threshold: m.target }
        : { name: 'kv-cache-usage', query: `sum(${kvCacheUsageExpr(sel)})`, threshold: m.target },
    ];
    if (m.minReplicas === 0) {
      // With no engine there are no engine metrics: wake on the router's request counter, which
      // counts requests for a model even when it has no replica (the router answers 503).
      const names = m.servedModelNames.map(promRegexEscape).join('|');
      triggers.push({
        name: 'router-requests',
        query: `sum(rate(vllm:num_incoming_requests_total{namespace="${this.namespace}",model=~"${names}"}[2m]))`,
        // Scaling is driven by the queue; this trigger only activates (any request > 0).
        threshold: 1000,
      });
    }
    return buildPrometheusScaledObject({
      name: m.deploymentName,
      namespace: this.namespace,
      labels: { ...allEnginesSelector(this.releaseName), 'app.kubernetes.io/name': m.name },
      deploymentName: m.deploymentName,
      minReplicas: m.minReplicas,
      maxReplicas: m.maxReplicas,
      prometheusUrl,
      triggers,
      pollingIntervalSeconds: polling,
      cooldownSeconds: cooldown,
      scaleDownStabilizationSeconds: stabilization,
    });
  }

  /** The engine objects (ServiceAccount, Deployment, Service, PDB, HPA) and policies installed through the chart's `extraObjects`. */
  public get engineObjects(): KubernetesObject[] {
    return (this.chart.libraryValues.extraObjects ?? []) as unknown as KubernetesObject[];
  }

  /** @inheritdoc */
  public renderedWorkloads(): RenderedWorkload[] {
    const v = this.chart.renderedValues();
    const routerValues = (v.routerSpec ?? {}) as JsonObject;
    const engines: RenderedWorkload[] = this.resolved.map((m) => {
      const deployment = this.engineObjects.find((o) => o.kind === 'Deployment' && o.metadata.name === m.deploymentName);
      return {
        kind: 'Deployment',
        name: m.deploymentName,
        namespace: this.namespace,
        source: 'manifest',
        replicas: isAutoscaled(m) ? m.maxReplicas : m.minReplicas,
        podSpec: enginePodSpec(this.engineContext, m),
        podMetadata: { labels: { ...allEnginesSelector(this.releaseName), 'app.kubernetes.io/name': m.name }, annotations: enginePodAnnotations(m) },
        object: deployment as unknown as JsonObject,
      };
    });
    const router: RenderedWorkload = {
      kind: 'HelmValues',
      name: `${this.releaseName}-deployment-router`,
      namespace: this.namespace,
      source: 'chart',
      replicas: routerValues.replicaCount as number,
      podMetadata: { labels: routerSelector(this.releaseName) },
      podSpec: {
        // The chart creates this service account; its token stays mounted because the router
        // watches the engine pods through the Kubernetes API.
        serviceAccountName: `${this.releaseName}-router-service-account`,
        securityContext: routerValues.securityContext ?? {},
        affinity: routerValues.affinity ?? {},
        containers: [
          {
            name: 'router-container',
            image: `${routerValues.repository as string}:${routerValues.tag as string}`,
            securityContext: routerValues.containerSecurityContext ?? {},
            resources: routerValues.resources ?? {},
            // The chart's router probes (its defaults): startup, readiness and liveness on /health.
            startupProbe: { httpGet: { path: '/health', port: 'router-port' } },
            readinessProbe: { httpGet: { path: '/health', port: 'router-port' } },
            livenessProbe: { httpGet: { path: '/health', port: 'router-port' } },
          },
        ],
      },
    };
    return [...engines, router];
  }
}
