// Pure renderers of the Argo Rollouts objects of a serving stack: Rollout (workloadRef to the
// engine Deployment), its Services, the Prometheus AnalysisTemplate comparing canary pods with
// stable pods on the common serving signals, and the alert rules on Argo Rollouts' own metrics.
// docs/rollouts.md describes the flow; docs/design.md why it is built this way.
import { Duration } from '../core/units';
import { JsonObject, JsonValue, KubernetesObject } from '../k8s/values';
import { ROLLOUT_ROLE_POD_LABEL } from '../cost/definitions';
import { SERVING_SIGNALS } from '../serving/serving-signals';
import { CanaryCheckOptions, ModelRolloutOptions, RolloutMigration, RolloutStrategy } from './types';

/** Argo Rollouts CRD group/version. */
export const ROLLOUTS_API_VERSION = 'argoproj.io/v1alpha1';
/** Pod label Argo Rollouts' ephemeral `previewMetadata` puts on blue/green preview pods; the router skips them. */
export const PREVIEW_LABEL = 'ai-platform.cdktf.io/rollout-preview';
/** Label of the pods of analysis Jobs (the NetworkPolicy lets them reach the engines). */
export const ANALYSIS_POD_LABEL = 'ai-platform.cdktf.io/rollout-analysis';
/** Argument names the templates take. */
export const ARGS = { canaryHash: 'canary-hash', stableHash: 'stable-hash' } as const;
/** Names of the Prometheus checks (the `metric` label of `analysis_run_metric_phase`). */
export const CHECKS = { errorRatio: 'error-ratio', ttftP95: 'ttft-p95', e2eP95: 'e2e-latency-p95', cost: 'cost-per-1m-tokens', evaluation: 'evaluation' } as const;

/** Defaults of {@link CanaryCheckOptions}. */
export const CHECK_DEFAULTS = {
  errorRatioTolerance: 0.01,
  latencyRelativeTolerance: 0.2,
  latencyAbsoluteTolerance: Duration.millis(100),
  costRelativeTolerance: 0.1,
  intervalSeconds: 60,
  count: 5,
  failureLimit: 1,
  pauseSeconds: 300,
  canaryWeights: [50],
  scaleDownDelay: Duration.seconds(30),
} as const;

/** One model of a stack with its rollout, resolved. */
export interface RolloutModel {
  /** Model name (`model` label of the common signals). */
  readonly name: string;
  /** Deployment, Rollout and engine Service name. */
  readonly deploymentName: string;
  /** Labels selecting the model's engine pods. */
  readonly selector: Record<string, string>;
  /** Labels of the objects. */
  readonly labels: Record<string, string>;
  /** Replicas when no autoscaler owns the count. */
  readonly replicas?: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** GPUs of one replica. */
  readonly gpusPerReplica: number;
  /** Start-up budget of one replica, seconds. */
  readonly startupSeconds: number;
  /** Price of one replica, USD per hour (the cost check's default). */
  readonly replicaHourlyUsd: number;
  /** Strategy (resolved). */
  readonly strategy: RolloutStrategy;
  /** The user's options. */
  readonly options: ModelRolloutOptions;
  /** Name of the evaluation AnalysisTemplate, when an evaluation gate is attached. */
  readonly evaluationTemplate?: string;
}

/** Names of the objects of one model's rollout. */
export function rolloutNames(deploymentName: string) {
  return {
    rollout: deploymentName,
    canaryService: `${deploymentName}-canary`,
    stableService: `${deploymentName}-stable`,
    activeService: `${deploymentName}-active`,
    previewService: `${deploymentName}-preview`,
    signalsTemplate: `${deploymentName}-signals`,
    evaluationTemplate: `${deploymentName}-evaluation`,
  };
}

/** The strategy a model gets when it names none. */
export function defaultStrategy(maxReplicas: number): RolloutStrategy {
  return maxReplicas > 1 ? RolloutStrategy.CANARY : RolloutStrategy.BLUE_GREEN;
}

/** GPUs a rollout of the model adds at its peak (canary: one replica; blue/green and migrations: a full copy). */
export function surgeGpus(m: Pick<RolloutModel, 'strategy' | 'options' | 'maxReplicas' | 'gpusPerReplica'>): number {
  const migrating = (m.options.migration ?? RolloutMigration.NONE) !== RolloutMigration.NONE;
  const replicas = migrating || m.strategy === RolloutStrategy.BLUE_GREEN ? m.maxReplicas : 1;
  return replicas * m.gpusPerReplica;
}

