// Kubernetes OpenAPI oracle: validates a core-API object (apiVersion/kind) against the official
// Kubernetes 1.35 OpenAPI v3 documents (what a 1.35 API server serves at /openapi/v3/<group>/<version>;
// vendored unmodified by kubernetes-sigs/kubectl-validate, pkg/openapiclient/builtins/1.35/).
// scripts/derive-reference.js merges the schemas of the ten group-version documents into
// test/fixtures/reference/kubernetes/1.35.json (descriptions stripped, each source file's git blob id
// recorded) so the suite never reads outside the repository.
//
// What the API server does that a plain JSON Schema validator does not, and how this oracle does it:
// - unknown fields are pruned silently (or rejected by strict field validation): every object schema
//   with `properties` is closed (`additionalProperties: false`) unless it says
//   `x-kubernetes-preserve-unknown-fields`;
// - `x-kubernetes-int-or-string` / `format: int-or-string`: an integer or a string;
// - `x-kubernetes-embedded-resource`: apiVersion, kind and metadata required, metadata is an ObjectMeta;
// - `x-kubernetes-list-type: map` / `set`: the map keys, or the items, are unique (server-side apply);
// - Quantity strings follow the quantity grammar; int32/int64/byte/date-time formats are checked.
// - OLDER_SERVER_REQUIREMENTS: a short, sourced list of fields older API servers require although the
//   1.35 schema does not.
// Not checked: defaulting, the Go validation of the API server beyond the schema (name lengths, one-of
// rules, cross-field rules, allowed values: the 1.35 built-in documents declare no `enum`), CEL
// `x-kubernetes-validations` (none in the 1.35 built-in documents), admission webhooks and policies.
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';

/** The derived reference: merged `components.schemas` of the 1.35 documents. */
export const KUBERNETES_OPENAPI_FILE = path.join(__dirname, '..', 'fixtures', 'reference', 'kubernetes', '1.35.json');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One problem of an object, with the JSON path of the offending value (`.spec.template.spec.containers[0].image`). */
export interface OpenApiError {
  /** JSON path inside the object; `.` is the object itself. */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
}

interface Loaded {
  ajv: Ajv;
  /** `group/version/Kind` (core: `v1/Kind`) → schema name. */
  kinds: Map<string, string>;
  /** Schema name → transformed schema (refs resolved through `definitions`). */
  schemas: Record<string, JsonObject>;
  loadMs: number;
  loadCpuMs: number;
}

const ROOT_ID = 'https://kubernetes.io/openapi/v3/1.35.json';

// Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go, the Quantity schema's description).
const QUANTITY = '^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$';

/**
 * The API server's view of a schema node as JSON Schema: closed objects, int-or-string, embedded
 * resources, list types, quantities. Descriptions and defaults are dropped (they do not validate).
 * Exported for the oracle's own tests.
 */
