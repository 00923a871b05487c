import { App, Testing, TerraformStack, LocalBackend } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

/** Parsed synthesized stack (cdk.tf.json). */
export type Synth = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  provider?: Record<string, unknown[]>;
  terraform?: Record<string, unknown>;
  [k: string]: unknown;
};

/** A test app with stack traces off (faster) and a fixed backend path (no machine paths in snapshots). */
export function testApp(): App {
  return Testing.app({ stackTraces: false });
}

/** A stack with an AWS provider in us-west-2 and a relative local backend. */
export function awsStack(app: App = testApp(), id = 'test'): TerraformStack {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  return stack;
}

/** Synthesizes a stack (aspects included) and parses it. */
export function synth(stack: Construct): Synth {
  return JSON.parse(Testing.synth(stack as TerraformStack)) as Synth;
}

/** All resources of a type, keyed by logical id. */
export function resources(s: Synth, type: string): Record<string, Record<string, unknown>> {
  return s.resource?.[type] ?? {};
}

/** The single resource of a type; fails when there is not exactly one. */
export function onlyResource(s: Synth, type: string): Record<string, unknown> {
  const all = Object.values(resources(s, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** Count of resources per type. */
export function resourceCounts(s: Synth): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [t, rs] of Object.entries(s.resource ?? {})) out[t] = Object.keys(rs).length;
  return out;
}

/**
 * The AWS-only part of a synthesized stack: helm/kubernetes resources, providers and non-AWS data
 * sources removed, so the terraform oracle can validate and plan it offline.
 */
export function awsOnly(s: Synth): Synth {
  const copy = JSON.parse(JSON.stringify(s)) as Synth;
  for (const section of ['resource', 'data'] as const) {
    const block = copy[section];
    if (!block) continue;
    for (const type of Object.keys(block)) if (!type.startsWith('aws_')) delete block[type];
    // Terraform rejects an empty block section ("Missing block label").
    if (Object.keys(block).length === 0) delete copy[section];
  }
  if (copy.provider) for (const p of Object.keys(copy.provider)) if (p !== 'aws') delete copy.provider[p];
  const rp = (copy.terraform as { required_providers?: Record<string, unknown> } | undefined)?.required_providers;
  if (rp) for (const p of Object.keys(rp)) if (p !== 'aws') delete rp[p];
  // Outputs and locals may reference removed resources.
  delete copy.output;
  return copy;
}

/** Warning annotations (Annotations.of(x).addWarning) on a construct tree, as text. */
export function warnings(scope: Construct): string[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => `${c.node.path}: ${String(m.data)}`));
}

/** Error annotations on a construct tree, as text. */
export function errors(scope: Construct): string[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/error').map((m) => `${c.node.path}: ${String(m.data)}`));
}

/** Synthesizes a whole app (cross-stack references resolved) and returns each stack's JSON by name. */
export function synthApp(app: App): Record<string, Synth> {
  app.synth();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('fs') as typeof import('fs');
  const manifest = JSON.parse(fs.readFileSync(`${app.outdir}/manifest.json`, 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return Object.fromEntries(Object.entries(manifest.stacks).map(([name, st]) => [name, JSON.parse(fs.readFileSync(`${app.outdir}/${st.synthesizedStackPath}`, 'utf8')) as Synth]));
}

/** The state contract of a stack: every resource, data source, ephemeral and output address, sorted. */
export function stateAddresses(s: Synth): string[] {
  const list: string[] = [];
  for (const section of ['resource', 'data', 'ephemeral'] as const) {
    for (const [type, rs] of Object.entries((s as Record<string, Record<string, Record<string, unknown>>>)[section] ?? {})) {
      for (const id of Object.keys(rs)) list.push(`${section === 'resource' ? '' : `${section}.`}${type}.${id}`);
    }
  }
  for (const o of Object.keys(s.output ?? {})) list.push(`output.${o}`);
  return list.sort();
}
