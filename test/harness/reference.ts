// Chart values and CRD oracles. The reference data under test/fixtures/reference is derived from the
// upstream charts and CRDs by scripts/derive-reference.js (facts only: parsed defaults, schemas with
// descriptions stripped).
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';

const REF = path.join(__dirname, '..', 'fixtures', 'reference');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface RefIndex {
  charts: Record<string, { name: string; version: string; appVersion: string | null; schema: boolean }>;
  crds: Record<string, { file: string; storage: boolean }>;
}

let index: RefIndex | undefined;
function refIndex(): RefIndex {
  index ??= JSON.parse(fs.readFileSync(path.join(REF, 'index.json'), 'utf8')) as RefIndex;
  return index;
}

/** Pinned version of a reference chart (what the library must pin). */
export function referenceChartVersion(chart: string): string {
  const c = refIndex().charts[chart];
  if (!c) throw new Error(`no reference chart ${chart}; known: ${Object.keys(refIndex().charts).join(', ')}`);
  return c.version;
}

/** Default values of a reference chart, parsed. */
export function referenceDefaults(chart: string): JsonObject {
  return JSON.parse(fs.readFileSync(path.join(REF, 'charts', chart, 'defaults.json'), 'utf8')) as JsonObject;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KUBERNETES_PASSTHROUGH = new Set([
  'securityContext', 'podSecurityContext', 'containerSecurityContext', 'resources', 'affinity', 'livenessProbe', 'readinessProbe', 'startupProbe',
]);

/**
 * Keys of `values` that do not exist in the chart's default values. A key is accepted when the
 * default at that path exists; below a default that is an empty map, null or a list (free-form
 * places such as nodeSelector, podAnnotations, extraArgs, tolerations) anything is accepted, because
 * the chart templates render those verbatim. `allowed` lists extra dotted paths (prefix match) that
 * the chart documents but leaves commented out; each use must be justified in the calling test.
 * Keys under a vendored subchart (e.g. `node-feature-discovery`) are checked against it.
 */
export function unknownValuesKeys(chart: string, values: unknown, allowed: string[] = []): string[] {
  const defaults = referenceDefaults(chart);
  const subcharts = Object.keys(refIndex().charts)
    .filter((c) => c.startsWith(`${chart}/charts/`))
    .map((c) => c.slice(`${chart}/charts/`.length));
  const unknown: string[] = [];
  const walk = (v: unknown, d: Json | undefined, p: string[]) => {
    if (!isObject(v)) return;
    for (const [k, child] of Object.entries(v)) {
      const dotted = [...p, k].join('.');
      if (p.length === 0 && subcharts.includes(k)) {
        unknown.push(...unknownValuesKeys(`${chart}/charts/${k}`, child, allowed.filter((a) => a.startsWith(`${k}.`)).map((a) => a.slice(k.length + 1))).map((u) => `${k}.${u}`));
        continue;
      }
      if (allowed.some((a) => dotted === a || dotted.startsWith(`${a}.`))) continue;
      if (!isObject(d) || !(k in d)) {
        unknown.push(dotted);
        continue;
      }
      const dv = d[k];
      if (dv === null || Array.isArray(dv) || (isObject(dv) && Object.keys(dv).length === 0)) continue;
      // A map of strings (nodeSelector, annotations) is free-form; so are Kubernetes objects the
      // templates render verbatim with toYaml (securityContext, resources, probes, affinity).
      if (isObject(dv) && Object.values(dv).every((x) => typeof x === 'string')) continue;
      if (isObject(dv) && KUBERNETES_PASSTHROUGH.has(k)) continue;
      if (isObject(dv)) walk(child, dv, [...p, k]);
    }
  };
  walk(values, defaults, []);
  return unknown;
}

const schemaValidators = new Map<string, ValidateFunction | null>();

function compile(schema: JsonObject): ValidateFunction {
  const draft2020 = String(schema.$schema ?? '').includes('2020-12');
  const ajv = draft2020 ? new Ajv2020({ strict: false, allErrors: true, validateFormats: false }) : new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(schema);
}

/** Errors of `values` against the chart's values.schema.json (merged over defaults, as Helm does), or [] when the chart ships none. */
export function valuesSchemaErrors(chart: string, values: unknown): string[] {
  if (!schemaValidators.has(chart)) {
    const file = path.join(REF, 'charts', chart, 'schema.json');
    schemaValidators.set(chart, fs.existsSync(file) ? compile(JSON.parse(fs.readFileSync(file, 'utf8')) as JsonObject) : null);
  }
  const validate = schemaValidators.get(chart);
  if (!validate) return [];
  const merged = deepMerge(referenceDefaults(chart), values);
  if (validate(merged)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
}

/** Helm's value coalescing: maps merge key by key, everything else replaces. */
export function deepMerge(base: unknown, over: unknown): Json {
  if (isObject(base) && isObject(over)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : (v as Json);
    return out;
  }
  return (over === undefined ? base : over) as Json;
}

/** Throws with every problem when `values` uses a key the chart does not have or breaks its schema. */
export function expectValidChartValues(chart: string, values: unknown, allowed: string[] = []): void {
  const problems = [
    ...unknownValuesKeys(chart, values, allowed).map((k) => `unknown values key ${k} (not in ${chart} ${referenceChartVersion(chart)} defaults)`),
    ...valuesSchemaErrors(chart, values).map((e) => `schema: ${e}`),
  ];
  if (problems.length > 0) throw new Error(`${chart} values are invalid:\n  ${problems.join('\n  ')}`);
}

// --- CRD oracle ---------------------------------------------------------------------------

// Kubernetes prunes unknown fields of structural schemas silently, so a misspelt field would be
// dropped at apply time without an error. The oracle makes every object schema closed (unless the
// CRD preserves unknown fields) so such a field fails the test instead.
function closeSchema(node: unknown, isRoot = false): unknown {
  if (Array.isArray(node)) return node.map((n) => closeSchema(n));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && isObject(v)) {
      const props: JsonObject = {};
      for (const [pk, pv] of Object.entries(v)) props[pk] = isRoot && pk === 'metadata' ? (pv as Json) : (closeSchema(pv) as Json);
      out[k] = props;
    } else {
      out[k] = closeSchema(v) as Json;
    }
  }
  if (isObject(out.properties) && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (out['x-kubernetes-int-or-string'] === true && out.type === undefined && out.anyOf === undefined) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

const crdValidators = new Map<string, ValidateFunction>();

// CRD patterns are Go (RE2) regular expressions; the one construct JavaScript lacks that the
// reference CRDs use is a leading inline flag such as `(?i)`, translated to a RegExp flag.
const goRegExp = Object.assign(function goRegExp(pattern: string, flags?: string): RegExp {
  const m = /^\^?\(\?([imsU]+)\)/.exec(pattern);
  if (!m) return new RegExp(pattern, flags ?? 'u');
  const inline = m[1].replace('U', '');
  return new RegExp(pattern.replace(`(?${m[1]})`, ''), `${flags ?? 'u'}${inline}`);
}, { code: 'new RegExp' });

/** Errors of a custom resource against the reference CRD of its apiVersion/kind. Throws for a kind with no reference CRD. */
export function customResourceErrors(resource: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): string[] {
  const id = `${resource.apiVersion}/${resource.kind}`;
  const entry = refIndex().crds[id];
  if (!entry) throw new Error(`no reference CRD for ${id}; known: ${Object.keys(refIndex().crds).join(', ')}`);
  let validate = crdValidators.get(id);
  if (!validate) {
    const schema = JSON.parse(fs.readFileSync(path.join(REF, 'crds', entry.file), 'utf8')) as JsonObject;
    validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } }).compile(closeSchema(schema, true) as JsonObject);
    crdValidators.set(id, validate);
  }
  const problems: string[] = [];
  if (!resource.metadata?.name) problems.push('/metadata/name is required');
  if (!validate(resource)) {
    problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`));
  }
  return problems;
}

/** Throws with every problem when a custom resource does not validate against its reference CRD. */
export function expectValidCustomResource(resource: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): void {
  const errors = customResourceErrors(resource);
  if (errors.length > 0) throw new Error(`${resource.kind} ${resource.metadata?.name ?? '?'} is invalid:\n  ${errors.join('\n  ')}`);
}

/** Known reference CRD ids (`group/version/Kind`). */
export function referenceCrdIds(): string[] {
  return Object.keys(refIndex().crds);
}
