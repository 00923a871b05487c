import * as YAML from 'yaml';
import { ImportedCluster } from '../../lib/cluster/cluster-reference';
import { ExternalSecretsOperator, SecretsManagerStore, SecretsManagerStoreProps } from '../../lib/secrets';
import { Duration } from '../../lib/core/units';
import { Fn } from 'cdktf';
import { awsStack, synth, resources } from '../harness/synth';
import { expectValidCustomResource, customResourceErrors } from '../harness/reference';

const SECRET = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:team/db-AbCdEf';
const KEY = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function build(props: Partial<SecretsManagerStoreProps> = {}) {
  const stack = awsStack();
  const cluster = new ImportedCluster(stack, 'cluster', {
    clusterName: 'demo',
    endpoint: 'https://example.eks.amazonaws.com',
    certificateAuthorityData: 'Y2E=',
    oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
    oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC',
    vpcId: 'vpc-123',
    privateSubnetIds: ['subnet-a', 'subnet-b'],
    clusterSecurityGroupId: 'sg-123',
    region: 'us-west-2',
  });
  const operator = new ExternalSecretsOperator(stack, 'eso', { cluster });
  const store = new SecretsManagerStore(stack, 'store', { cluster, operator, namespace: 'team-a', name: 'team-db', secretArn: SECRET, kmsKeyArn: KEY, ...props });
  return { stack, cluster, operator, store };
}

type Statement = { sid?: string; effect?: string; actions: string[]; resources: string[]; condition?: { test: string; variable: string; values: string[] }[] };

