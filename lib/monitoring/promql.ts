// A small PromQL parser: enough of the grammar (selectors, ranges, offsets, subqueries, functions,
// aggregations, binary operators with bool/on/ignoring/group_left/group_right) to reject at synth an
// alert expression Prometheus would refuse to load, and to list the metrics it reads so a test fails
// when a name drifts from what the jobs push. It checks value types the way Prometheus does (a range
// vector only where a function takes one, no arithmetic between range vectors) but not label
// cardinality or matching at run time.

/** A PromQL expression that does not parse. */
export class PromQlError extends Error {
  public constructor(message: string, public readonly position: number) {
    super(message);
    this.name = 'PromQlError';
  }
}

/** Value types of PromQL expressions. */
type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** What a parsed expression reads. */
export interface PromQlInfo {
  /** Metric names of every vector selector (also `{__name__="x"}`), in order of appearance, deduplicated. */
  readonly metricNames: string[];
  /** Functions called. */
  readonly functions: string[];
  /** Type of the whole expression. */
  readonly type: ValueType;
}

type TokenKind = 'ident' | 'number' | 'string' | 'duration' | 'op' | 'punct' | 'eof';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
// A leading ":" is legal in metric names but collides with the subquery step; names we use never start with one.
const IDENT_START = /[a-zA-Z_]/;
const IDENT_PART = /[a-zA-Z0-9_:]/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (ch === '"' || ch === "'" || ch === '`') {
      i++;
      while (i < src.length && src[i] !== ch) {
        if (src[i] === '\\' && ch !== '`') i++;
        if (src[i] === '\n' && ch !== '`') throw new PromQlError('line break in a string', i);
        i++;
      }
      if (i >= src.length) throw new PromQlError('unterminated string', start);
      i++;
      out.push({ kind: 'string', text: src.slice(start, i), pos: start });
      continue;
    }
    if (/[0-9.]/.test(ch)) {
      const m = /^(0[xX][0-9a-fA-F]+|(\d+(ms|s|m|h|d|w|y))+|\d*\.?\d+([eE][+-]?\d+)?)/.exec(src.slice(i));
      if (!m || m[0].length === 0) throw new PromQlError(`unexpected "${ch}"`, i);
      i += m[0].length;
      if (i < src.length && /[a-zA-Z0-9_]/.test(src[i])) throw new PromQlError(`bad number or duration "${src.slice(start, i + 1)}"`, start);
      out.push({ kind: DURATION.test(m[0]) ? 'duration' : 'number', text: m[0], pos: start });
      continue;
    }
    if (IDENT_START.test(ch)) {
      while (i < src.length && IDENT_PART.test(src[i])) i++;
      out.push({ kind: 'ident', text: src.slice(start, i), pos: start });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '=~', '!~'].includes(two)) {
      out.push({ kind: 'op', text: two, pos: i });
      i += 2;
      continue;
    }
    if ('+-*/%^<>='.includes(ch)) {
      out.push({ kind: 'op', text: ch, pos: i });
      i++;
      continue;
    }
    if ('(){}[],:@'.includes(ch)) {
      out.push({ kind: 'punct', text: ch, pos: i });
      i++;
      continue;
    }
    throw new PromQlError(`unexpected character "${ch}"`, i);
  }
  out.push({ kind: 'eof', text: '', pos: src.length });
  return out;
}

const AGGREGATIONS: { readonly [name: string]: 'none' | 'scalar' | 'string' } = {
  sum: 'none', min: 'none', max: 'none', avg: 'none', group: 'none', stddev: 'none', stdvar: 'none', count: 'none',
  count_values: 'string', bottomk: 'scalar', topk: 'scalar', quantile: 'scalar', limitk: 'scalar', limit_ratio: 'scalar',
};

