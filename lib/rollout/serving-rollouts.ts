import { Construct } from 'constructs';
import { Annotations, ITerraformDependable } from 'cdktf';
import { ValidationError } from '../core/errors';
import { validateDuration, validateInteger, validateNumber } from '../core/validate';
import { Duration } from '../core/units';
import type { EvalCronJob } from '../evaluation/eval-cron-job';
import { IGpuNodePool } from '../gpu/types';
import { ManifestChart } from '../k8s/manifest-chart';
import { JsonObject, KubernetesObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { IMetricsBackbone } from '../observability/types';
import { checkRuleExpressions } from '../monitoring/serving-drift';
import {
  ANALYSIS_POD_LABEL, CHECKS, CHECK_DEFAULTS, RolloutModel, defaultStrategy, renderAnalysisNetworkPolicy, renderRolloutAlerts, renderRolloutObjects,
  renderSignalsTemplate, rolloutNames, surgeGpus, canaryCheckQueries, ROLLOUTS_API_VERSION,
} from './render';
import { IProgressiveDelivery, ModelRolloutOptions, RolloutStrategy } from './types';
import { parsePromQl } from '../monitoring/promql';

/** One model of a stack as its rollout needs it. */
export interface RolloutModelInput {
  /** Index of the model in the stack's `models` (for error paths). */
  readonly index: number;
  /** Model name. */
  readonly name: string;
  /** Engine Deployment name (also the Rollout's). */
  readonly deploymentName: string;
  /** Names the engine answers to. */
  readonly servedModelNames: string[];
  /** Labels selecting the model's engine pods. */
  readonly selector: Record<string, string>;
  /** Labels of the rollout objects. */
  readonly labels: Record<string, string>;
  /** Fixed replicas, when no autoscaler owns the count. */
  readonly replicas?: number;
  /** Fewest replicas. */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** GPUs of one replica (tensor parallelism). */
  readonly gpusPerReplica: number;
  /** Start-up budget of one replica, seconds. */
  readonly startupSeconds: number;
  /** On-demand price of one replica, USD per hour. */
  readonly replicaHourlyUsd: number;
  /** The model's rollout, when on. */
  readonly rollout?: ModelRolloutOptions;
}

/** Props of {@link ServingRollouts}. */
export interface ServingRolloutsProps {
  /** Helm release name of the serving stack. */
  readonly release: string;
  /** Serving namespace. */
  readonly namespace: string;
  /** The namespace as a reference (a dependency on its creation). */
  readonly namespaceRef: string;
  /** Every model of the stack (the capacity check counts all of them). */
  readonly models: RolloutModelInput[];
  /** The progressive-delivery controller. */
  readonly controller: IProgressiveDelivery;
  /** The metrics backbone (Prometheus URL, rule labels). */
  readonly metrics: IMetricsBackbone;
  /** The GPU pool (its `maxGpus`). */
  readonly pool: IGpuNodePool;
  /** Labels selecting every engine pod of the stack. */
  readonly engineSelector: Record<string, string>;
  /** Apply after these (the serving chart, the ScaledObjects). */
  readonly dependsOn: ITerraformDependable[];
}

/** Options of {@link ServingRollouts.addEvaluationGate}. */
export interface EvaluationGateOptions {
  /**
   * Model of the stack (its `name`) whose rollouts the evaluation gates.
   * @default - the model serving the evaluation's `model`
   */
  readonly model?: string;
}

/**
 * The Rollouts of a serving stack's models (workloadRef to the engine Deployments), their
 * Services, the Prometheus AnalysisTemplates, the evaluation gates and the rollout alerts, in one
 * Helm release `<release>-rollouts` applied after the controller and the serving chart.
 */
export class ServingRollouts extends Construct implements IWorkloadSource {
  /** The release of the rollout objects. */
  public readonly chart: ManifestChart;
  /** The models that roll out, resolved. */
  public readonly models: RolloutModel[];
  /** The alert rule. */
  public readonly alertRule: KubernetesObject;
  private readonly namespace: string;
  private readonly release: string;
  private readonly inputs: RolloutModelInput[];
  private readonly engineSelector: Record<string, string>;
  private readonly firstSteps = new Map<string, JsonObject>();
  private readonly gates: { model: string; jobSpec: JsonObject; name: string }[] = [];
  private analysisPolicy = false;

  /** Creates the objects (called by VllmServingStack). */
  public constructor(scope: Construct, id: string, props: ServingRolloutsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.release = props.release;
    this.inputs = props.models;
    this.engineSelector = props.engineSelector;
    const rolled = props.models.filter((m) => m.rollout);
    this.models = rolled.map((m) => this.resolve(scope, m));
    checkCapacity(scope, props.pool, props.models, this.models);

    this.chart = new ManifestChart(this, 'objects', {
      releaseName: `${props.release}-rollouts`,
      namespace: props.namespaceRef,
      dependsOn: [props.controller.dependable, ...props.metrics.crdDependencies, ...props.dependsOn],
    });
    for (const m of this.models) {
      const objects = renderRolloutObjects(props.namespace, m);
      const rollout = objects[0];
      const strategy = (rollout.spec as JsonObject).strategy as JsonObject;
      // The first analysis: the evaluation gate, when added later, joins it.
      const first = strategy.canary ? ((strategy.canary as JsonObject).steps as JsonObject[])[1].analysis as JsonObject : (strategy.blueGreen as JsonObject).prePromotionAnalysis as JsonObject;
      this.firstSteps.set(m.name, first);
      for (const o of objects) this.chart.addManifest(o);
      const template = renderSignalsTemplate(props.namespace, m, props.metrics.prometheusUrl);
      for (const metric of (template.spec as { metrics: { name: string; provider: { prometheus: { query: string } } }[] }).metrics) {
        // Argo substitutes {{args.…}} before querying; check the query as Prometheus will see it.
        try {
          parsePromQl(metric.provider.prometheus.query.replace(/\{\{args\.[a-z-]+\}\}/g, 'abc123'));
        } catch (e) {
          throw new ValidationError(scope, `models[${props.models.find((x) => x.name === m.name)!.index}].rollout.checks`, metric.name, `renders a query Prometheus cannot parse (${(e as Error).message})`);
        }
      }
      this.chart.addManifest(template);
    }
    const groups = (renderRolloutAlerts(props.release, props.namespace, props.metrics.ruleLabels, this.models.map((m) => m.deploymentName)).spec as { groups: { name: string; rules: JsonObject[] }[] }).groups;
    checkRuleExpressions(scope, 'rollout alerts', groups as never);
    this.alertRule = renderRolloutAlerts(props.release, props.namespace, props.metrics.ruleLabels, this.models.map((m) => m.deploymentName));
    this.chart.addManifest(this.alertRule);
  }

  private resolve(scope: Construct, m: RolloutModelInput): RolloutModel {
    const o = m.rollout as ModelRolloutOptions;
    const p = `models[${m.index}].rollout`;
    const strategy = o.strategy ?? defaultStrategy(m.maxReplicas);
    if (strategy === RolloutStrategy.CANARY && m.maxReplicas < 2) {
      throw new ValidationError(scope, `${p}.strategy`, strategy, `needs at least 2 replicas (replicas.max is ${m.maxReplicas}): a one-replica canary would take all traffic at once; use RolloutStrategy.BLUE_GREEN (a preview copy evaluated before promotion)`);
    }
    if (strategy === RolloutStrategy.CANARY && m.minReplicas === 0) {
      Annotations.of(scope).addWarning(`${p}: ${m.name} scales to zero; while it is at zero a new revision has no stable pods to compare with (the Prometheus checks pass on no data, the evaluation gate still runs)`);
    }
    let last = 0;
    (o.canaryWeights ?? CHECK_DEFAULTS.canaryWeights).forEach((w, i) => {
      validateInteger(scope, `${p}.canaryWeights[${i}]`, w, 1, 99);
      if (w <= last) throw new ValidationError(scope, `${p}.canaryWeights[${i}]`, w, `must be greater than the previous weight (${last}): weights grow towards promotion`);
      last = w;
    });
    if (o.pause) validateDuration(scope, `${p}.pause`, o.pause, { min: Duration.seconds(0), max: Duration.days(1), whole: 'second', field: 'the Rollout pause duration' });
    if (o.scaleDownDelay !== undefined) validateDuration(scope, `${p}.scaleDownDelay`, o.scaleDownDelay, { min: Duration.seconds(0), max: Duration.days(1), whole: 'second', field: 'the Rollout scaleDownDelaySeconds' });
    const c = o.checks ?? {};
    if (c.errorRatioTolerance !== undefined) validateNumber(scope, `${p}.checks.errorRatioTolerance`, c.errorRatioTolerance, 0, 1);
    if (c.latencyRelativeTolerance !== undefined) validateNumber(scope, `${p}.checks.latencyRelativeTolerance`, c.latencyRelativeTolerance, 0, 10);
    if (c.latencyAbsoluteTolerance !== undefined) validateDuration(scope, `${p}.checks.latencyAbsoluteTolerance`, c.latencyAbsoluteTolerance, { min: Duration.seconds(0), max: Duration.minutes(10) });
    if (c.count !== undefined) validateInteger(scope, `${p}.checks.count`, c.count, 1, 1000);
    if (c.failureLimit !== undefined) validateInteger(scope, `${p}.checks.failureLimit`, c.failureLimit, 0, c.count ?? CHECK_DEFAULTS.count);
    if (c.interval) validateDuration(scope, `${p}.checks.interval`, c.interval, { min: Duration.seconds(10), max: Duration.hours(1), whole: 'second', field: 'the AnalysisTemplate interval' });
    if (c.cost?.relativeTolerance !== undefined) validateNumber(scope, `${p}.checks.cost.relativeTolerance`, c.cost.relativeTolerance, 0, 10);
    if (c.cost?.metric !== undefined && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(c.cost.metric)) {
      throw new ValidationError(scope, `${p}.checks.cost.metric`, c.cost.metric, 'must be a Prometheus metric name (letters, digits, "_" and ":")');
    }
    return {
      name: m.name,
      deploymentName: m.deploymentName,
      selector: m.selector,
      labels: m.labels,
      replicas: m.replicas,
      maxReplicas: m.maxReplicas,
      gpusPerReplica: m.gpusPerReplica,
      startupSeconds: m.startupSeconds,
      replicaHourlyUsd: m.replicaHourlyUsd,
      strategy,
      options: o,
    };
  }

  /**
   * Gates the rollouts of a model on an evaluation: the evaluation job (same runtime, dataset,
   * scorers and gates as `evaluation`) runs as an analysis Job against the canary (or preview)
   * Service only. Exit 0 passes; exit 2 (a gate failed) fails the analysis at once; exit 1 (a job
   * error) is retried up to the job's backoffLimit and then fails it: no promotion without a
   * passing evaluation (docs/rollouts.md).
   */
  public addEvaluationGate(evaluation: EvalCronJob, options: EvaluationGateOptions = {}): KubernetesObject {
    const model = options.model !== undefined
      ? this.models.find((m) => m.name === options.model)
      : this.models.find((m) => this.inputs.find((i) => i.name === m.name)?.servedModelNames.includes(evaluation.model));
    if (!model) {
      throw new ValidationError(evaluation, options.model !== undefined ? 'gate.model' : 'model', options.model ?? evaluation.model, `is not a model with a rollout in ${this.node.scopes[this.node.scopes.length - 2].node.path} (models with rollout: ${this.models.map((m) => m.name).join(', ') || 'none'})`);
    }
    if (evaluation.namespace !== this.namespace) {
      throw new ValidationError(evaluation, 'namespace', evaluation.namespace, `must be the serving namespace (${this.namespace}) to gate a rollout: Argo Rollouts runs analysis Jobs in the Rollout's namespace`);
    }
    if (this.gates.some((g) => g.model === model.name)) throw new ValidationError(evaluation, 'gate', model.name, 'already has an evaluation gate');
    const names = rolloutNames(model.deploymentName);
    const target = model.strategy === RolloutStrategy.CANARY ? names.canaryService : names.previewService;
    const gateName = `${evaluation.job.cronJobName}-gate`;
    const config = {
      ...(JSON.parse(JSON.stringify(evaluation.config)) as JsonObject),
      // Its own name: its pushed metrics, MLflow runs and baseline are the gate's, not the schedule's.
      name: `${evaluation.evalName}-canary`,
      model: { ...(evaluation.config.model as unknown as JsonObject), baseUrl: `http://${target}.${this.namespace}.svc.cluster.local:8000/v1` },
    };
    const configMap: KubernetesObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: gateName, namespace: this.namespace, labels: { ...evaluation.job.podLabels } },
      data: { 'config.json': JSON.stringify(config) },
    };
    const cron = JSON.parse(JSON.stringify(evaluation.job.cronJob)) as { spec: { jobTemplate: { spec: JsonObject } } };
    const jobSpec = cron.spec.jobTemplate.spec;
    // The CRD's schema requires `status` of a pod-condition rule (the Job API defaults it to "True").
    for (const rule of ((jobSpec.podFailurePolicy as JsonObject | undefined)?.rules ?? []) as JsonObject[]) {
      if (Array.isArray(rule.onPodConditions)) rule.onPodConditions = (rule.onPodConditions as JsonObject[]).map((c) => ({ status: 'True', ...c }));
    }
    const template = jobSpec.template as { metadata: { labels: Record<string, string> }; spec: { containers: JsonObject[]; volumes: JsonObject[] } };
    template.metadata.labels = { ...template.metadata.labels, [ANALYSIS_POD_LABEL]: 'evaluation' };
    const container = template.spec.containers[0] as { env: JsonObject[]; volumeMounts: JsonObject[] };
    container.env = container.env.map((e) => (e.name === 'JOB_CONFIG_FILE' ? { name: 'JOB_CONFIG_FILE', value: '/gate/config.json' } : e));
    container.volumeMounts.push({ name: 'gate', mountPath: '/gate', readOnly: true });
    template.spec.volumes.push({ name: 'gate', configMap: { name: gateName, defaultMode: 0o444 } });
    const analysisTemplate: KubernetesObject = {
      apiVersion: ROLLOUTS_API_VERSION,
      kind: 'AnalysisTemplate',
      metadata: { name: names.evaluationTemplate, namespace: this.namespace, labels: { ...model.labels } },
      spec: {
        args: [{ name: 'canary-hash' }, { name: 'stable-hash' }],
        metrics: [{
          name: CHECKS.evaluation,
          // One run: the Job's success or failure is the measurement.
          count: 1,
          failureLimit: 0,
          provider: { job: { metadata: { labels: { ...template.metadata.labels } }, spec: jobSpec } },
        }],
      },
    };
    if (JSON.stringify(analysisTemplate).includes('{{')) {
      throw new ValidationError(evaluation, 'config', 'a "{{" placeholder', 'cannot appear in the analysis Job: Argo Rollouts resolves every {{…}} of an AnalysisTemplate as an argument');
    }
    this.chart.addManifest(configMap);
    this.chart.addManifest(analysisTemplate);
    if (!this.analysisPolicy) {
      this.chart.addManifest(renderAnalysisNetworkPolicy(this.release, this.namespace, this.engineSelector, this.namespace));
      this.analysisPolicy = true;
    }
    const first = this.firstSteps.get(model.name) as JsonObject;
    (first.templates as JsonObject[]).unshift({ templateName: names.evaluationTemplate });
    (model as { evaluationTemplate?: string }).evaluationTemplate = names.evaluationTemplate;
    this.gates.push({ model: model.name, jobSpec, name: gateName });
    return analysisTemplate;
  }

  /** The analysis Jobs, as the policy Aspect sees workloads. */
  public renderedWorkloads(): RenderedWorkload[] {
    return this.gates.map((g) => {
      const t = g.jobSpec.template as { metadata: JsonObject; spec: JsonObject };
      return { kind: 'Job', name: g.name, namespace: this.namespace, podSpec: t.spec, podMetadata: t.metadata, object: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: g.name, namespace: this.namespace }, spec: g.jobSpec }, source: 'manifest' };
    });
  }

  /** The PromQL of a model's checks, as templates (for tests and docs). */
  public queries(model: string): Record<string, string> {
    const m = this.models.find((x) => x.name === model);
    if (!m) throw new Error(`no rollout for ${model}`);
    return canaryCheckQueries(this.namespace, m, m.options.checks);
  }
}

