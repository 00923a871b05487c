import { Construct } from 'constructs';
import { ITerraformDependable, Lazy } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ChartSpec } from './charts';
import { JsonObject, mergeValues, resolveEmbeddedTokens, toValuesDocument } from './values';
import { validateDns1123Label } from '../core/names';
import { Duration } from '../core/units';

/** Props of {@link HelmChart}. */
export interface HelmChartProps {
  /** The chart, usually an entry of `CHARTS`. */
  readonly chart: ChartSpec;
  /** Helm release name (a DNS-1123 label: it prefixes the chart's object names). */
  readonly releaseName: string;
  /** Namespace to install into. The namespace is expected to exist (see `PlatformNamespace`). */
  readonly namespace: string;
  /** Values the construct sets. Checked against the chart's defaults by the tests. */
  readonly values: JsonObject;
  /**
   * Values merged over `values` (escape hatch). Not validated: the user owns them.
   * @default - none
   */
  readonly extraValues?: JsonObject;
  /**
   * Chart version override, for a user who has validated another version.
   * @default - the pinned `chart.version`
   */
  readonly chartVersion?: string;
  /**
   * Wait until every object is ready before the release counts as deployed, so dependants
   * (custom resources validated by this chart's webhooks) apply after it.
   * @default true
   */
  readonly wait?: boolean;
  /**
   * How long Helm waits for readiness (whole seconds: the release's `timeout` counts seconds).
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * Whether Helm installs the chart's CRDs.
   * @default true
   */
  readonly installCrds?: boolean;
  /**
   * Resources this release waits for.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Helm release of a pinned chart with typed values. Values are kept as data on the construct
 * (`values`, `renderedValues()`) so tests and the policy Aspect can check what is installed.
 */
export class HelmChart extends Construct {
  /** The underlying helm_release. */
  public readonly release: Release;
  /** The chart this release installs. */
  public readonly chart: ChartSpec;
  /** Namespace of the release. */
  public readonly namespace: string;
  private values: JsonObject;
  private readonly extraValues?: JsonObject;

  /** Creates the release. */
  public constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id);
    validateDns1123Label(this, 'releaseName', props.releaseName);
    validateDns1123Label(this, 'namespace', props.namespace);
    this.chart = props.chart;
    this.namespace = props.namespace;
    this.values = props.values;
    this.extraValues = props.extraValues;
    this.release = new Release(this, 'release', {
      name: props.releaseName,
      namespace: props.namespace,
      repository: props.chart.repository,
      chart: props.chart.chart,
      version: props.chartVersion ?? props.chart.version,
      createNamespace: false,
      wait: props.wait ?? true,
      timeout: (props.timeout ?? Duration.minutes(10)).toSeconds(),
      atomic: false,
      cleanupOnFail: true,
      skipCrds: props.installCrds === false,
      maxHistory: 10,
      // Lazy so values added with addValues() after construction still land.
      values: Lazy.listValue({ produce: (ctx) => [toValuesDocument(this.values), ...(this.extraValues ? [toValuesDocument(this.extraValues)] : [])].map((d) => resolveEmbeddedTokens(d, ctx)) }),
      dependsOn: props.dependsOn,
    });
  }

  /** Merges more values into the ones the construct sets (before `extraValues`). */
  public addValues(values: JsonObject): void {
    this.values = mergeValues(this.values, values);
  }

  /** The values the library sets (without the user's `extraValues`). */
  public get libraryValues(): JsonObject {
    return this.values;
  }

  /** Values as Helm will see them: the library's values with `extraValues` merged over them. */
  public renderedValues(): JsonObject {
    return mergeValues(this.values, this.extraValues);
  }
}
