import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from './errors';
import { Duration, Size, formatSeconds } from './units';

// Values that are Terraform tokens (references resolved at apply time) cannot be checked at synth;
// every helper lets them through and checks only literal values.

/** Checks an integer in [min, max]. Returns the value for chaining into defaults. */
export function validateInteger(scope: IConstruct, prop: string, value: number, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (Token.isUnresolved(value)) return value;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer between ${min} and ${max}`;
    throw new ValidationError(scope, prop, value, `must be ${range}`);
  }
  return value;
}

/** Checks a number in [min, max] (inclusive). */
export function validateNumber(scope: IConstruct, prop: string, value: number, min: number, max: number): number {
  if (Token.isUnresolved(value)) return value;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new ValidationError(scope, prop, value, `must be a number between ${min} and ${max}`);
  }
  return value;
}

/** Checks a fraction in [0, 1] (thresholds, utilisations). */
export function validateFraction(scope: IConstruct, prop: string, value: number): number {
  return validateNumber(scope, prop, value, 0, 1);
}

/** Checks that `min <= max` for a pair of props (e.g. `minSize` / `maxSize`). */
export function validateMinMax(scope: IConstruct, minProp: string, min: number, maxProp: string, max: number): void {
  if (Token.isUnresolved(min) || Token.isUnresolved(max)) return;
  if (min > max) {
    throw new ValidationError(scope, minProp, min, `${minProp} (${min}) cannot be greater than ${maxProp} (${max})`);
  }
}

/** Checks that a value is one of the allowed literals. */
export function validateOneOf<T extends string | number>(scope: IConstruct, prop: string, value: T, allowed: readonly T[]): T {
  if (Token.isUnresolved(value)) return value;
  if (!allowed.includes(value)) {
    throw new ValidationError(scope, prop, value, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return value;
}

/** Checks a non-empty string (after trimming). */
export function validateNonEmpty(scope: IConstruct, prop: string, value: string | undefined): string {
  if (value !== undefined && Token.isUnresolved(value)) return value;
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new ValidationError(scope, prop, value, 'must be a non-empty string');
  }
  return value;
}

/** Checks a non-empty list. */
export function validateNonEmptyList<T>(scope: IConstruct, prop: string, value: readonly T[] | undefined): readonly T[] {
  if (value !== undefined && Token.isUnresolved(value)) return value;
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(scope, prop, value, 'must be a non-empty list');
  }
  return value;
}

/** Checks a string against a regular expression, with a human description of the rule. */
export function validatePattern(scope: IConstruct, prop: string, value: string, pattern: RegExp, rule: string): string {
  if (Token.isUnresolved(value)) return value;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ValidationError(scope, prop, value, `must ${rule}`);
  }
  return value;
}

const WHOLE_UNITS = { millisecond: 0.001, second: 1, minute: 60, hour: 3600, day: 86400 } as const;

/** Bounds of a {@link Duration} prop and the unit the field it lands in counts. */
export interface DurationBounds {
  /** Shortest valid duration. */
  readonly min: Duration;
  /** Longest valid duration (none when undefined). */
  readonly max?: Duration;
  /** The field takes a whole number of this unit (e.g. KEDA's `pollingInterval` counts seconds). */
  readonly whole?: keyof typeof WHOLE_UNITS;
  /** The field, named in the message when `whole` is set (e.g. "KEDA pollingInterval"). */
  readonly field?: string;
}

/**
 * Checks a Duration prop: a `Duration` (not a bare number), within bounds, and a whole number of the
 * unit its target field counts. The message prints every duration with its unit. Returns the value.
 */
export function validateDuration(scope: IConstruct, prop: string, value: Duration, bounds: DurationBounds): Duration {
  const range = bounds.max ? `between ${bounds.min} and ${bounds.max}` : `at least ${bounds.min}`;
  const unit = bounds.whole;
  const whole = unit ? `, a whole number of ${unit}s${bounds.field ? ` (${bounds.field} counts ${unit}s)` : ''}` : '';
  if (!(value instanceof Duration)) {
    const hint = typeof value === 'number' ? ` (e.g. Duration.${unit === 'minute' ? 'minutes' : unit === 'hour' ? 'hours' : unit === 'day' ? 'days' : 'seconds'}(${value}))` : '';
    throw new ValidationError(scope, prop, value, `must be a Duration${hint} ${range}${whole}`);
  }
  const secs = value.toFractionalSeconds();
  const inRange = secs >= bounds.min.toFractionalSeconds() && (bounds.max === undefined || secs <= bounds.max.toFractionalSeconds());
  const n = unit ? Math.round((secs / WHOLE_UNITS[unit]) * 1e6) / 1e6 : 0;
  if (!inRange || !Number.isInteger(n)) throw new ValidationError(scope, prop, value, `must be ${range}${whole}`);
  return value;
}

/**
 * Checks a Duration prop whose target field takes one of a few whole amounts of `unit` (CloudWatch
 * retention days, RDS monitoring intervals). Returns the amount in `unit`.
 */
export function validateDurationOneOf(scope: IConstruct, prop: string, value: Duration, unit: keyof typeof WHOLE_UNITS, allowed: readonly number[], field?: string): number {
  const factor = WHOLE_UNITS[unit];
  const list = allowed.map((n) => formatSeconds(n * factor)).join(', ');
  const expected = `must be one of ${list}${field ? ` (${field} counts whole ${unit}s)` : ''}`;
  if (!(value instanceof Duration)) throw new ValidationError(scope, prop, value, expected.replace('must be', 'must be a Duration,'));
  const n = Math.round((value.toFractionalSeconds() / factor) * 1e6) / 1e6;
  if (!allowed.includes(n)) throw new ValidationError(scope, prop, value, expected);
  return n;
}

/** A Duration in whole `unit`s within `[min, max]` (both in `unit`), for fields that count days or seconds. Returns the amount. */
export function validateWholeDuration(scope: IConstruct, prop: string, value: Duration, unit: keyof typeof WHOLE_UNITS, min: number, max: number, field?: string): number {
  const factor = WHOLE_UNITS[unit];
  validateDuration(scope, prop, value, { min: Duration.seconds(min * factor), max: Duration.seconds(max * factor), whole: unit, field });
  return Math.round(value.toFractionalSeconds() / factor);
}

/** Checks a Size prop within `[min, max]`; the message prints sizes with their unit. Returns the value. */
export function validateSize(scope: IConstruct, prop: string, value: Size, min: Size, max?: Size): Size {
  const range = max ? `between ${min} and ${max}` : `at least ${min}`;
  if (!(value instanceof Size)) throw new ValidationError(scope, prop, value, `must be a Size (e.g. Size.gibibytes(1)) ${range}`);
  if (value.toBytes() < min.toBytes() || (max !== undefined && value.toBytes() > max.toBytes())) throw new ValidationError(scope, prop, value, `must be ${range}`);
  return value;
}
