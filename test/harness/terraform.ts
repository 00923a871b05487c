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
  findMirror(): string | undefined;
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

/** The stack as the offline oracle runs it: no backend, the AWS provider with mock credentials. */
function offline(stack: StackJson): StackJson {
  const json = JSON.parse(JSON.stringify(stack)) as StackJson;
  if (json.terraform) delete json.terraform.backend;
  const providers = json.provider ?? {};
  providers.aws = ((providers.aws as Record<string, unknown>[] | undefined) ?? [{ region: 'us-west-2' }]).map((p) => ({ ...p, ...MOCK_AWS }));
  json.provider = providers;
  return json;
}

function prepare(stack: StackJson): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-oracle-'));
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(offline(stack), null, 1));
  const template = env.ensureTemplate();
  fs.symlinkSync(path.join(template, '.terraform'), path.join(dir, '.terraform'));
  fs.copyFileSync(path.join(template, '.terraform.lock.hcl'), path.join(dir, '.terraform.lock.hcl'));
  return dir;
}

function tf(dir: string, args: string[]) {
  return spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: env.terraformProcessEnv(), maxBuffer: 256 * 1024 * 1024 });
}

/** One line of `terraform plan -json` (the machine-readable UI stream). */
type PlanMessage = { type: string; diagnostic?: OracleResult['validate']['diagnostics'][number]; change?: { resource: { addr: string; resource_key?: unknown }; action: string } };

/**
 * Runs `terraform validate` and (unless `plan: false`) an offline plan on a synthesized stack (the
 * parsed cdk.tf.json). Only AWS resources can be planned offline.
 *
 * With the plan it is ONE terraform run, `terraform plan -json`: plan validates the configuration
 * first (the same validation walk as `terraform validate`: the CLI's local backend runs it before
 * every plan) and stops on its errors, then streams a `planned_change` line per resource. Each
 * terraform run starts the AWS provider and loads its schema (about 5 CPU-seconds), so one run
 * instead of validate + plan + show keeps the suite inside its time budget.
 */
export function terraformCheck(stack: StackJson, options: { plan?: boolean } = {}): OracleResult {
  const dir = prepare(stack);
  try {
    if (options.plan === false) {
      const v = tf(dir, ['validate', '-json', '-no-color']);
      return { validate: JSON.parse(v.stdout) as OracleResult['validate'], plannedCreates: [] };
    }
    const p = tf(dir, ['plan', '-json', '-refresh=false', '-input=false', '-lock=false', '-no-color']);
    const messages = p.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as PlanMessage);
    const diagnostics = messages.flatMap((m) => (m.type === 'diagnostic' && m.diagnostic ? [m.diagnostic] : []));
    const errorCount = diagnostics.filter((d) => d.severity === 'error').length;
    const validate = { valid: errorCount === 0, error_count: errorCount, diagnostics };
    if (!validate.valid) return { validate, plannedCreates: [] };
    if (p.status !== 0) return { validate, plannedCreates: [], planError: `${p.stdout}\n${p.stderr}` };
    // Managed resources only: a data source read at apply time is a planned `read`, never a create.
    const plannedCreates = messages.flatMap((m) => (m.type === 'planned_change' && m.change && m.change.action === 'create' && !/^(module\.[^.]+\.)*data\./.test(m.change.resource.addr) ? [m.change.resource.addr] : []));
    return { validate, plannedCreates };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `terraform validate` of many stacks in ONE terraform run (no plan): each stack is a child module of
 * one root, with its own AWS provider configuration as in its own root, and validate walks every
 * module. The AWS provider's schema is loaded once instead of once per stack. Diagnostics are
 * attributed to their stack by the module's file; one that names no module (there should be none)
 * is reported for every stack, so it can never pass unseen.
 */
export function terraformValidateAll(stacks: Record<string, StackJson>): Record<string, OracleResult> {
  const labels = Object.keys(stacks);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-oracle-all-'));
  try {
    const module: Record<string, { source: string }> = {};
    labels.forEach((label, i) => {
      fs.mkdirSync(path.join(dir, `s${i}`));
      fs.writeFileSync(path.join(dir, `s${i}`, 'main.tf.json'), JSON.stringify(offline(stacks[label]), null, 1));
      module[`s${i}`] = { source: `./s${i}` };
    });
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ module, terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } } }, null, 1));
    // Its own init (local modules are recorded in .terraform/modules): providers are links into the mirror.
    const i = tf(dir, ['init', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${env.findMirror()}`]);
    if (i.status !== 0) throw new Error(`terraform init of the stacks to validate failed:\n${i.stdout}\n${i.stderr}`);
    const v = tf(dir, ['validate', '-json', '-no-color']);
    type Diagnostic = OracleResult['validate']['diagnostics'][number] & { range?: { filename?: string } };
    const all = (JSON.parse(v.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
    const per: Diagnostic[][] = labels.map(() => []);
    const unattributed: Diagnostic[] = [];
    for (const d of all) {
      const mod = /^s(\d+)\//.exec(d.range?.filename ?? '')?.[1] ?? /^module\.s(\d+)\./.exec(d.address ?? '')?.[1];
      if (mod !== undefined && per[Number(mod)]) per[Number(mod)].push(d);
      else unattributed.push(d);
    }
    return Object.fromEntries(
      labels.map((label, n) => {
        const diagnostics = [...per[n], ...unattributed];
        const errorCount = diagnostics.filter((d) => d.severity === 'error').length;
        return [label, { validate: { valid: errorCount === 0, error_count: errorCount, diagnostics }, plannedCreates: [] }];
      }),
    );
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
