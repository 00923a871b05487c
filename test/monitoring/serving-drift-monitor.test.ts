import { Duration } from '../../lib/core/units';
import { AlertSeverity, ServingDriftMonitor, ServingDriftMonitorProps } from '../../lib/monitoring';
import { SERVING_SIGNALS } from '../../lib/serving';
import { expectValidCustomResource } from '../harness/reference';
import { awsStack, resources, synth } from '../harness/synth';
import { FakeMetrics, only, releaseManifests } from './fakes';
import { SERVING_DRIFT_SERIES } from '../../lib/monitoring/serving-drift';
import { parsePromQl } from '../../lib/monitoring/promql';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

function build(o: Partial<ServingDriftMonitorProps> = {}) {
  const stack = awsStack();
  const metrics = new FakeMetrics(stack, 'metrics');
  const monitor = new ServingDriftMonitor(stack, 'llm-traffic', { metrics, servingNamespace: 'serving', models: ['meta-llama/Llama-3.1-8B-Instruct', 'qwen2.5-7b'], team: 'llm', ...o });
  return { stack, monitor };
}

const base = build();
const s = synth(base.stack);
const rule = only(releaseManifests(s, 'llm-traffic-serving-drift'), 'PrometheusRule') as Any;
const rules: Rule[] = rule.spec.groups.flatMap((g: Any) => g.rules);
const record = (name: string) => rules.filter((r) => r.record === name);
const alert = (name: string) => rules.find((r) => r.alert === name)!;
const SEL = 'namespace="serving",model=~"meta-llama/Llama-3\\\\.1-8B-Instruct|qwen2\\\\.5-7b"';

test('one PrometheusRule in the serving namespace, labelled for Prometheus, valid against the CRD, after the operator', () => {
  expectValidCustomResource(rule);
  expect(rule.metadata).toEqual({ name: 'llm-traffic-serving-drift', namespace: 'serving', labels: { release: 'kube-prometheus-stack' } });
  const rel = Object.values(resources(s, 'helm_release')).find((r) => r.name === 'llm-traffic-serving-drift') as Any;
  expect(rel.namespace).toBe('serving');
  expect(rel.depends_on).toEqual([expect.stringMatching(/^helm_release\.metrics_operator_/)]);
  expect(rule.spec.groups.map((g: Any) => [g.name, g.interval])).toEqual([['llm-traffic-serving-drift-records', '1m'], ['llm-traffic-serving-drift-alerts', undefined]]);
});

test('current-hour quantiles of prompt and generation tokens against the same quantiles over a day a week ago', () => {
  expect(record(SERVING_DRIFT_SERIES.promptQuantileCurrent).map((r) => [r.labels, r.expr])).toEqual([
    [{ monitor: 'llm-traffic', quantile: '0.5' }, `histogram_quantile(0.5, sum by (namespace, model, le) (rate(${SERVING_SIGNALS.requestPromptTokensBucket}{${SEL}}[1h])))`],
    [{ monitor: 'llm-traffic', quantile: '0.95' }, `histogram_quantile(0.95, sum by (namespace, model, le) (rate(${SERVING_SIGNALS.requestPromptTokensBucket}{${SEL}}[1h])))`],
  ]);
  expect(record(SERVING_DRIFT_SERIES.generationQuantileReference).map((r) => r.expr)).toEqual([
    `histogram_quantile(0.5, sum by (namespace, model, le) (rate(aiplatform:serving_request_generation_tokens_bucket{${SEL}}[24h] offset 168h)))`,
    `histogram_quantile(0.95, sum by (namespace, model, le) (rate(aiplatform:serving_request_generation_tokens_bucket{${SEL}}[24h] offset 168h)))`,
  ]);
  expect(record(SERVING_DRIFT_SERIES.promptQuantileRatio)[0].expr).toBe(`${SERVING_DRIFT_SERIES.promptQuantileCurrent}{monitor="llm-traffic"} / ${SERVING_DRIFT_SERIES.promptQuantileReference}{monitor="llm-traffic"}`);
});

test('the error rate counts failed and aborted requests of the common signal, and is 0 (not absent) before the first error', () => {
  const e = record(SERVING_DRIFT_SERIES.errorRatioCurrent)[0].expr;
  expect(e).toContain(`avg_over_time(aiplatform:serving_requests:rate5m{${SEL},outcome=~"failed|aborted"}[1h])`);
  expect(e).toMatch(/ or sum by \(namespace, model\) \(avg_over_time\(aiplatform:serving_requests:rate5m\{[^}]+\}\[1h\]\)\) \* 0\) \//);
  expect(record(SERVING_DRIFT_SERIES.requestsCurrent)[0].expr).toBe(`sum by (namespace, model) (increase(aiplatform:serving_request_prompt_tokens_bucket{${SEL},le="+Inf"}[1h]))`);
});

test('token alerts fire outside [1/ratio, ratio] with enough requests in both windows, for 30 minutes', () => {
  const a = alert('AiPlatformServingPromptTokensDrift');
  expect(a.expr).toBe(
    `(${SERVING_DRIFT_SERIES.promptQuantileRatio}{monitor="llm-traffic"} > 1.5 or ${SERVING_DRIFT_SERIES.promptQuantileRatio}{monitor="llm-traffic"} < 0.6667)`
      + ` and on (namespace, model) (${SERVING_DRIFT_SERIES.requestsCurrent}{monitor="llm-traffic"} >= 100)`
      + ` and on (namespace, model) (${SERVING_DRIFT_SERIES.requestsReference}{monitor="llm-traffic"} >= 100)`,
  );
  expect(a.for).toBe('30m');
  // Routed like every model alert: severity, model (templated from the series) and team.
  expect(a.labels).toEqual({ team: 'llm', model: '{{ $labels.model }}', severity: 'warning' });
  expect(alert('AiPlatformServingGenerationTokensDrift')).toBeDefined();
});

