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
