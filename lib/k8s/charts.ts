/**
 * A Helm chart the library installs, pinned to the version its values were checked against.
 */
export interface ChartSpec {
  /** Chart name in its repository. */
  readonly chart: string;
  /** Helm repository URL (`https://…` or `oci://…`). */
  readonly repository: string;
  /** Pinned chart version. */
  readonly version: string;
  /** The application version that chart version ships, for docs and image pins. */
  readonly appVersion?: string;
}

/**
 * Every third-party chart the library installs, in one place. The versions are the ones whose
 * default values (and schemas) the tests check every values key against; bumping one means
 * re-deriving the reference fixtures (`node scripts/derive-reference.js`) and running the tests.
 */
export const CHARTS = {
  /** NVIDIA GPU operator. */
  gpuOperator: { chart: 'gpu-operator', repository: 'https://helm.ngc.nvidia.com/nvidia', version: 'v26.7.0', appVersion: 'v26.7.0' },
  /** Standalone DCGM exporter (used only when the GPU operator's own exporter is off). */
  dcgmExporter: { chart: 'dcgm-exporter', repository: 'https://nvidia.github.io/dcgm-exporter/helm-charts', version: '4.8.2', appVersion: '4.8.2' },
  /** Karpenter controller. */
  karpenter: { chart: 'karpenter', repository: 'oci://public.ecr.aws/karpenter', version: '1.14.1', appVersion: '1.14.1' },
  /** Karpenter CRDs, installed before the controller and any NodePool. */
  karpenterCrd: { chart: 'karpenter-crd', repository: 'oci://public.ecr.aws/karpenter', version: '1.14.1', appVersion: '1.14.1' },
  /** Cluster autoscaler (managed node group mode). */
  clusterAutoscaler: { chart: 'cluster-autoscaler', repository: 'https://kubernetes.github.io/autoscaler', version: '9.59.0', appVersion: '1.35.0' },
  /** Prometheus operator, Prometheus, Alertmanager, Grafana. */
  kubePrometheusStack: { chart: 'kube-prometheus-stack', repository: 'https://prometheus-community.github.io/helm-charts', version: '88.5.3', appVersion: 'v0.93.1' },
  /** Pushgateway for the batch jobs' metrics. */
  prometheusPushgateway: { chart: 'prometheus-pushgateway', repository: 'https://prometheus-community.github.io/helm-charts', version: '3.8.0', appVersion: 'v1.11.3' },
  /** KEDA event-driven autoscaler. */
  keda: { chart: 'keda', repository: 'https://kedacore.github.io/charts', version: '2.20.2', appVersion: '2.20.2' },
  /** vLLM production stack (router + engines). */
  vllmStack: { chart: 'vllm-stack', repository: 'https://vllm-project.github.io/production-stack', version: '0.1.12' },
  /** MLflow tracking server (community-charts). */
  mlflow: { chart: 'mlflow', repository: 'https://community-charts.github.io/helm-charts', version: '1.11.5', appVersion: '3.15.1' },
  /** External Secrets Operator. */
  externalSecrets: { chart: 'external-secrets', repository: 'https://charts.external-secrets.io', version: '2.9.0', appVersion: 'v2.9.0' },
  /** AWS Load Balancer Controller. */
  awsLoadBalancerController: { chart: 'aws-load-balancer-controller', repository: 'https://aws.github.io/eks-charts', version: '3.5.0', appVersion: 'v3.5.0' },
} as const satisfies Record<string, ChartSpec>;

/** Key of {@link CHARTS}. */
export type ChartId = keyof typeof CHARTS;
