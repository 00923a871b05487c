// The whole-stack Terraform oracle: every block of a synthesized stack goes through Terraform.
//
// 1. Configuration loading: `terraform init -json -backend=false -plugin-dir=<mirror>` on the stack
//    exactly as synthesized. The mirror holds only hashicorp/aws, so init fails for stacks that need
//    kubernetes/helm; it must fail ONLY with "provider not found" diagnostics for those providers.
//    Every other diagnostic (an invalid depends_on, a malformed block, a bad backend block) is a
//    configuration error and is reported.
// 2. Validate + offline plan of a "shadowed" copy: every block Terraform cannot evaluate offline
//    (resources and data sources of the kubernetes/helm providers, `terraform_remote_state`,
//    provider blocks other than aws) becomes a `terraform_data` resource whose `triggers_replace`
//    holds the block's original body and whose `output` is a value unknown until apply. References
//    to a shadowed block are rewritten to its shadow's `output`. So Terraform parses and evaluates
//    every expression of every block (references exist, functions and templates are valid, depends_on
//    targets exist), validates and plans every AWS resource against the real AWS provider schema, and
//    evaluates every output. What it cannot check: the kubernetes/helm providers' schemas (attribute
//    names, types, required arguments of kubernetes_* and helm_release) and Helm values against the
//    charts; the values other stacks' state will hold. See docs/design.md ("Whole-stack oracle").
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Synth } from './synth';
import { deferEphemeralCalls, MOCK_AWS } from './terraform';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const env = require('./terraform-env') as {
  findMirror(): string | undefined;
  ensureTemplate(): string;
  terraformProcessEnv(): NodeJS.ProcessEnv;
};

/** A Terraform diagnostic as printed by `-json`. */
export interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly snippet?: { context?: string; code?: string };
}

/** Outcome of `terraform init` on a stack as synthesized. */
export interface InitResult {
  /** Diagnostics that are configuration errors (anything but a missing kubernetes/helm provider). */
  readonly configErrors: Diagnostic[];
  /** Providers that init could not install because the offline mirror lacks them. */
  readonly missingProviders: string[];
  /** Whether init completed (all providers present). */
  readonly succeeded: boolean;
}

/** Outcome of validate + plan on the shadowed stack. */
export interface ShadowResult {
  readonly validateErrors: Diagnostic[];
  /** Plan's error output, when the plan failed. */
  readonly planError?: string;
  /** Addresses of planned creates. */
  readonly plannedCreates: string[];
  /** Addresses of every managed resource in the shadowed configuration. */
  readonly expectedCreates: string[];
  /** Output names the plan evaluated. */
  readonly plannedOutputs: string[];
}

/** Providers the offline mirror does not have; init may fail on these and on nothing else. */
export const PROVIDERS_NOT_IN_MIRROR = ['kubernetes', 'helm'];

const NOT_FOUND = /provider registry\.terraform\.io\/hashicorp\/([a-z0-9-]+) was not found in any of the search locations/;

/**
 * Sorts init's JSON diagnostics into the allowed kind (a kubernetes/helm provider missing from the
 * offline mirror) and configuration errors (everything else at error severity).
 */
export function classifyInit(jsonLines: string, exitCode: number | null): InitResult {
  const configErrors: Diagnostic[] = [];
  const missingProviders: string[] = [];
  let sawDiagnostics = false;
  for (const line of jsonLines.split('\n')) {
    if (!line.startsWith('{')) continue;
    let msg: { type?: string; diagnostic?: Diagnostic };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      continue;
    }
    if (msg.type !== 'diagnostic' || !msg.diagnostic) continue;
    sawDiagnostics = true;
    const d = msg.diagnostic;
    if (d.severity !== 'error') continue;
    const missing = d.summary === 'Failed to query available provider packages' ? NOT_FOUND.exec(d.detail ?? '') : null;
    if (missing && PROVIDERS_NOT_IN_MIRROR.includes(missing[1])) missingProviders.push(missing[1]);
    else configErrors.push(d);
  }
  // A failure without any diagnostic we understood is itself an error, never a pass.
  if (exitCode !== 0 && configErrors.length === 0 && missingProviders.length === 0) {
    configErrors.push({ severity: 'error', summary: `terraform init exited ${exitCode} without a diagnostic${sawDiagnostics ? '' : ' (no JSON diagnostics at all)'}`, detail: jsonLines.slice(0, 2000) });
  }
  return { configErrors, missingProviders: [...new Set(missingProviders)].sort(), succeeded: exitCode === 0 };
}

