// Every Kubernetes object a synthesized stack puts in a cluster, read from the Terraform JSON a user
// applies (not from the construct tree), in the API's shape:
// - helm_release of the library's local `manifests` chart: its values' `manifests` list (the chart's only
//   template renders each entry with toYaml; test/k8s/rendered-objects.test.ts pins that template);
// - any other helm_release: whole objects in its values (`extraObjects` and friends, at any depth);
// - kubernetes_manifest: its `manifest`;
// - the kubernetes provider's typed resources (kubernetes_namespace_v1, …): converted from the
//   provider's snake_case blocks to the API shape, guided by the OpenAPI schema of the kind.
import * as YAML from 'yaml';
import { Synth } from './synth';
import { deepMerge } from './reference';
import { kubernetesSchema, schemaNameOf, isTerraformExpression } from './kubernetes-openapi';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One object as the cluster receives it, with where it comes from. */
export interface RenderedObject {
  /** Stack name. */
  readonly stack: string;
  /** Terraform address and place inside it, e.g. `helm_release.x values.manifests[2]`. */
  readonly source: string;
  /** The object (apiVersion, kind, metadata, …). */
  readonly object: JsonObject;
}

/**
 * The kubernetes provider's typed resources the harness converts: resource type → apiVersion/kind and
 * the provider's own arguments (hashicorp/kubernetes 2.x schemas, as generated in
 * @cdktf/provider-kubernetes 12.1.1). Add a type here when the library starts using it; the
 * rendered-objects test fails on any kubernetes_* resource type missing from this table.
 */
export const PROVIDER_RESOURCE_KINDS: Record<string, { apiVersion: string; kind: string; providerOnly: string[] }> = {
  kubernetes_namespace_v1: { apiVersion: 'v1', kind: 'Namespace', providerOnly: ['wait_for_default_service_account', 'timeouts'] },
  kubernetes_config_map_v1: { apiVersion: 'v1', kind: 'ConfigMap', providerOnly: [] },
  kubernetes_secret_v1: { apiVersion: 'v1', kind: 'Secret', providerOnly: ['wait_for_service_account_token', 'data_wo_revision', 'binary_data_wo_revision', 'timeouts'] },
  kubernetes_network_policy_v1: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', providerOnly: [] },
  kubernetes_pod_disruption_budget_v1: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', providerOnly: [] },
};

/** Meta-arguments and cdktf bookkeeping present on every resource. */
const TERRAFORM_ARGUMENTS = new Set(['//', 'id', 'depends_on', 'lifecycle', 'provider', 'count', 'for_each', 'provisioner', 'connection']);

/** Values of the library's local chart are recognized by the chart path (a TerraformAsset of charts/manifests). */
const LOCAL_CHART = /(^|\/)ai-platform-manifests-chart\//;

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Terraform template escapes in a values string: `$${` is a literal `${`, `%%{` a literal `%{`. */
function unescapeTemplates(v: Json): Json {
  if (typeof v === 'string') return v.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  if (Array.isArray(v)) return v.map(unescapeTemplates);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unescapeTemplates(x)]));
  return v;
}

/** A release's values documents merged the way Helm coalesces them (later documents win). */
export function releaseValues(release: Record<string, unknown>): JsonObject {
  let merged: Json = {};
  for (const doc of (release.values ?? []) as unknown[]) {
    if (typeof doc !== 'string') throw new Error(`a values entry is not a string: ${JSON.stringify(doc).slice(0, 80)}`);
    const parsed = YAML.parse(doc) as Json;
    if (parsed !== null && !isObject(parsed)) throw new Error(`a values document is not a map: ${doc.slice(0, 80)}`);
    merged = deepMerge(merged, unescapeTemplates(parsed ?? {}));
  }
  return merged as JsonObject;
}

/** Objects with apiVersion, kind and metadata anywhere inside chart values, with their paths. */
function objectsInValues(values: Json, p = 'values'): { path: string; object: JsonObject }[] {
  if (Array.isArray(values)) return values.flatMap((v, i) => objectsInValues(v, `${p}[${i}]`));
  if (!isObject(values)) return [];
  if (typeof values.apiVersion === 'string' && typeof values.kind === 'string' && isObject(values.metadata)) return [{ path: p, object: values }];
  return Object.entries(values).flatMap(([k, v]) => objectsInValues(v, `${p}.${k}`));
}

function resolveRef(node: JsonObject): { node: JsonObject; name?: string } {
  let name: string | undefined;
  for (;;) {
    if (typeof node.$ref === 'string') {
      name = node.$ref.replace('#/definitions/', '');
      node = kubernetesSchema(name);
    } else if (Array.isArray(node.allOf) && node.allOf.length === 1 && isObject(node.allOf[0])) {
      node = node.allOf[0];
    } else {
      return { node, name };
    }
  }
}

