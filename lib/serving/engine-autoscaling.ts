// Engine autoscaling: KEDA ScaledObjects on the common serving signals (any engine), or the
// warning that explains what an HPA needs. The queries read `aiplatform:serving_*` series only.
import { Construct } from 'constructs';
import { Annotations, ITerraformDependable } from 'cdktf';
import { IKeda, Keda } from '../autoscaling/keda';
import { buildPrometheusScaledObject } from '../autoscaling/scaled-object';
import { ICluster } from '../cluster/cluster-reference';
import { Duration } from '../core/units';
import { validateDuration } from '../core/validate';
import { ManifestChart } from '../k8s/manifest-chart';
import { KubernetesObject } from '../k8s/values';
import { ResolvedModel, allEnginesSelector, isAutoscaled } from './engine-manifests';
import { autoscalerTargetsRollout, targetRollout } from '../rollout/render';
import { promRegexEscape } from './serving-monitoring';
import { ROUTER_REQUESTS_METRIC, SERVING_SIGNALS, modelSignalSelector } from './serving-signals';
import { ServingAutoscalingOptions } from './stack-options';
import { AutoscalerKind, ScalingMetric } from './types';

/** The KEDA triggers of one model. */
export function scalingTriggers(namespace: string, m: ResolvedModel): { name: string; query: string; threshold: number }[] {
  const sel = modelSignalSelector(namespace, m.name);
  const triggers = [
    m.metric === ScalingMetric.QUEUE_DEPTH
      ? { name: 'queue-depth', query: `sum(${SERVING_SIGNALS.requestsWaiting}{${sel}})`, threshold: m.target }
      : { name: 'kv-cache-usage', query: `sum(${SERVING_SIGNALS.kvCacheUsage}{${sel}})`, threshold: m.target },
  ];
  if (m.minReplicas === 0) {
    // With no engine there are no engine metrics: wake on the router's request counter, which
    // counts requests for a model even when it has no replica (the router answers 503).
    const names = m.servedModelNames.map(promRegexEscape).join('|');
    triggers.push({
      name: 'router-requests',
      query: `sum(rate(${ROUTER_REQUESTS_METRIC}{namespace="${namespace}",model=~"${names}"}[2m]))`,
      // Scaling is driven by the queue; this trigger only activates (any request > 0).
      threshold: 1000,
    });
  }
  return triggers;
}

/** Defaults of {@link ServingAutoscalingOptions} (the `@default`s of its TSDoc). */
const SERVING_AUTOSCALING_DEFAULTS = {
  pollingInterval: Duration.seconds(15),
  scaleDownStabilization: Duration.minutes(10),
  scaleToZeroCooldown: Duration.minutes(30),
} as const;

/** Inputs of {@link addEngineAutoscaling}. */
export interface EngineAutoscalingInputs {
  readonly release: string;
  readonly namespace: string;
  readonly namespaceRef: string;
  readonly autoscaler: AutoscalerKind;
  readonly models: ResolvedModel[];
  readonly options?: ServingAutoscalingOptions;
  readonly cluster: ICluster;
  readonly prometheusUrl?: string;
  readonly chartRelease: ITerraformDependable;
}

/** Creates the ScaledObjects (construct id `autoscaling`, a state address) or warns about the HPA's adapter. */
export function addEngineAutoscaling(scope: Construct, a: EngineAutoscalingInputs): ManifestChart | undefined {
  const scaled = a.models.filter((m) => isAutoscaled(m));
  if (a.autoscaler === AutoscalerKind.KEDA && scaled.length > 0) {
    const keda: IKeda = a.options?.keda ?? Keda.forCluster(scope, a.cluster);
    const o = a.options ?? {};
    const d = SERVING_AUTOSCALING_DEFAULTS;
    const polling = validateDuration(scope, 'autoscaling.pollingInterval', o.pollingInterval ?? d.pollingInterval, { min: Duration.seconds(5), max: Duration.minutes(10), whole: 'second', field: 'KEDA pollingInterval' });
    const stabilization = validateDuration(scope, 'autoscaling.scaleDownStabilization', o.scaleDownStabilization ?? d.scaleDownStabilization, { min: Duration.seconds(0), max: Duration.hours(1), whole: 'second', field: 'the HPA stabilizationWindowSeconds' });
    const cooldown = validateDuration(scope, 'autoscaling.scaleToZeroCooldown', o.scaleToZeroCooldown ?? d.scaleToZeroCooldown, { min: Duration.minutes(1), max: Duration.days(1), whole: 'second', field: 'KEDA cooldownPeriod' });
    const chart = new ManifestChart(scope, 'autoscaling', {
      releaseName: `${a.release}-autoscaling`,
      namespace: a.namespaceRef,
      dependsOn: [keda.dependable, a.chartRelease],
    });
    for (const m of scaled) {
      const so = scaledObject(a, m, a.prometheusUrl as string, polling, stabilization, cooldown);
      // With a rollout KEDA scales the Rollout through its scale subresource.
      chart.addManifest(autoscalerTargetsRollout(m.rollout) ? targetRollout(so, m.deploymentName) : so);
    }
    return chart;
  }
  if (a.autoscaler === AutoscalerKind.HPA && scaled.length > 0) {
    Annotations.of(scope).addWarning(
      `autoscaling.autoscaler is HPA: the HorizontalPodAutoscalers read the per-pod metrics ${[...new Set(scaled.map((m) => m.hpaMetricName))].join(', ')} from the custom metrics API; install a custom metrics adapter (prometheus-adapter) with rules that expose the common serving signals under these names (docs/serving.md).`,
    );
  }
  return undefined;
}

function scaledObject(a: EngineAutoscalingInputs, m: ResolvedModel, prometheusUrl: string, polling: Duration, stabilization: Duration, cooldown: Duration): KubernetesObject {
  return buildPrometheusScaledObject({
    name: m.deploymentName,
    namespace: a.namespace,
    labels: { ...allEnginesSelector(a.release), 'app.kubernetes.io/name': m.name },
    deploymentName: m.deploymentName,
    minReplicas: m.minReplicas,
    maxReplicas: m.maxReplicas,
    prometheusUrl,
    triggers: scalingTriggers(a.namespace, m),
    pollingInterval: polling,
    cooldown,
    scaleDownStabilization: stabilization,
  });
}