/** Argument types of functions; a trailing `...` entry repeats the previous type. */
const FUNCTIONS: { readonly [name: string]: { args: (ValueType | '...')[]; optional?: number; returns: ValueType } } = {
  abs: { args: ['vector'], returns: 'vector' },
  absent: { args: ['vector'], returns: 'vector' },
  absent_over_time: { args: ['matrix'], returns: 'vector' },
  avg_over_time: { args: ['matrix'], returns: 'vector' },
  ceil: { args: ['vector'], returns: 'vector' },
  changes: { args: ['matrix'], returns: 'vector' },
  clamp: { args: ['vector', 'scalar', 'scalar'], returns: 'vector' },
  clamp_max: { args: ['vector', 'scalar'], returns: 'vector' },
  clamp_min: { args: ['vector', 'scalar'], returns: 'vector' },
  count_over_time: { args: ['matrix'], returns: 'vector' },
  day_of_month: { args: ['vector'], optional: 1, returns: 'vector' },
  day_of_week: { args: ['vector'], optional: 1, returns: 'vector' },
  days_in_month: { args: ['vector'], optional: 1, returns: 'vector' },
  delta: { args: ['matrix'], returns: 'vector' },
  deriv: { args: ['matrix'], returns: 'vector' },
  exp: { args: ['vector'], returns: 'vector' },
  floor: { args: ['vector'], returns: 'vector' },
  histogram_quantile: { args: ['scalar', 'vector'], returns: 'vector' },
  hour: { args: ['vector'], optional: 1, returns: 'vector' },
  idelta: { args: ['matrix'], returns: 'vector' },
  increase: { args: ['matrix'], returns: 'vector' },
  irate: { args: ['matrix'], returns: 'vector' },
  label_join: { args: ['vector', 'string', 'string', 'string', '...'], returns: 'vector' },
  label_replace: { args: ['vector', 'string', 'string', 'string', 'string'], returns: 'vector' },
  last_over_time: { args: ['matrix'], returns: 'vector' },
  ln: { args: ['vector'], returns: 'vector' },
  log10: { args: ['vector'], returns: 'vector' },
  log2: { args: ['vector'], returns: 'vector' },
  max_over_time: { args: ['matrix'], returns: 'vector' },
  min_over_time: { args: ['matrix'], returns: 'vector' },
  minute: { args: ['vector'], optional: 1, returns: 'vector' },
  month: { args: ['vector'], optional: 1, returns: 'vector' },
  predict_linear: { args: ['matrix', 'scalar'], returns: 'vector' },
  present_over_time: { args: ['matrix'], returns: 'vector' },
  quantile_over_time: { args: ['scalar', 'matrix'], returns: 'vector' },
  rate: { args: ['matrix'], returns: 'vector' },
  resets: { args: ['matrix'], returns: 'vector' },
  round: { args: ['vector', 'scalar'], optional: 1, returns: 'vector' },
  scalar: { args: ['vector'], returns: 'scalar' },
  sgn: { args: ['vector'], returns: 'vector' },
  sort: { args: ['vector'], returns: 'vector' },
  sort_desc: { args: ['vector'], returns: 'vector' },
  sqrt: { args: ['vector'], returns: 'vector' },
  stddev_over_time: { args: ['matrix'], returns: 'vector' },
  stdvar_over_time: { args: ['matrix'], returns: 'vector' },
  sum_over_time: { args: ['matrix'], returns: 'vector' },
  time: { args: [], returns: 'scalar' },
  timestamp: { args: ['vector'], returns: 'vector' },
  vector: { args: ['scalar'], returns: 'vector' },
  year: { args: ['vector'], optional: 1, returns: 'vector' },
};

const KEYWORD_OPS = ['and', 'or', 'unless', 'atan2'];
const COMPARISONS = ['==', '!=', '>', '<', '>=', '<='];
const SET_OPS = ['and', 'or', 'unless'];
/** Binary operators by precedence, lowest first. */
const PRECEDENCE: string[][] = [['or'], ['and', 'unless'], COMPARISONS, ['+', '-'], ['*', '/', '%', 'atan2'], ['^']];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

class Parser {
  private i = 0;
  public readonly metricNames: string[] = [];
  public readonly functions: string[] = [];

