import { Construct } from 'constructs';
import { Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { DataKubernetesIngressV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-ingress-v1';
import { checkPlatformProps, checkPlatformResult, PlatformExistingResources } from './consistency';
import { ResolveOnceStack } from '../core/resolve-once';
import { shortTokenTraces } from '../core/token-traces';
import { AiCluster, AiClusterProps } from '../cluster/ai-cluster';
import { ClusterReference, ICluster, ImportedCluster } from '../cluster/cluster-reference';
import { ValidationError } from '../core/errors';
import { applyTags, TagMap } from '../core/tags';
import { PlatformBackend } from './platform-backend';
import { addAwsProvider, addClusterProviders } from './providers';
import { Observability, ObservabilityOptions } from '../observability/observability';
import { GpuOperator, GpuOperatorOptions } from '../gpu/gpu-operator';
import { IGpuNodePool } from '../gpu/types';
import { GpuNodePool, GpuNodePoolOptions } from '../gpu/gpu-node-pool';
import { VllmServingStack, VllmServingStackOptions } from '../serving/vllm-serving-stack';
import { MlflowRegistry, MlflowRegistryOptions } from '../registry/mlflow-registry';
import { ExternalSecretsOperator } from '../secrets/external-secrets-operator';
import { PlatformGuardrails, PlatformGuardrailsProps } from '../policy/platform-guardrails';
import { addDependencies } from './dependencies';
import { DriftMonitor, DriftMonitorOptions } from '../monitoring/drift-monitor';
import { EvalCronJob, EvalCronJobOptions } from '../evaluation/eval-cron-job';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { CostMonitoring, CostMonitoringProps, CostReportSchedule, SpotPriceSchedule } from '../cost/cost-monitoring';
import { platformCostReport } from './cost-report';

/** A drift monitor of the platform. */
export interface PlatformDriftMonitorOptions extends DriftMonitorOptions {
  /** Construct id of the monitor (a state address: never rename it). */
  readonly id: string;
}

/** A scheduled evaluation of one of the platform's serving stacks. */
export interface PlatformEvaluationOptions extends EvalCronJobOptions {
  /** Construct id of the evaluation (a state address: never rename it). */
  readonly id: string;
  /** Id of the serving stack (one of `serving`) whose router the evaluation calls. */
  readonly serving: string;
  /**
   * Also gate the progressive rollouts of the evaluated model (which needs `rollout`) on this
   * evaluation: it runs against the canary (or preview) before any promotion (docs/rollouts.md).
   * @default false
   */
  readonly gateRollouts?: boolean;
}

/** A serving stack of the platform: the stack's options plus which of the platform's GPU pools it runs on. */
export interface PlatformServingOptions extends VllmServingStackOptions {
  /** Construct id of the serving stack (a state address: never rename it). */
  readonly id: string;
  /** Name of the GPU pool (one of `gpuPools`) the engines run on. */
  readonly gpuPool: string;
}

/** Guardrails settings of the platform. */
export interface PlatformGuardrailsOptions extends PlatformGuardrailsProps {
  /**
   * Apply the `PlatformGuardrails` Aspect to both stacks.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Props of {@link AiPlatform}. */
export interface AiPlatformProps {
  /** AWS region of the platform, e.g. `us-west-2`. */
  readonly region: string;
  /**
   * The cluster to create (cluster stack). Give this or `existingCluster`.
   * @default - none
   */
  readonly cluster?: AiClusterProps;
  /**
   * An existing cluster (bring-your-own-cluster mode: no cluster stack is created).
   * @default - none
   */
  readonly existingCluster?: ClusterReference;
  /**
   * Where Terraform state lives. Use `PlatformBackend.s3(...)` for real deployments.
   * @default PlatformBackend.local()
   */
  readonly backend?: PlatformBackend;
  /**
   * Tags for every taggable AWS resource (also set as the AWS provider's default tags).
   * @default - none
   */
  readonly tags?: TagMap;
  /**
   * The metrics backbone (kube-prometheus-stack, Pushgateway, GPU dashboard). Always installed:
   * serving autoscaling, alerts and the jobs' metrics depend on it.
   * @default - the Observability defaults
   */
  readonly observability?: ObservabilityOptions;
  /**
   * GPU pools (Karpenter or managed node groups), spot first with on-demand fallback by default.
   * @default - none
   */
  readonly gpuPools?: GpuNodePoolOptions[];
  /**
   * NVIDIA GPU operator settings; installed when the platform has GPU pools.
   * @default - the GpuOperator defaults (driver preinstalled on the EKS GPU AMIs)
   */
  readonly gpuOperator?: GpuOperatorOptions;
  /**
   * vLLM serving stacks, each on one of the GPU pools.
   * @default - none
   */
  readonly serving?: PlatformServingOptions[];
  /**
   * The MLflow model registry (with the External Secrets Operator it needs).
   * @default - no registry
   */
  readonly registry?: MlflowRegistryOptions;
  /**
   * Scheduled drift monitors. Give each the namespace `jobsNamespace` (created by the platform) or
   * another existing one.
   * @default - none
   */
  readonly driftMonitors?: PlatformDriftMonitorOptions[];
  /**
   * Scheduled evaluations of serving stacks (in the serving stack's namespace by default).
   * @default - none
   */
  readonly evaluations?: PlatformEvaluationOptions[];
  /**
   * Namespace created for drift monitors (Pod Security restricted, default-deny ingress).
   * @default 'ml-jobs'
   */
  readonly jobsNamespace?: string;
  /**
   * Live GPU unit economics (docs/cost.md): cost recording rules, alerts, dashboard and, with
   * `report`, the scheduled cost report (its estimate column is this platform's `platformCostReport`).
   * @default - none
   */
  readonly costMonitoring?: PlatformCostMonitoringOptions;
  /**
   * Namespaces and Secrets that exist before `cdktf deploy` and that props may name (drift monitor
   * namespaces, Hugging Face token, alert webhook). A namespace or Secret a prop names must be created
   * by the platform or listed here; synth fails otherwise (docs/operations.md#platform-consistency).
   * @default - nothing exists beyond the built-in namespaces
   */
  readonly existing?: PlatformExistingResources;
  /**
   * Security and reliability guardrails on the synthesized platform.
   * @default - enabled, errors fail synth
   */
  readonly guardrails?: PlatformGuardrailsOptions;
}

/** {@link CostMonitoringProps} without what the platform provides. */
export interface PlatformCostMonitoringOptions extends Omit<CostMonitoringProps, 'metrics' | 'report' | 'spotPrices'> {
  /**
   * The spot price job (the platform passes its cluster).
   * @default - none
   */
  readonly spotPrices?: Omit<SpotPriceSchedule, 'cluster'>;
  /**
   * The scheduled cost report (the platform passes its cluster, registry and estimate).
   * @default - no report job
   */
  readonly report?: Omit<CostReportSchedule, 'cluster' | 'estimate' | 'registry'>;
}

/**
 * The whole platform from one props object: a cluster stack (AWS only) and a platform stack
 * (AWS + kubernetes + helm) configured from the cluster's outputs, or only the platform stack on
 * an existing cluster.
 */
export class AiPlatform extends Construct {
  /** The cluster stack (undefined in bring-your-own-cluster mode). */
  public readonly clusterStack?: TerraformStack;
  /** The platform stack. */
  public readonly platformStack: TerraformStack;
  /** The created cluster (undefined in bring-your-own-cluster mode). */
  public readonly aiCluster?: AiCluster;
  /** The cluster as the platform stack sees it. */
  public readonly cluster: ICluster;
  /** The metrics backbone. */
  public readonly observability: Observability;
  /** GPU pools by name. */
  public readonly gpuPools: Record<string, IGpuNodePool> = {};
  /** The GPU operator (when the platform has GPU pools). */
  public readonly gpuOperator?: GpuOperator;
  /** Serving stacks by id. */
  public readonly serving: Record<string, VllmServingStack> = {};
  /** The External Secrets Operator (installed with the registry). */
  public readonly externalSecrets?: ExternalSecretsOperator;
  /** The model registry. */
  public readonly registry?: MlflowRegistry;
  /** Drift monitors by id. */
  public readonly driftMonitors: Record<string, DriftMonitor> = {};
  /** Evaluations by id. */
  public readonly evaluations: Record<string, EvalCronJob> = {};
  /** The guardrails Aspect, when enabled. */
  public readonly guardrails?: PlatformGuardrails;
  /** Live GPU unit economics, when `costMonitoring` is set. */
  public readonly costMonitoring?: CostMonitoring;

  /** Creates the stacks. */
  public constructor(scope: Construct, id: string, props: AiPlatformProps) {
    super(scope, id);
    // Tokens record short creation traces while the platform builds (lib/core/token-traces.ts).
    const restoreTraces = shortTokenTraces();
    try {
    if ((props.cluster === undefined) === (props.existingCluster === undefined)) {
      throw new ValidationError(this, 'cluster', props.cluster === undefined ? 'neither cluster nor existingCluster' : 'both cluster and existingCluster', 'give exactly one of cluster (create one) or existingCluster (bring your own)');
    }
    checkPlatformProps(this, props);
    const backend = props.backend ?? PlatformBackend.local();
    const stackName = (suffix: string) => `${id}-${suffix}`;

    let reference: ClusterReference;
    if (props.cluster) {
      // Stack ids are state keys (backend paths): never rename them.
      this.clusterStack = new ResolveOnceStack(this, stackName('cluster'));
      addAwsProvider(this.clusterStack, props.region, props.tags);
      backend.bind(this.clusterStack, stackName('cluster'));
      this.aiCluster = new AiCluster(this.clusterStack, 'cluster', { ...props.cluster, tags: { ...props.tags, ...props.cluster.tags } });
      const c = this.aiCluster;
      // Right after the cluster stack's first apply, before the platform stack exists.
      addClusterOutputs(this.clusterStack, c.clusterName, props.region);
      reference = c.toReference(props.region);
    } else {
      reference = props.existingCluster!;
    }

    this.platformStack = new ResolveOnceStack(this, stackName('platform'));
    addAwsProvider(this.platformStack, props.region, props.tags);
    backend.bind(this.platformStack, stackName('platform'));
    // Platform constructs see the cluster through an import living in the platform stack, so the
    // AWS resources they create (IRSA roles, buckets) stay in the platform stack and the cluster
    // stack never depends on it (a cycle cdktf cannot synthesize).
    this.cluster = new ImportedCluster(this.platformStack, 'cluster', reference);
    addClusterProviders(this.platformStack, { clusterName: reference.clusterName, endpoint: reference.endpoint, certificateAuthorityData: reference.certificateAuthorityData, region: props.region });
    applyTags(this.platformStack, props.tags);

    const ps = this.platformStack;
    this.observability = new Observability(ps, 'observability', { ...props.observability, cluster: this.cluster });

    this.createGpuPools(props);
    const pools = Object.values(this.gpuPools);
    if (pools.length > 0) {
      this.gpuOperator = new GpuOperator(ps, 'gpu-operator', { ...props.gpuOperator, cluster: this.cluster, pools, metrics: this.observability });
    }

    if (props.registry) {
      this.externalSecrets = new ExternalSecretsOperator(ps, 'external-secrets', { cluster: this.cluster });
      this.registry = new MlflowRegistry(ps, 'registry', { ...props.registry, cluster: this.cluster, externalSecrets: this.externalSecrets });
    }

    for (const serving of props.serving ?? []) {
      const pool = this.gpuPools[serving.gpuPool];
      if (!pool) {
        throw new ValidationError(this, `serving[${serving.id}].gpuPool`, serving.gpuPool, `must name one of the platform's GPU pools: ${Object.keys(this.gpuPools).map((n) => JSON.stringify(n)).join(', ') || '(none defined in gpuPools)'}`);
      }
      const { id: servingId, gpuPool: _pool, ...options } = serving;
      void _pool;
      const stack = new VllmServingStack(ps, servingId, { ...options, cluster: this.cluster, gpuPool: pool, metrics: this.observability });
      // GPU pods need the pool's node provisioning and the device plugin before Helm waits on them.
      addDependencies(stack, [pool, ...(this.gpuOperator ? [this.gpuOperator] : [])]);
      this.serving[servingId] = stack;
      addServingOutputs(ps, servingId, stack);
    }

    if ((props.driftMonitors ?? []).length > 0) {
      const jobsNamespace = props.jobsNamespace ?? 'ml-jobs';
      const ns = new PlatformNamespace(ps, 'jobs-namespace', { name: jobsNamespace });
      for (const d of props.driftMonitors ?? []) {
        const { id: monitorId, ...options } = d;
        this.driftMonitors[monitorId] = new DriftMonitor(ps, monitorId, {
          ...options,
          ...this.servedModel(options.model, options.modelId),
          namespace: options.namespace,
          cluster: this.cluster,
          metrics: this.observability,
          registry: this.registry,
          dependsOn: [ns.namespace, ...(options.dependsOn ?? [])],
        });
      }
    }
    for (const e of props.evaluations ?? []) {
      const endpoint = this.serving[e.serving];
      if (!endpoint) {
        throw new ValidationError(this, `evaluations[${e.id}].serving`, e.serving, `must name one of the platform's serving stacks: ${Object.keys(this.serving).map((n) => JSON.stringify(n)).join(', ') || '(none defined in serving)'}`);
      }
      const { id: evalId, serving: _serving, gateRollouts, ...options } = e;
      void _serving;
      const job = new EvalCronJob(ps, evalId, { ...options, cluster: this.cluster, endpoint, metrics: this.observability, registry: this.registry });
      if (gateRollouts) endpoint.addEvaluationGate(job);
      // The evaluation calls the router: it waits for the serving stack's releases.
      addDependencies(job, [endpoint]);
      this.evaluations[evalId] = job;
    }

    checkPlatformResult(this, props);

    addClusterOutputs(ps, reference.clusterName, props.region);
    if (this.registry) output(ps, 'registry_tracking_uri', this.registry.trackingUri, 'In-cluster MLflow tracking URI (MLFLOW_TRACKING_URI)');

    if (props.costMonitoring) {
      const { report, spotPrices, ...options } = props.costMonitoring;
      // The jobs need a literal namespace (IRSA); the backbone's is a reference to its namespace resource.
      const jobs = { namespace: props.observability?.namespace ?? 'monitoring', dependsOn: [this.observability.platformNamespace.namespace] };
      this.costMonitoring = new CostMonitoring(ps, 'cost', {
        ...options,
        metrics: this.observability,
        report: report ? { ...jobs, ...report, cluster: this.cluster, registry: this.registry, estimate: platformCostReport(this, { spotPriceFactor: options.spotPriceFactor }) } : undefined,
        spotPrices: spotPrices ? { ...jobs, ...spotPrices, cluster: this.cluster } : undefined,
      });
    }

    if (props.guardrails?.enabled ?? true) {
      this.guardrails = PlatformGuardrails.applyTo(this, props.guardrails);
    }
    } finally {
      restoreTraces();
    }
  }

  /** Creates the GPU pools of `props.gpuPools`. */
  /**
   * One definition of a model in alerts: a name (served name or Hugging Face alias) of one of the
   * platform's serving stacks becomes its served name, with the weights' id beside it.
   */
  private servedModel(model: string | undefined, modelId: string | undefined): { model?: string; modelId?: string } {
    if (model === undefined) return {};
    for (const stack of Object.values(this.serving)) {
      const served = stack.servedModelNames[model];
      if (served !== undefined) return { model: served, modelId: modelId ?? stack.modelIds[served] };
    }
    return { model, modelId };
  }

  private createGpuPools(props: AiPlatformProps): void {
    (props.gpuPools ?? []).forEach((options, i) => {
      if (this.gpuPools[options.poolName]) throw new ValidationError(this, `gpuPools[${i}].poolName`, options.poolName, 'must be unique among the platform\'s GPU pools');
      // Construct id = pool name: the pool's state address follows its name, not its position.
      this.gpuPools[options.poolName] = new GpuNodePool(this.platformStack, `gpu-pool-${options.poolName}`, { ...options, cluster: this.cluster });
    });
  }
}

/**
 * An output with a fixed, readable name (no construct-path hash): `terraform output <name>` and
 * other stacks' `terraform_remote_state` read it by this name, so it is part of the state contract.
 */
function output(stack: TerraformStack, name: string, value: unknown, description: string, sensitive = false): TerraformOutput {
  const o = new TerraformOutput(stack, `output-${name}`, { value, description, sensitive });
  o.overrideLogicalId(name);
  return o;
}

/** Cluster name, region and the command that writes a kubeconfig for it. */
function addClusterOutputs(stack: TerraformStack, clusterName: string, region: string): void {
  output(stack, 'cluster_name', clusterName, 'EKS cluster name');
  output(stack, 'cluster_region', region, 'AWS region of the cluster');
  output(stack, 'configure_kubectl_command', `aws eks update-kubeconfig --region ${region} --name ${clusterName}`, 'Writes a kubeconfig entry for the cluster (run before kubectl)');
}

/**
 * What a client of a serving stack needs: the in-cluster base URL, namespace, model names, the API
 * key Secret's name (the key itself never enters Terraform: it is written through a write-only
 * attribute) and, with an ingress, the external URL and the ALB's DNS name.
 */
function addServingOutputs(stack: TerraformStack, id: string, serving: VllmServingStack): void {
  const prefix = `serving_${id}`;
  output(stack, `${prefix}_base_url`, serving.baseUrl, `OpenAI-compatible base URL of serving stack ${id} inside the cluster`);
  output(stack, `${prefix}_namespace`, serving.namespace, `Namespace of serving stack ${id}`);
  output(stack, `${prefix}_model_names`, serving.modelNames, `Model names serving stack ${id} answers to (the "model" of a request)`);
  output(stack, `${prefix}_api_key_secret_name`, serving.apiKeySecretName, `Kubernetes Secret (key "${serving.apiKeySecretKey}", namespace ${serving.namespace}) holding the API key of serving stack ${id}`);
  if (serving.externalUrl) {
    output(stack, `${prefix}_external_url`, serving.externalUrl, `HTTPS base URL of serving stack ${id} through the internal ALB (point the host's DNS record at the ALB)`);
    // The AWS Load Balancer Controller writes the ALB's DNS name into the Ingress status once the
    // chart's Ingress ("<release>-ingress-router", vllm-stack chart templates/ingress.yaml) exists.
    const ingress = new DataKubernetesIngressV1(serving, 'ingress-status', {
      metadata: { name: `${serving.releaseName}-ingress-router`, namespace: serving.namespace },
      dependsOn: [serving.chart.release],
    });
    // The controller may not have written the status yet when the data source is read (first apply):
    // empty then, filled by the next apply or `terraform apply -refresh-only`, never an apply error.
    output(stack, `${prefix}_alb_hostname`, Fn.try([ingress.status.get(0).loadBalancer.get(0).ingress.get(0).hostname, '']), `DNS name of the internal ALB of serving stack ${id} (empty until the controller has provisioned it)`);
  }
}
