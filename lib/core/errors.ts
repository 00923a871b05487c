import { IConstruct } from 'constructs';

/**
 * Thrown at construction time when a prop has a value the platform would reject at apply time
 * (or that would break the platform later). The message always names the construct path, the prop,
 * the bad value and what would be valid, so the user can fix `main.ts` without reading our code.
 */
export class ValidationError extends Error {
  /** Path of the construct whose prop is invalid. */
  public readonly constructPath: string;
  /** Name of the invalid prop, dotted for nested props (e.g. `replicas.min`). */
  public readonly prop: string;

  /**
   * @param scope construct that received the prop
   * @param prop name of the prop (dotted path for nested props)
   * @param value the value received
   * @param expected what a valid value looks like
   */
  public constructor(scope: IConstruct, prop: string, value: unknown, expected: string) {
    super(`${scope.node.path}: ${prop} (${formatValue(value)}) is invalid: ${expected}`);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
    this.prop = prop;
  }
}

/** Renders a value for an error message: short, unambiguous, tokens shown as such. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 200 ? `${s.slice(0, 197)}...` : s;
  } catch {
    return String(value);
  }
}

/** Throws a {@link ValidationError} unless `condition` holds. */
export function check(condition: boolean, scope: IConstruct, prop: string, value: unknown, expected: string): void {
  if (!condition) throw new ValidationError(scope, prop, value, expected);
}
