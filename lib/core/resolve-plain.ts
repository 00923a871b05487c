import { IConstruct } from 'constructs';
import { DefaultTokenResolver, ITokenResolver, StringConcat, Token } from 'cdktf';
import { resolve as cdktfResolve } from 'cdktf/lib/tokens/private/resolve';

/**
 * cdktf's token resolution with a fast path for the plain parts of a value (docs/design.md, "Synthesis
 * speed").
 *
 * cdktf's resolver builds a context, two closures, a copied path array and a joined path string for
 * every value it visits, also for the many that hold no token at all (most of a stack: names, policy
 * documents, Helm values). This walker copies plain data itself (the same copy cdktf makes: `undefined`
 * dropped from objects and arrays) and hands every part that is or may be a token to cdktf's own
 * resolver, with the same path, so tokens, cross-stack references, escapes, errors and their messages
 * stay cdktf's. "May be" is conservative:
 * - a string containing `TfToken[` (string, list and map token markers), one where cdktf's scan for
 *   encoded numbers finds a number as large as a token's, or one of cdktf's map-token placeholders;
 * - a number that is not small (encoded token numbers are ~1e289 to ~1e299), is not finite, or is the
 *   number map-token placeholder;
 * - an array holding such a string or number (cdktf resolves token lists as a whole);
 * - an object with such a key, with a `resolve` method, or that is not a plain object (class instances,
 *   dates, constructs);
 * - anything else (functions, symbols, bigints) and anything nested deeper than cdktf allows.
 * `test/core/resolve-plain.test.ts` compares it with cdktf's resolver on the example platforms and on
 * generated values with tokens in every position.
 */
export function resolvePlainFast(value: unknown, options: ResolvePlainOptions): unknown {
  const path: string[] = [];
  const resolver = options.resolver ?? SYNTH_RESOLVER;
  const delegate = (v: unknown): unknown => cdktfResolve(v, { scope: options.scope, preparing: options.preparing, resolver, prefix: path.slice() });

  const walk = (v: unknown): unknown => {
    switch (typeof v) {
      case 'undefined':
        return undefined;
      case 'boolean':
        return v;
      case 'string':
        return plainString(v) ? v : delegate(v);
      case 'number':
        return plainNumber(v) ? v : delegate(v);
      case 'object':
        break;
      default:
        return delegate(v);
    }
    if (v === null) return null;
    if (path.length >= MAX_PLAIN_DEPTH) return delegate(v);
    if (Array.isArray(v)) {
      // Indexed loops here and below: for-of allocates an iterator result per value until V8 optimizes.
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if ((typeof x === 'string' && !plainString(x)) || (typeof x === 'number' && !plainNumber(x))) return delegate(v);
      }
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        path.push(String(i));
        const r = walk(v[i]);
        path.pop();
        if (r !== undefined) out.push(r);
      }
      return out;
    }
    if (!isPlainObject(v) || typeof v.resolve === 'function') return delegate(v);
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) if (!plainString(keys[i])) return delegate(v);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      path.push(k);
      const r = walk((v as Record<string, unknown>)[k]);
      path.pop();
      if (r !== undefined) out[k] = r;
    }
    return out;
  };
  return walk(value);
}

/** The options of {@link resolvePlainFast}: those of cdktf's `Tokenization.resolve`. */
export interface ResolvePlainOptions {
  /** The construct tokens are resolved in. */
  readonly scope: IConstruct;
  /** True in cdktf's prepare pass (cross-stack references are recorded). */
  readonly preparing: boolean;
  /**
   * The token resolver.
   * @default the resolver cdktf's stacks synthesize with (`DefaultTokenResolver` over `StringConcat`)
   */
  readonly resolver?: ITokenResolver;
}

/** The resolver cdktf's stacks synthesize with. */
const SYNTH_RESOLVER = new DefaultTokenResolver(new StringConcat());

/** cdktf stops at a path of 200 keys (a cycle); below that depth the walker hands over. */
const MAX_PLAIN_DEPTH = 190;
/** Encoded token numbers are doubles near 2^960 and 2^992; anything this large is left to cdktf. */
const PLAIN_NUMBER_LIMIT = 1e280;
/**
 * cdktf's NUMBER_TOKEN_REGEX (tokens/private/encoding.js): in a string, cdktf parses each match with
 * `parseFloat` and puts the number token it encodes, if any, in its place; other matches stay as
 * they are.
 */
const NUMBER_IN_STRING = /[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)/g;

/**
 * Whether cdktf could find an encoded number token in the string: a match of its pattern that parses
 * to a number as large as a token's (finite, at least 1e280). NaN and Infinity (`.e.`, `1e999`) are
 * never tokens. Long strings of code (the jobs' bundles in Helm values) have many matches and none.
 */
function mayHoldNumberToken(s: string): boolean {
  NUMBER_IN_STRING.lastIndex = 0;
  for (let m = NUMBER_IN_STRING.exec(s); m !== null; m = NUMBER_IN_STRING.exec(s)) {
    const n = parseFloat(m[0]);
    if (Number.isFinite(n) && !plainNumber(n)) return true;
  }
  return false;
}

function plainString(s: string): boolean {
  return !s.includes('TfToken[') && s !== Token.STRING_MAP_TOKEN_VALUE && s !== Token.ANY_MAP_TOKEN_VALUE && !mayHoldNumberToken(s);
}

function plainNumber(n: number): boolean {
  return Math.abs(n) < PLAIN_NUMBER_LIMIT && n !== Token.NUMBER_MAP_TOKEN_VALUE;
}

/** An object literal's kind of object: not an array, a class instance, a date or a construct. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