/** Replicas the Deployment keeps while the Rollout exists: 0, except while switching on or off. */
export function deploymentReplicasUnderRollout(migration: RolloutMigration | undefined, replicas: number | undefined): number | undefined {
  return (migration ?? RolloutMigration.NONE) === RolloutMigration.NONE ? 0 : replicas;
}

/** Pod-name matcher of one ReplicaSet of a Rollout: its pods are `<rollout>-<pod-template-hash>-<suffix>`. */
function podsOf(rollout: string, hashArg: string): string {
  return `pod=~"${rollout}-{{args.${hashArg}}}-.*"`;
}

/** The PromQL of the Prometheus checks (with Argo `{{args.…}}` placeholders), by check name. */
export function canaryCheckQueries(namespace: string, m: Pick<RolloutModel, 'name' | 'deploymentName' | 'replicaHourlyUsd'>, checks: CanaryCheckOptions = {}): Record<string, string> {
  const S = SERVING_SIGNALS;
  const sel = (hash: string) => `namespace="${namespace}",model="${m.name}",${podsOf(m.deploymentName, hash)}`;
  const errorRatio = (hash: string) => `(sum(${S.requests}{${sel(hash)},outcome="failed"}) / (sum(${S.requests}{${sel(hash)}}) > 0))`;
  const p95 = (bucket: string, hash: string) => `histogram_quantile(0.95, sum by (le) (${bucket}{${sel(hash)}}))`;
  const errTol = checks.errorRatioTolerance ?? CHECK_DEFAULTS.errorRatioTolerance;
  const rel = 1 + (checks.latencyRelativeTolerance ?? CHECK_DEFAULTS.latencyRelativeTolerance);
  const abs = (checks.latencyAbsoluteTolerance ?? CHECK_DEFAULTS.latencyAbsoluteTolerance).toFractionalSeconds();
  // Each query returns the canary's excess over its bound: > 0 fails. A stable revision without
  // data counts as 0 errors (the bound is then the tolerance alone).
  const queries: Record<string, string> = {
    [CHECKS.errorRatio]: `${errorRatio(ARGS.canaryHash)} - on() (${errorRatio(ARGS.stableHash)} or on() vector(0)) - ${errTol}`,
    [CHECKS.ttftP95]: `${p95(S.ttftBucket, ARGS.canaryHash)} - on() (${p95(S.ttftBucket, ARGS.stableHash)} * ${rel} + ${abs})`,
    [CHECKS.e2eP95]: `${p95(S.e2eLatencyBucket, ARGS.canaryHash)} - on() (${p95(S.e2eLatencyBucket, ARGS.stableHash)} * ${rel} + ${abs})`,
  };
  if (checks.cost) {
    const costRel = 1 + (checks.cost.relativeTolerance ?? CHECK_DEFAULTS.costRelativeTolerance);
    // USD per 1M generated tokens of one pod = hourly price ÷ (tokens/s × 3600) × 1e6.
    const perPod = (hash: string) => (checks.cost?.metric
      ? `avg(${checks.cost.metric}{${sel(hash)}})`
      : `avg(${round(m.replicaHourlyUsd * 1e6 / 3600)} / (${S.generationTokens}{${sel(hash)}} > 0))`);
    queries[CHECKS.cost] = `${perPod(ARGS.canaryHash)} - on() (${perPod(ARGS.stableHash)} * ${costRel})`;
  }
  return queries;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Argo's expression over a query result: no data or NaN passes (the evaluation job is the gate that always has data), > 0 fails. */
export const EXCESS_SUCCESS_CONDITION = 'len(result) == 0 || isNaN(result[0]) || result[0] <= 0';

/** The Prometheus AnalysisTemplate of one model. */
export function renderSignalsTemplate(namespace: string, m: RolloutModel, prometheusUrl: string): KubernetesObject {
  const c = m.options.checks ?? {};
  let queries = canaryCheckQueries(namespace, m, c);
  if (m.strategy === RolloutStrategy.BLUE_GREEN) {
    // Preview pods take no live traffic, only the evaluation's requests: their latencies and cost
    // are not comparable with the active pods' live traffic; their error ratio is.
    queries = { [CHECKS.errorRatio]: queries[CHECKS.errorRatio] };
  }
  return {
    apiVersion: ROLLOUTS_API_VERSION,
    kind: 'AnalysisTemplate',
    metadata: { name: rolloutNames(m.deploymentName).signalsTemplate, namespace, labels: { ...m.labels } },
    spec: {
      args: [{ name: ARGS.canaryHash }, { name: ARGS.stableHash }],
      metrics: Object.entries(queries).map(([name, query]) => ({
        name,
        interval: `${c.interval?.toSeconds() ?? CHECK_DEFAULTS.intervalSeconds}s`,
        count: c.count ?? CHECK_DEFAULTS.count,
        failureLimit: c.failureLimit ?? CHECK_DEFAULTS.failureLimit,
        successCondition: EXCESS_SUCCESS_CONDITION,
        provider: { prometheus: { address: prometheusUrl, query } },
      })),
    },
  };
}

function analysisStep(templates: string[]): JsonObject {
  return {
    templates: templates.map((templateName) => ({ templateName })),
    args: [
      { name: ARGS.canaryHash, valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: ARGS.stableHash, valueFrom: { podTemplateHashValue: 'Stable' } },
    ],
  };
}

/** The Rollout of one model (workloadRef to its Deployment) and its Services. */
export function renderRolloutObjects(namespace: string, m: RolloutModel): KubernetesObject[] {
  const names = rolloutNames(m.deploymentName);
  const o = m.options;
  const migration = o.migration ?? RolloutMigration.NONE;
  const first = m.evaluationTemplate ? [m.evaluationTemplate, names.signalsTemplate] : [names.signalsTemplate];
  // The Rollout's Services carry no engine labels: the engines' ServiceMonitor scrapes every pod
  // once through the engine Service, never again through these.
  const serviceLabels = { ...m.selector, 'app.kubernetes.io/component': 'rollout-service' };
  const service = (name: string): KubernetesObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: serviceLabels },
    // Argo Rollouts adds the pod-template-hash of the canary/stable (preview/active) ReplicaSet.
    spec: { type: 'ClusterIP', selector: { ...m.selector }, ports: [{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }] },
  });
  let strategy: JsonObject;
  const services: KubernetesObject[] = [];
  const delay = (o.scaleDownDelay ?? CHECK_DEFAULTS.scaleDownDelay).toSeconds();
  if (m.strategy === RolloutStrategy.CANARY) {
    const pause = o.pause?.toSeconds() ?? CHECK_DEFAULTS.pauseSeconds;
    // Without a traffic router the weight is the canary's share of replicas: the first step is one replica.
    const steps: JsonValue[] = [{ setWeight: Math.max(1, Math.floor(100 / Math.max(1, m.maxReplicas))) }, { analysis: analysisStep(first) }];
    for (const w of o.canaryWeights ?? CHECK_DEFAULTS.canaryWeights) {
      steps.push({ setWeight: w }, { pause: { duration: `${pause}s` } }, { analysis: analysisStep([names.signalsTemplate]) });
    }
    strategy = {
      canary: {
        canaryService: names.canaryService,
        stableService: names.stableService,
        // One extra replica at a time, never below the current capacity (as the Deployment did).
        maxSurge: 1,
        maxUnavailable: 0,
        // The live cost rules attribute spend per role (docs/cost.md, "Rollouts").
        canaryMetadata: { labels: { [ROLLOUT_ROLE_POD_LABEL]: 'canary' } },
        stableMetadata: { labels: { [ROLLOUT_ROLE_POD_LABEL]: 'stable' } },
        steps,
      },
    };
    services.push(service(names.canaryService), service(names.stableService));
  } else {
    strategy = {
      blueGreen: {
        activeService: names.activeService,
        previewService: names.previewService,
        prePromotionAnalysis: analysisStep(first),
        autoPromotionEnabled: true,
        // The router discovers engine pods by label: preview pods carry this label until promotion and the router's selector excludes it.
        previewMetadata: { labels: { [PREVIEW_LABEL]: 'true', [ROLLOUT_ROLE_POD_LABEL]: 'canary' } },
        activeMetadata: { labels: { [ROLLOUT_ROLE_POD_LABEL]: 'stable' } },
        scaleDownDelaySeconds: delay,
        abortScaleDownDelaySeconds: delay,
      },
    };
    services.push(service(names.activeService), service(names.previewService));
  }
  const spec: JsonObject = {
    revisionHistoryLimit: 3,
    // A revision that never becomes ready aborts instead of waiting forever.
    progressDeadlineSeconds: m.startupSeconds + 600,
    progressDeadlineAbort: true,
    selector: { matchLabels: { ...m.selector } },
    workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: m.deploymentName, scaleDown: migration === RolloutMigration.FROM_DEPLOYMENT ? 'progressively' : 'never' },
    strategy,
  };
  if (m.replicas !== undefined) spec.replicas = m.replicas;
  const rollout: KubernetesObject = { apiVersion: ROLLOUTS_API_VERSION, kind: 'Rollout', metadata: { name: names.rollout, namespace, labels: { ...m.labels } }, spec };
  return [rollout, ...services];
}