/**
 * Converts a value of the kubernetes provider (snake_case keys, nested blocks as objects or one-item
 * lists, int-or-string as strings) to the API's shape, following the kind's OpenAPI schema. A key
 * that matches no field of the schema is kept as it is, so the oracle reports it.
 */
export function providerToApi(value: Json, schema: JsonObject): Json {
  const { node, name } = resolveRef(schema);
  if (name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') {
    // The provider turns a string that is a canonical integer into an integer, anything else stays a
    // string (hashicorp/terraform-provider-kubernetes, expandNetworkPolicyPorts: strconv.Atoi and Itoa).
    return typeof value === 'string' && /^-?\d+$/.test(value) && String(Number(value)) === value ? Number(value) : value;
  }
  if (isObject(node.properties)) {
    const props = node.properties as Record<string, JsonObject>;
    // Blocks with at most one item are lists in the provider's schema.
    const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const c = camel(k);
      // The provider names repeated blocks in the singular (`volume_mount` for volumeMounts).
      const field = c in props ? c : `${c}s` in props ? `${c}s` : undefined;
      out[field ?? k] = field ? providerToApi(x, props[field]) : x;
    }
    return out;
  }
  if (node.type === 'array' && Array.isArray(value) && isObject(node.items)) return value.map((x) => providerToApi(x, node.items as JsonObject));
  return value;
}

/** The API object of a kubernetes provider resource, or undefined for types the harness does not know. */
export function providerResourceToObject(type: string, attrs: Record<string, unknown>): JsonObject | undefined {
  const entry = PROVIDER_RESOURCE_KINDS[type];
  if (!entry) return undefined;
  const args: JsonObject = {};
  for (const [k, v] of Object.entries(attrs)) if (!TERRAFORM_ARGUMENTS.has(k) && !entry.providerOnly.includes(k)) args[k] = v as Json;
  if (entry.kind === 'Secret') {
    // The provider base64-encodes `data` (and the write-only `data_wo`); `binary_data(_wo)` is base64 already.
    const data: JsonObject = {};
    for (const k of ['data', 'data_wo']) {
      for (const [key, v] of Object.entries((args[k] ?? {}) as JsonObject)) data[key] = typeof v === 'string' && !isTerraformExpression(v) ? Buffer.from(v).toString('base64') : v;
      delete args[k];
    }
    for (const k of ['binary_data', 'binary_data_wo']) {
      Object.assign(data, (args[k] ?? {}) as JsonObject);
      delete args[k];
    }
    if (Object.keys(data).length > 0) args.data = data;
  }
  const object = { apiVersion: entry.apiVersion, kind: entry.kind, ...args };
  const name = schemaNameOf(object);
  if (!name) throw new Error(`${type}: ${entry.apiVersion}/${entry.kind} is not in the Kubernetes documents`);
  return providerToApi(object, { $ref: `#/definitions/${name}` }) as JsonObject;
}

/** Resource types of the kubernetes provider that the harness cannot convert (a test must fail on these). */
export function unconvertedKubernetesResources(stacks: Record<string, Synth>): string[] {
  const out: string[] = [];
  for (const [stack, s] of Object.entries(stacks)) {
    for (const [type, rs] of Object.entries(s.resource ?? {})) {
      if (type.startsWith('kubernetes_') && type !== 'kubernetes_manifest' && !PROVIDER_RESOURCE_KINDS[type]) out.push(...Object.keys(rs).map((id) => `${stack}: ${type}.${id}`));
    }
  }
  return out;
}

const CORE = 'io.k8s.api.core.v1.';

/**
 * Values keys that, by Helm convention, hold a Kubernetes fragment the chart templates render
 * verbatim (toYaml), with the definitions the fragment may be. `securityContext` means the pod's in
 * some charts and the container's in others, so either is accepted. A key given a list type whose
 * value is not a list follows some other chart convention (e.g. `env` as a map) and is skipped.
 */
export const VALUES_FRAGMENT_TYPES: Record<string, { types: string[]; list?: boolean }> = {
  resources: { types: [`${CORE}ResourceRequirements`, `${CORE}VolumeResourceRequirements`] },
  affinity: { types: [`${CORE}Affinity`] },
  tolerations: { types: [`${CORE}Toleration`], list: true },
  topologySpreadConstraints: { types: [`${CORE}TopologySpreadConstraint`], list: true },
  securityContext: { types: [`${CORE}PodSecurityContext`, `${CORE}SecurityContext`] },
  podSecurityContext: { types: [`${CORE}PodSecurityContext`] },
  containerSecurityContext: { types: [`${CORE}SecurityContext`] },
  extraVolumes: { types: [`${CORE}Volume`], list: true },
  extraVolumeMounts: { types: [`${CORE}VolumeMount`], list: true },
  env: { types: [`${CORE}EnvVar`], list: true },
  volumeClaimTemplate: { types: ['io.k8s.api.core.v1.PersistentVolumeClaim'] },
};