/** GPU-OPERATIONS: a rollout needs surge capacity; stable (every model at its maximum) + surge must fit the pool's limit. */
function checkCapacity(scope: Construct, pool: IGpuNodePool, all: RolloutModelInput[], rolled: RolloutModel[]): void {
  if (rolled.length === 0) return;
  const stable = all.reduce((n, m) => n + m.maxReplicas * m.gpusPerReplica, 0);
  const surges = rolled.map((m) => ({ m, gpus: surgeGpus(m) }));
  const surge = surges.reduce((n, s) => n + s.gpus, 0);
  const detail = `stable ${stable} GPUs (${all.map((m) => `${m.name} ${m.maxReplicas} × ${m.gpusPerReplica}`).join(', ')}) + surge ${surge} GPUs (${surges.map((s) => `${s.m.name} ${s.m.strategy === RolloutStrategy.CANARY ? 'canary' : 'preview'} ${s.gpus}`).join(', ')}) = ${stable + surge}`;
  if (pool.maxGpus === undefined) {
    Annotations.of(scope).addWarning(`rollouts need ${detail} GPUs in pool ${pool.poolName}, whose limit is unknown: check that it can hold them`);
    return;
  }
  if (stable + surge > pool.maxGpus) {
    const i = all.findIndex((m) => m.name === surges[0].m.name);
    throw new ValidationError(scope, `models[${all[i].index}].rollout`, rolled.map((m) => m.name).join(', '), `needs ${detail} GPUs, more than pool ${pool.poolName} holds (maxGpus ${pool.maxGpus}): raise the pool's maxGpus to ${stable + surge}, lower replicas.max, or roll out fewer models at once (docs/rollouts.md, "GPU capacity")`);
  }
}
