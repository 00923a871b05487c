import { Construct, IConstruct } from 'constructs';
import { Annotations, Aspects, Fn, IAspect, TerraformOutput, TerraformStack } from 'cdktf';
import { DataKubernetesIngressV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-ingress-v1';
import { checkPlatformProps, checkPlatformResult, PlatformExistingResources, PlatformNotes } from './consistency';
import { markAspect, ResolveOnceStack } from '../core/resolve-once';
import { pauseTokenTraces } from '../core/token-traces';
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
import { CostReport, platformCostReport } from './cost-report';

/** A drift monitor of the platform: {@link DriftMonitorOptions} with its id (shorthand of {@link AiPlatform.addDriftMonitor}). */
export interface PlatformDriftMonitorOptions extends DriftMonitorOptions {
  /** Construct id of the monitor (a state address: never rename it). */
  readonly id: string;
}

/**
 * Options of {@link AiPlatform.addGpuPool}: the pool's options without its name (the id given to
 * `addGpuPool` is the pool name).
 */
export type AddGpuPoolOptions = Omit<GpuNodePoolOptions, 'poolName'>;

/** Options of {@link AiPlatform.addServing}: the stack's options plus the platform GPU pool it runs on. */
export interface AddServingOptions extends VllmServingStackOptions {
  /**
   * The GPU pool the engines run on: a pool of this platform (returned by `addGpuPool` or listed in
   * `gpuPools`, e.g. `platform.gpuPools.inference`). A pool of another platform or stack is refused.
   */
  readonly gpuPool: IGpuNodePool;
}

/** Options of {@link AiPlatform.addEvaluation}: the evaluation's options plus the serving stack it evaluates. */
export interface AddEvaluationOptions extends EvalCronJobOptions {
  /**
   * The serving stack whose router the evaluation calls: a serving stack of this platform (returned
   * by `addServing` or listed in `serving`). One of another platform or stack is refused.
   */
  readonly serving: VllmServingStack;
  /**
   * Also gate the progressive rollouts of the evaluated model (which needs `rollout`) on this
   * evaluation: it runs against the canary (or preview) before any promotion (docs/rollouts.md).
   * @default false
   */
  readonly gateRollouts?: boolean;
}

/**
 * A scheduled evaluation of one of the platform's serving stacks (shorthand of
 * {@link AiPlatform.addEvaluation}: the serving stack named by its id).
 */
export interface PlatformEvaluationOptions extends Omit<AddEvaluationOptions, 'serving'> {
  /** Construct id of the evaluation (a state address: never rename it). */
  readonly id: string;
  /** Id of the serving stack (one of `serving`) whose router the evaluation calls. */
  readonly serving: string;
}

/**
 * A serving stack of the platform: the stack's options plus which of the platform's GPU pools it
 * runs on (shorthand of {@link AiPlatform.addServing}: the pool named by its name).
 */
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
   * Shorthand of {@link AiPlatform.addGpuPool} (`poolName` is its id); both forms give the same result.
   * @default - none
   */
  readonly gpuPools?: GpuNodePoolOptions[];
  /**
   * NVIDIA GPU operator settings; installed when the platform has GPU pools.
   * @default - the GpuOperator defaults (driver preinstalled on the EKS GPU AMIs)
   */
  readonly gpuOperator?: GpuOperatorOptions;
  /**
   * vLLM serving stacks, each on one of the GPU pools (named by pool name). Shorthand of
   * {@link AiPlatform.addServing}; both forms give the same result.
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
   * another existing one. Shorthand of {@link AiPlatform.addDriftMonitor}.
   * @default - none
   */
  readonly driftMonitors?: PlatformDriftMonitorOptions[];
  /**
   * Scheduled evaluations of serving stacks (in the serving stack's namespace by default), each
   * naming its serving stack by id. Shorthand of {@link AiPlatform.addEvaluation}.
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
 * The whole platform: a cluster stack (AWS only) and a platform stack (AWS + kubernetes + helm)
 * configured from the cluster's outputs, or only the platform stack on an existing cluster.
 *
 * GPU pools, serving stacks, drift monitors and evaluations are given either in the props arrays
 * (`gpuPools`, `serving`, `driftMonitors`, `evaluations`, referring to each other by name) or added
 * with {@link addGpuPool}, {@link addServing}, {@link addDriftMonitor} and {@link addEvaluation}
 * (referring to each other by construct): one code path, the same constructs and state addresses.
 * What concerns the whole platform (consistency and capacity checks, the cost estimate) runs again
 * at synth when something was added after the constructor, so it sees everything (docs/platform.md).
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
  /** GPU pools by name (from `gpuPools` and {@link addGpuPool}). */
  public readonly gpuPools: Record<string, IGpuNodePool> = {};
  /** Serving stacks by id (from `serving` and {@link addServing}). */
  public readonly serving: Record<string, VllmServingStack> = {};
  /** The External Secrets Operator (installed with the registry). */
  public readonly externalSecrets?: ExternalSecretsOperator;
  /** The model registry. */
  public readonly registry?: MlflowRegistry;
  /** Drift monitors by id (from `driftMonitors` and {@link addDriftMonitor}). */
  public readonly driftMonitors: Record<string, DriftMonitor> = {};
  /** Evaluations by id (from `evaluations` and {@link addEvaluation}). */
  public readonly evaluations: Record<string, EvalCronJob> = {};
  /** The guardrails Aspect, when enabled. */
  public readonly guardrails?: PlatformGuardrails;
  /** Live GPU unit economics, when `costMonitoring` is set. */
  public readonly costMonitoring?: CostMonitoring;

  private readonly props: AiPlatformProps;
  /** What the add* methods received, in the props arrays' form (names, not constructs): the checks read it. */
  private readonly added: { gpuPools: GpuNodePoolOptions[]; serving: PlatformServingOptions[]; driftMonitors: PlatformDriftMonitorOptions[]; evaluations: PlatformEvaluationOptions[] } = { gpuPools: [], serving: [], driftMonitors: [], evaluations: [] };
  /** The model label each drift monitor was built with (its `model` mapped to a served name). */
  private readonly driftModels: Record<string, string | undefined> = {};
  private operator?: GpuOperator;
  private jobsNamespace?: PlatformNamespace;
  /** True once the constructor has returned. */
  private constructed = false;
  /** Something was added after the constructor: the whole-platform work runs again at synth. */
  private changed = false;
  /** Info and warnings of the last whole-platform check, annotated once at synth. */
  private notes: PlatformNotes = { info: [], warnings: [] };
  private readonly annotated = new Set<string>();

  /** Creates the stacks and everything the props arrays list. */
  public constructor(scope: Construct, id: string, props: AiPlatformProps) {
    super(scope, id);
    // Tokens record no creation traces while the platform builds (lib/core/token-traces.ts).
    const restoreTraces = pauseTokenTraces();
    try {
      if ((props.cluster === undefined) === (props.existingCluster === undefined)) {
        throw new ValidationError(this, 'cluster', props.cluster === undefined ? 'neither cluster nor existingCluster' : 'both cluster and existingCluster', 'give exactly one of cluster (create one) or existingCluster (bring your own)');
      }
      checkArrayIds(this, props);
      checkPlatformProps(this, props);
      this.props = props;
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

      // The props arrays go through the add* methods (construct creation order, hence the
      // synthesized JSON, is the same as it always was: pools, operator, registry, serving, jobs).
      for (const { poolName, ...options } of props.gpuPools ?? []) this.addGpuPool(poolName, options);
      if (Object.keys(this.gpuPools).length > 0) this.ensureGpuOperator();

      if (props.registry) {
        this.externalSecrets = new ExternalSecretsOperator(ps, 'external-secrets', { cluster: this.cluster });
        this.registry = new MlflowRegistry(ps, 'registry', { ...props.registry, cluster: this.cluster, externalSecrets: this.externalSecrets });
      }

      for (const { id: servingId, gpuPool, ...options } of props.serving ?? []) {
        const pool = this.gpuPools[gpuPool];
        if (!pool) {
          throw new ValidationError(this, `serving[${servingId}].gpuPool`, gpuPool, `must name one of the platform's GPU pools: ${Object.keys(this.gpuPools).map((n) => JSON.stringify(n)).join(', ') || '(none defined in gpuPools)'}`);
        }
        this.addServing(servingId, { ...options, gpuPool: pool });
      }
      for (const { id: monitorId, ...options } of props.driftMonitors ?? []) this.addDriftMonitor(monitorId, options);
      for (const { id: evalId, serving, ...options } of props.evaluations ?? []) {
        const endpoint = this.serving[serving];
        if (!endpoint) {
          throw new ValidationError(this, `evaluations[${evalId}].serving`, serving, `must name one of the platform's serving stacks: ${Object.keys(this.serving).map((n) => JSON.stringify(n)).join(', ') || '(none defined in serving)'}`);
        }
        this.addEvaluation(evalId, { ...options, serving: endpoint });
      }

      this.notes = checkPlatformResult(this, this.effectiveProps());

      addClusterOutputs(ps, reference.clusterName, props.region);
      if (this.registry) output(ps, 'registry_tracking_uri', this.registry.trackingUri, 'In-cluster MLflow tracking URI (MLFLOW_TRACKING_URI)');

      if (props.costMonitoring) {
        const { report, spotPrices, ...options } = props.costMonitoring;
        // The jobs need a literal namespace (IRSA); the backbone's is a reference to its namespace resource.
        const jobs = { namespace: props.observability?.namespace ?? 'monitoring', dependsOn: [this.observability.platformNamespace.namespace] };
        this.costMonitoring = new CostMonitoring(ps, 'cost', {
          ...options,
          metrics: this.observability,
          report: report ? { ...jobs, ...report, cluster: this.cluster, registry: this.registry, estimate: this.costEstimate() } : undefined,
          spotPrices: spotPrices ? { ...jobs, ...spotPrices, cluster: this.cluster } : undefined,
        });
      }

      // Whole-platform work at synth, before the guardrails see the stack (Aspects run in the order added).
      // Idempotent: a second run changes nothing, so the stack may run it before its prepare pass and
      // keep its single resolution (lib/core/resolve-once.ts).
      const finalize: IAspect = { visit: (node) => { if (node === ps) this.finalize(); } };
      markAspect(finalize, 'idempotent');
      Aspects.of(ps).add(finalize);
      if (props.guardrails?.enabled ?? true) {
        this.guardrails = PlatformGuardrails.applyTo(this, props.guardrails);
      }
      this.constructed = true;
    } finally {
      restoreTraces();
    }
  }

  /** The GPU operator (when the platform has GPU pools; created with the first pool). */
  public get gpuOperator(): GpuOperator | undefined {
    return this.operator;
  }

  /**
   * Adds a GPU pool (Karpenter or managed node groups) to the platform stack; the GPU operator is
   * installed with the first pool and serves every pool. Same as an entry of `gpuPools`.
   * @param id the pool name (DNS-1123 label): key in {@link gpuPools}, the value of the pool label on its
   *   nodes, and construct id `gpu-pool-<id>` (a state address: never rename it)
   * @param options the pool's options
   * @returns the pool, to pass to {@link addServing} as `gpuPool`
   */
  public addGpuPool(id: string, options: AddGpuPoolOptions): GpuNodePool {
    checkPoolName(this, id, Object.keys(this.gpuPools));
    // Construct id = pool name: the pool's state address follows its name, not its position.
    const pool = new GpuNodePool(this.platformStack, `gpu-pool-${id}`, { ...options, poolName: id, cluster: this.cluster });
    this.gpuPools[id] = pool;
    this.added.gpuPools.push({ ...options, poolName: id });
    if (this.constructed) {
      if (this.operator) this.operator.addPool(pool);
      else this.ensureGpuOperator();
    }
    this.afterAdd();
    return pool;
  }

  /**
   * Adds a vLLM serving stack running on one of the platform's GPU pools, with its outputs
   * (`serving_<id>_base_url`, ...). Same as an entry of `serving`.
   * @param id construct id of the stack, its default release name and namespace (a state address: never rename it)
   * @param options the stack's options and its GPU pool (a pool of this platform)
   * @returns the serving stack, to pass to {@link addEvaluation} as `serving`
   */
  public addServing(id: string, options: AddServingOptions): VllmServingStack {
    this.checkNewId('serving', id);
    const { gpuPool, ...rest } = options;
    const pool = this.ownConstruct(`serving[${id}].gpuPool`, gpuPool, this.gpuPools, 'GPU pool', 'returned by addGpuPool or listed in gpuPools', 'a serving stack runs on the nodes of its own platform');
    const stack = new VllmServingStack(this.platformStack, id, { ...rest, cluster: this.cluster, gpuPool: pool, metrics: this.observability });
    // GPU pods need the pool's node provisioning and the device plugin before Helm waits on them.
    addDependencies(stack, [pool, ...(this.operator ? [this.operator] : [])]);
    this.serving[id] = stack;
    this.added.serving.push({ ...rest, id, gpuPool: pool.poolName });
    addServingOutputs(this.platformStack, id, stack);
    this.afterAdd();
    return stack;
  }

  /**
   * Adds a scheduled drift monitor; the platform's jobs namespace (`jobsNamespace`) is created with
   * the first one. A `model` naming a served model (served name or alias) becomes its served name:
   * add the serving stack first. Same as an entry of `driftMonitors`.
   * @param id construct id of the monitor (a state address: never rename it)
   * @param options the monitor's options
   * @returns the drift monitor
   */
  public addDriftMonitor(id: string, options: DriftMonitorOptions): DriftMonitor {
    this.checkNewId('driftMonitors', id);
    const ns = this.ensureJobsNamespace();
    const served = this.servedModel(options.model, options.modelId);
    const monitor = new DriftMonitor(this.platformStack, id, {
      ...options,
      ...served,
      namespace: options.namespace,
      cluster: this.cluster,
      metrics: this.observability,
      registry: this.registry,
      dependsOn: [ns.namespace, ...(options.dependsOn ?? [])],
    });
    this.driftMonitors[id] = monitor;
    this.driftModels[id] = served.model;
    this.added.driftMonitors.push({ ...options, id });
    this.afterAdd();
    return monitor;
  }

  /**
   * Adds a scheduled evaluation of one of the platform's serving stacks (it calls the stack's
   * router and waits for its releases). Same as an entry of `evaluations`.
   * @param id construct id of the evaluation (a state address: never rename it)
   * @param options the evaluation's options and the serving stack it evaluates (one of this platform)
   * @returns the evaluation
   */
  public addEvaluation(id: string, options: AddEvaluationOptions): EvalCronJob {
    this.checkNewId('evaluations', id);
    const { serving, gateRollouts, ...rest } = options;
    const endpoint = this.ownConstruct(`evaluations[${id}].serving`, serving, this.serving, 'serving stack', 'returned by addServing or listed in serving', 'an evaluation calls a serving stack of its own platform');
    const job = new EvalCronJob(this.platformStack, id, { ...rest, cluster: this.cluster, endpoint, metrics: this.observability, registry: this.registry });
    if (gateRollouts) endpoint.addEvaluationGate(job);
    // The evaluation calls the router: it waits for the serving stack's releases.
    addDependencies(job, [endpoint]);
    this.evaluations[id] = job;
    const servingId = Object.keys(this.serving).find((k) => this.serving[k] === endpoint)!;
    this.added.evaluations.push({ ...rest, id, serving: servingId, ...(gateRollouts === undefined ? {} : { gateRollouts }) });
    this.afterAdd();
    return job;
  }

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

  /** The props as the checks read them: the props arrays replaced by everything added, in their form. */
  private effectiveProps(): AiPlatformProps {
    return { ...this.props, ...this.added };
  }

  private afterAdd(): void {
    if (this.constructed) this.changed = true;
  }

  /** The GPU operator, created for the pools the platform has. */
  private ensureGpuOperator(): GpuOperator {
    if (!this.operator) {
      this.operator = new GpuOperator(this.platformStack, 'gpu-operator', { ...this.props.gpuOperator, cluster: this.cluster, pools: Object.values(this.gpuPools), metrics: this.observability });
    }
    return this.operator;
  }

  /** The namespace of the drift monitors, created with the first one. */
  private ensureJobsNamespace(): PlatformNamespace {
    this.jobsNamespace ??= new PlatformNamespace(this.platformStack, 'jobs-namespace', { name: this.props.jobsNamespace ?? 'ml-jobs' });
    return this.jobsNamespace;
  }

  /**
   * Serving stacks, drift monitors and evaluations are children of the platform stack: their ids
   * share one namespace with each other and with the platform's own constructs.
   */
  private checkNewId(kind: IdKind, id: string): void {
    const taken = this.platformStack.node.tryFindChild(id);
    const record = [['serving stack', this.serving], ['drift monitor', this.driftMonitors], ['evaluation', this.evaluations]] as const;
    const holder = record.find(([, r]) => taken !== undefined && r[id] === taken);
    checkId(this, kind, id, holder ? `${holder[0]} ${id}` : taken === undefined ? undefined : 'the platform itself');
  }

  /**
   * A construct reference given to an add* method must be one of this platform's (a pool or serving
   * stack of another platform or stack would wire resources across stacks and platforms).
   */
  private ownConstruct<T extends IConstruct>(prop: string, c: T, own: Record<string, T>, what: string, how: string, why: string): T {
    if (c !== undefined && c !== null && Object.values(own).includes(c)) return c;
    const path = (c as IConstruct | undefined)?.node?.path;
    let where = 'it is not a construct';
    if (path !== undefined) {
      const stack = (c as IConstruct).node.scopes.find((s): s is TerraformStack => TerraformStack.isStack(s));
      if (stack === undefined) where = 'it is not in a stack';
      else if (stack !== this.platformStack) where = `it is in stack ${stack.node.path}, not in this platform's stack ${this.platformStack.node.path}`;
      else where = `it is in this platform's stack but was not added through this platform`;
    }
    const names = Object.keys(own).map((n) => JSON.stringify(n)).join(', ') || 'none yet';
    throw new ValidationError(this, prop, path ?? c, `must be a ${what} of this platform (${how}: ${names}); ${where}: ${why} (docs/platform.md#composition)`);
  }

  /** The estimate of the cost report from the pools and serving stacks there are now. */
  private costEstimate(): CostReport {
    return platformCostReport(this, { spotPriceFactor: this.props.costMonitoring?.spotPriceFactor });
  }

  /**
   * Runs at synth (first Aspect of the platform stack): when something was added after the
   * constructor, the whole-platform checks and the cost estimate run again over everything; each
   * of the checks' notes is annotated once.
   */
  private finalize(): void {
    if (this.changed) {
      const props = this.effectiveProps();
      checkPlatformProps(this, props);
      for (const d of this.added.driftMonitors) {
        const now = this.servedModel(d.model, d.modelId).model;
        if (now !== this.driftModels[d.id]) {
          throw new ValidationError(this, `driftMonitors[${d.id}].model`, d.model, `is served as "${now}" by a serving stack added after the drift monitor, which was built with "${this.driftModels[d.id]}": add the serving stack before the drift monitor, or give the served name (docs/platform.md#composition)`);
        }
      }
      this.notes = checkPlatformResult(this, props);
      if (this.costMonitoring?.reportConfig) this.costMonitoring.updateEstimate(this.costEstimate());
      this.changed = false;
    }
    // Each note once, also over several syntheses; on the platform stack, because cdktf collects
    // (and `cdktf synth` prints) only the annotations of constructs inside a stack.
    for (const [kind, list] of [['warn', this.notes.warnings], ['info', this.notes.info]] as const) {
      for (const note of list) {
        if (this.annotated.has(note)) continue;
        this.annotated.add(note);
        if (kind === 'warn') Annotations.of(this.platformStack).addWarning(note);
        else Annotations.of(this.platformStack).addInfo(note);
      }
    }
  }
}