function run(dir: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd: dir, env: env.terraformProcessEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `terraform init` on the stack exactly as synthesized (backend block kept, not initialised). */
export async function loadConfiguration(stack: Synth): Promise<InitResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-load-'));
  try {
    // Pretty-printed so that a diagnostic's snippet is one line of the block, not the whole file.
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(stack, null, 1));
    const r = await run(dir, ['init', '-json', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${env.findMirror()}`]);
    return classifyInit(r.stdout, r.status);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Body = Record<string, unknown>;
type Blocks = Record<string, Record<string, Body>>;

const META_ARGS = ['depends_on', 'lifecycle', 'provider', 'provisioner', 'connection', 'count', 'for_each', '//'];
const UNKNOWN = 'cdktf_oracle_unknown';

/** Whether Terraform can evaluate a block of this type offline with the mirror's providers. */
function evaluableOffline(section: 'resource' | 'data' | 'ephemeral', type: string): boolean {
  if (type.startsWith('aws_')) return true;
  if (section === 'resource' && type === 'terraform_data') return true;
  return false;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A shadow persists its body in state, where ephemeral values may not go (Terraform rejects them
 * outside write-only attributes such as kubernetes_secret_v1.data_wo): such expressions are wrapped
 * in `ephemeralasnull()`, which keeps every reference in them checked.
 */
function withoutEphemeral(value: unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{(.*)\}$/s.exec(value);
    if (whole && /\bephemeral\./.test(value)) return `\${ephemeralasnull(${whole[1]})}`;
    if (/\$\{[^}]*\bephemeral\./.test(value)) throw new Error(`shadowStack: an ephemeral reference inside a longer template is not supported: ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map(withoutEphemeral);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutEphemeral(v)]));
  return value;
}

/**
 * The shadowed copy of a stack (see the file comment): AWS blocks as synthesized, every other block
 * a `terraform_data` holding its body, references rewritten to the shadows.
 */
