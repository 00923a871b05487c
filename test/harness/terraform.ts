// Terraform as an oracle: the synthesized JSON is validated and planned by the real AWS provider
// (offline: mock credentials, no refresh), so a wrong attribute name, type or value fails the test
// the same way it would fail `cdktf deploy`.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const env = require('./terraform-env') as {
  unavailableReason(): string | undefined;
  ensureTemplate(): string;
  terraformProcessEnv(): NodeJS.ProcessEnv;
};

/** Why the oracle cannot run on this machine, or undefined when it can. */
export const terraformUnavailable: string | undefined = env.unavailableReason();

/** `it` when terraform and the mirror exist; otherwise a skipped test whose name says why. */
export const itWithTerraform: jest.It = terraformUnavailable
  ? (((name: string) => {
      // eslint-disable-next-line no-console
      console.warn(`[terraform oracle] skipping "${name}": ${terraformUnavailable}`);
      return it.skip(`${name} (skipped: ${terraformUnavailable})`, () => undefined);
    }) as unknown as jest.It)
  : it;

/** Outcome of validating and planning a synthesized stack. */
export interface OracleResult {
  readonly validate: { valid: boolean; error_count: number; diagnostics: { severity: string; summary: string; detail?: string; address?: string }[] };
  /** Addresses of planned creates (empty when plan was not requested or failed). */
  readonly plannedCreates: string[];
  /** Plan exit status and output when the plan failed. */
  readonly planError?: string;
}

type StackJson = { provider?: Record<string, unknown[]>; terraform?: Record<string, unknown>; [k: string]: unknown };

/** Offline AWS provider settings: mock credentials, no account or metadata lookups. */
export const MOCK_AWS = {
  access_key: 'mock_access_key',
  secret_key: 'mock_secret_key',
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
};

function prepare(stack: StackJson): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-oracle-'));
  const json = JSON.parse(JSON.stringify(stack)) as StackJson;
  if (json.terraform) delete json.terraform.backend;
  const providers = json.provider ?? {};
  providers.aws = ((providers.aws as Record<string, unknown>[] | undefined) ?? [{ region: 'us-west-2' }]).map((p) => ({ ...p, ...MOCK_AWS }));
  json.provider = providers;
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(json, null, 1));
  const template = env.ensureTemplate();
  fs.symlinkSync(path.join(template, '.terraform'), path.join(dir, '.terraform'));
  fs.copyFileSync(path.join(template, '.terraform.lock.hcl'), path.join(dir, '.terraform.lock.hcl'));
  return dir;
}

function tf(dir: string, args: string[]) {
  return spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: env.terraformProcessEnv(), maxBuffer: 256 * 1024 * 1024 });
}

/**
 * Runs `terraform validate` and (unless `plan: false`) `terraform plan -refresh=false` on a
 * synthesized stack (the parsed cdk.tf.json). Only AWS resources can be planned offline.
 */
export function terraformCheck(stack: StackJson, options: { plan?: boolean } = {}): OracleResult {
  const dir = prepare(stack);
  try {
    const v = tf(dir, ['validate', '-json', '-no-color']);
    const validate = JSON.parse(v.stdout) as OracleResult['validate'];
    if (!validate.valid || options.plan === false) return { validate, plannedCreates: [] };
    const p = tf(dir, ['plan', '-refresh=false', '-input=false', '-lock=false', '-no-color', '-out=plan.bin']);
    if (p.status !== 0) return { validate, plannedCreates: [], planError: `${p.stdout}\n${p.stderr}` };
    const show = tf(dir, ['show', '-json', 'plan.bin']);
    const plan = JSON.parse(show.stdout) as { resource_changes?: { address: string; mode: string; change: { actions: string[] } }[] };
    const plannedCreates = (plan.resource_changes ?? []).filter((r) => r.mode === 'managed' && r.change.actions.includes('create')).map((r) => r.address);
    return { validate, plannedCreates };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Human summary of validation errors for assertion messages. */
export function describeDiagnostics(r: OracleResult): string {
  return r.validate.diagnostics.map((d) => `${d.severity}: ${d.summary}${d.address ? ` (${d.address})` : ''}${d.detail ? ` — ${d.detail}` : ''}`).join('\n') + (r.planError ? `\nplan: ${r.planError}` : '');
}

/**
 * Prepares an AWS-only stack for the offline plan: Terraform opens ephemeral resources at plan
 * time, and `aws_secretsmanager_random_password` calls Secrets Manager, which cannot be reached
 * offline. Making one of its arguments depend on a value unknown until apply defers that call;
 * every other attribute is planned exactly as synthesized.
 */
export function deferEphemeralCalls<T extends StackJson>(stack: T): T {
  const copy = JSON.parse(JSON.stringify(stack)) as T & { ephemeral?: Record<string, Record<string, Record<string, unknown>>>; resource?: Record<string, Record<string, unknown>> };
  const passwords = copy.ephemeral?.aws_secretsmanager_random_password;
  if (!passwords) return copy;
  const [type, rs] = Object.entries(copy.resource ?? {}).find(([t]) => t.startsWith('aws_')) ?? [];
  if (!type || !rs) throw new Error('deferEphemeralCalls: the stack has no AWS resource to take an unknown value from');
  const id = Object.keys(rs)[0];
  for (const e of Object.values(passwords)) e.exclude_characters = `\${substr(${type}.${id}.id, 0, 0)}`;
  return copy;
}
