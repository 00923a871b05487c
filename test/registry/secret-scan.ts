// Scans a synthesized stack for secret values that would end up in Terraform state, the plan or
// Helm values. Everything that looks like a password must be a reference that Terraform never
// stores (an ephemeral value in a write-only argument) or an ESO template placeholder.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Resource types whose values land in state. */
const FORBIDDEN_RESOURCES = ['random_password', 'random_string', 'random_bytes', 'tls_private_key'];
/** Data sources that read secret values into state. */
const FORBIDDEN_DATA = ['aws_secretsmanager_random_password', 'aws_secretsmanager_secret_version', 'aws_ssm_parameter', 'aws_kms_secrets'];
/** Keys whose string value would be a secret. */
const SENSITIVE_KEY = /password|passwd|secret_string|secret_access_key|secretaccesskey|private_key|client_secret|clientsecret|cookiesecret|api_key|apikey|connection_string|connectionstring|flaskserversecretkey/i;
/** Keys that only name where a secret is (a key name, a version counter, a secret's name or ARN). */
const REFERENCE_KEY = /(key|keyid|_key_id|version|name|arn|ref|enabled)$/i;
/** Keys that hold a secret value even though their names end like a reference. */
const ALWAYS_VALUE = new Set(['flaskServerSecretKey', 'awsSecretAccessKey', 'accessKey', 'secret_key', 'access_key', 'cookieSecret']);
const ESO_TEMPLATE = /^\{\{\s*\.[A-Za-z0-9_]+\s*\}\}$/;

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value for a sensitive key that cannot be a secret. */
function isSafeValue(key: string, v: string): boolean {
  if (v === '') return true;
  if (ESO_TEMPLATE.test(v)) return true;
  // Write-only argument fed by an ephemeral resource: never stored.
  if (/_wo$/.test(key) && v.startsWith('${') && v.includes('ephemeral.') && !/"password"\s*=\s*"/.test(v)) return true;
  return false;
}

/** Findings (`path: reason`), empty when the stack carries no secret value. */
export function findSecretLiterals(stack: Record<string, unknown>): string[] {
  const findings: string[] = [];
  const resource = (stack.resource ?? {}) as Record<string, unknown>;
  const data = (stack.data ?? {}) as Record<string, unknown>;
  for (const t of Object.keys(resource)) if (FORBIDDEN_RESOURCES.includes(t)) findings.push(`resource.${t}: generates a secret into state`);
  for (const t of Object.keys(data)) if (FORBIDDEN_DATA.includes(t)) findings.push(`data.${t}: reads a secret into state`);
  const walk = (v: Json | unknown, path: string, key: string) => {
    if (typeof v === 'string') {
      // Helm values are JSON documents inside a string: scan them too.
      if (/\.values\[\d+\]$/.test(path)) {
        try {
          walk(JSON.parse(v) as Json, `${path}(values)`, '');
          return;
        } catch {
          // not JSON: scanned as a plain string below
        }
      }
      const sensitive = ALWAYS_VALUE.has(key) || (SENSITIVE_KEY.test(key) && !REFERENCE_KEY.test(key));
      if (sensitive && !isSafeValue(key, v)) findings.push(`${path}: literal value for "${key}"`);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, key));
      return;
    }
    if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, k);
  };
  walk(stack, '', '');
  for (const [name, out] of Object.entries((stack.output ?? {}) as Record<string, { sensitive?: boolean; description?: string }>)) {
    if (/secret|password|credential/i.test(`${name} ${out.description ?? ''}`) && out.sensitive !== true) findings.push(`output.${name}: secret-ish output without sensitive = true`);
  }
  return findings;
}
