// Secrets in outputs and Helm values, and state hygiene.
import { GuardrailRule, GuardrailSeverity } from '../types';
import { fail, onElements, Outcome, RuleImpl, undecided } from '../internal/rule';
import { Attrs, block, blocks, bool, isExpression, isSet, obj, SENSITIVE_REFERENCE } from '../internal/values';

const E = GuardrailSeverity.ERROR;
const I = GuardrailSeverity.INFO;

const SECRET_OUTPUT: GuardrailRule = {
  id: 'AIP-170',
  title: 'Outputs that carry secrets are sensitive',
  severity: E,
  fix: 'set sensitive: true on the TerraformOutput (better: output the Secrets Manager ARN, not the secret)',
  area: 'outputs',
  securityRow: 'anything secret is `sensitive: true`',
  appliesTo: ['output'],
  note: 'Secret-looking = an output id naming a password/secret/token/private key/credential (not an ARN, name, id or URL), or a value referencing random_password, *.password, secret_string, private keys or tokens.',
};
const SECRET_VALUES: GuardrailRule = {
  id: 'AIP-171',
  title: 'No secret values in Helm values',
  severity: E,
  fix: 'create the Secret outside Helm (External Secrets from Secrets Manager) and pass its name (existingSecret, secretKeyRef)',
  area: 'outputs',
  securityRow: 'no secret values in Helm values or outputs; secrets … from Kubernetes Secrets created outside Helm values',
  appliesTo: ['helm_release'],
  note: 'Scans values documents (JSON; YAML strings cannot be parsed at synth), set and set_sensitive: secret-named keys with a literal or a secret reference, well-known credential formats (AKIA…, private keys, hf_/ghp_/sk- tokens) and Secret objects with data in local-chart manifests. set_wo (write-only) is accepted.',
};
const PREVENT_DESTROY: GuardrailRule = {
  id: 'AIP-172',
  title: 'Data stores can be protected with prevent_destroy',
  severity: I,
  fix: 'opt in with the construct’s preventDestroy prop (lifecycle.prevent_destroy) for production data',
  area: 'state',
  securityRow: '`prevent_destroy` on data stores (RDS, artifact bucket) where users opt in',
  appliesTo: ['aws_db_instance', 'aws_rds_cluster', 'aws_s3_bucket', 'aws_efs_file_system', 'aws_dynamodb_table'],
  note: 'Informational: deletion protection and versioning are the defaults; prevent_destroy is the user’s choice.',
};
const BACKEND: GuardrailRule = {
  id: 'AIP-173',
  title: 'State lives in a remote backend with locking',
  severity: I,
  fix: 'use PlatformBackend.s3({ bucket, region }) (S3 with use_lockfile) for real deployments',
  area: 'state',
  securityRow: 'a real backend (S3 with locking) in examples',
  appliesTo: ['backend'],
};

const SECRET_NAME = /(password|passwd|secret|token|private[-_]?key|api[-_]?key|credential|kubeconfig)/i;
const NOT_SECRET_NAME = /(arn|name|id|ids|url|uri|path|version|ttl|ref|length|enabled)$/i;
const SECRET_KEY = /(password|passwd|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|credentials?|client[-_]?secret)$/i;
const NOT_SECRET_KEY = /^(existing|use|create|enable|auto|mount|automount|rotate)|(name|ref|key[-_]?ref|secret[-_]?key|file|path|enabled|arn|id|mount|ttl|url|uri|length|policy|provider|store|selector|property|secretname|annotations?|labels?)$/i;
const SECRET_FORMATS: [RegExp, string][] = [
  [/\bA(KIA|SIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bhf_[A-Za-z0-9]{30,}\b/, 'a Hugging Face token'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bsk-[A-Za-z0-9_-]{32,}\b/, 'an API secret key'],
  [/\bxox[baprs]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
];

function lastSegment(path: string): string {
  return stripIndex(path.slice(path.lastIndexOf('.') + 1));
}

/** `keys[0]` → `keys` (one trailing index, as in a path's last segment). */
function stripIndex(segment: string): string {
  return segment.endsWith(']') ? segment.replace(/\[\d+\]$/, '') : segment;
}

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key);
}

/** Every format's own pattern starts with one of these: a string without any holds none of them. */
const SECRET_FORMAT_HINT = /A[KS]IA|-----BEGIN|hf_|gh[pousr]_|sk-|xox[baprs]-/;

