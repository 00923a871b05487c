export * from './keda';
export type { PodsMetricHpaOptions, PrometheusScaledObjectOptions, PrometheusTrigger, ScalingBehaviorOptions } from './scaled-object';