/** Construct ids of the platform stack that the platform itself uses (some created only when needed). */
const RESERVED_IDS = ['cluster', 'observability', 'gpu-operator', 'external-secrets', 'registry', 'jobs-namespace', 'cost'];

/** The records whose ids are construct ids of the platform stack. */
type IdKind = 'serving' | 'driftMonitors' | 'evaluations';

/** Refuses a pool name the platform already has (props arrays and `addGpuPool` alike). */
function checkPoolName(scope: IConstruct, id: string, existing: string[]): void {
  if (!existing.includes(id)) return;
  throw new ValidationError(scope, `gpuPools[${id}]`, id, `must be unique among the platform's GPU pools (the id of addGpuPool or the poolName of a gpuPools entry); pools: ${existing.map((n) => JSON.stringify(n)).join(', ')} (docs/platform.md#composition)`);
}

/**
 * Refuses an id that a construct of the platform stack already has (`holder` says which) or that
 * the platform uses itself (props arrays and add* methods alike).
 */
function checkId(scope: IConstruct, kind: IdKind, id: string, holder: string | undefined): void {
  const own = RESERVED_IDS.includes(id) || id.startsWith('gpu-pool-') || id.startsWith('output-');
  if (holder === undefined && !own) return;
  throw new ValidationError(scope, `${kind}[${id}]`, id, `must be unique among the construct ids of the platform stack, which serving stacks, drift monitors and evaluations share with each other and with the platform's own constructs (${RESERVED_IDS.join(', ')}, gpu-pool-*, output-*); "${id}" is used by ${holder ?? 'the platform itself'} (docs/platform.md#composition)`);
}

/**
 * The ids of the props arrays, checked before anything is created (the other props checks assume
 * them unique), with the messages the add* methods give.
 */
function checkArrayIds(scope: IConstruct, props: AiPlatformProps): void {
  const pools: string[] = [];
  for (const o of props.gpuPools ?? []) {
    checkPoolName(scope, o.poolName, pools);
    pools.push(o.poolName);
  }
  const holders = new Map<string, string>();
  const lists: [IdKind, string, { readonly id: string }[] | undefined][] = [['serving', 'serving stack', props.serving], ['driftMonitors', 'drift monitor', props.driftMonitors], ['evaluations', 'evaluation', props.evaluations]];
  for (const [kind, what, list] of lists) {
    for (const { id } of list ?? []) {
      checkId(scope, kind, id, holders.get(id));
      holders.set(id, `${what} ${id}`);
    }
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
