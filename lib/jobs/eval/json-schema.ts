// A JSON Schema validator for the subset evaluation datasets use to check structured outputs. Schemas
// are checked when the dataset is loaded: a keyword outside the subset is an error there, never silently
// ignored (ignoring `anyOf` would pass outputs that do not conform). Semantics follow draft 2020-12 for
// these keywords, which agree with drafts 6 and 7.
import { LinearRegex, compileLinearRegex } from './regex';

const patterns = new Map<string, LinearRegex>();

/** `pattern` compiled once, matched in linear time (RE2): a schema from the dataset cannot stall the run. */
function patternOf(source: string): LinearRegex {
  let re = patterns.get(source);
  if (!re) {
    re = compileLinearRegex(source, 'u');
    patterns.set(source, re);
  }
  return re;
}

/** A schema: an object, or `true`/`false`. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** Keywords that validate. */
export const SUPPORTED_KEYWORDS = [
  'type', 'properties', 'required', 'items', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'additionalProperties', 'minItems', 'maxItems',
] as const;

/** Keywords that only annotate and are accepted. */
const ANNOTATIONS = ['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly'];

const TYPES = ['null', 'boolean', 'object', 'array', 'number', 'string', 'integer'];

function isObject(v: unknown): v is { [k: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Throws an Error naming the location of the first unsupported or malformed keyword. */
export function checkSchema(schema: unknown, at = '#'): void {
  if (typeof schema === 'boolean') return;
  if (!isObject(schema)) throw new Error(`schema ${at} must be an object or a boolean`);
  const num = (k: string, nonNegInt = false): void => {
    const v = schema[k];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || (nonNegInt && (!Number.isInteger(v) || v < 0))) throw new Error(`schema ${at}/${k} must be ${nonNegInt ? 'a non-negative integer' : 'a number'}`);
  };
  for (const k of Object.keys(schema)) {
    if (!(SUPPORTED_KEYWORDS as readonly string[]).includes(k) && !ANNOTATIONS.includes(k)) {
      throw new Error(`schema ${at}: keyword "${k}" is not supported (supported: ${SUPPORTED_KEYWORDS.join(', ')})`);
    }
  }
  const t = schema.type;
  if (t !== undefined) {
    const list = Array.isArray(t) ? t : [t];
    if (list.length === 0 || !list.every((x) => typeof x === 'string' && TYPES.includes(x))) throw new Error(`schema ${at}/type must be one of ${TYPES.join(', ')} or a list of them`);
  }
  if (schema.properties !== undefined) {
    if (!isObject(schema.properties)) throw new Error(`schema ${at}/properties must be an object`);
    for (const [k, s] of Object.entries(schema.properties)) checkSchema(s, `${at}/properties/${k}`);
  }
  if (schema.required !== undefined && !(Array.isArray(schema.required) && schema.required.every((x) => typeof x === 'string'))) throw new Error(`schema ${at}/required must be a list of strings`);
  if (schema.items !== undefined) {
    if (Array.isArray(schema.items)) throw new Error(`schema ${at}/items: the tuple form (a list of schemas) is not supported; give one schema`);
    checkSchema(schema.items, `${at}/items`);
  }
  if (schema.additionalProperties !== undefined) checkSchema(schema.additionalProperties, `${at}/additionalProperties`);
  if (schema.enum !== undefined && !Array.isArray(schema.enum)) throw new Error(`schema ${at}/enum must be a list`);
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) num(k);
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems']) num(k, true);
  if (schema.pattern !== undefined) {
    if (typeof schema.pattern !== 'string') throw new Error(`schema ${at}/pattern must be a string`);
    try {
      patternOf(schema.pattern);
    } catch (e) {
      throw new Error(`schema ${at}/pattern is not a valid regular expression: ${(e as Error).message}`);
    }
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    default: return typeOf(v) === t;
  }
}

/**
 * Validates a value against a schema already accepted by {@link checkSchema}. Returns the errors as
 * `<JSON pointer>: <problem>` (empty when valid), at most `limit` of them.
 */
export function validateJson(schema: JsonSchema, value: unknown, limit = 5): string[] {
  const errors: string[] = [];
  const visit = (s: JsonSchema, v: unknown, at: string): void => {
    if (errors.length >= limit) return;
    if (s === true) return;
    if (s === false) {
      errors.push(`${at || '/'}: no value is allowed here`);
      return;
    }
    const fail = (msg: string): void => {
      if (errors.length < limit) errors.push(`${at || '/'}: ${msg}`);
    };
    if (s.type !== undefined) {
      const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[];
      if (!types.some((t) => hasType(v, t))) {
        fail(`expected ${types.join(' or ')}, got ${typeOf(v)}`);
        return;
      }
    }
    if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => jsonEqual(e, v))) fail(`must be one of ${JSON.stringify(s.enum)}`);
    if (s.const !== undefined && !jsonEqual(s.const, v)) fail(`must be ${JSON.stringify(s.const)}`);
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) fail(`must be >= ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) fail(`must be <= ${s.maximum}`);
      if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) fail(`must be > ${s.exclusiveMinimum}`);
      if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) fail(`must be < ${s.exclusiveMaximum}`);
    }
    if (typeof v === 'string') {
      // Lengths in code points, as the spec (and ajv) count them, not UTF-16 units.
      const len = [...v].length;
      if (typeof s.minLength === 'number' && len < s.minLength) fail(`must have at least ${s.minLength} characters`);
      if (typeof s.maxLength === 'number' && len > s.maxLength) fail(`must have at most ${s.maxLength} characters`);
      if (typeof s.pattern === 'string' && !patternOf(s.pattern).test(v)) fail(`must match ${s.pattern}`);
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) fail(`must have at least ${s.minItems} items`);
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) fail(`must have at most ${s.maxItems} items`);
      if (s.items !== undefined) v.forEach((x, i) => visit(s.items as JsonSchema, x, `${at}/${i}`));
    }
    if (isObject(v)) {
      const props = (s.properties ?? {}) as { [k: string]: JsonSchema };
      for (const r of (s.required ?? []) as string[]) if (!Object.prototype.hasOwnProperty.call(v, r)) fail(`missing required property "${r}"`);
      for (const [k, x] of Object.entries(v)) {
        const key = `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (Object.prototype.hasOwnProperty.call(props, k)) visit(props[k], x, key);
        else if (s.additionalProperties === false) fail(`property "${k}" is not allowed`);
        else if (s.additionalProperties !== undefined) visit(s.additionalProperties as JsonSchema, x, key);
      }
    }
  };
  visit(schema, value, '');
  return errors;
}
