import { FactSource } from '../core/facts';

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
 * re-deriving the reference fixtures (`node scripts/derive-reference.js`), updating the entry's
 * `source` (the chart's `Chart.yaml` at the release commit) and `checked`, and running the tests.
 */
export const CHARTS = {
  /** NVIDIA GPU operator. */
  gpuOperator: { chart: 'gpu-operator', repository: 'https://helm.ngc.nvidia.com/nvidia', version: 'v26.7.0', appVersion: 'v26.7.0', source: 'NVIDIA/gpu-operator:deployments/gpu-operator/Chart.yaml@10ee5b3638b89e11e949412aafa5ba99279c3721', checked: '2026-12-07' },
  /** Standalone DCGM exporter (used only when the GPU operator's own exporter is off). */
  dcgmExporter: { chart: 'dcgm-exporter', repository: 'https://nvidia.github.io/dcgm-exporter/helm-charts', version: '4.8.2', appVersion: '4.8.2', source: 'NVIDIA/dcgm-exporter:deployment/Chart.yaml@691c92762eb551313c825f6efe4ceeee20982801', checked: '2026-12-07' },
  /** Karpenter controller. */
  karpenter: { chart: 'karpenter', repository: 'oci://public.ecr.aws/karpenter', version: '1.14.1', appVersion: '1.14.1', source: 'aws/karpenter-provider-aws:charts/karpenter/Chart.yaml@c88abbbad455186e69e30296c595e474123e9bc1', checked: '2026-12-07' },
  /** Karpenter CRDs, installed before the controller and any NodePool. */
  karpenterCrd: { chart: 'karpenter-crd', repository: 'oci://public.ecr.aws/karpenter', version: '1.14.1', appVersion: '1.14.1', source: 'aws/karpenter-provider-aws:charts/karpenter-crd/Chart.yaml@c88abbbad455186e69e30296c595e474123e9bc1', checked: '2026-12-07' },
  /** Cluster autoscaler (managed node group mode). */
  clusterAutoscaler: { chart: 'cluster-autoscaler', repository: 'https://kubernetes.github.io/autoscaler', version: '9.59.0', appVersion: '1.35.0', source: 'kubernetes/autoscaler:cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml@5a0b98e45f896e98132737240ac131a519d3b33d', checked: '2026-12-07' },
  /** Prometheus operator, Prometheus, Alertmanager, Grafana. */
  kubePrometheusStack: { chart: 'kube-prometheus-stack', repository: 'https://prometheus-community.github.io/helm-charts', version: '88.5.3', appVersion: 'v0.93.1', source: 'prometheus-community/helm-charts:charts/kube-prometheus-stack/Chart.yaml@ea930baeebeba39f56d6b44e351f23b2a072a600', checked: '2026-12-07' },
  /** Pushgateway for the batch jobs' metrics. */
  prometheusPushgateway: { chart: 'prometheus-pushgateway', repository: 'https://prometheus-community.github.io/helm-charts', version: '3.8.0', appVersion: 'v1.11.3', source: 'prometheus-community/helm-charts:charts/prometheus-pushgateway/Chart.yaml@4fa56e1c264a2a7e8030af068dcccd4400dd620c', checked: '2026-12-07' },
  /** Argo Rollouts controller and CRDs (progressive delivery of model revisions). */
  argoRollouts: { chart: 'argo-rollouts', repository: 'https://argoproj.github.io/argo-helm', version: '2.41.0', appVersion: 'v1.9.0', source: 'argoproj/argo-helm:charts/argo-rollouts/Chart.yaml@af0a9310bacbaa4636018dfe22c801a6d33a5c43', checked: '2026-12-07' },
  /** KEDA event-driven autoscaler. */
  keda: { chart: 'keda', repository: 'https://kedacore.github.io/charts', version: '2.20.2', appVersion: '2.20.2', source: 'kedacore/charts:keda/Chart.yaml@cbb9bb8ce0809dc9048f72302f7c09765d66ed56', checked: '2026-12-07' },
  /** vLLM production stack (router + engines). */
  vllmStack: { chart: 'vllm-stack', repository: 'https://vllm-project.github.io/production-stack', version: '0.1.12', source: 'vllm-project/production-stack:helm/Chart.yaml@66b60661aa3052810859a417559e9e830772a091', checked: '2026-12-07' },
  /** MLflow tracking server (community-charts). */
  mlflow: { chart: 'mlflow', repository: 'https://community-charts.github.io/helm-charts', version: '1.11.5', appVersion: '3.15.1', source: 'community-charts/helm-charts:charts/mlflow/Chart.yaml@9d23d003453a3d863d2086691a26250921fd1169', checked: '2026-12-07' },
  /** External Secrets Operator. */
  externalSecrets: { chart: 'external-secrets', repository: 'https://charts.external-secrets.io', version: '2.9.0', appVersion: 'v2.9.0', source: 'external-secrets/external-secrets:deploy/charts/external-secrets/Chart.yaml@cc5bfbc2234ace9cb0caff4ea89c435cf517b27b', checked: '2026-12-07' },
  /** AWS Load Balancer Controller. */
  awsLoadBalancerController: { chart: 'aws-load-balancer-controller', repository: 'https://aws.github.io/eks-charts', version: '3.5.0', appVersion: 'v3.5.0', source: 'aws/eks-charts:stable/aws-load-balancer-controller/Chart.yaml@5239609242f3430be50fb0b714a24d3ef2b47983', checked: '2026-12-07' },
} as const satisfies Record<string, ChartSpec & FactSource>;

/** Key of {@link CHARTS}. */
export type ChartId = keyof typeof CHARTS;
