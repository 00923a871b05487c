// Reading synthesized (resolved) attributes. After token resolution a value known only at apply
// time is a Terraform expression string (`${aws_kms_key.k.arn}`); rules treat it as "cannot decide"
// unless they only need to know that something is set.

/** A synthesized attribute map (snake_case keys). */
export interface Attrs {
  [key: string]: unknown;
}

/** Marks a value that is a Terraform expression, known only at apply time. */
export const UNKNOWN: unique symbol = Symbol('unknown');
/** A value that is known, absent (`undefined`) or known only at apply time. */
export type Tri<T> = T | undefined | typeof UNKNOWN;

/** True for a string that contains a Terraform interpolation (not the escaped `$${`). */
export function isExpression(v: unknown): boolean {
  return typeof v === 'string' && /(^|[^$])\$\{/.test(v);
}

/** True when `v` is set to anything (including an expression). */
export function isSet(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** A boolean attribute: literal booleans and the strings "true"/"false" (launch template EBS flags). */
export function bool(v: unknown): Tri<boolean> {
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return UNKNOWN;
}

/** A number attribute (numeric strings accepted). */
export function num(v: unknown): Tri<number> {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return UNKNOWN;
}

/** A string attribute that is a literal. */
export function str(v: unknown): Tri<string> {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || isExpression(v)) return UNKNOWN;
  return v;
}

/** A list of strings; a whole-list expression is UNKNOWN (elements may still be expressions). */
export function strList(v: unknown): Tri<string[]> {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  return UNKNOWN;
}

/** Nested blocks: Terraform JSON renders a single block as an object and repeated blocks as a list. */
export function blocks(v: unknown): Attrs[] {
  if (Array.isArray(v)) return v.filter((x): x is Attrs => typeof x === 'object' && x !== null && !Array.isArray(x));
  if (typeof v === 'object' && v !== null) return [v as Attrs];
  return [];
}

/** The first nested block, if any. */
export function block(v: unknown): Attrs | undefined {
  return blocks(v)[0];
}

/** A plain object (a Kubernetes object or a sub-map), or undefined. */
export function obj(v: unknown): Attrs | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Attrs) : undefined;
}

/** A list of plain objects (containers, volumes), or []. */
export function objList(v: unknown): Attrs[] {
  return Array.isArray(v) ? v.filter((x): x is Attrs => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];
}

/** Glob match with `*` wildcards. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** Short JSON for messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'unset';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** A reference to an attribute that holds a secret (generated passwords, secret strings, keys, tokens). */
export const SENSITIVE_REFERENCE =
  /random_password\.|tls_private_key\.|aws_secretsmanager_random_password|aws_iam_access_key\.[^.]+\.(secret|ses_smtp)|\.(password|master_password|secret_string|private_key_pem|private_key|ses_smtp_password_v4|token|kubeconfig_raw)\b/;
