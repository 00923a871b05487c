import { IResolveContext, Token } from 'cdktf';

/** A JSON-compatible value tree (Helm values, Kubernetes objects). Strings may hold Terraform tokens. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (Helm values, a Kubernetes object). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A Kubernetes object as the library renders it. */
export interface KubernetesObject {
  /** API group/version, e.g. `karpenter.sh/v1`. */
  readonly apiVersion: string;
  /** Kind, e.g. `NodePool`. */
  readonly kind: string;
  /** Object metadata; `name` is required. */
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  /** Everything else (spec, data, …). */
  readonly [key: string]: JsonValue | undefined | KubernetesObject['metadata'];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Helm-style merge: maps merge key by key, lists and scalars from `over` replace. `null` in `over`
 * deletes the key, as `helm --set key=null` does.
 */
export function mergeValues(base: JsonObject, over: JsonObject | undefined): JsonObject {
  if (!over) return base;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) {
      delete out[k];
    } else if (isPlainObject(v) && isPlainObject(out[k])) {
      out[k] = mergeValues(out[k] as JsonObject, v as JsonObject);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * Serializes values for the helm provider's `values` list. JSON is valid YAML, keeps Terraform
 * tokens as plain strings (resolved by cdktf into interpolations), and parses back in tests.
 * Literal `${` and `%{` (Grafana variables, shell snippets) are escaped so Terraform does not
 * treat them as template directives.
 */
export function toValuesDocument(values: JsonObject): string {
  return escapeTemplate(JSON.stringify(values));
}

/** Escapes Terraform template sequences in a string, leaving cdktf tokens intact. */
export function escapeTemplate(s: string): string {
  if (Token.isUnresolved(s) && !s.includes('${') && !s.includes('%{')) return s;
  return s.replace(/\$\{(?!TfToken\[)/g, () => '$${').replace(/%\{/g, () => '%%{');
}

const EMBEDDED_TOKEN = /\$\{TfToken\[TOKEN\.\d+\]\}/g;

/**
 * Resolves the cdktf tokens embedded in a (large) string one by one, at synth. cdktf's own
 * tokenizer rescans the rest of the string for every token it finds, which is quadratic in the
 * size of a values document; resolving each token here keeps synth linear (measured: the
 * 50-model platform synth went from 1.5 s to well under half of that).
 */
export function resolveEmbeddedTokens(s: string, context: IResolveContext): string {
  if (!s.includes('${TfToken[')) return s;
  return s.replace(EMBEDDED_TOKEN, (marker) => {
    const resolved: unknown = context.resolve(marker);
    if (typeof resolved !== 'string') throw new Error(`a token inside a values document resolved to a ${typeof resolved}, not a string`);
    return resolved;
  });
}
