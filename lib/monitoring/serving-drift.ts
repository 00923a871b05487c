import { IConstruct } from 'constructs';
import { validateEnum } from '../core/enums';
import { Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { Duration } from '../core/units';
import { validateDuration, validateInteger, validateNumber } from '../core/validate';
import { PrometheusRuleEntry, PrometheusRuleGroup } from '../observability/monitoring-objects';
import { AlertSeverity } from './job-alerts';
import { SERVING_SIGNALS } from '../serving/serving-signals';
import { PromQlError, parsePromQl, promAlternatives, promString } from './promql';
import { validateKubernetesLabels, validateKubernetesLabelValue } from './scheduled-job';

/**
 * Serving-signal drift: what the served models receive and produce, from the common serving
 * signals every engine's recording rules feed (docs/serving.md, "Common serving signals"), compared
 * with the same hours a week earlier. No job and no data export: Prometheus
 * recording and alerting rules only.
 */
export interface ServingDriftOptions {
  /** Model names (the `model` label of the common serving signals: the stack's model `name`). */
  readonly models: string[];
  /** Namespace of the engines (the `namespace` label of their series). */
  readonly servingNamespace: string;
  /**
   * Window of the current distribution.
   * @default Duration.hours(1)
   */
  readonly currentWindow?: Duration;
  /**
   * Window of the reference distribution.
   * @default Duration.days(1) (a whole day smooths the hour-of-day pattern)
   */
  readonly referenceWindow?: Duration;
  /**
   * How far back the reference window ends.
   * @default Duration.days(7) (same weekday: traffic is weekly-seasonal)
   */
  readonly referenceOffset?: Duration;
  /**
   * Quantiles compared (each in (0, 1)).
   * @default [0.5, 0.95]
   */
  readonly quantiles?: number[];
  /**
   * A token-length quantile drifted when current / reference is above this ratio or below its inverse.
   * @default 1.5
   */
  readonly tokenRatioThreshold?: number;
  /**
   * The error rate drifted when current / reference is above this ratio (and above `minErrorRate`).
   * @default 2
   */
  readonly errorRateRatioThreshold?: number;
  /**
   * Error rate (0–1) below which no error-rate alert fires, whatever the ratio.
   * @default 0.01
   */
  readonly minErrorRate?: number;
  /**
   * Requests a window needs (current and reference) before the token quantiles are compared.
   * @default 100 (quantiles of a handful of requests are noise)
   */
  readonly minRequests?: number;
  /**
   * `outcome` values of the common request signal (`aiplatform:serving_requests:rate5m`) counted as
   * errors: `failed` (engine errors) and `aborted` (requests abandoned, e.g. after a client timeout).
   * @default ['failed', 'aborted']
   */
  readonly errorOutcomes?: string[];
  /**
   * How long a drift must last before its alert fires.
   * @default Duration.minutes(30)
   */
  readonly forDuration?: Duration;
  /**
   * Severity of the alerts.
   * @default AlertSeverity.WARNING
   */
  readonly severity?: AlertSeverity;
  /**
   * `team` label of the alerts.
   * @default - none
   */
  readonly team?: string;
  /**
   * Extra labels of the alerts.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * `runbook_url` annotation.
   * @default - none
   */
  readonly runbookUrl?: string;
}

/** Recorded series of the serving-signal drift rules (each carries `monitor`, `namespace`, `model`; the names keep their historical `vllm` part, they are a contract). */
export const SERVING_DRIFT_SERIES = {
  promptQuantileCurrent: 'aiplatform:vllm_request_prompt_tokens:quantile_current',
  promptQuantileReference: 'aiplatform:vllm_request_prompt_tokens:quantile_reference',
  promptQuantileRatio: 'aiplatform:vllm_request_prompt_tokens:quantile_ratio',
  generationQuantileCurrent: 'aiplatform:vllm_request_generation_tokens:quantile_current',
  generationQuantileReference: 'aiplatform:vllm_request_generation_tokens:quantile_reference',
  generationQuantileRatio: 'aiplatform:vllm_request_generation_tokens:quantile_ratio',
  requestsCurrent: 'aiplatform:vllm_requests:increase_current',
  requestsReference: 'aiplatform:vllm_requests:increase_reference',
  errorRatioCurrent: 'aiplatform:vllm_request_errors:ratio_current',
  errorRatioReference: 'aiplatform:vllm_request_errors:ratio_reference',
} as const;

/** Builds the recording and alerting rules; `monitor` is the value of the `monitor` label. */
export function servingDriftRuleGroups(scope: IConstruct, prefix: string, monitor: string, o: ServingDriftOptions): PrometheusRuleGroup[] {
  const P = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (!Array.isArray(o.models) || o.models.length === 0) throw new ValidationError(scope, `${P('models')}`, o.models, 'must list at least one served model name');
  o.models.forEach((m, i) => {
    if (typeof m !== 'string' || m.trim().length === 0 || Token.isUnresolved(m)) throw new ValidationError(scope, `${P('models')}[${i}]`, m, 'must be a literal, non-empty model name (the model label of the common serving signals)');
  });
  if (new Set(o.models).size !== o.models.length) throw new ValidationError(scope, `${P('models')}`, o.models, 'lists a model twice');
  const ns = validateDns1123Label(scope, `${P('servingNamespace')}`, o.servingNamespace);
  validateEnum(scope, P('severity'), o.severity, AlertSeverity, 'AlertSeverity');
  const current = o.currentWindow ?? Duration.hours(1);
  const refWindow = o.referenceWindow ?? Duration.days(1);
  const offset = o.referenceOffset ?? Duration.days(7);
  validateDuration(scope, P('currentWindow'), current, { min: Duration.minutes(5), max: Duration.days(7), whole: 'second', field: 'a PromQL range' });
  validateDuration(scope, P('referenceWindow'), refWindow, { min: current, max: Duration.days(30), whole: 'second', field: 'a PromQL range' });
  validateDuration(scope, P('referenceOffset'), offset, { min: refWindow, max: Duration.days(90), whole: 'second', field: 'a PromQL offset' });
  const quantiles = o.quantiles ?? [0.5, 0.95];
  if (quantiles.length === 0) throw new ValidationError(scope, `${P('quantiles')}`, quantiles, 'must list at least one quantile');
  quantiles.forEach((q, i) => {
    if (typeof q !== 'number' || !(q > 0 && q < 1)) throw new ValidationError(scope, `${P('quantiles')}[${i}]`, q, 'must be a number strictly between 0 and 1');
  });
  if (new Set(quantiles).size !== quantiles.length) throw new ValidationError(scope, `${P('quantiles')}`, quantiles, 'lists a quantile twice');
  const ratio = o.tokenRatioThreshold ?? 1.5;
  if (typeof ratio !== 'number' || !(ratio > 1) || !Number.isFinite(ratio)) throw new ValidationError(scope, `${P('tokenRatioThreshold')}`, ratio, 'must be a number greater than 1 (1.5 alerts when a quantile grows by half or shrinks by a third)');
  const errRatio = o.errorRateRatioThreshold ?? 2;
  if (typeof errRatio !== 'number' || !(errRatio > 1) || !Number.isFinite(errRatio)) throw new ValidationError(scope, `${P('errorRateRatioThreshold')}`, errRatio, 'must be a number greater than 1');
  const minErr = validateNumber(scope, `${P('minErrorRate')}`, o.minErrorRate ?? 0.01, 0, 1);
  const minRequests = validateInteger(scope, `${P('minRequests')}`, o.minRequests ?? 100, 1);
  const reasons = o.errorOutcomes ?? ['failed', 'aborted'];
  if (reasons.length === 0 || reasons.some((r) => !['finished', 'aborted', 'failed'].includes(r))) throw new ValidationError(scope, `${P('errorOutcomes')}`, reasons, 'must list outcomes of the common request signal: "failed", "aborted" (or "finished")');
  const forDuration = o.forDuration ?? Duration.minutes(30);
  if (o.team !== undefined) validateKubernetesLabelValue(scope, P('team'), o.team);
  validateKubernetesLabels(scope, `${P('labels')}`, o.labels);

  const S = SERVING_DRIFT_SERIES;
  const G = SERVING_SIGNALS;
  const modelMatcher = o.models.length === 1 ? `model=${promString(o.models[0])}` : `model=~${promString(promAlternatives(o.models))}`;
  const sel = `namespace=${promString(ns)},${modelMatcher}`;
  const mon = `monitor=${promString(monitor)}`;
  const cur = current.toGoDuration();
  const ref = refWindow.toGoDuration();
  const off = offset.toGoDuration();
  const recLabels = { monitor };
  const quantileRules = (bucket: string, curName: string, refName: string, ratioName: string): PrometheusRuleEntry[] => [
    ...quantiles.flatMap((q) => [
      { record: curName, expr: `histogram_quantile(${q}, sum by (namespace, model, le) (rate(${bucket}{${sel}}[${cur}])))`, labels: { ...recLabels, quantile: String(q) } },
      { record: refName, expr: `histogram_quantile(${q}, sum by (namespace, model, le) (rate(${bucket}{${sel}}[${ref}] offset ${off})))`, labels: { ...recLabels, quantile: String(q) } },
    ]),
    { record: ratioName, expr: `${curName}{${mon}} / ${refName}{${mon}}`, labels: recLabels },
  ];
  const reasonMatcher = reasons.length === 1 ? `outcome=${promString(reasons[0])}` : `outcome=~${promString(promAlternatives(reasons))}`;
  /** `range` is the range and offset after the selector: `[1h]` or `[1d] offset 7d`. The signal is a 5m rate: its mean over the range is the rate over the range. */
  const errorRatio = (range: string) => {
    const total = `sum by (namespace, model) (avg_over_time(${G.requests}{${sel}}${range}))`;
    // No error series at all (no error yet) is an error rate of 0, not "unknown"; so is a window
    // without traffic (0/0 would be NaN, and NaN compares false: an idle reference hid every alert).
    const errors = `(sum by (namespace, model) (avg_over_time(${G.requests}{${sel},${reasonMatcher}}${range})) or ${total} * 0)`;
    return `(${errors} / (${total} > 0)) or ${total} * 0`;
  };
  // Requests = observations of the prompt-token histogram (its +Inf bucket).
  const requests = (range: string) => `sum by (namespace, model) (increase(${G.requestPromptTokensBucket}{${sel},le="+Inf"}${range}))`;
  const records: PrometheusRuleEntry[] = [
    ...quantileRules(G.requestPromptTokensBucket, S.promptQuantileCurrent, S.promptQuantileReference, S.promptQuantileRatio),
    ...quantileRules(G.requestGenerationTokensBucket, S.generationQuantileCurrent, S.generationQuantileReference, S.generationQuantileRatio),
    { record: S.requestsCurrent, expr: requests(`[${cur}]`), labels: recLabels },
    { record: S.requestsReference, expr: requests(`[${ref}] offset ${off}`), labels: recLabels },
    { record: S.errorRatioCurrent, expr: errorRatio(`[${cur}]`), labels: recLabels },
    { record: S.errorRatioReference, expr: errorRatio(`[${ref}] offset ${off}`), labels: recLabels },
  ];

  const refEnough = `and on (namespace, model) (${S.requestsReference}{${mon}} >= ${minRequests})`;
  const enough = `and on (namespace, model) (${S.requestsCurrent}{${mon}} >= ${minRequests}) and on (namespace, model) (${S.requestsReference}{${mon}} >= ${minRequests})`;
  const labels: Record<string, string> = {
    ...o.labels,
    ...(o.team !== undefined ? { team: o.team } : {}),
    // Alert labels are templates: route on the served model like every other model alert.
    model: '{{ $labels.model }}',
    severity: o.severity ?? AlertSeverity.WARNING,
  };
  const annotations = (summary: string, description: string): Record<string, string> => ({
    summary,
    description,
    ...(o.runbookUrl ? { runbook_url: o.runbookUrl } : {}),
  });
  const tokenAlert = (alert: string, series: string, what: string): PrometheusRuleEntry => ({
    alert,
    expr: `(${series}{${mon}} > ${ratio} or ${series}{${mon}} < ${roundRatio(1 / ratio)}) ${enough}`,
    forDuration,
    labels,
    annotations: annotations(
      `${what} of {{ $labels.model }} drifted`,
      `The q{{ $labels.quantile }} of ${what.toLowerCase()} per request of model {{ $labels.model }} (namespace {{ $labels.namespace }}) over the last ${cur} is {{ $value | humanize }}x the same quantile over the ${ref} ending ${off} ago (threshold ${ratio}x either way). The traffic the model serves has changed: check the clients, prompts and the eval results.`,
    ),
  });
  const alerts: PrometheusRuleEntry[] = [
    tokenAlert('AiPlatformServingPromptTokensDrift', S.promptQuantileRatio, 'Prompt length'),
    tokenAlert('AiPlatformServingGenerationTokensDrift', S.generationQuantileRatio, 'Generation length'),
    {
      alert: 'AiPlatformServingErrorRateDrift',
      // A reference window with fewer than minRequests requests (idle, or no series at all) is no
      // baseline: it counts as 0 errors, and the current rate alone decides (above minErrorRate).
      expr: [
        `(`,
        `  (${S.errorRatioCurrent}{${mon}} > ${errRatio} * ${S.errorRatioReference}{${mon}} ${refEnough})`,
        `  or (${S.errorRatioCurrent}{${mon}} unless on (namespace, model) (${S.requestsReference}{${mon}} >= ${minRequests}))`,
        `)`,
        `and (${S.errorRatioCurrent}{${mon}} > ${minErr})`,
        `and on (namespace, model) (${S.requestsCurrent}{${mon}} >= ${minRequests})`,
      ].join('\n'),
      forDuration,
      labels,
      annotations: annotations(
        'Error rate of {{ $labels.model }} drifted',
        `{{ $value | humanizePercentage }} of the requests of model {{ $labels.model }} (namespace {{ $labels.namespace }}) over the last ${cur} finished with ${reasons.join(' or ')}, more than ${errRatio}x the rate over the ${ref} ending ${off} ago and above ${minErr}.`,
      ),
    },
  ];
  const groups: PrometheusRuleGroup[] = [
    { name: `${monitor}-serving-drift-records`, interval: Duration.minutes(1), rules: records },
    { name: `${monitor}-serving-drift-alerts`, rules: alerts },
  ];
  checkRuleExpressions(scope, prefix || 'rules', groups);
  return groups;
}

function roundRatio(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** Throws a ValidationError naming the rule when one of the expressions does not parse as PromQL. */
export function checkRuleExpressions(scope: IConstruct, prop: string, groups: PrometheusRuleGroup[]): void {
  for (const g of groups) {
    for (const r of g.rules) {
      try {
        parsePromQl(r.expr);
      } catch (e) {
        if (!(e instanceof PromQlError)) throw e;
        throw new ValidationError(scope, prop, r.expr, `renders the rule ${r.alert ?? r.record} as PromQL that Prometheus would reject: ${e.message} at ${e.position}`);
      }
    }
  }
}
