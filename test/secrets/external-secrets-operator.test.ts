import * as YAML from 'yaml';
import { ImportedCluster } from '../../lib/cluster/cluster-reference';
import { CHARTS } from '../../lib/k8s/charts';
import { ExternalSecretsOperator, ExternalSecretsOperatorProps } from '../../lib/secrets';
import { awsStack, synth, resources, warnings, Synth } from '../harness/synth';
import { expectValidChartValues, referenceChartVersion } from '../harness/reference';

function build(props: Partial<ExternalSecretsOperatorProps> = {}) {
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
    systemNodeSelector: { 'ai-platform.cdktf.io/node-role': 'system' },
  });
  const eso = new ExternalSecretsOperator(stack, 'eso', { cluster, ...props });
  return { stack, cluster, eso, s: synth(stack) };
}

function releaseValues(s: Synth): Record<string, unknown> {
  const rel = Object.values(resources(s, 'helm_release')).find((r) => r.chart === 'external-secrets') as { values: string[] };
  return YAML.parse(rel.values[0]) as Record<string, unknown>;
}

describe('ExternalSecretsOperator', () => {
  const base = build();

  test('installs the pinned chart (same version as the reference) with its CRDs and waits for the webhook', () => {
    expect(CHARTS.externalSecrets.version).toBe(referenceChartVersion('external-secrets'));
    const rel = Object.values(resources(base.s, 'helm_release')).find((r) => r.chart === 'external-secrets')!;
    expect(rel).toMatchObject({ version: CHARTS.externalSecrets.version, repository: CHARTS.externalSecrets.repository, wait: true, skip_crds: false });
    expect(releaseValues(base.s).installCRDs).toBe(true);
  });

  test('values exist in the chart and validate against its schema', () => {
    expectValidChartValues('external-secrets', base.eso.chart.renderedValues());
  });

  test('the values oracle rejects a misspelt key (proves the check above)', () => {
    expect(() => expectValidChartValues('external-secrets', { ...base.eso.chart.renderedValues(), procesClusterStore: false })).toThrow(/procesClusterStore/);
  });

  test('cluster-scoped stores are not reconciled by default; only namespaced SecretStores work', () => {
    const v = releaseValues(base.s);
    expect(v).toMatchObject({ processClusterStore: false, processClusterExternalSecret: false, processClusterPushSecret: false, processClusterGenerator: false });
    const open = build({ allowClusterScopedStores: true });
    expect(releaseValues(open.s)).toMatchObject({ processClusterStore: true, processClusterExternalSecret: true });
    expect(warnings(open.stack).join('\n')).toMatch(/allowClusterScopedStores/);
  });

  test('the controller has no AWS identity by default (a SecretStore without auth must get nothing)', () => {
    expect(base.eso.controllerRole).toBeUndefined();
    expect(Object.keys(resources(base.s, 'aws_iam_role'))).toHaveLength(0);
    expect((releaseValues(base.s).serviceAccount as { annotations: object }).annotations).toEqual({});
  });

  test('a controller policy creates an IRSA role, annotates the service account and warns', () => {
    const withRole = build({ controllerPolicy: { statements: [{ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:us-west-2:123456789012:secret:x-AbCdEf'] }] } });
    expect(withRole.eso.controllerRole).toBeDefined();
    const sa = releaseValues(withRole.s).serviceAccount as { name: string; annotations: Record<string, string> };
    expect(sa.name).toBe(ExternalSecretsOperator.SERVICE_ACCOUNT);
    expect(sa.annotations['eks.amazonaws.com/role-arn']).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    expect(warnings(withRole.stack).join('\n')).toMatch(/controllerPolicy/);
  });

  test('highly available: 2 replicas with leader election, PDBs, probes, on the system nodes', () => {
    const v = releaseValues(base.s) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(v.replicaCount).toBe(2);
    expect(v.leaderElect).toBe(true);
    expect(v.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(v.webhook.replicaCount).toBe(2);
    expect(v.webhook.podDisruptionBudget.enabled).toBe(true);
    for (const part of [v, v.webhook, v.certController]) {
      expect(part.nodeSelector).toEqual({ 'ai-platform.cdktf.io/node-role': 'system' });
      expect(part.resources.requests.memory).toBeDefined();
      expect(part.resources.limits.memory).toBeDefined();
      expect(part.resources.limits.cpu).toBeUndefined();
      expect(part.livenessProbe.enabled).toBe(true);
      expect(part.readinessProbe.enabled).toBe(true);
    }
    const single = releaseValues(build({ replicas: 1 }).s) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(single.leaderElect).toBe(false);
    expect(single.podDisruptionBudget.enabled).toBe(false);
  });

  test('its namespace is restricted, default-deny, with an allow for the admission webhook port only', () => {
    const ns = Object.values(resources(base.s, 'kubernetes_namespace_v1'))[0] as { metadata: { name: string; labels: Record<string, string> } };
    expect(ns.metadata.name).toBe('external-secrets');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const policies = Object.values(resources(base.s, 'kubernetes_network_policy_v1')) as { metadata: { name: string }; spec: { pod_selector: { match_labels?: Record<string, string> }; ingress?: { ports: { port: string }[] }[] } }[];
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['allow-admission-webhook', 'allow-egress-baseline', 'allow-egress-kubernetes-api', 'default-deny-egress', 'default-deny-ingress']);
    const allow = policies.find((p) => p.metadata.name === 'allow-admission-webhook')!;
    expect(allow.spec.pod_selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'external-secrets-webhook' });
    expect(allow.spec.ingress!.map((i) => i.ports.map((p) => p.port))).toEqual([['10250']]);
  });

  test('createNamespace: false installs into an existing namespace', () => {
    const { s, eso } = build({ createNamespace: false, namespace: 'platform-secrets' });
    expect(resources(s, 'kubernetes_namespace_v1')).toEqual({});
    expect(eso.namespace).toBe('platform-secrets');
  });

  test('bad input throws naming the prop and the value', () => {
    expect(() => build({ replicas: 0 })).toThrow(/eso: replicas \(0\) is invalid: must be an integer between 1 and 5/);
    expect(() => build({ namespace: 'External_Secrets' })).toThrow(/namespace \("External_Secrets"\) is invalid/);
  });
});