function formatFindings(path: string, value: string, out: Outcome[]): void {
  if (!SECRET_FORMAT_HINT.test(value)) return;
  for (const [re, what] of SECRET_FORMATS) if (re.test(value)) out.push(fail(`${path} holds ${what}`));
}

/** Findings for one value at `path`, whose last segment (without a trailing index) is `key`. */
function scanString(path: string, key: string, value: string, out: Outcome[]): void {
  formatFindings(path, value, out);
  if (value.length === 0 || !isSecretKey(key)) return;
  // A template reference (`{{ .password }}` in an ExternalSecret target) is filled in the cluster.
  if (/\{\{[^}]*\}\}/.test(value)) return;
  if (isExpression(value)) {
    if (SENSITIVE_REFERENCE.test(value)) out.push(fail(`${path} is set from a secret (${value.length > 80 ? `${value.slice(0, 77)}...` : value}): it lands in the release and the state`));
    else out.push(undecided(`${path} is computed`));
  } else {
    out.push(fail(`${path} is a literal`));
  }
}

/**
 * Scans a parsed values document. `last` is the path's last segment as written (`keys[0]` inside an
 * array), so the key tested is the one `lastSegment(path)` would give, without splitting every path.
 */
function scanValues(v: unknown, path: string, last: string, out: Outcome[]): void {
  if (typeof v === 'string') {
    scanString(path, stripIndex(last), v, out);
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) scanValues(v[i], `${path}[${i}]`, `${last}[${i}]`, out);
    return;
  }
  const o = obj(v);
  if (!o) return;
  const secretData = Object.keys(obj(o.data) ?? {}).length + Object.keys(obj(o.stringData) ?? {}).length;
  if (o.kind === 'Secret' && secretData > 0) {
    const name = obj(o.metadata)?.name;
    out.push(fail(`${path} is a Secret${typeof name === 'string' ? ` "${name}"` : ''} with data: its values land in the release and the state`));
    return;
  }
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    scanValues(o[k], path ? `${path}.${k}` : k, k.slice(k.lastIndexOf('.') + 1), out);
  }
}

function scanRelease(attrs: Attrs): Outcome[] {
  const out: Outcome[] = [];
  const docs = Array.isArray(attrs.values) ? attrs.values : [];
  docs.forEach((doc, i) => {
    if (typeof doc !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(doc);
    } catch {
      formatFindings(`values[${i}]`, doc, out);
      out.push(undecided(`values[${i}] is not JSON (YAML cannot be parsed at synth)`));
      return;
    }
    scanValues(parsed, '', '', out);
  });
  for (const key of ['set', 'set_sensitive']) {
    for (const s of blocks(attrs[key])) {
      if (typeof s.name !== 'string') continue;
      if (typeof s.value === 'string') scanString(`${key}:${s.name}`, lastSegment(`${key}:${s.name}`), s.value, out);
    }
  }
  return out;
}

/** Secret and state rules. */
export const SECRET_RULES: RuleImpl[] = [
  onElements(
    SECRET_OUTPUT,
    ({ entry, attrs }) => {
      const id = entry.node.node.id;
      const value = JSON.stringify(attrs.value ?? '');
      const secret = (SECRET_NAME.test(id) && !NOT_SECRET_NAME.test(id)) || SENSITIVE_REFERENCE.test(value);
      if (!secret || bool(attrs.sensitive) === true) return [];
      return [fail(`output "${id}" looks secret and is not sensitive`)];
    },
    ['output'],
    'output',
  ),
  onElements(SECRET_VALUES, ({ attrs }) => scanRelease(attrs)),
  onElements(PREVENT_DESTROY, ({ attrs }) => (bool(block(attrs.lifecycle)?.prevent_destroy) === true ? [] : [fail('lifecycle.prevent_destroy is off')])),
  onElements(
    BACKEND,
    ({ entry, attrs }) => {
      if (entry.type === 'local') return [fail('the state is a local file')];
      if (entry.type !== 's3') return [];
      return bool(attrs.use_lockfile) === true || isSet(attrs.dynamodb_table) ? [] : [fail('the S3 backend has no locking (use_lockfile or dynamodb_table)')];
    },
    ['local', 's3'],
    'backend',
  ),
];