export function structuralToJsonSchema(node: Json, refBase = '#/definitions/'): Json {
  if (Array.isArray(node)) return node.map((n) => structuralToJsonSchema(n, refBase));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' || k === 'default' || k.startsWith('x-kubernetes-')) continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace('#/components/schemas/', refBase);
    else if (k === 'properties' && isObject(v)) out.properties = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, structuralToJsonSchema(pv, refBase)]));
    else if (k === 'format' && v === 'int-or-string') continue;
    else out[k] = structuralToJsonSchema(v, refBase);
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node['x-kubernetes-int-or-string'] === true && out.type === undefined && out.anyOf === undefined && out.oneOf === undefined) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    out.type = 'object';
    const props = isObject(out.properties) ? out.properties : {};
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { $ref: `${refBase}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` }, ...props };
    out.required = [...new Set([...(Array.isArray(out.required) ? (out.required as string[]) : []), 'apiVersion', 'kind', 'metadata'])];
  }
  if (isObject(out.properties) && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  if (node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  if (node['x-kubernetes-list-type'] === 'map' && Array.isArray(node['x-kubernetes-list-map-keys'])) out.listMapKeys = node['x-kubernetes-list-map-keys'];
  return out;
}

/**
 * Fields the 1.35 documents mark optional but that API servers the library supports (EKS 1.31–1.33)
 * require, each with its source. Deliberately stricter than the 1.35 schema; keep it short.
 */
export const OLDER_SERVER_REQUIREMENTS: { schema: string; required: string[]; source: string; checked: string }[] = [
  {
    // The default ("True") was not applied inside a CronJob's jobTemplate until kubernetes/kubernetes#131525
    // (fixes #131512, merged 2025-04-30), so such servers reject a CronJob whose pattern has no status.
    schema: 'io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern',
    required: ['status'],
    source: 'https://github.com/kubernetes/kubernetes/pull/131525',
    checked: '2026-12-07',
  },
];

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const raw = (JSON.parse(fs.readFileSync(KUBERNETES_OPENAPI_FILE, 'utf8')) as { schemas: Record<string, JsonObject> }).schemas;
  const kinds = new Map<string, string>();
  const schemas: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(raw)) {
    schemas[name] = structuralToJsonSchema(schema) as JsonObject;
    for (const gvk of (schema['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
      // Meta types (DeleteOptions, WatchEvent, Status) are tagged with every group; they are not objects one applies.
      if (name.startsWith('io.k8s.apimachinery.')) continue;
      kinds.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
    }
  }
  for (const r of OLDER_SERVER_REQUIREMENTS) {
    const target = schemas[r.schema];
    if (!target) throw new Error(`OLDER_SERVER_REQUIREMENTS: no schema ${r.schema}`);
    target.required = [...new Set([...((target.required ?? []) as string[]), ...r.required])];
  }
  // Quantity: a number, or a string in the quantity grammar.
  schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string', pattern: QUANTITY }, { type: 'number' }] };
  const ajv = new Ajv({ strict: true, allErrors: true, verbose: true, inlineRefs: false, validateFormats: true });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/);
  ajv.addKeyword({
    keyword: 'listMapKeys',
    type: 'array',
    schemaType: 'array',
    errors: true,
    validate: function listMapKeys(keys: string[], data: unknown[]): boolean {
      const seen = new Map<string, number>();
      for (let i = 0; i < data.length; i++) {
        const item = data[i];
        if (!isObject(item)) continue;
        const key = JSON.stringify(keys.map((k) => item[k] ?? null));
        const first = seen.get(key);
        if (first !== undefined) {
          (listMapKeys as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: 'listMapKeys', message: `items ${first} and ${i} have the same map key (${keys.join(', ')}) ${key}`, params: { keys } }];
          return false;
        }
        seen.set(key, i);
      }
      return true;
    },
  });
  ajv.addSchema({ $id: ROOT_ID, definitions: schemas });
  loaded = { ajv, kinds, schemas, loadMs: performance.now() - start, loadCpuMs: cpuMs(process.cpuUsage(cpu)) };
  return loaded;
}

const validators = new Map<string, ValidateFunction>();
let compileMs = 0;
let compileCpuMs = 0;

function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

/** `group/version/Kind` of an object (`v1/Kind` for the core group). */
export function gvkOf(o: { apiVersion?: unknown; kind?: unknown }): string {
  return `${String(o.apiVersion)}/${String(o.kind)}`;
}

/** True when the 1.35 documents define the object's apiVersion/kind. */
export function isKubernetesBuiltinKind(o: { apiVersion?: unknown; kind?: unknown }): boolean {
  return load().kinds.has(gvkOf(o));
}

/** Every `apiVersion/Kind` the documents define. */
export function kubernetesBuiltinKinds(): string[] {
  return [...load().kinds.keys()].sort();
}

/** The OpenAPI schema name of a kind (`io.k8s.api.apps.v1.Deployment`), or undefined. */
export function schemaNameOf(o: { apiVersion?: unknown; kind?: unknown }): string | undefined {
  return load().kinds.get(gvkOf(o));
}

/** The transformed schema of a definition (for walking it; `$ref`s point into {@link kubernetesSchema}). */
export function kubernetesSchema(name: string): JsonObject {
  const s = load().schemas[name];
  if (!s) throw new Error(`no Kubernetes schema ${name}`);
  return s;
}

function validatorFor(name: string): ValidateFunction {
  let v = validators.get(name);
  if (!v) {
    const { ajv } = load();
    const start = performance.now();
    const cpu = process.cpuUsage();
    v = ajv.getSchema(`${ROOT_ID}#/definitions/${name}`);
    compileMs += performance.now() - start;
    compileCpuMs += cpuMs(process.cpuUsage(cpu));
    if (!v) throw new Error(`cannot compile ${name}`);
    validators.set(name, v);
  }
  return v;
}

/** Time spent in this worker reading the documents and compiling validators (ms, wall clock and CPU). */
export function kubernetesOpenApiTimings(): { loadMs: number; loadCpuMs: number; compileMs: number; compileCpuMs: number; compiledKinds: number } {
  return { loadMs: loaded?.loadMs ?? 0, loadCpuMs: loaded?.loadCpuMs ?? 0, compileMs, compileCpuMs, compiledKinds: validators.size };
}

/** One line for test output: what the oracle cost in this worker. */
export function kubernetesOpenApiTimingsText(): string {
  const t = kubernetesOpenApiTimings();
  return `kubernetes-openapi oracle: load ${t.loadMs.toFixed(0)} ms (CPU ${t.loadCpuMs.toFixed(0)} ms), compile ${t.compileMs.toFixed(0)} ms (CPU ${t.compileCpuMs.toFixed(0)} ms) for ${t.compiledKinds} kinds`;
}

function jsonPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  const text = parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('');
  return text === '' ? '.' : text;
}

/** True for a string holding a Terraform interpolation (`${…}`), whose value is known only at apply. */
export function isTerraformExpression(v: unknown): boolean {
  return typeof v === 'string' && /(^|[^$])\$\{/.test(v);
}

// Keywords whose failure on a Terraform expression says nothing: the expression becomes a value of
// the right type at apply (a namespace name, a port, a role ARN).
const VALUE_KEYWORDS = new Set(['type', 'format', 'pattern', 'oneOf', 'anyOf', 'enum']);

function describe(e: ErrorObject): OpenApiError {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: jsonPath(e.instancePath, String(p.additionalProperty)), message: 'field not declared by the schema (the API server would prune or reject it)' };
    case 'required':
      return { path: jsonPath(e.instancePath, String(p.missingProperty)), message: 'required field is missing' };
    default:
      return { path: jsonPath(e.instancePath), message: `${e.message ?? e.keyword}${e.keyword === 'type' || e.keyword === 'format' || e.keyword === 'pattern' ? ` (got ${JSON.stringify(e.data)})` : ''}` };
  }
}

/**
 * Problems of a core-API object against the Kubernetes 1.35 OpenAPI documents, each with its JSON
 * path. An apiVersion/kind the documents do not define is itself a problem (use
 * {@link isKubernetesBuiltinKind} to route custom resources to the CRD oracle first). Values that are
 * Terraform interpolations are accepted wherever a value of some type is expected.
 */
export function kubernetesObjectErrors(object: unknown): OpenApiError[] {
  if (!isObject(object)) return [{ path: '.', message: 'not an object' }];
  const name = schemaNameOf(object);
  if (!name) return [{ path: '.', message: `apiVersion/kind ${gvkOf(object)} is not defined by the Kubernetes 1.35 OpenAPI documents` }];
  const validate = validatorFor(name);
  const errors: OpenApiError[] = [];
  const meta = object.metadata;
  // Applying needs a name (Helm and kubectl apply have no generateName support).
  if (!isObject(meta) || typeof meta.name !== 'string' || meta.name === '') errors.push({ path: '.metadata.name', message: 'required to apply the object' });
  errors.push(...collectErrors(validate, object));
  return errors;
}

function collectErrors(validate: ValidateFunction, value: unknown): OpenApiError[] {
  const errors: OpenApiError[] = [];
  if (!validate(value)) {
    const seen = new Set<string>();
    const all = validate.errors ?? [];
    // A oneOf/anyOf failure (int-or-string, quantity) is reported once, with what each branch wanted.
    const alternatives = new Map<string, string[]>();
    for (const e of all) {
      if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
      const branches = all.filter((b) => b.instancePath === e.instancePath && b.schemaPath.startsWith(`${e.schemaPath}/`)).map((b) => b.message ?? b.keyword);
      alternatives.set(e.instancePath, branches);
    }
    for (const e of all) {
      if (VALUE_KEYWORDS.has(e.keyword) && isTerraformExpression(e.data)) continue;
      const alt = alternatives.get(e.instancePath);
      if (alt && e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && VALUE_KEYWORDS.has(e.keyword)) continue;
      const d = alt && (e.keyword === 'oneOf' || e.keyword === 'anyOf') ? { path: jsonPath(e.instancePath), message: `${alt.join(', or ')} (got ${JSON.stringify(e.data)})` } : describe(e);
      const key = `${d.path} ${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      errors.push(d);
    }
  }
  return errors;
}

/**
 * Problems of a value against one definition of the documents (`io.k8s.api.core.v1.Affinity`): for
 * Kubernetes fragments inside chart values. Same rules as {@link kubernetesObjectErrors}.
 */
export function kubernetesTypeErrors(definition: string, value: unknown): OpenApiError[] {
  if (!load().schemas[definition]) throw new Error(`no Kubernetes definition ${definition}`);
  return collectErrors(validatorFor(definition), value);
}

/** Throws with every problem when the object does not validate. */
export function expectValidKubernetesObject(object: unknown, where = ''): void {
  const errors = kubernetesObjectErrors(object);
  if (errors.length > 0) {
    const o = object as { kind?: string; metadata?: { name?: string } };
    throw new Error(`${where}${where ? ': ' : ''}${o.kind ?? '?'} ${o.metadata?.name ?? '?'} is invalid:\n  ${errors.map((e) => `${e.path}: ${e.message}`).join('\n  ')}`);
  }
}
