// core/errors is dependency-free at run time; the bundle tests (size, requires) fail if that changes.
import { formatValue } from '../../core/errors';
import { JobError } from './errors';

type Json = Record<string, unknown>;

/**
 * Checks one object of the job config, naming the dotted path of every bad field. Unknown keys are errors:
 * a misspelt optional field would otherwise silently fall back to its default.
 */
export class ConfigObject {
  /** The object being checked. */
  public readonly value: Json;

  /**
   * @param value the raw value
   * @param path dotted path used in messages (`JOB_CONFIG.reference`)
   * @param allowed the keys this object may have
   */
  public constructor(value: unknown, public readonly path: string, allowed: readonly string[]) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.fail(path, 'must be a JSON object', value);
    this.value = value as Json;
    for (const k of Object.keys(this.value)) {
      if (!allowed.includes(k)) throw new JobError(`${path}: unknown field "${k}" (allowed: ${allowed.join(', ')})`);
    }
  }

  private fail(at: string, what: string, got: unknown): JobError {
    return new JobError(`${at} ${what} (got ${formatValue(got)})`);
  }

  private at(key: string): string {
    return `${this.path}.${key}`;
  }

  /** A string field; `required` fails when absent, `pattern` restricts the value. */
  public str(key: string, opts: { required?: boolean; pattern?: RegExp; patternText?: string } = {}): string | undefined {
    const v = this.value[key];
    if (v === undefined) {
      if (opts.required) throw new JobError(`${this.at(key)} is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v === '') throw this.fail(this.at(key), 'must be a non-empty string', v);
    if (opts.pattern && !opts.pattern.test(v)) throw this.fail(this.at(key), `must be ${opts.patternText ?? `a string matching ${opts.pattern}`}`, v);
    return v;
  }

  /** A number field within bounds. */
  public num(key: string, opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): number | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    const bounds = `${opts.min !== undefined ? ` ${opts.exclusiveMin ? '>' : '>='} ${opts.min}` : ''}${opts.max !== undefined ? `${opts.min !== undefined ? ' and' : ''} <= ${opts.max}` : ''}`;
    const what = `must be ${opts.integer ? 'an integer' : 'a number'}${bounds}`;
    if (typeof v !== 'number' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v))) throw this.fail(this.at(key), what, v);
    if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) throw this.fail(this.at(key), what, v);
    if (opts.max !== undefined && v > opts.max) throw this.fail(this.at(key), what, v);
    return v;
  }

  /** A boolean field. */
  public bool(key: string): boolean | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw this.fail(this.at(key), 'must be true or false', v);
    return v;
  }

  /** One of a fixed set of strings. */
  public oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw this.fail(this.at(key), `must be one of ${values.join(', ')}`, v);
    return v as T;
  }

  /** A list of strings (each non-empty unless `allowEmpty`). */
  public strList(key: string, opts: { allowEmpty?: boolean; values?: readonly string[]; nonEmptyList?: boolean } = {}): string[] | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || (opts.nonEmptyList && v.length === 0)) throw this.fail(this.at(key), `must be a ${opts.nonEmptyList ? 'non-empty ' : ''}list of strings`, v);
    v.forEach((x, i) => {
      if (typeof x !== 'string' || (x === '' && !opts.allowEmpty)) throw this.fail(`${this.at(key)}[${i}]`, 'must be a non-empty string', x);
      if (opts.values && !opts.values.includes(x)) throw this.fail(`${this.at(key)}[${i}]`, `must be one of ${opts.values.join(', ')}`, x);
    });
    return v as string[];
  }

  /** A map of strings to strings. */
  public strMap(key: string, keyPattern?: RegExp): { [k: string]: string } | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.fail(this.at(key), 'must be an object of strings', v);
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') throw this.fail(`${this.at(key)}.${k}`, 'must be a string', x);
      if (keyPattern && !keyPattern.test(k)) throw new JobError(`${this.at(key)}: key "${k}" must match ${keyPattern}`);
    }
    return v as { [k: string]: string };
  }

  /** A nested object, checked against its allowed keys. */
  public obj(key: string, allowed: readonly string[], required = false): ConfigObject | undefined {
    const v = this.value[key];
    if (v === undefined) {
      if (required) throw new JobError(`${this.at(key)} is required`);
      return undefined;
    }
    return new ConfigObject(v, this.at(key), allowed);
  }

  /** A list of objects, each checked against its allowed keys. */
  public objList(key: string, allowed: readonly string[]): ConfigObject[] | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw this.fail(this.at(key), 'must be a list', v);
    return v.map((x, i) => new ConfigObject(x, `${this.at(key)}[${i}]`, allowed));
  }
}

/** Label names and values must stay simple: they end up in URLs, metric labels and MLflow names. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks the fields every job config shares (name, outputs, S3, timeouts). */
export function checkCommon(c: ConfigObject): void {
  c.str('name', { required: true, pattern: NAME_PATTERN, patternText: 'letters, digits, ".", "_", "-" (at most 128, starting with a letter or digit)' });
  c.str('reportUrl');
  c.num('requestTimeoutMs', { min: 1, integer: true });
  const pg = c.obj('pushgateway', ['url', 'job', 'groupingLabels']);
  if (pg) {
    pg.str('url', { required: true, pattern: /^https?:\/\//, patternText: 'an http(s):// URL' });
    pg.str('job');
    pg.strMap('groupingLabels', /^[a-zA-Z_][a-zA-Z0-9_]*$/);
  }
  const ml = c.obj('mlflow', ['trackingUri', 'experimentName', 'usernameEnv', 'passwordEnv', 'tokenEnv', 'tags']);
  if (ml) {
    ml.str('trackingUri', { required: true, pattern: /^https?:\/\//, patternText: 'an http(s):// URL' });
    ml.str('experimentName');
    const user = ml.str('usernameEnv');
    const pass = ml.str('passwordEnv');
    if ((user === undefined) !== (pass === undefined)) throw new JobError(`${ml.path}: usernameEnv and passwordEnv go together`);
    ml.str('tokenEnv');
    ml.strMap('tags');
  }
  const limits = c.obj('limits', ['maxInputBytes', 'maxResponseBytes', 'deadlineSeconds']);
  if (limits) {
    limits.num('maxInputBytes', { min: 1024, integer: true });
    limits.num('maxResponseBytes', { min: 1024, integer: true });
    limits.num('deadlineSeconds', { min: 1, integer: true });
  }
  const s3 = c.obj('s3', ['region', 'endpoint']);
  if (s3) {
    s3.str('region');
    s3.str('endpoint', { pattern: /^https?:\/\//, patternText: 'an http(s):// URL' });
  }
}

/** Fields of JobCommonConfig, for the allowed-keys lists of the job configs. */
export const COMMON_KEYS = ['name', 'reportUrl', 'pushgateway', 'mlflow', 's3', 'requestTimeoutMs', 'limits'] as const;

/** Reads the raw config JSON from JOB_CONFIG or the file named by JOB_CONFIG_FILE. */
export function readConfigJson(env: NodeJS.ProcessEnv, readFile: (p: string) => string): unknown {
  let text: string;
  let source: string;
  if (env.JOB_CONFIG !== undefined && env.JOB_CONFIG !== '') {
    text = env.JOB_CONFIG;
    source = 'JOB_CONFIG';
  } else if (env.JOB_CONFIG_FILE) {
    source = `JOB_CONFIG_FILE (${env.JOB_CONFIG_FILE})`;
    try {
      text = readFile(env.JOB_CONFIG_FILE);
    } catch (e) {
      throw new JobError(`cannot read ${source}: ${(e as Error).message}`);
    }
  } else {
    throw new JobError('no configuration: set JOB_CONFIG to the config JSON or JOB_CONFIG_FILE to its path');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new JobError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
}
