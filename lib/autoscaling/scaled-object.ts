import { Duration } from '../core/units';
import { JsonObject, KubernetesObject } from '../k8s/values';

/** One Prometheus query KEDA scales on. */
export interface PrometheusTrigger {
  /** Trigger name (shown in the ScaledObject status and the HPA's external metric name). */
  readonly name: string;
  /** PromQL query returning one number (the sum over the workload's pods). */
  readonly query: string;
  /** Target value per replica: KEDA asks the HPA for `ceil(value / threshold)` replicas. */
  readonly threshold: number;
  /**
   * The trigger counts as active (allows scaling up from zero) only above this value.
   * @default 0
   */
  readonly activationThreshold?: number;
}

/** How a workload scales up and down (the HPA `behavior`). */
export interface ScalingBehaviorOptions {
  /**
   * How far back the HPA looks before removing replicas; long for GPU replicas that take minutes to
   * start again. Whole seconds (the HPA's `stabilizationWindowSeconds`).
   * @default Duration.minutes(10)
   */
  readonly scaleDownStabilization?: Duration;
  /**
   * Replicas removed at most per 5 minutes.
   * @default 1
   */
  readonly scaleDownPodsPer5Minutes?: number;
  /**
   * Replicas added at most per minute.
   * @default 2
   */
  readonly scaleUpPodsPerMinute?: number;
}

/** Inputs of {@link buildPrometheusScaledObject}. */
export interface PrometheusScaledObjectOptions extends ScalingBehaviorOptions {
  /** ScaledObject name. */
  readonly name: string;
  /** Namespace of the ScaledObject and its Deployment. */
  readonly namespace: string;
  /** The Deployment to scale. */
  readonly deploymentName: string;
  /** Fewest replicas (0 enables scale-to-zero). */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** In-cluster Prometheus URL. */
  readonly prometheusUrl: string;
  /** Queries to scale on; the highest replica count wins. */
  readonly triggers: PrometheusTrigger[];
  /**
   * Time between metric checks (KEDA's `pollingInterval`, whole seconds).
   * @default Duration.seconds(15)
   */
  readonly pollingInterval?: Duration;
  /**
   * Time every trigger must stay inactive before scaling to zero (KEDA's `cooldownPeriod`, whole
   * seconds; only used with `minReplicas: 0`).
   * @default Duration.minutes(30)
   */
  readonly cooldown?: Duration;
  /**
   * Labels of the ScaledObject.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

function behavior(o: ScalingBehaviorOptions): JsonObject {
  return {
    scaleDown: {
      stabilizationWindowSeconds: (o.scaleDownStabilization ?? Duration.minutes(10)).toSeconds(),
      policies: [{ type: 'Pods', value: o.scaleDownPodsPer5Minutes ?? 1, periodSeconds: 300 }],
    },
    scaleUp: {
      stabilizationWindowSeconds: 0,
      policies: [{ type: 'Pods', value: o.scaleUpPodsPerMinute ?? 2, periodSeconds: 60 }],
    },
  };
}

/**
 * A KEDA ScaledObject (keda.sh/v1alpha1) scaling a Deployment on Prometheus queries. When
 * Prometheus cannot be read three times in a row it keeps the current replicas, or
 * `max(minReplicas, 1)` if fewer are running (`fallback`), instead of scaling in blind.
 */
export function buildPrometheusScaledObject(o: PrometheusScaledObjectOptions): KubernetesObject {
  const spec: JsonObject = {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: o.deploymentName },
    minReplicaCount: o.minReplicas,
    maxReplicaCount: o.maxReplicas,
    pollingInterval: (o.pollingInterval ?? Duration.seconds(15)).toSeconds(),
    fallback: { failureThreshold: 3, replicas: Math.max(o.minReplicas, 1), behavior: 'currentReplicasIfHigher' },
    advanced: {
      restoreToOriginalReplicaCount: false,
      horizontalPodAutoscalerConfig: { behavior: behavior(o) },
    },
    triggers: o.triggers.map((t) => ({
      type: 'prometheus',
      name: t.name,
      metricType: 'AverageValue',
      metadata: {
        serverAddress: o.prometheusUrl,
        query: t.query,
        threshold: String(t.threshold),
        activationThreshold: String(t.activationThreshold ?? 0),
        // No engine pods (scaled to zero) means no series: read as 0, not as a scaler error.
        ignoreNullValues: 'true',
      },
    })),
  };
  if (o.minReplicas === 0) spec.cooldownPeriod = (o.cooldown ?? Duration.minutes(30)).toSeconds();
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: o.name, namespace: o.namespace, ...(o.labels ? { labels: o.labels } : {}) },
    spec,
  };
}

/** Inputs of {@link buildPodsMetricHpa}. */
export interface PodsMetricHpaOptions extends ScalingBehaviorOptions {
  /** HPA name. */
  readonly name: string;
  /** Namespace of the HPA and its Deployment. */
  readonly namespace: string;
  /** The Deployment to scale. */
  readonly deploymentName: string;
  /** Fewest replicas (at least 1: the HPA cannot scale to zero). */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** Per-pod metric name as the custom metrics API (e.g. prometheus-adapter) serves it. */
  readonly metricName: string;
  /** Target average value per pod. */
  readonly targetAverageValue: number;
  /**
   * Labels of the HPA.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * An `autoscaling/v2` HorizontalPodAutoscaler on a per-pod custom metric: the fallback when KEDA
 * is not installed. Needs a custom metrics adapter serving `metricName` for the pods.
 */
export function buildPodsMetricHpa(o: PodsMetricHpaOptions): KubernetesObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: o.name, namespace: o.namespace, ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: o.deploymentName },
      minReplicas: o.minReplicas,
      maxReplicas: o.maxReplicas,
      metrics: [{ type: 'Pods', pods: { metric: { name: o.metricName }, target: { type: 'AverageValue', averageValue: String(o.targetAverageValue) } } }],
      behavior: behavior(o),
    },
  };
}
