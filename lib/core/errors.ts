import * as path from 'path';
import { IConstruct } from 'constructs';

/**
 * The library's own code: lib/ in the repository; in the package the folder above the bundle
 * dist/lib/index.js (scripts/bundle-lib.js), i.e. dist/, which holds only the library.
 */
const LIBRARY_DIR = path.resolve(__dirname, '..') + path.sep;
/** Frames that say nothing about the user's program: ours, node's, the construct and cdktf libraries. */
const NOISE = [LIBRARY_DIR, 'node:internal', `${path.sep}node_modules${path.sep}`];

/**
 * Thrown at construction time when a prop has a value the platform would reject at apply time
 * (or that would break the platform later). The message always names the construct path, the prop,
 * the bad value and what would be valid, so the user can fix `main.ts` without reading our code.
 */
export class ValidationError extends Error {
  /** Path of the construct whose prop is invalid. */
  declare public readonly constructPath: string;
  /** Name of the invalid prop, dotted for nested props (e.g. `replicas.min`). */
  declare public readonly prop: string;

  /**
   * @param scope construct that received the prop, or the name of the helper function that received
   *   the argument (helpers such as `platformCostReport` have no construct path)
   * @param prop name of the prop (dotted path for nested props)
   * @param value the value received
   * @param expected what a valid value looks like
   */
  public constructor(scope: IConstruct | string, prop: string, value: unknown, expected: string) {
    const where = typeof scope === 'string' ? scope : scope.node.path;
    // Deep enough to reach the user's main.ts below the library's own frames.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    super(`${where}: ${prop} (${formatValue(value)}) is invalid: ${expected}`);
    Error.stackTraceLimit = limit;
    Object.defineProperty(this, 'name', { value: 'ValidationError', enumerable: false, configurable: true, writable: true });
    // Not enumerable: node prints an uncaught error's enumerable properties after its stack.
    Object.defineProperty(this, 'constructPath', { value: where, enumerable: false });
    Object.defineProperty(this, 'prop', { value: prop, enumerable: false });
    // The message already names the construct, prop, value and the fix: the stack keeps only the
    // frames of the user's program (where the bad prop was written), not ~25 lines of library,
    // constructs and node internals. Set CDKTF_AI_PLATFORM_FULL_STACK=1 for the whole trace.
    if (this.stack && process.env.CDKTF_AI_PLATFORM_FULL_STACK !== '1') this.stack = shortStack(this.stack, this.name, this.message);
  }
}

/** `name: message` and at most three frames outside the library, node and node_modules. */
export function shortStack(stack: string, name: string, message: string): string {
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
  // A frame of the user's program names a file (native frames such as `Array.map (<anonymous>)` do not).
  const user = frames.filter((l) => /[/\\]/.test(l) && !NOISE.some((n) => l.includes(n))).slice(0, 3);
  return [`${name}: ${message}`, ...user].join('\n');
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
