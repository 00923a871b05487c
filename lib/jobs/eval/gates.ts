import { EvalRegressionGate, EvalThresholdGate } from '../config';

/** Metrics the eval computes (besides `pass_rate.<scorer>`). */
export const EVAL_METRIC_NAMES = [
  'pass_rate', 'error_rate', 'errors', 'rows', 'latency_p50_ms', 'latency_p95_ms', 'latency_mean_ms', 'tokens_per_second', 'judge_score_mean',
] as const;

/** Whether a gate may name this metric (typos must fail at start-up, not pass silently). */
export function isKnownMetric(name: string): boolean {
  return (EVAL_METRIC_NAMES as readonly string[]).includes(name) || /^pass_rate\.[a-z_]+$/.test(name);
}

/** Latencies and error counts get worse as they grow; the others as they shrink. */
export function lowerIsBetter(metric: string): boolean {
  return metric.startsWith('latency_') || metric === 'errors' || metric === 'error_rate';
}

/** The outcome of one gate. */
export interface GateResult {
  /** `threshold` (absolute) or `regression` (against the baseline). */
  readonly type: 'threshold' | 'regression';
  /** Metric name. */
  readonly metric: string;
  /** Whether the gate passed (a skipped regression gate passes). */
  readonly passed: boolean;
  /** Skipped: no baseline value to compare with. */
  readonly skipped?: boolean;
  /** Value of this run. */
  readonly value?: number;
  /** threshold: bounds. */
  readonly min?: number;
  /** threshold: bounds. */
  readonly max?: number;
  /** regression: the baseline value. */
  readonly baseline?: number;
  /** regression: the worst acceptable value. */
  readonly limit?: number;
  /** One line with the numbers. */
  readonly message: string;
}

/** Six significant digits without trailing zeros: 0.875, not 0.8750000000000001 or 0.8750. */
function fmt(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** Checks absolute thresholds; a metric this run did not produce fails its gate. */
export function checkThresholds(gates: readonly EvalThresholdGate[], metrics: { readonly [k: string]: number }): GateResult[] {
  return gates.map((g) => {
    const value = metrics[g.metric];
    const bounds = [g.min !== undefined ? `>= ${g.min}` : '', g.max !== undefined ? `<= ${g.max}` : ''].filter(Boolean).join(' and ');
    if (value === undefined || Number.isNaN(value)) {
      return { type: 'threshold', metric: g.metric, passed: false, min: g.min, max: g.max, message: `${g.metric}: not produced by this run (no row used that scorer, or no successful request); required ${bounds}` };
    }
    const low = g.min !== undefined && value < g.min;
    const high = g.max !== undefined && value > g.max;
    const passed = !low && !high;
    const why = low ? `< min ${g.min}` : high ? `> max ${g.max}` : `within ${bounds}`;
    return { type: 'threshold', metric: g.metric, passed, value, min: g.min, max: g.max, message: `${g.metric} ${fmt(value)} ${why}` };
  });
}

/** Checks each metric against the baseline with its tolerance; a metric absent from the baseline is skipped. */
export function checkRegression(gates: readonly EvalRegressionGate[], metrics: { readonly [k: string]: number }, baseline: { readonly [k: string]: number }): GateResult[] {
  return gates.map((g) => {
    const value = metrics[g.metric];
    const base = baseline[g.metric];
    if (base === undefined || !Number.isFinite(base)) {
      return { type: 'regression', metric: g.metric, passed: true, skipped: true, value, message: `${g.metric}: not in the baseline, regression not checked` };
    }
    if (value === undefined || Number.isNaN(value)) {
      return { type: 'regression', metric: g.metric, passed: false, baseline: base, message: `${g.metric}: not produced by this run (baseline ${fmt(base)})` };
    }
    const allowed = g.relativeTolerance !== undefined ? Math.abs(base) * g.relativeTolerance : g.tolerance ?? 0;
    const lower = lowerIsBetter(g.metric);
    const limit = lower ? base + allowed : base - allowed;
    const passed = lower ? value <= limit : value >= limit;
    const tol = g.relativeTolerance !== undefined ? `${g.relativeTolerance * 100}%` : fmt(allowed);
    const message = passed
      ? `${g.metric} ${fmt(value)} vs baseline ${fmt(base)} (tolerance ${tol}): ok`
      : `${g.metric} ${fmt(value)} regressed from baseline ${fmt(base)} by ${fmt(Math.abs(value - base))} (tolerance ${tol}, limit ${fmt(limit)})`;
    return { type: 'regression', metric: g.metric, passed, value, baseline: base, limit, message };
  });
}
