// Finds every PrometheusRule the library ships in a synthesized app (whatever construct or chart
// carries it) and runs promtool over them. The rules are read back from the synthesized
// helm_release values, as Terraform would apply them, not from the constructs' in-memory objects.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Synth } from './synth';

/** One rule of a PrometheusRule, as Prometheus loads it. */
export interface ExtractedRule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** One rule group. */
export interface ExtractedGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: ExtractedRule[];
}

/** A PrometheusRule object found in the synthesized values. */
export interface ExtractedPrometheusRule {
  /** `<namespace>/<name>` of the object. */
  readonly id: string;
  /** Stack and helm_release it came from. */
  readonly source: string;
  readonly groups: ExtractedGroup[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function walk(v: Json, found: (o: { [k: string]: Json }) => void): void {
  if (Array.isArray(v)) {
    v.forEach((x) => walk(x, found));
  } else if (v && typeof v === 'object') {
    if (v.kind === 'PrometheusRule' && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('monitoring.coreos.com/')) found(v);
    else Object.values(v).forEach((x) => walk(x, found));
  }
}

/** Terraform template escapes in literal strings: `$${` and `%%{` stand for `${` and `%{`. */
function unescapeTerraform(s: string): string {
  return s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** Every PrometheusRule in the helm_release values of the given stacks. */
export function extractPrometheusRules(stacks: Record<string, Synth>): ExtractedPrometheusRule[] {
  const out: ExtractedPrometheusRule[] = [];
  for (const [stackName, s] of Object.entries(stacks)) {
    for (const [id, release] of Object.entries(s.resource?.helm_release ?? {})) {
      for (const doc of (release.values as string[] | undefined) ?? []) {
        for (const d of parseAllDocuments(unescapeTerraform(doc))) {
          walk(d.toJSON() as Json, (o) => {
            const meta = o.metadata as { name: string; namespace?: string };
            const spec = o.spec as unknown as { groups: ExtractedGroup[] };
            out.push({ id: `${meta.namespace ?? ''}/${meta.name}`, source: `${stackName}/helm_release.${id}`, groups: spec.groups });
          });
        }
      }
    }
  }
  return out;
}

/** Alert names of the extracted rules (with duplicates: the same alert may exist per object). */
export function alertNames(rules: ExtractedPrometheusRule[]): string[] {
  return rules.flatMap((r) => r.groups.flatMap((g) => g.rules.filter((x) => x.alert).map((x) => x.alert as string)));
}

/** promtool's path, or undefined with the reason (tests skip and print it). */
export function promtool(): { path?: string; reason?: string } {
  const r = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (r.status !== 0 || !p) return { reason: 'promtool is not installed (Debian: apt-get install prometheus; .ci/run installs it)' };
  return { path: p };
}

/** Result of one promtool invocation. */
export interface PromtoolRun {
  readonly status: number;
  readonly output: string;
}

/** Runs promtool with the arguments; never throws on a non-zero exit. */
export function runPromtool(args: string[], cwd: string): PromtoolRun {
  const bin = promtool().path;
  if (!bin) throw new Error('promtool is not installed');
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** A scratch directory for rule and test files (removed by the caller). */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `promtool --version` first line, for the test log. */
export function promtoolVersion(): string {
  const bin = promtool().path;
  return bin ? execFileSync(bin, ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'absent';
}