  public constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private is(text: string, kind?: TokenKind): boolean {
    const t = this.peek();
    return t.text === text && (kind === undefined || t.kind === kind) && t.kind !== 'string';
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text || t.kind === 'string') throw new PromQlError(`expected "${text}" but found ${describe(t)}`, t.pos);
    return t;
  }

  public parseAll(): ValueType {
    const type = this.expr(0);
    const t = this.peek();
    if (t.kind !== 'eof') throw new PromQlError(`unexpected ${describe(t)} after the end of the expression`, t.pos);
    return type;
  }

  private binaryOpAt(level: number): string | undefined {
    const t = this.peek();
    if (t.kind === 'op' || (t.kind === 'ident' && KEYWORD_OPS.includes(t.text))) {
      return PRECEDENCE[level].includes(t.text) ? t.text : undefined;
    }
    return undefined;
  }

  private expr(level: number): ValueType {
    if (level >= PRECEDENCE.length) return this.unary();
    let left = this.expr(level + 1);
    for (;;) {
      const op = this.binaryOpAt(level);
      if (!op) return left;
      const opToken = this.next();
      let returnBool = false;
      if (this.is('bool', 'ident')) {
        if (!COMPARISONS.includes(op)) throw new PromQlError(`"bool" only follows a comparison, not "${op}"`, this.peek().pos);
        this.next();
        returnBool = true;
      }
      const matching = this.vectorMatching(op);
      // `^` is right-associative; everything else is left-associative.
      const right = op === '^' ? this.expr(level) : this.expr(level + 1);
      left = this.binaryType(op, left, right, returnBool, matching, opToken.pos);
    }
  }

  private vectorMatching(op: string): boolean {
    let seen = false;
    if (this.is('on', 'ident') || this.is('ignoring', 'ident')) {
      this.next();
      this.labelList();
      seen = true;
      if (this.is('group_left', 'ident') || this.is('group_right', 'ident')) {
        const g = this.next();
        if (SET_OPS.includes(op)) throw new PromQlError(`${g.text} is not allowed with the set operator "${op}"`, g.pos);
        if (this.is('(')) this.labelList();
      }
    } else if (this.is('group_left', 'ident') || this.is('group_right', 'ident')) {
      throw new PromQlError(`${this.peek().text} needs on(...) or ignoring(...) before it`, this.peek().pos);
    }
    return seen;
  }

  private binaryType(op: string, l: ValueType, r: ValueType, returnBool: boolean, matching: boolean, pos: number): ValueType {
    for (const t of [l, r]) {
      if (t === 'matrix') throw new PromQlError(`"${op}" cannot take a range vector (wrap it in a function such as rate())`, pos);
      if (t === 'string') throw new PromQlError(`"${op}" cannot take a string`, pos);
    }
    if (SET_OPS.includes(op) && (l !== 'vector' || r !== 'vector')) throw new PromQlError(`set operator "${op}" needs instant vectors on both sides`, pos);
    if (matching && (l !== 'vector' || r !== 'vector')) throw new PromQlError(`vector matching (on/ignoring) needs instant vectors on both sides of "${op}"`, pos);
    if (COMPARISONS.includes(op) && l === 'scalar' && r === 'scalar' && !returnBool) throw new PromQlError(`comparisons between two scalars need "bool" ("${op}")`, pos);
    return l === 'vector' || r === 'vector' ? 'vector' : 'scalar';
  }

  private labelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    while (!this.is(')')) {
      const t = this.next();
      if (t.kind !== 'ident' || !LABEL_NAME.test(t.text)) throw new PromQlError(`expected a label name but found ${describe(t)}`, t.pos);
      labels.push(t.text);
      if (!this.is(')')) this.expect(',');
    }
    this.expect(')');
    return labels;
  }

  private unary(): ValueType {
    if (this.is('-', 'op') || this.is('+', 'op')) {
      const t = this.next();
      const v = this.unary();
      if (v !== 'scalar' && v !== 'vector') throw new PromQlError(`unary "${t.text}" needs a scalar or an instant vector`, t.pos);
      return v;
    }
    const [type, selector] = this.primary();
    return this.postfix(type, selector);
  }

  /** Ranges, subqueries, offset and @ after a primary; `selector` says whether it was a bare vector selector. */
  private postfix(type: ValueType, selector: boolean): ValueType {
    let t = type;
    let isSelector = selector;
    // offset and @ modify a selector or a subquery, never a function's or an operator's result.
    let modifiable = selector;
    for (;;) {
      if (this.is('[')) {
        const open = this.next();
        const range = this.next();
        if (range.kind !== 'duration') throw new PromQlError(`expected a duration such as 5m in [...] but found ${describe(range)}`, range.pos);
        if (this.is(':')) {
          this.next();
          if (!this.is(']')) {
            const step = this.next();
            if (step.kind !== 'duration') throw new PromQlError(`expected a subquery step duration but found ${describe(step)}`, step.pos);
          }
          this.expect(']');
          if (t !== 'vector') throw new PromQlError('a subquery [range:step] needs an instant vector', open.pos);
          t = 'matrix';
        } else {
          this.expect(']');
          if (!isSelector || t !== 'vector') throw new PromQlError('a range [..] applies to a vector selector only (use a subquery [range:step] for an expression)', open.pos);
          t = 'matrix';
        }
        isSelector = false;
        modifiable = true;
        continue;
      }
      if (this.is('offset', 'ident')) {
        const o = this.next();
        if (this.is('-', 'op')) this.next();
        const d = this.next();
        if (d.kind !== 'duration') throw new PromQlError(`expected a duration after offset but found ${describe(d)}`, d.pos);
        if (!modifiable) throw new PromQlError('offset applies to a selector or a subquery', o.pos);
        isSelector = false;
        continue;
      }
      if (this.is('@')) {
        const a = this.next();
        const v = this.next();
        if (v.kind !== 'number' && !(v.kind === 'ident' && (v.text === 'start' || v.text === 'end'))) throw new PromQlError(`expected a timestamp after @ but found ${describe(v)}`, v.pos);
        if (v.kind === 'ident') {
          this.expect('(');
          this.expect(')');
        }
        if (!modifiable) throw new PromQlError('@ applies to a selector or a subquery', a.pos);
        isSelector = false;
        continue;
      }
      return t;
    }
  }

  /** The next primary expression and whether it is a bare vector selector (which alone may take a range). */
  private primary(): [ValueType, boolean] {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return ['scalar', false];
    }
    if (t.kind === 'string') {
      this.next();
      return ['string', false];
    }
    if (t.kind === 'duration') throw new PromQlError(`unexpected duration "${t.text}" (durations go in [..] or after offset)`, t.pos);
    if (t.text === '(' && t.kind === 'punct') {
      this.next();
      const inner = this.expr(0);
      this.expect(')');
      return [inner, false];
    }
    if (t.text === '{' && t.kind === 'punct') {
      const name = this.matchers();
      if (!name) throw new PromQlError('a selector without a metric name needs a __name__ matcher or at least one matcher that does not match the empty string', t.pos);
      return ['vector', true];
    }
    if (t.kind === 'ident') {
      const lower = t.text.toLowerCase();
      if (lower === 'inf' || lower === 'nan') {
        this.next();
        return ['scalar', false];
      }
      if (t.text in AGGREGATIONS && (this.peek(1).text === '(' || this.peek(1).text === 'by' || this.peek(1).text === 'without')) return [this.aggregation(), false];
      if (this.peek(1).text === '(' && this.peek(1).kind === 'punct') return [this.call(), false];
      if (['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'atan2'].includes(t.text)) {
        throw new PromQlError(`unexpected keyword "${t.text}"`, t.pos);
      }
      this.next();
      if (!METRIC_NAME.test(t.text)) throw new PromQlError(`"${t.text}" is not a metric name`, t.pos);
      this.metric(t.text);
      if (this.is('{')) this.matchers();
      return ['vector', true];
    }
    throw new PromQlError(`unexpected ${describe(t)}`, t.pos);
  }

  private metric(name: string): void {
    if (!this.metricNames.includes(name)) this.metricNames.push(name);
  }

  /** `{l="v", ...}`; returns whether the selector is valid on its own (a name, or a non-empty matcher). */
  private matchers(): boolean {
    this.expect('{');
    let ok = false;
    while (!this.is('}')) {
      const l = this.next();
      if (l.kind !== 'ident' || !LABEL_NAME.test(l.text)) throw new PromQlError(`expected a label name in {..} but found ${describe(l)}`, l.pos);
      const op = this.next();
      if (!['=', '!=', '=~', '!~'].includes(op.text) || op.kind !== 'op') throw new PromQlError(`expected =, !=, =~ or !~ after ${l.text} but found ${describe(op)}`, op.pos);
      const v = this.next();
      if (v.kind !== 'string') throw new PromQlError(`expected a quoted value after ${l.text}${op.text} but found ${describe(v)}`, v.pos);
      const value = unquote(v.text);
      if (op.text === '=~' || op.text === '!~') {
        try {
          new RegExp(`^(?:${value})$`);
        } catch (e) {
          throw new PromQlError(`invalid regular expression ${v.text}: ${(e as Error).message}`, v.pos);
        }
      }
      const positive = op.text === '=' || op.text === '=~';
      const re = new RegExp(`^(?:${op.text === '=' || op.text === '!=' ? escapeRegExp(value) : value})$`);
      const matchesEmpty = positive ? re.test('') : !re.test('');
      if (l.text === '__name__' && op.text === '=') this.metric(value);
      if (!matchesEmpty) ok = true;
      if (!this.is('}')) this.expect(',');
    }
    this.expect('}');
    return ok;
  }

  private aggregation(): ValueType {
    const name = this.next();
    let grouped = false;
    if (this.is('by', 'ident') || this.is('without', 'ident')) {
      this.next();
      this.labelList();
      grouped = true;
    }
    this.expect('(');
    const param = AGGREGATIONS[name.text];
    if (param !== 'none') {
      const p = this.expr(0);
      if (p !== param) throw new PromQlError(`${name.text} takes a ${param} parameter first`, name.pos);
      this.expect(',');
    }
    const arg = this.expr(0);
    if (arg !== 'vector') throw new PromQlError(`${name.text}() aggregates an instant vector, not a ${describeType(arg)}`, name.pos);
    this.expect(')');
    if (this.is('by', 'ident') || this.is('without', 'ident')) {
      if (grouped) throw new PromQlError(`${name.text}: by/without given twice`, this.peek().pos);
      this.next();
      this.labelList();
    }
    return 'vector';
  }

  private call(): ValueType {
    const name = this.next();
    const fn = FUNCTIONS[name.text];
    if (!fn) throw new PromQlError(`unknown function ${name.text}()`, name.pos);
    if (!this.functions.includes(name.text)) this.functions.push(name.text);
    this.expect('(');
    const got: ValueType[] = [];
    while (!this.is(')')) {
      got.push(this.expr(0));
      if (!this.is(')')) this.expect(',');
    }
    this.expect(')');
    const variadic = fn.args[fn.args.length - 1] === '...';
    const fixed = (variadic ? fn.args.slice(0, -1) : fn.args) as ValueType[];
    const minArgs = fixed.length - (fn.optional ?? 0);
    if (got.length < minArgs || (!variadic && got.length > fixed.length)) {
      throw new PromQlError(`${name.text}() takes ${variadic ? `at least ${minArgs}` : fn.optional ? `${minArgs} to ${fixed.length}` : fixed.length} argument(s), got ${got.length}`, name.pos);
    }
    got.forEach((g, k) => {
      const want = k < fixed.length ? fixed[k] : fixed[fixed.length - 1];
      if (g !== want) throw new PromQlError(`${name.text}() argument ${k + 1} must be ${describeType(want)}, got ${describeType(g)}`, name.pos);
    });
    return fn.returns;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unquote(s: string): string {
  const q = s[0];
  const body = s.slice(1, -1);
  return q === '`' ? body : body.replace(/\\(.)/g, '$1');
}

function describe(t: Token): string {
  return t.kind === 'eof' ? 'the end of the expression' : `"${t.text}"`;
}

function describeType(t: ValueType): string {
  return { scalar: 'a scalar', vector: 'an instant vector', matrix: 'a range vector', string: 'a string' }[t];
}

/**
 * Parses a PromQL expression; throws a {@link PromQlError} (with the position) when Prometheus would
 * reject it. Returns the metrics and functions it uses and its type.
 */
export function parsePromQl(expr: string): PromQlInfo {
  const p = new Parser(tokenize(expr));
  const type = p.parseAll();
  return { metricNames: p.metricNames, functions: p.functions, type };
}

/** A PromQL string literal (double quotes, `\` and `"` escaped). */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A PromQL regular expression (RE2) matching exactly one of the literals. */
export function promAlternatives(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}
