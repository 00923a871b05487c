import { RE2JS } from 're2js';

/** A user-supplied regular expression, matched in time linear in the input (RE2 semantics). */
export interface LinearRegex {
  /** Whether the pattern matches somewhere in `input` (like RegExp#test without the `g` flag). */
  test(input: string): boolean;
  /** The pattern as written. */
  readonly source: string;
  /** The flags as written (`i`, `m`, `s`, `u`). */
  readonly flags: string;
}

/**
 * Compiles a dataset's regex with RE2JS (the JavaScript port of RE2): an automaton, no backtracking, so
 * matching takes time linear in the output's length whatever the pattern — `^(a+)+$` cannot stall a run.
 * RE2 syntax is the Perl/JS syntax without backreferences and lookaround (which have no linear-time
 * algorithm); such patterns are rejected when the dataset loads. Flags: `i` (case-insensitive),
 * `m` (`^`/`$` at line breaks), `s` (`.` matches line breaks), `u` (accepted: RE2 always matches code
 * points). Throws an Error with RE2's message when the pattern is invalid or unsupported.
 */
export function compileLinearRegex(pattern: string, flags = ''): LinearRegex {
  let f = 0;
  for (const c of flags) {
    if (c === 'i') f |= RE2JS.CASE_INSENSITIVE;
    else if (c === 'm') f |= RE2JS.MULTILINE;
    else if (c === 's') f |= RE2JS.DOTALL;
    else if (c !== 'u') throw new Error(`flag "${c}" is not supported (use i, m, s, u)`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, f);
  } catch (e) {
    throw new Error(`${(e as Error).message} (patterns use RE2 syntax: no backreferences or lookaround)`);
  }
  return { test: (input) => re.matcher(input).find(), source: pattern, flags };
}