/** A regex alternative of names. */
function alternatives(names: string[]): string {
  return names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&')).join('|');
}

/**
 * Alerts on Argo Rollouts' own metrics (controller/metrics/prommetrics.go, v1.9.0): a failed check
 * of an analysis run (`analysis_run_metric_phase`, label `metric` names the check) and an aborted
 * rollout (`rollout_info{phase="Degraded"}`).
 */
export function renderRolloutAlerts(release: string, namespace: string, labels: Record<string, string>, rollouts: string[]): KubernetesObject {
  const runs = `namespace="${namespace}",name=~"(${alternatives(rollouts)})-.+"`;
  const ro = `namespace="${namespace}",name=~"${alternatives(rollouts)}"`;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${release}-rollouts`, namespace, labels: { ...labels } },
    spec: {
      groups: [{
        name: `${release}-rollouts`,
        rules: [
          {
            alert: 'AiPlatformRolloutCheckFailed',
            expr: `max by (namespace, name, metric) (analysis_run_metric_phase{${runs},phase=~"Failed|Error",dry_run="false"}) == 1`,
            labels: { severity: 'warning', release },
            annotations: {
              summary: 'Rollout analysis {{ $labels.name }}: check {{ $labels.metric }} failed',
              description: 'The check {{ $labels.metric }} of analysis run {{ $labels.name }} (namespace {{ $labels.namespace }}) failed: the new revision is rolled back and the stable revision takes all traffic. `kubectl argo rollouts get rollout` shows the run; docs/rollouts.md, "A failed gate".',
            },
          },
          {
            alert: 'AiPlatformRolloutAborted',
            expr: `max by (namespace, name) (rollout_info{${ro},phase="Degraded"}) == 1`,
            for: '1m',
            labels: { severity: 'warning', release },
            annotations: {
              summary: 'Rollout {{ $labels.name }} was aborted',
              description: 'Rollout {{ $labels.name }} (namespace {{ $labels.namespace }}) is Degraded: a check failed or the new revision did not become ready in time; the stable revision serves. Fix the revision and apply again, or `kubectl argo rollouts retry rollout {{ $labels.name }}` (docs/rollouts.md).',
            },
          },
        ],
      }],
    },
  };
}

/** Lets analysis Jobs (pods labelled {@link ANALYSIS_POD_LABEL}) from `fromNamespace` reach the engine pods of the stack. */
export function renderAnalysisNetworkPolicy(release: string, namespace: string, engineSelector: Record<string, string>, fromNamespace: string): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${release}-rollout-analysis`, namespace },
    spec: {
      podSelector: { matchLabels: { ...engineSelector } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': fromNamespace } }, podSelector: { matchLabels: { [ANALYSIS_POD_LABEL]: 'evaluation' } } }],
        ports: [{ port: 8000, protocol: 'TCP' }],
      }],
    },
  };
}

/** Points an HPA's or ScaledObject's `scaleTargetRef` at the Rollout (its scale subresource). */
export function targetRollout(obj: KubernetesObject, rolloutName: string): KubernetesObject {
  const spec = obj.spec as JsonObject;
  spec.scaleTargetRef = { apiVersion: ROLLOUTS_API_VERSION, kind: 'Rollout', name: rolloutName };
  return obj;
}

/** Whether the autoscaler targets the Rollout (all but the last step of switching off). */
export function autoscalerTargetsRollout(options: ModelRolloutOptions | undefined): boolean {
  return options !== undefined && (options.migration ?? RolloutMigration.NONE) !== RolloutMigration.TO_DEPLOYMENT;
}