test('the error-rate alert compares with the reference, with a floor', () => {
  const e = alert('AiPlatformServingErrorRateDrift').expr;
  expect(e).toContain(`(${SERVING_DRIFT_SERIES.errorRatioCurrent}{monitor="llm-traffic"} > 2 * ${SERVING_DRIFT_SERIES.errorRatioReference}{monitor="llm-traffic"} and on (namespace, model) (${SERVING_DRIFT_SERIES.requestsReference}{monitor="llm-traffic"} >= 100))`);
  // A reference window without enough traffic is no baseline (0/0 would hide the alert: issue 16).
  expect(e).toContain(`unless on (namespace, model) (${SERVING_DRIFT_SERIES.requestsReference}{monitor="llm-traffic"} >= 100)`);
  expect(e).toContain(`and (${SERVING_DRIFT_SERIES.errorRatioCurrent}{monitor="llm-traffic"} > 0.01)`);
});

test('every expression parses; alerts read only series the rule records', () => {
  const recorded = new Set(rules.filter((r) => r.record).map((r) => r.record));
  for (const r of rules) {
    const names = parsePromQl(r.expr).metricNames;
    if (r.alert) for (const n of names) expect(recorded.has(n)).toBe(true);
    else for (const n of names) expect([...Object.values(SERVING_SIGNALS), ...recorded]).toContain(n);
  }
});

test('windows, quantiles, thresholds, severity and labels are configurable', () => {
  const { monitor } = build({
    models: ['m'],
    currentWindow: Duration.minutes(30),
    referenceWindow: Duration.hours(6),
    referenceOffset: Duration.days(1),
    quantiles: [0.99],
    tokenRatioThreshold: 2,
    errorRateRatioThreshold: 3,
    minErrorRate: 0.05,
    minRequests: 500,
    errorOutcomes: ['failed'],
    forDuration: Duration.hours(1),
    severity: AlertSeverity.CRITICAL,
    labels: { env: 'prod' },
    runbookUrl: 'https://runbooks.example.com/serving-drift',
  });
  const all: Rule[] = (monitor.rule as Any).spec.groups.flatMap((g: Any) => g.rules);
  const text = JSON.stringify(all);
  expect(text).toContain('model=\\"m\\"');
  expect(text).toContain('[30m]');
  expect(text).toContain('[6h] offset 24h');
  expect(text).toContain('histogram_quantile(0.99,');
  // The deprecated vLLM finish reasons map to the common outcomes.
  expect(text).toContain('outcome=\\"failed\\"');
  const a = all.find((r) => r.alert === 'AiPlatformServingPromptTokensDrift')!;
  expect(a.expr).toContain('> 2 or');
  expect(a.expr).toContain('< 0.5)');
  expect(a.expr).toContain('>= 500');
  expect(a).toMatchObject({ for: '1h', labels: { env: 'prod', severity: 'critical' }, annotations: { runbook_url: 'https://runbooks.example.com/serving-drift' } });
  expect(all.find((r) => r.alert === 'AiPlatformServingErrorRateDrift')!.expr).toContain('> 3 *');
});

describe('bad input fails at synth, naming the prop and the value', () => {
  test.each([
    [{ models: [] }, /test\/llm-traffic: models \(\[\]\) is invalid: must list at least one served model name/],
    [{ models: ['a', 'a'] }, /models \(\["a","a"\]\) is invalid: lists a model twice/],
    [{ models: [''] }, /models\[0\] \(""\) is invalid/],
    [{ servingNamespace: 'Serving' }, /servingNamespace \("Serving"\) is invalid/],
    [{ quantiles: [1] }, /quantiles\[0\] \(1\) is invalid: must be a number strictly between 0 and 1/],
    [{ quantiles: [0] }, /quantiles\[0\] \(0\) is invalid/],
    [{ tokenRatioThreshold: 1 }, /tokenRatioThreshold \(1\) is invalid: must be a number greater than 1/],
    [{ errorRateRatioThreshold: 0.5 }, /errorRateRatioThreshold \(0\.5\) is invalid/],
    [{ minErrorRate: 1.5 }, /minErrorRate \(1\.5\) is invalid: must be a number between 0 and 1/],
    [{ minRequests: 0 }, /minRequests \(0\) is invalid/],
    [{ currentWindow: Duration.minutes(1) }, /currentWindow \("1 minute"\) is invalid: must be between 5 minutes and 7 days/],
    [{ referenceWindow: Duration.minutes(30) }, /referenceWindow \("30 minutes"\) is invalid: must be between 1 hour and 30 days/],
    [{ referenceOffset: Duration.hours(1) }, /referenceOffset \("1 hour"\) is invalid: must be between 1 day and 90 days/],
    [{ errorOutcomes: ['error'] }, /errorOutcomes \(\["error"\]\) is invalid: must list outcomes of the common request signal/],
    [{ team: 'the ML team' }, /team \("the ML team"\) is invalid/],
    [{ name: 'LLM' }, /name \("LLM"\) is invalid/],
  ] as [Partial<ServingDriftMonitorProps>, RegExp][])('%j', (o, message) => {
    expect(() => build(o)).toThrow(message);
  });
});
