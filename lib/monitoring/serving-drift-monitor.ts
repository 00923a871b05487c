import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { ManifestChart } from '../k8s/manifest-chart';
import { KubernetesObject } from '../k8s/values';
import { MonitoringObjectError, prometheusRule } from '../observability/monitoring-objects';
import { IMetricsBackbone } from '../observability/types';
import { ServingDriftOptions, servingDriftRuleGroups } from './serving-drift';

/** Props of {@link ServingDriftMonitor}. */
export interface ServingDriftMonitorProps extends ServingDriftOptions {
  /** The metrics backbone (rule labels, CRD dependencies). */
  readonly metrics: IMetricsBackbone;
  /**
   * Name of the monitor: the `monitor` label of the recorded series and the PrometheusRule name
   * prefix (DNS-1123 label, at most 40 characters).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the PrometheusRule (Prometheus loads rules from every namespace).
   * @default - `servingNamespace`
   */
  readonly namespace?: string;
  /**
   * Resources the rule waits for besides the Prometheus operator.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Serving-signal drift with no job at all: recording rules for the current and last week's quantiles
 * of the prompt and generation lengths of vLLM requests and of their error rate, and alerts when a
 * ratio leaves its band for `forDuration`. For a model's traffic what a data-drift job is for its
 * features.
 */
export class ServingDriftMonitor extends Construct {
  /** The PrometheusRule. */
  public readonly rule: KubernetesObject;
  /** The release applying it. */
  public readonly chart: ManifestChart;
  /** The `monitor` label value. */
  public readonly monitorName: string;

  /** Creates the rules. */
  public constructor(scope: Construct, id: string, props: ServingDriftMonitorProps) {
    super(scope, id);
    const name = validateDns1123Label(this, 'name', props.name ?? id);
    if (name.length > 40) throw new ValidationError(this, 'name', name, 'must be at most 40 characters');
    this.monitorName = name;
    const groups = servingDriftRuleGroups(this, '', name, props);
    const namespace = props.namespace !== undefined ? validateDns1123Label(this, 'namespace', props.namespace) : props.servingNamespace;
    try {
      this.rule = prometheusRule({ name: `${name}-serving-drift`, namespace, labels: { ...props.metrics.ruleLabels }, groups });
    } catch (e) {
      if (e instanceof MonitoringObjectError) throw new ValidationError(this, e.prop, e.value, e.expected);
      throw e;
    }
    this.chart = new ManifestChart(this, 'rules', {
      releaseName: `${name}-serving-drift`,
      namespace,
      manifests: [this.rule],
      dependsOn: [...props.metrics.crdDependencies, ...(props.dependsOn ?? [])],
    });
  }
}
