import { IOpenAiEndpoint } from '../evaluation/types';
import { checkServingEnums } from './option-checks';
import { Construct } from 'constructs';
import { Annotations, ITerraformDependable } from 'cdktf';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ServiceAccountRole } from '../cluster/iam';
import { ValidationError, check } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { Duration, Size } from '../core/units';
import { validateFraction, validateInteger, validateNumber, validatePattern } from '../core/validate';
import { IGpuNodePool } from '../gpu/types';
import { AwsLoadBalancerController } from '../ingress/aws-load-balancer-controller';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { ManifestChart } from '../k8s/manifest-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { JsonObject, JsonValue, KubernetesObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { apiKeySecret } from './api-key';
import { addEngineAutoscaling } from './engine-autoscaling';
import {
  EngineContext, ResolvedModel, allEnginesSelector, engineSelector, enginePodAnnotations, enginePodSpec, isAutoscaled, renderEngineObjects,
  renderModelCacheClaim, renderNetworkPolicies, routerSelector,
} from './engine-manifests';
import { ServingEngine } from './engines';
import { SERVING_IMAGES } from './images';
import { resolveModel, validateImage, validateServingPool } from './model-plan';
import { ROUTER_PORT, routerValues, routerWorkload, validateIngress } from './router';
import { MonitoredModel, renderAlertRules, renderDashboardConfigMap, renderServiceMonitors, renderSignalRules } from './serving-monitoring';
import { ServedModelPlan, VllmServingStackProps } from './stack-options';
import { WeightSource } from './sizing';
import { AutoscalerKind, RouterRoutingLogic, VolumeAccessMode } from './types';
import { ArgoRollouts } from '../rollout/argo-rollouts';
import { defaultStrategy } from '../rollout/render';
import { EvaluationGateOptions, ServingRollouts } from '../rollout/serving-rollouts';
import { RolloutStrategy } from '../rollout/types';
import type { EvalCronJob } from '../evaluation/eval-cron-job';

export * from './stack-options';