describe('SecretsManagerStore', () => {
  const { stack, store, operator } = build();
  const es = store.addExternalSecret({
    name: 'team-db-credentials',
    properties: [
      { secretKey: 'username', property: 'username' },
      { secretKey: 'password', property: 'password' },
    ],
    template: { username: '{{ .username }}', password: '{{ .password }}', host: 'db.internal', port: '5432' },
    refreshInterval: Duration.minutes(30),
  });
  const s = synth(stack);
  const docs = (s.data?.aws_iam_policy_document ?? {}) as Record<string, { statement: Statement[] }>;

  test('the IRSA role can read exactly one secret, and decrypt its key only through Secrets Manager', () => {
    const permissions = Object.entries(docs).find(([k]) => k.includes('irsa-team-a-eso-team-db_policy'))![1];
    expect(permissions.statement).toEqual([
      { sid: 'ReadOneSecret', effect: 'Allow', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [SECRET] },
      { sid: 'DecryptThroughSecretsManager', effect: 'Allow', actions: ['kms:Decrypt'], resources: [KEY], condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.us-west-2.amazonaws.com'] }] },
    ]);
    const all = permissions.statement.flatMap((st) => [...st.actions, ...st.resources]);
    expect(all).not.toContain('*');
    expect(all.some((a) => /ListSecrets|PutSecretValue|\*/.test(a))).toBe(false);
  });

  test('the role trusts only the store service account of the store namespace', () => {
    const trust = Object.entries(docs).find(([k]) => k.includes('irsa-team-a-eso-team-db_trust'))![1] as unknown as { statement: { condition: { variable: string; values: string[] }[] }[] };
    const sub = trust.statement[0].condition.find((c) => c.variable.endsWith(':sub'))!;
    expect(sub.values).toEqual(['system:serviceaccount:team-a:eso-team-db']);
    expect(trust.statement[0].condition.find((c) => c.variable.endsWith(':aud'))!.values).toEqual(['sts.amazonaws.com']);
  });

  test('no KMS statement when the secret uses the AWS managed key', () => {
    const b = build({ kmsKeyArn: undefined });
    const d = synth(b.stack).data!.aws_iam_policy_document as Record<string, { statement: Statement[] }>;
    const p = Object.entries(d).find(([k]) => k.includes('irsa-team-a-eso-team-db_policy'))![1];
    expect(p.statement.map((x) => x.sid)).toEqual(['ReadOneSecret']);
  });

  test('SecretStore and ExternalSecret validate against the reference CRDs (unknown fields rejected)', () => {
    expectValidCustomResource(store.secretStore);
    expectValidCustomResource(es);
    const misspelt = { ...es, spec: { ...(es.spec as object), secretStoreRef: { name: 'team-db', kindd: 'SecretStore' } } };
    expect(customResourceErrors(misspelt as typeof es).join('\n')).toMatch(/kindd/);
  });

  test('the store authenticates as its own annotated service account (not the controller)', () => {
    const sa = store.manifests.manifests.find((m) => m.kind === 'ServiceAccount')!;
    expect(sa.metadata).toMatchObject({ name: 'eso-team-db', namespace: 'team-a' });
    expect(sa.metadata.annotations!['eks.amazonaws.com/role-arn']).toBe(store.role.roleArn);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(store.secretStore.spec).toEqual({
      provider: { aws: { service: 'SecretsManager', region: 'us-west-2', auth: { jwt: { serviceAccountRef: { name: 'eso-team-db' } } } } },
    });
  });

  test('the ExternalSecret reads the one ARN, templates the target and owns the Secret', () => {
    const spec = es.spec as { refreshInterval: string; secretStoreRef: object; target: { name: string; creationPolicy: string; deletionPolicy: string; template: { data: Record<string, string>; engineVersion: string } }; data: { secretKey: string; remoteRef: { key: string; property: string } }[] };
    expect(spec.refreshInterval).toBe('30m');
    expect(spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'team-db' });
    expect(spec.target).toMatchObject({ name: 'team-db-credentials', creationPolicy: 'Owner', deletionPolicy: 'Retain' });
    expect(spec.target.template.engineVersion).toBe('v2');
    expect(spec.target.template.data).toEqual({ username: '{{ .username }}', password: '{{ .password }}', host: 'db.internal', port: '5432' });
    expect(spec.data.every((d) => d.remoteRef.key === SECRET)).toBe(true);
  });

  test('objects are applied by one release in the store namespace, after the operator', () => {
    const rel = Object.values(resources(s, 'helm_release')).find((r) => r.name === 'secrets-team-db') as { namespace: string; depends_on: string[]; values: string[] };
    expect(rel.namespace).toBe('team-a');
    expect(rel.depends_on).toContain(`helm_release.${Object.keys(resources(s, 'helm_release')).find((k) => k.startsWith('eso_chart'))}`);
    const kinds = (YAML.parse(rel.values[0]) as { manifests: { kind: string }[] }).manifests.map((m) => m.kind);
    expect(kinds).toEqual(['ServiceAccount', 'SecretStore', 'ExternalSecret']);
    void operator;
  });

  test('bad input throws naming the prop and the value', () => {
    expect(() => build({ secretArn: 'team/db' })).toThrow(/secretArn \("team\/db"\) is invalid: must be a Secrets Manager secret ARN/);
    expect(() => build({ kmsKeyArn: 'alias/foo' })).toThrow(/kmsKeyArn \("alias\/foo"\) is invalid/);
    expect(() => build({ name: 'Team_DB' })).toThrow(/name \("Team_DB"\) is invalid/);
    expect(() => build({ namespace: Fn.lower('team-a') })).toThrow(/namespace .* must be a literal namespace name/);
    const b = build();
    expect(() => b.store.addExternalSecret({ name: 'x', properties: [] })).toThrow(/externalSecret.properties \(\[\]\) is invalid/);
    expect(() => b.store.addExternalSecret({ name: 'x', properties: [{ secretKey: 'bad key', property: 'password' }] })).toThrow(/secretKey \("bad key"\) is invalid/);
    expect(() => b.store.addExternalSecret({ name: 'Bad_Name', properties: [{ secretKey: 'a', property: 'b' }] })).toThrow(/externalSecret.name \("Bad_Name"\) is invalid/);
  });
});