export function shadowStack(stack: Synth): Synth {
  const copy = JSON.parse(JSON.stringify(stack)) as Synth & { ephemeral?: Blocks };
  if (copy.terraform) delete copy.terraform.backend;
  const rp = (copy.terraform as { required_providers?: Record<string, unknown> } | undefined)?.required_providers;
  if (rp) for (const p of Object.keys(rp)) if (p !== 'aws') delete rp[p];

  const shadows: Record<string, Body> = {};
  const renames: { from: string; to: string }[] = [];
  for (const section of ['resource', 'data', 'ephemeral'] as const) {
    const blocks = (copy as Record<string, Blocks | undefined>)[section];
    if (!blocks) continue;
    for (const type of Object.keys(blocks)) {
      if (evaluableOffline(section, type)) continue;
      for (const [name, body] of Object.entries(blocks[type])) {
        const from = `${section === 'resource' ? '' : `${section}.`}${type}.${name}`;
        const shadow = `${section === 'resource' ? '' : `${section}__`}${type}__${name}`;
        const kept: Body = {};
        for (const m of ['depends_on', 'count', 'for_each']) if (body[m] !== undefined) kept[m] = body[m];
        const content = withoutEphemeral(Object.fromEntries(Object.entries(body).filter(([k]) => !META_ARGS.includes(k))));
        shadows[shadow] = { ...kept, input: `\${jsondecode(terraform_data.${UNKNOWN}.id)}`, triggers_replace: content };
        renames.push({ from, to: `terraform_data.${shadow}` });
      }
      delete blocks[type];
    }
    if (Object.keys(blocks).length === 0) delete (copy as Record<string, unknown>)[section];
  }
  for (const [p, configs] of Object.entries(copy.provider ?? {})) {
    if (p === 'aws') continue;
    configs.forEach((c, i) => (shadows[`provider__${p}__${i}`] = { input: null, triggers_replace: c }));
    delete copy.provider![p];
  }
  copy.provider = { ...copy.provider, aws: ((copy.provider?.aws as Body[] | undefined) ?? [{ region: 'us-west-2' }]).map((p) => ({ ...p, ...MOCK_AWS })) };
  if (Object.keys(shadows).length > 0) {
    const resource = (copy.resource ??= {});
    resource.terraform_data = { ...(resource.terraform_data ?? {}), [UNKNOWN]: { input: null }, ...shadows };
  }
  if (renames.length === 0) return copy;

  // Rewrite references: inside depends_on a bare address, inside templates an expression whose value
  // is the shadow's unknown output (so any attribute path below it stays valid and unknown).
  const longestFirst = [...renames].sort((a, b) => b.from.length - a.from.length);
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.-])(${longestFirst.map((r) => escapeRegExp(r.from)).join('|')})(?![A-Za-z0-9_-])`, 'g');
  const target = new Map(renames.map((r) => [r.from, r.to]));
  const rewrite = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') {
      if (key === 'depends_on') return target.get(value) ?? value;
      if (!value.includes('${')) return value;
      return value.replace(pattern, (_m, pre: string, ref: string) => `${pre}${target.get(ref)}.output`);
    }
    if (Array.isArray(value)) return value.map((v) => rewrite(v, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '//' ? v : rewrite(v, k)]));
    return value;
  };
  return rewrite(copy) as Synth;
}

/** Managed resource addresses of a configuration (what a first apply creates). */
function managedAddresses(stack: Synth): string[] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, rs]) => Object.keys(rs).map((n) => `${type}.${n}`)).sort();
}

/** `terraform validate` of one shadowed stack (no plan): its error diagnostics. */
export async function validateShadowed(stack: Synth): Promise<Diagnostic[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-shadow-'));
  try {
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(deferEphemeralCalls(shadowStack(stack)), null, 1));
    const template = env.ensureTemplate();
    fs.symlinkSync(path.join(template, '.terraform'), path.join(dir, '.terraform'));
    fs.copyFileSync(path.join(template, '.terraform.lock.hcl'), path.join(dir, '.terraform.lock.hcl'));
    const v = await run(dir, ['validate', '-json', '-no-color']);
    return (JSON.parse(v.stdout) as { diagnostics: Diagnostic[] }).diagnostics.filter((d) => d.severity === 'error');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Validate + plan of many stacks in ONE terraform run: each shadowed stack is a child module (its
 * own aws provider configuration, as in its own root), and the root re-exports every module output.
 * The AWS provider's schema is loaded once instead of once per stack (about 4 s of CPU each), which
 * keeps the suite inside its time budget. Diagnostics, planned changes and outputs are attributed
 * back to their stack by module name.
 */
export async function validateAndPlanAll(stacks: Record<string, Synth>): Promise<Record<string, ShadowResult>> {
  const labels = Object.keys(stacks);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-shadow-all-'));
  try {
    const root: { module: Record<string, { source: string; providers?: Record<string, string> }>; output: Record<string, { value: string; sensitive?: boolean }>; provider: { aws: Body[] }; terraform: unknown } = {
      module: {},
      output: {},
      provider: { aws: [] },
      terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } },
    };
    // Stacks whose one AWS provider configuration is the same share one configured instance (one
    // provider process instead of one per stack: about 2 CPU-seconds each); a stack with several
    // AWS configurations keeps them in its module.
    const sharedAws = new Map<string, string>();
    const expected: Record<string, string[]> = {};
    labels.forEach((label, i) => {
      const mod = `s${i}`;
      const shadowed = deferEphemeralCalls(shadowStack(stacks[label]));
      expected[label] = managedAddresses(shadowed);
      root.module[mod] = { source: `./${mod}` };
      const aws = shadowed.provider?.aws as Body[] | undefined;
      if (aws?.length === 1 && aws[0].alias === undefined) {
        const key = JSON.stringify(aws[0]);
        if (!sharedAws.has(key)) {
          sharedAws.set(key, `stacks${sharedAws.size}`);
          root.provider.aws.push({ ...aws[0], alias: sharedAws.get(key) });
        }
        root.module[mod].providers = { aws: `aws.${sharedAws.get(key)}` };
        delete shadowed.provider!.aws;
        if (Object.keys(shadowed.provider!).length === 0) delete shadowed.provider;
      }
      fs.mkdirSync(path.join(dir, mod));
      fs.writeFileSync(path.join(dir, mod, 'main.tf.json'), JSON.stringify(shadowed, null, 1));
      for (const [name, o] of Object.entries(shadowed.output ?? {})) {
        root.output[`${mod}__${name}`] = { value: `\${module.${mod}.${name}}`, ...((o as { sensitive?: boolean }).sensitive ? { sensitive: true } : {}) };
      }
    });
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(root.provider.aws.length > 0 ? root : { ...root, provider: undefined }, null, 1));
    const i = await run(dir, ['init', '-json', '-backend=false', '-input=false', '-no-color', `-plugin-dir=${env.findMirror()}`]);
    if (i.status !== 0) throw new Error(`terraform init of the shadowed stacks failed:\n${i.stdout}\n${i.stderr}`);
    const p = await run(dir, ['plan', '-json', '-refresh=false', '-input=false', '-lock=false', '-no-color']);
    const results: Record<string, { validateErrors: Diagnostic[]; plannedCreates: string[]; plannedOutputs: string[] }> = Object.fromEntries(labels.map((l) => [l, { validateErrors: [], plannedCreates: [], plannedOutputs: [] }]));
    const unattributed: Diagnostic[] = [];
    const labelOf = (mod: string | undefined) => (mod === undefined ? undefined : labels[Number(mod.slice(1))]);
    for (const line of p.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      const m = JSON.parse(line) as { type: string; diagnostic?: Diagnostic & { range?: { filename?: string } }; change?: { resource: { addr: string }; action: string }; outputs?: Record<string, unknown> };
      if (m.type === 'diagnostic' && m.diagnostic?.severity === 'error') {
        const d = m.diagnostic;
        const mod = /^(s\d+)\//.exec(d.range?.filename ?? '')?.[1] ?? /^module\.(s\d+)\./.exec(d.address ?? '')?.[1];
        const label = labelOf(mod);
        if (label) results[label].validateErrors.push(d);
        else unattributed.push(d);
      }
      if (m.type === 'planned_change' && m.change?.action === 'create') {
        const [, mod, addr] = /^module\.(s\d+)\.(.*)$/.exec(m.change.resource.addr) ?? [];
        if (mod && !addr.startsWith('data.')) results[labelOf(mod)!].plannedCreates.push(addr);
      }
      if (m.type === 'outputs') {
        for (const name of Object.keys(m.outputs ?? {})) {
          const [, mod, out] = /^(s\d+)__(.*)$/.exec(name) ?? [];
          if (mod) results[labelOf(mod)!].plannedOutputs.push(out);
        }
      }
    }
    const anyErrors = unattributed.length > 0 || labels.some((l) => results[l].validateErrors.length > 0);
    return Object.fromEntries(
      labels.map((l) => {
        const r = results[l];
        const planError = p.status !== 0 && r.validateErrors.length === 0 ? (anyErrors ? `the shared plan failed on ${unattributed.length > 0 ? `an unattributed error: ${describe(unattributed)}` : 'another stack (see its test)'}` : `terraform plan exited ${p.status}:\n${p.stdout.slice(-4000)}\n${p.stderr}`) : undefined;
        return [l, { validateErrors: r.validateErrors, planError, plannedCreates: [...new Set(r.plannedCreates)].sort(), expectedCreates: expected[l], plannedOutputs: [...new Set(r.plannedOutputs)].sort() }];
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Human summary of diagnostics for assertion messages. */
export function describe(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.severity}: ${d.summary}${d.address ? ` (${d.address})` : ''}${d.snippet?.context ? ` in ${d.snippet.context}` : ''}${d.detail ? ` — ${d.detail}` : ''}`).join('\n');
}

/** Runs `tasks` with at most `limit` at a time, results in input order. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