const RELEASE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Production LLM serving with the vLLM production stack: one router (chart) in front of one engine
 * Deployment per model (vLLM by default; SGLang or llama.cpp per model with `engine`), right-sized
 * at synth time against every instance type of the GPU pool, autoscaled on the common serving
 * signals (queue depth or KV-cache usage; KEDA, optional scale-to-zero), safe on spot (preStop +
 * grace period, router retries, PDBs, zone spread, do-not-disrupt), locked down (API key never in
 * state, restricted pods, NetworkPolicies) and observed (ServiceMonitors, recording rules to the
 * common signals, alerts, dashboard with tokens/s and cost per 1M tokens).
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
  /** ServiceMonitors, recording and alert rules and dashboard, when `metrics` is given. */
  public readonly monitoring?: ManifestChart;
  /** KEDA ScaledObjects, when KEDA scales the engines. */
  public readonly scaledObjects?: ManifestChart;
  /** IRSA roles of engines that stream weights from S3, by model name. */
  public readonly modelRoles: { readonly [model: string]: ServiceAccountRole } = {};
  /** Per-model plans: engines, sizes, budgets, prices. */
  public readonly plans: ServedModelPlan[];
  /** The GPU pool the engines run on. */
  public readonly gpuPool: IGpuNodePool;
  /** The autoscaler in use. */
  public readonly autoscaler: AutoscalerKind;
  /** Rollouts, AnalysisTemplates and rollout alerts, when a model has `rollout` (docs/rollouts.md). */
  public readonly rollouts?: ServingRollouts;
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
    validateServingPool(this, pool);
    if (!Array.isArray(props.models) || props.models.length === 0) throw new ValidationError(this, 'models', props.models, 'must list at least one model');
    checkServingEnums(this, props);

    const wantsScaling = props.models.some((m) => (m.replicas ? m.replicas.min !== m.replicas.max || m.replicas.min === 0 : false));
    this.autoscaler = props.autoscaling?.autoscaler ?? (wantsScaling ? AutoscalerKind.KEDA : AutoscalerKind.NONE);
    if (this.autoscaler === AutoscalerKind.KEDA && !props.metrics) {
      throw new ValidationError(this, 'metrics', undefined, 'is required with KEDA autoscaling: the triggers query Prometheus (give the platform\'s IMetricsBackbone, or autoscaling.autoscaler: AutoscalerKind.HPA/NONE)');
    }

    let namespaceRef = this.namespace;
    if (props.createNamespace ?? true) {
      const platformNamespace = new PlatformNamespace(this, 'namespace', {
        name: this.namespace,
        // The ALB controller adds a readiness gate to pods in labelled namespaces: a rollout then
        // waits until the new router pod is registered with the target group.
        labels: props.ingress ? { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } : undefined,
        // Default-deny egress (lib/k8s/egress.ts): the router discovers engines through the API.
        egress: { kubernetesApiClients: [routerSelector(release)] },
      });
      namespaceRef = platformNamespace.name;
    }
    const key = apiKeySecret(this, release, namespaceRef, props.apiKey);
    this.apiKeySecretName = key.name;
    this.apiKeySecretKey = key.key;
    this.generatedApiKey = key.generated;
    let hfToken: { name: string; key: string } | undefined;
    if (props.huggingFaceToken) {
      hfToken = {
        name: validateDns1123Label(this, 'huggingFaceToken.secretName', props.huggingFaceToken.secretName),
        key: validatePattern(this, 'huggingFaceToken.secretKey', props.huggingFaceToken.secretKey ?? 'token', /^[-._a-zA-Z0-9]{1,253}$/, 'be a Secret key (letters, digits, "-", "_", ".")'),
      };
    }

    // The model plan: each model resolved against its engine and the pool.
    const names = new Set<string>();
    const served = new Set<string>();
    const plans: ServedModelPlan[] = [];
    const planContext = { props, pool, release, namespace: this.namespace, autoscaler: this.autoscaler, images: { [ServingEngine.VLLM]: props.vllmImage ?? SERVING_IMAGES.vllm } };
    this.resolved = props.models.map((m, i) => {
      const r = resolveModel(this, m, i, planContext);
      if (names.has(r.model.name)) throw new ValidationError(this, `models[${i}].name`, r.model.name, 'must be unique within the stack');
      names.add(r.model.name);
      for (const s of r.model.servedModelNames) {
        if (served.has(s)) throw new ValidationError(this, `models[${i}].model`, s, 'is already served by another model of the stack: the router routes by model name, so each name must be unique');
        served.add(s);
      }
      if (r.role) (this.modelRoles as { [k: string]: ServiceAccountRole })[r.model.name] = r.role;
      plans.push(r.plan);
      return r.model;
    });
    this.plans = plans;
    this.gpuPool = props.gpuPool;

    const extraObjects: KubernetesObject[] = [];
    const modelCacheClaim = this.modelCache(props, release, extraObjects);
    this.engineContext = {
      release,
      namespace: this.namespace,
      pool,
      apiKeySecret: { name: this.apiKeySecretName, key: this.apiKeySecretKey },
      hfTokenSecret: hfToken,
      modelCacheClaim,
      runtimeClassName: props.runtimeClassName,
      region: props.cluster.region,
    };
    if (props.runtimeClassName !== undefined) validateDns1123Label(this, 'runtimeClassName', props.runtimeClassName);
    for (const m of this.resolved) extraObjects.push(...renderEngineObjects(this.engineContext, m));

    const clientNamespaces = props.clientNamespaces ?? [this.namespace];
    clientNamespaces.forEach((ns, i) => validateDns1123Label(this, `clientNamespaces[${i}]`, ns));
    const ingress = props.ingress;
    if (ingress) validateIngress(this, ingress);
    extraObjects.push(
      ...renderNetworkPolicies({
        release,
        namespace: this.namespace,
        routerPort: ROUTER_PORT,
        metricsNamespace: props.metrics?.namespace,
        prometheusPodLabels: props.metrics?.prometheusPodLabels,
        clientNamespaces,
        loadBalancerSourceCidrs: ingress?.loadBalancerSourceCidrs ?? [],
      }),
    );

    // The chart: the router, with the engines in extraObjects.
    const router = props.router ?? {};
    const ingressController = ingress ? (ingress.controller ?? AwsLoadBalancerController.forCluster(this, props.cluster)) : undefined;
    const startup = Math.max(...this.resolved.map((m) => m.startupSeconds));
    const dependsOn: ITerraformDependable[] = [];
    if (this.generatedApiKey) dependsOn.push(this.generatedApiKey);
    if (ingressController) dependsOn.push(ingressController.dependable);
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.vllmStack,
      releaseName: release,
      namespace: namespaceRef,
      chartVersion: props.chartVersion,
      // The chart's only CRD is the LoRA adapter's; this stack does not use the LoRA controller.
      installCrds: false,
      wait: props.waitForReady ?? true,
      timeout: Duration.seconds(startup + 600),
      dependsOn,
      values: {
        // DEVIATION: the chart's engine template cannot express the grace period, preStop hook,
        // topology spread or per-model probes: the engines are rendered by the library and
        // installed through the chart's extraObjects (docs/serving.md, "what the chart cannot express").
        servingEngineSpec: { enableEngine: false },
        routerSpec: routerValues({
          release,
          replicas: validateInteger(this, 'router.replicas', router.replicas ?? 2, 1, 20),
          retries: validateInteger(this, 'router.failoverRetries', router.failoverRetries ?? 2, 0, 10),
          nodes: router.nodeSelector ?? props.cluster.systemNodeSelector ?? {},
          image: validateImage(this, 'routerImage', props.routerImage ?? SERVING_IMAGES.router),
          routing: router.routingLogic ?? RouterRoutingLogic.ROUND_ROBIN,
          apiKeySecret: { name: this.apiKeySecretName, key: this.apiKeySecretKey },
          ingress,
          controller: ingressController,
          excludePreviewPods: this.resolved.some((m) => m.rollout && (m.rollout.strategy ?? defaultStrategy(m.maxReplicas)) === RolloutStrategy.BLUE_GREEN) || undefined,
        }),
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

    this.scaledObjects = addEngineAutoscaling(this, {
      release,
      namespace: this.namespace,
      namespaceRef,
      autoscaler: this.autoscaler,
      models: this.resolved,
      options: props.autoscaling,
      cluster: props.cluster,
      prometheusUrl: props.metrics?.prometheusUrl,
      chartRelease: this.chart.release,
    });
    this.monitoring = this.addMonitoring(props, release, namespaceRef);
    this.rollouts = this.addRollouts(props, release, namespaceRef);
  }

  /**
   * Gates the rollouts of the model `evaluation` evaluates: the evaluation runs as an analysis Job
   * against the canary (or preview) Service before any promotion (docs/rollouts.md).
   */
  public addEvaluationGate(evaluation: EvalCronJob, options: EvaluationGateOptions = {}): KubernetesObject {
    if (!this.rollouts) throw new ValidationError(this, 'models[].rollout', undefined, 'is needed on the evaluated model before an evaluation gate can be added (docs/rollouts.md)');
    return this.rollouts.addEvaluationGate(evaluation, options);
  }

  private addRollouts(props: VllmServingStackProps, release: string, namespaceRef: string): ServingRollouts | undefined {
    if (!this.resolved.some((m) => m.rollout)) return undefined;
    const i = this.resolved.findIndex((m) => m.rollout);
    if (!props.metrics) throw new ValidationError(this, 'metrics', undefined, `is required with models[${i}].rollout: the rollout's checks query Prometheus and its alerts need the rule labels (docs/rollouts.md)`);
    const controller = props.rollouts ?? ArgoRollouts.forCluster(this, props.cluster, props.metrics);
    return new ServingRollouts(this, 'rollouts', {
      release,
      namespace: this.namespace,
      namespaceRef,
      controller,
      metrics: props.metrics,
      pool: this.gpuPool,
      engineSelector: allEnginesSelector(release),
      dependsOn: [this.chart.release, ...(this.scaledObjects ? [this.scaledObjects.release] : [])],
      models: this.resolved.map((m, index) => {
        const selector = engineSelector(release, m.name);
        return {
          index,
          name: m.name,
          deploymentName: m.deploymentName,
          servedModelNames: m.servedModelNames,
          selector,
          labels: { ...selector, model: m.name, 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' },
          replicas: isAutoscaled(m) ? undefined : m.minReplicas,
          minReplicas: m.minReplicas,
          maxReplicas: m.maxReplicas,
          gpusPerReplica: m.tensorParallelSize,
          startupSeconds: m.startupSeconds,
          replicaHourlyUsd: this.plans[index].replicaHourlyUsd,
          rollout: m.rollout,
        };
      }),
    });
  }

  /** The shared model cache claim, or the warning that each replica downloads. */
  private modelCache(props: VllmServingStackProps, release: string, extraObjects: KubernetesObject[]): string | undefined {
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
      extraObjects.push(renderModelCacheClaim(release, this.namespace, storageClass, accessMode, size));
      return `${release}-model-cache`;
    }
    if (hfModels.length > 0) {
      Annotations.of(this).addWarning(
        `no modelCache: every new replica of ${hfModels.map((m) => m.name).join(', ')} downloads its weights from the Hugging Face hub (docs/serving.md, "Model weights"). Give modelCache (EFS "efs-sc", ReadWriteMany) or serve from S3 (s3://… with the Run:ai streamer).`,
      );
    }
    return undefined;
  }

  /** ServiceMonitors, the recording rules to the common signals, alert rules and dashboard. */
  private addMonitoring(props: VllmServingStackProps, release: string, namespaceRef: string): ManifestChart | undefined {
    if (!props.metrics) {
      Annotations.of(this).addWarning('no metrics backbone: no ServiceMonitors, recording or alert rules or dashboard for the engines and router (give `metrics`).');
      return undefined;
    }
    const metrics = props.metrics;
    const alerts = props.alerts ?? {};
    const monitored: MonitoredModel[] = this.resolved.map((m, i) => ({ name: m.name, deploymentName: m.deploymentName, replicaHourlyUsd: this.plans[i].replicaHourlyUsd }));
    const noReplicaMinutes = Math.ceil(Math.max(...this.plans.map((p) => p.coldStartSeconds)) / 60) + 5;
    const chart = new ManifestChart(this, 'monitoring', {
      releaseName: `${release}-monitoring`,
      namespace: namespaceRef,
      dependsOn: [...metrics.crdDependencies],
    });
    const bearer = this.resolved.some((m) => m.engine.apiKey.metricsNeedKey) ? { name: this.apiKeySecretName, key: this.apiKeySecretKey } : undefined;
    for (const sm of renderServiceMonitors(release, this.namespace, metrics.monitorLabels, bearer)) chart.addManifest(sm);
    chart.addManifest(renderSignalRules(release, this.namespace, metrics.ruleLabels, this.resolved.map((m) => ({ name: m.name, serviceName: m.deploymentName, engine: m.engine, maxNumSeqs: m.maxNumSeqs }))));
    chart.addManifest(
      renderAlertRules(release, this.namespace, metrics.ruleLabels, monitored, {
        queueDepth: validateNumber(this, 'alerts.queueDepth', alerts.queueDepth ?? 10, 0, 10000),
        latencyP95Seconds: (alerts.latencyP95 ?? Duration.seconds(60)).toSeconds(),
        kvCacheUsage: validateFraction(this, 'alerts.kvCacheUsage', alerts.kvCacheUsage ?? 0.95),
        noReplicaMinutes,
      }),
    );
    chart.addManifest(renderDashboardConfigMap(release, this.namespace, metrics.namespace, metrics.dashboardLabels, monitored));
    return chart;
  }

  /** The engine objects (ServiceAccount, Deployment, Service, PDB, HPA) and policies installed through the chart's `extraObjects`. */
  public get engineObjects(): KubernetesObject[] {
    return (this.chart.libraryValues.extraObjects ?? []) as unknown as KubernetesObject[];
  }

  /** @inheritdoc */
  public renderedWorkloads(): RenderedWorkload[] {
    const v = this.chart.renderedValues();
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
    return [...engines, routerWorkload(this.releaseName, this.namespace, (v.routerSpec ?? {}) as JsonObject)];
  }
}