/** Helm's coalescing: a null in the values deletes that key of the chart's defaults (maps only, not inside lists). */
function withoutNulls(v: Json): Json {
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
}

/** A Kubernetes fragment inside chart values. */
export interface ValuesFragment {
  /** Stack name. */
  readonly stack: string;
  /** `helm_release.x values.routerSpec.affinity`. */
  readonly source: string;
  /** Definitions the fragment may be (it must validate as one of them). */
  readonly types: string[];
  /** The fragment; a list fragment is given item by item. */
  readonly value: Json;
}

/**
 * Kubernetes fragments in the values the library passes to third-party charts (not whole objects:
 * those are in {@link renderedObjects}). Helm's null-deletes-a-default is applied, and two chart
 * conventions are honoured: a boolean `enabled` toggle inside the fragment, which the templates omit,
 * and per-component maps (`securityContext.operator`), whose entries are the fragments.
 */
export function valuesFragments(stack: string, s: Synth): ValuesFragment[] {
  const out: ValuesFragment[] = [];
  for (const [id, attrs] of Object.entries(s.resource?.helm_release ?? {})) {
    if (typeof attrs.chart === 'string' && LOCAL_CHART.test(attrs.chart)) continue;
    const walk = (v: Json, p: string) => {
      if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${p}[${i}]`));
      if (!isObject(v)) return;
      if (typeof v.apiVersion === 'string' && typeof v.kind === 'string' && isObject(v.metadata)) return;
      for (const [k, x] of Object.entries(v)) {
        const spec = VALUES_FRAGMENT_TYPES[k];
        const here = `${p}.${k}`;
        if (!spec) {
          walk(x, here);
          continue;
        }
        const add = (value: Json, at: string): void => {
          if (spec.list) {
            if (Array.isArray(value)) value.forEach((item, i) => out.push({ stack, source: `helm_release.${id} ${at}[${i}]`, types: spec.types, value: item }));
          } else if (isObject(value)) {
            const { enabled, ...rest } = withoutNulls(value) as JsonObject;
            out.push({ stack, source: `helm_release.${id} ${at}`, types: spec.types, value: typeof enabled === 'boolean' ? rest : withoutNulls(value) });
          }
        };
        // A map of components, each with its own fragment (keda: securityContext.operator, .webhooks, …).
        // It is one when no key is a field of the fragment and every entry has at least one such field,
        // so a misspelt field (`nodeAfinity: {…}`) is still validated, and reported, as the fragment.
        const fields = new Set(spec.types.flatMap((t) => Object.keys((kubernetesSchema(t).properties ?? {}) as JsonObject)));
        const perComponent = !spec.list && isObject(x) && Object.keys(x).length > 0
          && Object.entries(x).every(([ck, cv]) => !fields.has(ck) && isObject(cv) && Object.keys(cv).some((f) => fields.has(f)));
        if (perComponent) for (const [ck, cv] of Object.entries(x as JsonObject)) add(cv, `${here}.${ck}`);
        else add(x, here);
      }
    };
    walk(releaseValues(attrs), 'values');
  }
  return out;
}

/** Every Kubernetes object of a synthesized stack. */
export function renderedObjects(stack: string, s: Synth): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const [type, rs] of Object.entries(s.resource ?? {})) {
    for (const [id, attrs] of Object.entries(rs)) {
      const address = `${type}.${id}`;
      if (type === 'helm_release') {
        // `set` blocks would change the rendered values behind the harness's back.
        const sets = Object.keys(attrs).filter((k) => k.startsWith('set'));
        if (sets.length > 0) throw new Error(`${address}: ${sets.join(', ')} not read by the harness; extend releaseValues()`);
        const values = releaseValues(attrs);
        if (typeof attrs.chart === 'string' && LOCAL_CHART.test(attrs.chart)) {
          const manifests = values.manifests ?? [];
          if (!Array.isArray(manifests)) throw new Error(`${address}: manifests is not a list`);
          manifests.forEach((m, i) => {
            if (!isObject(m)) throw new Error(`${address}: manifests[${i}] is not an object`);
            out.push({ stack, source: `${address} values.manifests[${i}]`, object: m });
          });
        } else {
          for (const found of objectsInValues(values)) out.push({ stack, source: `${address} ${found.path}`, object: found.object });
        }
      } else if (type === 'kubernetes_manifest') {
        out.push({ stack, source: `${address} manifest`, object: attrs.manifest as JsonObject });
      } else {
        const object = providerResourceToObject(type, attrs);
        if (object) out.push({ stack, source: address, object });
      }
    }
  }
  return out;
}
