// Shared by the GPU capacity tests: stacks with a cluster and the Helm provider, and readers for
// the synthesized helm releases and IAM policy documents.
import * as YAML from 'yaml';
import { TerraformStack } from 'cdktf';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { AiCluster } from '../../lib/cluster/ai-cluster';
import { ImportedCluster } from '../../lib/cluster/cluster-reference';
import { awsStack, resources, Synth } from '../harness/synth';

export const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

/** A stack with the AWS and Helm providers and an AiCluster named `demo`. */
export function clusterStack(): { stack: TerraformStack; cluster: AiCluster } {
  const stack = awsStack();
  new HelmProvider(stack, 'helm', {});
  return { stack, cluster: new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: AZS }) };
}

/** A stack with an imported cluster (no node role unless given; system nodes unless `system: null`). */
export function importedClusterStack(opts: { nodeRoleArn?: string; nodeRoleName?: string; system?: Record<string, string> | null; kubernetesVersion?: string } = {}): { stack: TerraformStack; cluster: ImportedCluster } {
  const stack = awsStack();
  new HelmProvider(stack, 'helm', {});
  const cluster = new ImportedCluster(stack, 'cluster', {
    clusterName: 'byo',
    endpoint: 'https://ABCDEF.gr7.us-west-2.eks.amazonaws.com',
    certificateAuthorityData: 'Q0E=',
    oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABCDEF',
    oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABCDEF',
    vpcId: 'vpc-0123456789abcdef0',
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    clusterSecurityGroupId: 'sg-0123456789abcdef0',
    nodeRoleArn: opts.nodeRoleArn,
    nodeRoleName: opts.nodeRoleName,
    region: 'us-west-2',
    systemNodeSelector: opts.system === null ? undefined : opts.system ?? { 'eks.amazonaws.com/nodegroup': 'system' },
    kubernetesVersion: opts.kubernetesVersion,
  });
  return { stack, cluster };
}

export type Release = { name: string; chart: string; repository?: string; version?: string; namespace: string; values: string[]; depends_on?: string[]; skip_crds?: boolean; wait?: boolean };

export function releases(s: Synth): Release[] {
  return Object.values(resources(s, 'helm_release')) as unknown as Release[];
}

export function release(s: Synth, name: string): Release {
  const r = releases(s).find((x) => x.name === name);
  if (!r) throw new Error(`no release ${name}: ${releases(s).map((x) => x.name).join(', ')}`);
  return r;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function values(r: Release): Record<string, any> {
  return YAML.parse(r.values[0]);
}

export type Statement = { sid?: string; effect: string; actions: string[]; resources: string[]; condition?: { test: string; variable: string; values: string[] }[] };

/** The statements of the inline policy of an IRSA role (`<namespace>-<serviceAccount>`). */
export function irsaStatements(s: Synth, namespace: string, serviceAccount: string): Statement[] {
  const docs = Object.entries(s.data?.aws_iam_policy_document ?? {}).filter(([k]) => k.includes(`irsa-${namespace}-${serviceAccount}_policy`));
  if (docs.length !== 1) throw new Error(`expected one policy document for ${namespace}/${serviceAccount}, found ${docs.map(([k]) => k).join(', ')}`);
  return (docs[0][1] as { statement: Statement[] }).statement;
}

/** Statements that allow a non-read action on every resource without a condition. */
export function unconditionedWritesOnStar(statements: Statement[]): Statement[] {
  const read = /^[a-z0-9-]+:(Describe|List|Get)/;
  return statements.filter((st) => st.effect === 'Allow' && st.resources.includes('*') && !(st.condition?.length) && st.actions.some((a) => !read.test(a)));
}
