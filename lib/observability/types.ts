import { ITerraformDependable } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * The platform's metrics backbone (Prometheus operator, Prometheus, Grafana, Pushgateway) as other
 * constructs see it. Implemented by `Observability`.
 */
export interface IMetricsBackbone extends IConstruct {
  /** Namespace of Prometheus, Grafana and the Pushgateway. */
  readonly namespace: string;
  /** Labels every ServiceMonitor/PodMonitor must carry to be selected by Prometheus. */
  readonly monitorLabels: Record<string, string>;
  /** Labels every PrometheusRule must carry to be loaded. */
  readonly ruleLabels: Record<string, string>;
  /** Labels a ConfigMap needs for Grafana's sidecar to load the dashboards in it. */
  readonly dashboardLabels: Record<string, string>;
  /** What custom resources (ServiceMonitor, PrometheusRule) must depend on: the operator release with its CRDs. */
  readonly crdDependencies: ITerraformDependable[];
  /**
   * Labels of the Prometheus server pods in {@link namespace}: NetworkPolicies of scraped workloads
   * admit these pods only, not every pod of the namespace.
   * @default { 'app.kubernetes.io/name': 'prometheus' } (the Prometheus operator's pod label)
   */
  readonly prometheusPodLabels?: Record<string, string>;
  /** In-cluster Prometheus query URL (KEDA's Prometheus trigger, alert links). */
  readonly prometheusUrl: string;
  /**
   * In-cluster Pushgateway URL, when the Pushgateway is installed.
   * @default - undefined: no Pushgateway
   */
  readonly pushgatewayUrl?: string;
  /**
   * Lets the pods with `podLabels` in `namespace` (and no other pod) push to the Pushgateway.
   * Constructs that push (DriftMonitor, EvalCronJob) call it for their job pods.
   */
  allowPushes(namespace: string, podLabels: Record<string, string>): void;
}
