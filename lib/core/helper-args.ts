import { ValidationError } from './errors';

// Argument checks of the helper APIs (cost report, catalogs, estimators): the same errors as
// constructs, with the helper's name where a construct path would be.

/** Throws unless `value` is a finite number in (min, max] (or [min, max] when `minInclusive`). */
export function checkHelperNumber(fn: string, prop: string, value: unknown, min: number, max: number, opts: { readonly minInclusive?: boolean; readonly integer?: boolean } = {}): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (opts.minInclusive ? value >= min : value > min) && value <= max && (!opts.integer || Number.isInteger(value));
  if (!ok) {
    const range = `${opts.minInclusive ? '[' : '('}${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}]`;
    throw new ValidationError(fn, prop, value, `must be ${opts.integer ? 'an integer' : 'a number'} in ${range}`);
  }
}
