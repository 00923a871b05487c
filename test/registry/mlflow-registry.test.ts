import * as YAML from 'yaml';
import { Fn } from 'cdktf';
import { AiCluster } from '../../lib/cluster/ai-cluster';
import { ImportedCluster } from '../../lib/cluster/cluster-reference';
import { CHARTS } from '../../lib/k8s/charts';
import { ValidationError } from '../../lib/core/errors';
import { Duration } from '../../lib/core/units';
import { KubernetesObject } from '../../lib/k8s/values';
import { ExternalSecretsOperator, SecretsManagerStore } from '../../lib/secrets';
import { MlflowRegistry, MlflowRegistryProps, MlflowPermission } from '../../lib/registry';
import { awsStack, awsOnly, synth, resources, onlyResource, warnings, Synth } from '../harness/synth';
import { expectValidChartValues, expectValidCustomResource, referenceChartVersion } from '../harness/reference';
import { itWithTerraform, terraformCheck, describeDiagnostics } from '../harness/terraform';
import { findSecretLiterals } from './secret-scan';

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];
const CERT = 'arn:aws:acm:us-west-2:123456789012:certificate/0f3c1a9e-1111-2222-3333-444455556666';
const INGRESS = { host: 'mlflow.internal.example.com', certificateArn: CERT, clientCidrs: ['10.20.0.0/16'], loadBalancerSourceCidrs: ['10.0.0.0/16'] };

function importedCluster(stack: ReturnType<typeof awsStack>) {
  return new ImportedCluster(stack, 'cluster', {
    clusterName: 'demo',
    endpoint: 'https://example.eks.amazonaws.com',
    certificateAuthorityData: 'Y2E=',
    oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
    oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC',
    vpcId: 'vpc-123',
    privateSubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    clusterSecurityGroupId: 'sg-cluster',
    region: 'us-west-2',
  });
}

function build(props: Partial<MlflowRegistryProps> = {}) {
  const stack = awsStack();
  const cluster = importedCluster(stack);
  const externalSecrets = new ExternalSecretsOperator(stack, 'eso', { cluster });
  const registry = new MlflowRegistry(stack, 'mlflow', { cluster, externalSecrets, ...props });
  return { stack, cluster, externalSecrets, registry, lazySynth: () => synth(stack) };
}

type Statement = { sid?: string; actions: string[]; resources: string[]; condition?: { test: string; variable: string; values: string[] }[] };

function policy(s: Synth, fragment: string): Statement[] {
  const docs = s.data!.aws_iam_policy_document as Record<string, { statement: Statement[] }>;
  const hit = Object.entries(docs).find(([k]) => k.includes(fragment));
  if (!hit) throw new Error(`no policy document ${fragment}; have ${Object.keys(docs).join(', ')}`);
  return hit[1].statement;
}

function manifestsOf(s: Synth, releaseName: string, namespace?: string): KubernetesObject[] {
  const rel = Object.values(resources(s, 'helm_release')).find((r) => r.name === releaseName && (!namespace || r.namespace === namespace)) as { values: string[] } | undefined;
  if (!rel) throw new Error(`no release ${releaseName}`);
  return (YAML.parse(rel.values[0]) as { manifests: KubernetesObject[] }).manifests;
}

function mlflowValues(s: Synth): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const rel = Object.values(resources(s, 'helm_release')).find((r) => r.chart === 'mlflow') as { values: string[] };
  return YAML.parse(rel.values[0]) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

// Shared, read-only: the default registry with an ingress and one grant.
const base = build({ ingress: INGRESS });
const access = base.registry.grantAccess({ namespace: 'evals', name: 'eval-job', podLabels: { 'app.kubernetes.io/name': 'eval-job' }, experiments: ['eval-nightly'] });
const s = base.lazySynth();
const values = mlflowValues(s);

describe('MLflow chart', () => {
  test('is pinned to the reference chart version and its values validate against the schema and defaults', () => {
    expect(CHARTS.mlflow.version).toBe(referenceChartVersion('mlflow'));
    const rel = Object.values(resources(s, 'helm_release')).find((r) => r.chart === 'mlflow')!;
    expect(rel).toMatchObject({ version: '1.11.5', repository: CHARTS.mlflow.repository, namespace: 'mlflow', name: 'mlflow', wait: true });
    expectValidChartValues('mlflow', base.registry.chart.renderedValues());
    expectValidChartValues('mlflow', build().registry.chart.renderedValues());
  });

  test('the values oracle rejects a key the chart does not have (the schema is closed)', () => {
    expect(() => expectValidChartValues('mlflow', { ...base.registry.chart.renderedValues(), externalDatabase: { existingSecret: 'x' } })).toThrow(/externalDatabase/);
  });

  test('artifacts are proxied through the server to the S3 bucket and prefix: clients need no S3 credentials', () => {
    expect(values.artifactRoot).toEqual({ proxiedArtifactStorage: true, s3: { enabled: true, bucket: expect.stringMatching(/^\$\{aws_s3_bucket\..+\.bucket\}$/), path: 'mlflow' } });
    expect(JSON.stringify(values)).not.toMatch(/awsAccessKeyId|awsSecretAccessKey|AWS_ACCESS_KEY_ID/);
  });

  test('the server service account carries the IRSA role and mounts no API token', () => {
    expect(values.serviceAccount).toEqual({
      create: true,
      name: 'mlflow',
      automount: false,
      annotations: { 'eks.amazonaws.com/role-arn': expect.stringMatching(/^\$\{aws_iam_role\.cluster_irsa-mlflow-mlflow_role_.+\.arn\}$/), 'eks.amazonaws.com/sts-regional-endpoints': 'true' },
    });
  });

  test('the database comes from an existing Secret (no password in values) and is migrated on every upgrade', () => {
    expect(values.backendStore).toEqual({
      databaseMigration: true,
      databaseConnectionCheck: true,
      postgres: { enabled: true, host: expect.stringMatching(/^\$\{aws_db_instance\..+\.address\}$/), port: 5432, database: 'mlflow' },
      existingDatabaseSecret: { name: 'mlflow-database-credentials', usernameKey: 'username', passwordKey: 'password' },
    });
    expect(values.extraEnvVars.PGSSLMODE).toBe('require');
    // Rolling one pod at a time: each new pod migrates in its init container.
    expect(values.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('basic auth is on with the admin credentials from an existing Secret; users and permissions live in PostgreSQL', () => {
    expect(values.auth).toEqual({
      enabled: true,
      existingAdminSecret: { name: 'mlflow-admin-credentials', usernameKey: 'username', passwordKey: 'password' },
      defaultPermission: 'NO_PERMISSIONS',
      postgres: {
        enabled: true,
        host: expect.stringMatching(/^\$\{aws_db_instance\..+\.address\}$/),
        port: 5432,
        database: 'mlflow_auth',
        existingSecret: { name: 'mlflow-auth-database-credentials', usernameKey: 'username', passwordKey: 'password' },
      },
    });
    // Before: SQLite in the pod's /tmp (one database per replica, gone on restart).
    expect(JSON.stringify(values)).not.toMatch(/sqlite/i);
    expect(mlflowValues(build({ server: { defaultPermission: MlflowPermission.READ } }).lazySynth()).auth.defaultPermission).toBe('READ');
  });

  test('allowed hosts cover the in-cluster Service names and the ingress host; CORS allows only the ingress origin', () => {
    expect(values.serverAllowedHosts).toEqual(expect.arrayContaining(['mlflow', 'mlflow.mlflow', 'mlflow.mlflow.svc', 'mlflow.mlflow.svc.cluster.local', 'mlflow.mlflow.svc.cluster.local:*', 'localhost:*', 'mlflow.internal.example.com']));
    expect(values.serverAllowedHosts).not.toContain('*');
    expect(values.corsAllowedOrigins).toEqual(['https://mlflow.internal.example.com']);
    expect(mlflowValues(build({ corsAllowedOrigins: ['https://notebooks.example.com'] }).lazySynth()).corsAllowedOrigins).toEqual(['https://notebooks.example.com']);
  });

  test('pods meet the restricted profile: non-root, no escalation, read-only root, no capabilities, RuntimeDefault seccomp', () => {
    expect(values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, privileged: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('requests and a memory limit, no CPU limit; liveness and readiness probes; pinned image tag', () => {
    expect(values.resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } });
    expect(values.livenessProbe.failureThreshold).toBeGreaterThan(0);
    expect(values.readinessProbe.periodSeconds).toBeGreaterThan(0);
    expect(values.image).toEqual({ tag: CHARTS.mlflow.appVersion });
    expect(values.initImages.mlflowDbMigration.tag).toBe(CHARTS.mlflow.appVersion);
  });

  test('two replicas spread over zones, with a PodDisruptionBudget', () => {
    expect(values.replicaCount).toBe(2);
    expect(values.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('topology.kubernetes.io/zone');
    const pdb = onlyResource(s, 'kubernetes_pod_disruption_budget_v1') as { spec: { min_available: string; selector: { match_labels: Record<string, string> } } };
    expect(pdb.spec.min_available).toBe('1');
    expect(pdb.spec.selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'mlflow', 'app.kubernetes.io/instance': 'mlflow' });
    expect(resources(build({ server: { replicas: 1 } }).lazySynth(), 'kubernetes_pod_disruption_budget_v1')).toEqual({});
  });

  test('a ClusterIP Service; the internal ALB Ingress (the one the serving router gets): HTTPS, HTTP redirected, idle timeout, invalid headers dropped, after the controller', () => {
    expect(values.service).toMatchObject({ enabled: true, type: 'ClusterIP', port: 80, containerPort: 5000 });
    expect(values.ingress).toMatchObject({ enabled: true, className: 'alb', hosts: [{ host: 'mlflow.internal.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }], tls: [{ hosts: ['mlflow.internal.example.com'] }] });
    expect(values.ingress.annotations).toEqual({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/certificate-arn': CERT,
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTP',
      'alb.ingress.kubernetes.io/healthcheck-path': '/health',
      'alb.ingress.kubernetes.io/inbound-cidrs': '10.20.0.0/16',
      'alb.ingress.kubernetes.io/load-balancer-attributes': 'idle_timeout.timeout_seconds=600,routing.http.drop_invalid_header_fields.enabled=true',
      'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
    });
    // The controller's webhook admits the Ingress: the release waits for it.
    const rel = Object.values(resources(s, 'helm_release')).find((r) => r.chart === 'mlflow') as { depends_on: string[] };
    expect(rel.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.aws-load-balancer-controller_chart/)]));
    expect(mlflowValues(build().lazySynth()).ingress).toEqual({ enabled: false });
  });

  test('the release waits for the database, the bucket policy and the three secret stores', () => {
    const rel = Object.values(resources(s, 'helm_release')).find((r) => r.chart === 'mlflow') as { depends_on: string[] };
    expect(rel.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_db_instance\./), expect.stringMatching(/^aws_s3_bucket_policy\./), expect.stringMatching(/^helm_release\.mlflow_database-secret-store/), expect.stringMatching(/^helm_release\.mlflow_admin-secret-store/), expect.stringMatching(/^helm_release\.mlflow_auth-database-secret-store/)]));
  });

  test('renderedWorkloads exposes the pod settings for the policy Aspect', () => {
    const [w] = base.registry.renderedWorkloads();
    expect(w).toMatchObject({ kind: 'HelmValues', name: 'mlflow', namespace: 'mlflow', source: 'chart', replicas: 2 });
    expect((w.podSpec.containers as { securityContext: { readOnlyRootFilesystem: boolean } }[])[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(w.podSpec.automountServiceAccountToken).toBe(false);
  });
});

describe('IRSA role of the server', () => {
  const statements = policy(s, 'irsa-mlflow-mlflow_policy');

  test('is scoped to the bucket, the artifact prefix and the key (through S3 only)', () => {
    const bySid = Object.fromEntries(statements.map((st) => [st.sid, st]));
    expect(bySid.ListArtifactPrefix).toMatchObject({ actions: ['s3:ListBucket'], condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['mlflow', 'mlflow/*'] }] });
    expect(bySid.ReadWriteArtifacts.resources).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\..+\.arn\}\/mlflow\/\*$/)]);
    expect(bySid.ReadWriteArtifacts.actions).not.toContain('s3:*');
    expect(bySid.UseKeyThroughS3).toMatchObject({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [expect.stringMatching(/^\$\{aws_kms_key\.mlflow_key.+\.arn\}$/)], condition: [{ variable: 'kms:ViaService', values: ['s3.us-west-2.amazonaws.com'] }] });
    for (const st of statements) {
      expect(st.actions.some((a) => a.endsWith('*'))).toBe(false);
      expect(st.resources).not.toContain('*');
    }
  });

  test('trusts only system:serviceaccount:mlflow:mlflow', () => {
    const trust = policy(s, 'irsa-mlflow-mlflow_trust') as unknown as { condition: { variable: string; values: string[] }[] }[];
    expect(trust[0].condition.find((c) => c.variable.endsWith(':sub'))!.values).toEqual(['system:serviceaccount:mlflow:mlflow']);
  });
});

describe('credentials: RDS-managed secret and admin secret synced by ESO', () => {
  const dbObjects = manifestsOf(s, 'secrets-mlflow-database', 'mlflow');
  const adminObjects = manifestsOf(s, 'secrets-mlflow-admin', 'mlflow');

  test('the database ExternalSecret reads the RDS master_user_secret and composes the connection fields', () => {
    const es = dbObjects.find((o) => o.kind === 'ExternalSecret')!;
    expectValidCustomResource(es);
    const spec = es.spec as { target: { name: string; template: { data: Record<string, string> } }; data: { remoteRef: { key: string; property: string } }[] };
    expect(spec.target.name).toBe('mlflow-database-credentials');
    expect(spec.data.map((d) => d.remoteRef.key)).toEqual([expect.stringMatching(/^\$\{aws_db_instance\..+\.master_user_secret\[0\]\.secret_arn\}$/), expect.stringMatching(/master_user_secret\[0\]\.secret_arn/)]);
    expect(spec.target.template.data).toEqual({
      username: '{{ .username }}',
      password: '{{ .password }}',
      host: expect.stringMatching(/^\$\{aws_db_instance\..+\.address\}$/),
      port: '5432',
      dbname: 'mlflow',
      sslmode: 'require',
    });
  });

  test('each SecretStore validates against the CRD and its role reads exactly its one secret', () => {
    for (const o of [...dbObjects, ...adminObjects].filter((x) => x.kind !== 'ServiceAccount')) expectValidCustomResource(o);
    const dbRead = policy(s, 'irsa-mlflow-eso-mlflow-database_policy');
    expect(dbRead[0]).toMatchObject({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [expect.stringMatching(/master_user_secret\[0\]\.secret_arn/)] });
    expect(dbRead[1]).toMatchObject({ actions: ['kms:Decrypt'], condition: [{ variable: 'kms:ViaService', values: ['secretsmanager.us-west-2.amazonaws.com'] }] });
    const adminRead = policy(s, 'irsa-mlflow-eso-mlflow-admin_policy');
    expect(adminRead[0].resources).toEqual([expect.stringMatching(/^\$\{aws_secretsmanager_secret\.mlflow_admin-credentials_secret.+\.arn\}$/)]);
  });

  test('the admin password is generated by an ephemeral resource and written write-only', () => {
    const version = Object.entries(resources(s, 'aws_secretsmanager_secret_version')).find(([k]) => k.startsWith('mlflow_admin-credentials'))![1];
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo).toMatch(/ephemeral\.aws_secretsmanager_random_password\./);
    expect(Object.keys((s as { ephemeral: Record<string, unknown> }).ephemeral)).toEqual(['aws_secretsmanager_random_password']);
    // Every generated secret (admin, auth database role, one per grantee) is written write-only.
    for (const v of Object.values(resources(s, 'aws_secretsmanager_secret_version'))) expect(v.secret_string).toBeUndefined();
    expect(Object.entries(resources(s, 'aws_secretsmanager_secret')).find(([k]) => k.startsWith('mlflow_admin-credentials'))![1].kms_key_id).toMatch(/^\$\{aws_kms_key\.mlflow_key/);
  });

  test('an existing admin secret can be brought instead: nothing generated, its key decrypted only when given', () => {
    const arn = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:mlflow/admin-AbCdEf';
    const byo = build({ adminCredentialsSecretArn: arn });
    const bs = byo.lazySynth();
    // Only the auth database role's secret is generated.
    expect(Object.keys(resources(bs, 'aws_secretsmanager_secret'))).toEqual([expect.stringMatching(/^mlflow_auth-database-credentials_secret/)]);
    expect(policy(bs, 'irsa-mlflow-eso-mlflow-admin_policy')).toEqual([{ sid: 'ReadOneSecret', effect: 'Allow', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [arn] }]);
    const key = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const withKey = build({ adminCredentialsSecretArn: arn, adminCredentialsKmsKeyArn: key }).lazySynth();
    expect(policy(withKey, 'irsa-mlflow-eso-mlflow-admin_policy')[1].resources).toEqual([key]);
  });
});

describe('network', () => {
  type Np = { metadata: { name: string; namespace: string }; spec: { pod_selector: { match_labels: Record<string, string> }; policy_types: string[]; ingress: { from: Record<string, any>[]; ports: { port: string }[] }[] } }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const policies = Object.values(resources(s, 'kubernetes_network_policy_v1')) as unknown as Np[];
  const inMlflow = policies.filter((p) => p.metadata.namespace === 'mlflow' || String(p.metadata.namespace).includes('mlflow_namespace'));

  test('the namespace is restricted and denies ingress by default', () => {
    const ns = Object.values(resources(s, 'kubernetes_namespace_v1')).map((n) => n.metadata as { name: string; labels: Record<string, string> }).find((m) => m.name === 'mlflow')!;
    expect(ns.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(inMlflow.find((p) => p.metadata.name === 'default-deny-ingress')!.spec.policy_types).toEqual(['Ingress']);
  });

  test('the load balancer subnets may reach the MLflow port, nothing else from IP ranges', () => {
    const lb = inMlflow.find((p) => p.metadata.name === 'mlflow-allow-load-balancer')!;
    expect(lb.spec.pod_selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'mlflow', 'app.kubernetes.io/instance': 'mlflow' });
    expect(lb.spec.ingress).toEqual([{ from: [{ ip_block: { cidr: '10.0.0.0/16' } }], ports: [{ port: '5000', protocol: 'TCP' }] }]);
    expect(Object.keys(build().lazySynth().resource!.kubernetes_network_policy_v1).some((k) => k.includes('allow-load-balancer'))).toBe(false);
  });

  test('a grant admits only the labelled pods of the grantee namespace', () => {
    const grant = inMlflow.find((p) => p.metadata.name.startsWith('mlflow-allow-evals'))!;
    expect(grant.spec.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'evals' } }, pod_selector: { match_labels: { 'app.kubernetes.io/name': 'eval-job' } } }],
        ports: [{ port: '5000', protocol: 'TCP' }],
      },
    ]);
    expect(inMlflow.filter((p) => p.spec.policy_types.includes('Ingress')).every((p) => !JSON.stringify(p.spec).includes('0.0.0.0/0'))).toBe(true);
  });
});

describe('grantAccess: one least-privilege identity per grantee', () => {
  const grantObjects = manifestsOf(s, 'secrets-mlflow-eval-job', 'evals');
  const ADMIN_ARN = /aws_secretsmanager_secret\.mlflow_admin-credentials/;

  /** Every ExternalSecret of the app with the Secrets Manager ARN it reads. */
  function externalSecrets(x: Synth): { namespace: string; name: string; keys: string[] }[] {
    const out: { namespace: string; name: string; keys: string[] }[] = [];
    for (const r of Object.values(resources(x, 'helm_release')) as { values?: string[]; chart: string }[]) {
      if (!String(r.chart).includes('manifests')) continue;
      for (const o of (YAML.parse(r.values![0]) as { manifests: KubernetesObject[] }).manifests) {
        if (o.kind !== 'ExternalSecret') continue;
        const data = (o.spec as { data: { remoteRef: { key: string } }[] }).data;
        out.push({ namespace: o.metadata.namespace!, name: o.metadata.name, keys: data.map((d) => d.remoteRef.key) });
      }
    }
    return out;
  }

  /** IAM policy documents of IRSA roles outside the registry's namespace. */
  function granteePolicies(x: Synth): [string, Statement[]][] {
    const docs = x.data!.aws_iam_policy_document as Record<string, { statement: Statement[] }>;
    return Object.entries(docs).filter(([k]) => /irsa-(?!mlflow-)[a-z0-9-]+_policy/.test(k)).map(([k, d]) => [k, d.statement]);
  }

  test('returns the tracking URI, the Secret the MLflow client reads and the grantee\'s own user', () => {
    expect(access).toEqual({
      trackingUri: 'http://mlflow.mlflow.svc.cluster.local',
      credentialsSecretName: 'mlflow-eval-job-credentials',
      usernameKey: 'MLFLOW_TRACKING_USERNAME',
      passwordKey: 'MLFLOW_TRACKING_PASSWORD',
      trackingUriKey: 'MLFLOW_TRACKING_URI',
      username: 'svc-evals-eval-job',
      credentialsSecretArn: base.registry.node.findChild('user-evals-eval-job').node.findChild('secret') ? expect.any(String) : 'missing',
    });
  });

  /** Where the admin secret is read outside the registry's namespace (ExternalSecrets, IRSA policies). */
  function adminReadersOutside(x: Synth): string[] {
    const outside = externalSecrets(x).filter((e) => e.namespace !== 'mlflow');
    expect(outside.length).toBeGreaterThan(0);
    const policies = granteePolicies(x);
    expect(policies.length).toBeGreaterThan(0);
    return [
      ...outside.filter((e) => e.keys.some((k) => ADMIN_ARN.test(k))).map((e) => `ExternalSecret ${e.namespace}/${e.name}`),
      ...policies.filter(([, st]) => ADMIN_ARN.test(JSON.stringify(st))).map(([k]) => `policy ${k}`),
    ];
  }

  test('no grantee namespace receives the admin secret: neither an ExternalSecret nor an IRSA role reads it', () => {
    expect(adminReadersOutside(s)).toEqual([]);
    // The admin secret is read in the registry's namespace only.
    expect(externalSecrets(s).filter((e) => e.keys.some((k) => ADMIN_ARN.test(k))).map((e) => e.namespace)).toEqual(['mlflow']);
    // The check sees a grant of the admin secret (what grantAccess did before).
    const leak = build();
    leak.registry.grantAccess({ namespace: 'evals' });
    const store = new SecretsManagerStore(leak.stack, 'leak', { cluster: leak.cluster, operator: leak.externalSecrets, namespace: 'evals', name: 'mlflow-admin-copy', secretArn: leak.registry.adminCredentialsSecretArn });
    store.addExternalSecret({ name: 'mlflow-admin-copy', properties: [{ secretKey: 'password', property: 'password' }] });
    expect(adminReadersOutside(leak.lazySynth())).toEqual([expect.stringMatching(/ExternalSecret evals\/mlflow-admin-copy/), expect.stringMatching(/policy .*irsa-evals-eso-mlflow-admin-copy_policy/)]);
  });

  test('the grantee Secret is written in its namespace through a store that can read only the grantee\'s own secret', () => {
    const es = grantObjects.find((o) => o.kind === 'ExternalSecret')!;
    expectValidCustomResource(es);
    expectValidCustomResource(grantObjects.find((o) => o.kind === 'SecretStore')!);
    expect(es.metadata.namespace).toBe('evals');
    expect((es.spec as { target: { template: { data: Record<string, string> } } }).target.template.data).toEqual({
      MLFLOW_TRACKING_URI: 'http://mlflow.mlflow.svc.cluster.local',
      MLFLOW_TRACKING_USERNAME: '{{ .username }}',
      MLFLOW_TRACKING_PASSWORD: '{{ .password }}',
    });
    const read = policy(s, 'irsa-evals-eso-mlflow-eval-job_policy');
    expect(read[0].resources).toEqual([expect.stringMatching(/^\$\{aws_secretsmanager_secret\.mlflow_user-evals-eval-job_secret_[0-9A-F]+\.arn\}$/)]);
    expect(JSON.stringify(read)).not.toMatch(/master_user_secret|admin-credentials/);
    const trust = policy(s, 'irsa-evals-eso-mlflow-eval-job_trust') as unknown as { condition: { variable: string; values: string[] }[] }[];
    expect(trust[0].condition.find((c) => c.variable.endsWith(':sub'))!.values).toEqual(['system:serviceaccount:evals:eso-mlflow-eval-job']);
  });

  test('the grantee password is generated write-only (never in state) in a secret of its own', () => {
    const versions = Object.entries(resources(s, 'aws_secretsmanager_secret_version')).filter(([k]) => k.includes('user-evals-eval-job'));
    expect(versions).toHaveLength(1);
    expect(versions[0][1]).toMatchObject({ secret_string_wo: expect.stringMatching(/ephemeral\.aws_secretsmanager_random_password\./), secret_string_wo_version: 1 });
    expect(versions[0][1].secret_string).toBeUndefined();
  });

  const two = build();
  const drift = two.registry.grantAccess({ namespace: 'jobs', name: 'drift-a', podLabels: { app: 'drift' }, experiments: ['drift-a'] });
  const evalJob = two.registry.grantAccess({ namespace: 'jobs', name: 'eval-b', podLabels: { app: 'eval' }, experiments: ['eval-b'], registeredModels: ['chat'] });
  const twoSynth = two.lazySynth();
  const bootstrap = manifestsOf(twoSynth, 'mlflow-bootstrap', 'mlflow');
  const job = bootstrap.find((o) => o.kind === 'Job')!;
  const config = JSON.parse((bootstrap.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>)['config.json']);

  test('two grantees in one namespace get two users, two secrets and two stores, each reading only its own secret', () => {
    expect(drift.username).not.toBe(evalJob.username);
    expect(drift.credentialsSecretArn).not.toBe(evalJob.credentialsSecretArn);
    expect(drift.credentialsSecretName).not.toBe(evalJob.credentialsSecretName);
    const driftArn = expect.stringMatching(/^\$\{aws_secretsmanager_secret\.mlflow_user-jobs-drift-a_secret_[0-9A-F]+\.arn\}$/);
    const evalArn = expect.stringMatching(/^\$\{aws_secretsmanager_secret\.mlflow_user-jobs-eval-b_secret_[0-9A-F]+\.arn\}$/);
    expect(policy(twoSynth, 'irsa-jobs-eso-mlflow-drift-a_policy')[0].resources).toEqual([driftArn]);
    expect(policy(twoSynth, 'irsa-jobs-eso-mlflow-eval-b_policy')[0].resources).toEqual([evalArn]);
    const inJobs = externalSecrets(twoSynth).filter((e) => e.namespace === 'jobs');
    expect(inJobs.map((e) => e.keys)).toEqual(expect.arrayContaining([[driftArn, driftArn], [evalArn, evalArn]]));
  });

  test('the bootstrap Job creates each user with EDIT on its experiments and READ on its models, as the admin, in the registry namespace', () => {
    expect(config.users).toEqual([
      { username: 'svc-jobs-drift-a', passwordEnv: 'BOOTSTRAP_USER_0_PASSWORD', experiments: [{ name: 'drift-a', permission: 'EDIT' }], registeredModels: [] },
      { username: 'svc-jobs-eval-b', passwordEnv: 'BOOTSTRAP_USER_1_PASSWORD', experiments: [{ name: 'eval-b', permission: 'EDIT' }], registeredModels: [{ name: 'chat', permission: 'READ' }] },
    ]);
    expect(job.metadata.namespace).toBe('mlflow');
    const pod = (job.spec as { template: { spec: { containers: { env: { name: string; valueFrom?: { secretKeyRef: { name: string } } }[] }[] } } }).template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e) => [e.name, e.valueFrom?.secretKeyRef.name]));
    expect(env.MLFLOW_TRACKING_PASSWORD).toBe('mlflow-admin-credentials');
    expect(env.BOOTSTRAP_USER_0_PASSWORD).toMatch(/^mlflow-user-jobs-drift-a/);
    const script = (bootstrap.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>)['bootstrap.py'];
    for (const call of ['create_user', 'update_user_password', 'create_experiment_permission', 'update_experiment_permission', 'create_registered_model_permission', 'RESOURCE_ALREADY_EXISTS']) expect(script).toContain(call);
    const rel = Object.values(resources(twoSynth, 'helm_release')).find((r) => r.name === 'mlflow-bootstrap') as { depends_on: string[]; wait_for_jobs: boolean };
    expect(rel.wait_for_jobs).toBe(true);
    expect(rel.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.mlflow_chart/), expect.stringMatching(/^helm_release\.mlflow_user-jobs-drift-a-store/), expect.stringMatching(/^helm_release\.mlflow_user-jobs-eval-b-store/)]));
  });

  test('the Job is named after its config: a new grant runs it again, the same grants do not', () => {
    const again = build();
    again.registry.grantAccess({ namespace: 'jobs', name: 'drift-a', podLabels: { app: 'drift' }, experiments: ['drift-a'] });
    again.registry.grantAccess({ namespace: 'jobs', name: 'eval-b', podLabels: { app: 'eval' }, experiments: ['eval-b'], registeredModels: ['chat'] });
    const sameName = manifestsOf(again.lazySynth(), 'mlflow-bootstrap', 'mlflow').find((o) => o.kind === 'Job')!.metadata.name;
    expect(sameName).toBe(job.metadata.name);
    again.registry.grantAccess({ namespace: 'jobs', name: 'eval-c' });
    const changed = manifestsOf(again.lazySynth(), 'mlflow-bootstrap', 'mlflow').find((o) => o.kind === 'Job')!.metadata.name;
    expect(changed).not.toBe(job.metadata.name);
  });

  test('the bootstrap pods run restricted, mount no API token, and may reach the MLflow pods', () => {
    const pod = (job.spec as { template: { spec: Record<string, any> } }).template.spec; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].image).toBe(`burakince/mlflow:${CHARTS.mlflow.appVersion}`);
    const np = Object.values(resources(twoSynth, 'kubernetes_network_policy_v1')).map((p) => p as { metadata: { name: string }; spec: { ingress: { from: { pod_selector: { match_labels: Record<string, string> } }[] }[] } }).find((p) => p.metadata.name === 'mlflow-allow-bootstrap')!;
    const podLabels = (job.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(podLabels).toMatchObject(np.spec.ingress[0].from[0].pod_selector.match_labels);
    expect(np.spec.ingress[0].from[0].pod_selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'mlflow-bootstrap', 'app.kubernetes.io/instance': 'mlflow' });
  });

  test('grants sharing a namespace and name share one identity and its store; repeats are idempotent', () => {
    const b = build();
    b.registry.grantAccess({ namespace: 'drift' });
    b.registry.grantAccess({ namespace: 'drift', podLabels: { app: 'a' } });
    b.registry.grantAccess({ namespace: 'drift', podLabels: { app: 'a' } });
    const other = b.registry.grantAccess({ namespace: 'drift', secretName: 'mlflow-ci' });
    expect(other.credentialsSecretName).toBe('mlflow-ci');
    const bs = b.lazySynth();
    const objs = manifestsOf(bs, 'secrets-mlflow-credentials', 'drift');
    expect(objs.filter((o) => o.kind === 'SecretStore')).toHaveLength(1);
    expect(objs.filter((o) => o.kind === 'ExternalSecret').map((o) => o.metadata.name)).toEqual(['mlflow-credentials', 'mlflow-ci']);
    const names = Object.values(resources(bs, 'kubernetes_network_policy_v1')).map((p) => (p.metadata as { name: string }).name).filter((n) => n.includes('drift'));
    expect(names).toHaveLength(2);
    // Two identities: the namespace's and the labelled pods'.
    const users = JSON.parse((manifestsOf(bs, 'mlflow-bootstrap', 'mlflow').find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>)['config.json']).users;
    expect(users.map((u: { username: string }) => u.username)).toEqual([expect.stringMatching(/^svc-drift$/), expect.stringMatching(/^svc-drift-[0-9a-z]{7}$/)]);
  });

  test('bad grantees throw naming the prop and the value', () => {
    const b = build();
    expect(() => b.registry.grantAccess({ namespace: 'mlflow' })).toThrow(/grantee.namespace \("mlflow"\) is invalid: must not be the registry's own namespace/);
    expect(() => b.registry.grantAccess({ namespace: 'Evals' })).toThrow(/grantee.namespace \("Evals"\) is invalid/);
    expect(() => b.registry.grantAccess({ namespace: Fn.lower('evals') })).toThrow(/grantee.namespace .* must be a literal namespace name/);
    expect(() => b.registry.grantAccess({ namespace: 'evals', podLabels: { app: 'not valid!' } })).toThrow(/grantee.podLabels\["app"\] \("not valid!"\) is invalid/);
    expect(() => b.registry.grantAccess({ namespace: 'evals', secretName: 'Bad_Secret' })).toThrow(/grantee.secretName \("Bad_Secret"\) is invalid/);
    expect(() => b.registry.grantAccess({ namespace: 'evals', name: 'Eval Job' })).toThrow(/grantee.name \("Eval Job"\) is invalid/);
    expect(() => b.registry.grantAccess({ namespace: 'evals', experiments: [' padded'] })).toThrow(/grantee.experiments\[0\] \(" padded"\) is invalid/);
  });
});

describe('auth database: PostgreSQL, its own database and role, migrated before the server starts', () => {
  const init = (values.initContainers as Record<string, any>[]); // eslint-disable-line @typescript-eslint/no-explicit-any

  test('an init container creates the role and database under a lock and runs the auth migrations', () => {
    expect(init.map((c) => c.name)).toEqual(['auth-database']);
    const [c] = init;
    expect(c.image).toBe(`burakince/mlflow:${CHARTS.mlflow.appVersion}`);
    const script: string = c.command[2];
    expect(c.command.slice(0, 2)).toEqual(['python', '-c']);
    for (const s2 of ['pg_advisory_lock', 'CREATE DATABASE', 'REVOKE ALL ON DATABASE', 'GRANT USAGE, CREATE ON SCHEMA public', 'migrate_if_needed']) expect(script).toContain(s2);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
  });

  test('every credential comes from a Secret (no password in values); the role is not the master user', () => {
    const [c] = init;
    const env = c.env as { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
    const from = Object.fromEntries(env.filter((e) => e.valueFrom).map((e) => [e.name, `${e.valueFrom!.secretKeyRef.name}/${e.valueFrom!.secretKeyRef.key}`]));
    expect(from).toEqual({
      PGHOST: 'mlflow-database-credentials/host',
      PGPORT: 'mlflow-database-credentials/port',
      PGDATABASE: 'mlflow-database-credentials/dbname',
      PGUSER: 'mlflow-database-credentials/username',
      PGPASSWORD: 'mlflow-database-credentials/password',
      PGSSLMODE: 'mlflow-database-credentials/sslmode',
      AUTH_DB_USER: 'mlflow-auth-database-credentials/username',
      AUTH_DB_PASSWORD: 'mlflow-auth-database-credentials/password',
    });
    expect(env.filter((e) => e.value !== undefined).map((e) => e.name).sort()).toEqual(['AUTH_DB_NAME', 'HOME']);
    expect(base.registry.authDatabaseCredentials.username).toBe('mlflow_auth');
  });

  test('the auth role\'s password is generated write-only and read in the registry namespace by a store of its own', () => {
    const read = policy(s, 'irsa-mlflow-eso-mlflow-auth-database_policy');
    expect(read[0].resources).toEqual([expect.stringMatching(/^\$\{aws_secretsmanager_secret\.mlflow_auth-database-credentials_secret.+\.arn\}$/)]);
    const v = Object.entries(resources(s, 'aws_secretsmanager_secret_version')).find(([k]) => k.includes('auth-database-credentials'))![1];
    expect(v.secret_string).toBeUndefined();
    expect(v.secret_string_wo).toMatch(/ephemeral\.aws_secretsmanager_random_password\..+\.random_password/);
  });

  test('the database name is checked', () => {
    expect(mlflowValues(build({ authDatabaseName: 'registry_auth' }).lazySynth()).auth.postgres.database).toBe('registry_auth');
    expect(() => build({ authDatabaseName: 'mlflow' })).toThrow(/authDatabaseName \("mlflow"\) is invalid: must name a database of its own/);
    expect(() => build({ authDatabaseName: 'Auth-DB' })).toThrow(/authDatabaseName \("Auth-DB"\) is invalid/);
  });
});

describe('outputs and secrets', () => {
  test('tracking URI, external URL, bucket and role ARN are outputs; secret ARNs are masked', () => {
    const out = s.output!;
    const byName = (frag: string) => Object.entries(out).find(([k]) => k.includes(frag))![1] as { value: string; sensitive?: boolean };
    expect(byName('tracking-uri').value).toBe('http://mlflow.mlflow.svc.cluster.local');
    expect(byName('external-url').value).toBe('https://mlflow.internal.example.com');
    expect(byName('artifact-bucket').value).toMatch(/^\$\{aws_s3_bucket\..+\.bucket\}$/);
    expect(byName('server-role-arn').value).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    expect(byName('admin-credentials-secret-arn').sensitive).toBe(true);
    expect(byName('database-credentials-secret-arn').sensitive).toBe(true);
    for (const [k, o] of Object.entries(out)) if (!/secret/.test(k)) expect((o as { sensitive?: boolean }).sensitive).toBeUndefined();
  });

  test('no secret value anywhere in the synthesized JSON (resources, Helm values, manifests, outputs)', () => {
    expect(findSecretLiterals(s)).toEqual([]);
    const text = JSON.stringify(s);
    expect(text).not.toMatch(/"master_password"|"random_password"\s*:|"secret_string"\s*:|"adminPassword"\s*:\s*"[^"]/);
  });

  test('the scan catches a leaked secret (proves the test above)', () => {
    const leaked = build({ extraValues: { auth: { adminPassword: 'hunter2hunter2' } } }).lazySynth();
    expect(findSecretLiterals(leaked).join('\n')).toMatch(/adminPassword/);
    const tampered = JSON.parse(JSON.stringify(s)) as Synth;
    (Object.values(tampered.resource!.aws_db_instance)[0] as Record<string, unknown>).password = 'correct-horse';
    tampered.resource!.random_password = { admin: { length: 32 } };
    (Object.entries(tampered.output!).find(([k]) => k.includes('tracking-uri'))![1] as Record<string, unknown>).description = 'the admin password';
    const findings = findSecretLiterals(tampered).join('\n');
    expect(findings).toMatch(/aws_db_instance.*password/);
    expect(findings).toMatch(/resource\.random_password/);
    expect(findings).toMatch(/sensitive = true/);
    const version = Object.values(tampered.resource!.aws_secretsmanager_secret_version)[0] as Record<string, unknown>;
    version.secret_string = '{"password":"x"}';
    expect(findSecretLiterals(tampered).join('\n')).toMatch(/secret_string/);
  });
});

describe('lifecycle and defaults', () => {
  test('preventDestroy protects the bucket, the database, the key and nothing is protected by default', () => {
    const prot = build({ preventDestroy: true }).lazySynth();
    for (const t of ['aws_s3_bucket', 'aws_db_instance', 'aws_kms_key']) {
      expect(onlyResource(prot, t).lifecycle).toEqual({ prevent_destroy: true });
      expect(onlyResource(s, t).lifecycle).toBeUndefined();
    }
  });

  test('the registry KMS key rotates and has a deletion window; names derive from the cluster', () => {
    expect(onlyResource(s, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(onlyResource(s, 'aws_s3_bucket').bucket_prefix).toBe('demo-mlflow-');
    expect(onlyResource(s, 'aws_db_instance').identifier).toBe('demo-mlflow');
  });

  test('no warnings for the defaults', () => {
    expect(warnings(base.stack)).toEqual([]);
  });

  test('tags reach the registry resources', () => {
    const tagged = build({ tags: { team: 'ml' } }).lazySynth();
    expect(onlyResource(tagged, 'aws_db_instance').tags).toEqual({ team: 'ml' });
    expect(onlyResource(tagged, 'aws_s3_bucket').tags).toEqual({ team: 'ml' });
  });
});

describe('bad input', () => {
  const cases: [string, Partial<MlflowRegistryProps>, RegExp][] = [
    ['unsupported engine version', { database: { engineVersion: '14' } }, /mlflow: database.engineVersion \("14"\) is invalid: must be a supported RDS for PostgreSQL version/],
    ['backup retention < 7 without acknowledgement', { database: { backupRetention: Duration.days(5) } }, /database.backupRetention \("5 days"\) is invalid: must be at least 7 days .*database.acknowledgeShortBackupRetention/],
    ['empty bucket name', { artifacts: { bucketName: '' } }, /mlflow: artifacts.bucketName \(""\) is invalid: must be 3-63 characters/],
    ['bucket name S3 rejects', { artifacts: { bucketName: 'ML_Artifacts' } }, /artifacts.bucketName \("ML_Artifacts"\) is invalid/],
    ['bucket name like an IP address', { artifacts: { bucketName: '10.1.2.3' } }, /artifacts.bucketName \("10.1.2.3"\) is invalid/],
    ['DB identifier AWS rejects', { database: { identifier: 'mlflow--db' } }, /database.identifier \("mlflow--db"\) is invalid/],
    ['DB identifier starting with a digit', { database: { identifier: '9lives' } }, /database.identifier \("9lives"\) is invalid/],
    ['instance class not db.*', { database: { instanceClass: 'r7g.large' } }, /database.instanceClass \("r7g.large"\) is invalid: must be an RDS instance class/],
    ['artifact path with a leading slash', { artifactPath: '/mlflow' }, /artifactPath \("\/mlflow"\) is invalid/],
    ['ingress open to the internet', { ingress: { ...INGRESS, clientCidrs: ['0.0.0.0/0'] } }, /ingress.clientCidrs \(\["0.0.0.0\/0"\]\) is invalid: must not contain 0.0.0.0\/0/],
    ['ingress without client CIDRs', { ingress: { ...INGRESS, clientCidrs: [] } }, /ingress.clientCidrs \(\[\]\) is invalid/],
    ['ingress with a bad CIDR', { ingress: { ...INGRESS, loadBalancerSourceCidrs: ['10.0.0.1/16'] } }, /ingress.loadBalancerSourceCidrs\[0\] \("10.0.0.1\/16"\) is invalid/],
    ['ingress with a bad certificate', { ingress: { ...INGRESS, certificateArn: 'my-cert' } }, /ingress.certificateArn \("my-cert"\) is invalid/],
    ['ingress with an upper-case host', { ingress: { ...INGRESS, host: 'MLflow.example.com' } }, /ingress.host \("MLflow.example.com"\) is invalid/],
    ['wildcard allowed host', { allowedHosts: ['*'] }, /allowedHosts \(\["\*"\]\) is invalid/],
    ['CORS origin with a path', { corsAllowedOrigins: ['https://a.example.com/app'] }, /corsAllowedOrigins\[0\] \("https:\/\/a.example.com\/app"\) is invalid/],
    ['latest image tag', { server: { imageTag: 'latest' } }, /server.imageTag \("latest"\) is invalid/],
    ['zero replicas', { server: { replicas: 0 } }, /server.replicas \(0\) is invalid/],
    ['admin secret that is not an ARN', { adminCredentialsSecretArn: 'mlflow/admin' }, /adminCredentialsSecretArn \("mlflow\/admin"\) is invalid/],
    ['admin key without an admin secret', { adminCredentialsKmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/abc' }, /adminCredentialsKmsKeyArn .* is invalid: only applies with adminCredentialsSecretArn/],
    ['release name Kubernetes rejects', { releaseName: 'MLflow' }, /releaseName \("MLflow"\) is invalid/],
    ['KMS deletion window out of range', { kmsKeyDeletionWindow: Duration.days(3) }, /kmsKeyDeletionWindow \("3 days"\) is invalid/],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
    expect(() => build(props)).toThrow(ValidationError);
  });
});

describe('terraform oracle', () => {
  // One run: an AiCluster (explicit AZs) and the registry in one stack, AWS resources only.
  itWithTerraform('terraform validate and an offline plan accept the registry with a real cluster', () => {
    const stack = awsStack();
    const cluster = new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: AZS });
    const externalSecrets = new ExternalSecretsOperator(stack, 'eso', { cluster });
    const registry = new MlflowRegistry(stack, 'mlflow', { cluster, externalSecrets, ingress: INGRESS, preventDestroy: true, artifacts: { accessLogsBucket: 'demo-access-logs' } });
    registry.grantAccess({ namespace: 'evals' });
    const full = synth(stack);
    expect(findSecretLiterals(full)).toEqual([]);
    const aws = awsOnly(full);
    // The offline oracle has no network, so Secrets Manager's GetRandomPassword cannot run when
    // Terraform opens the ephemeral password at plan time. Making one of its arguments unknown
    // until apply defers that call; every other attribute is planned exactly as synthesized.
    const eph = (aws as { ephemeral: Record<string, Record<string, Record<string, unknown>>> }).ephemeral.aws_secretsmanager_random_password;
    const secretId = Object.keys(aws.resource!.aws_secretsmanager_secret)[0];
    for (const e of Object.values(eph)) e.exclude_characters = `\${substr(aws_secretsmanager_secret.${secretId}.arn, 0, 0)}`;
    const result = terraformCheck(aws);
    expect(describeDiagnostics(result)).toBe('');
    expect(result.validate.valid).toBe(true);
    const synthesized = Object.values(aws.resource ?? {}).reduce((n, rs) => n + Object.keys(rs).length, 0);
    expect(result.plannedCreates).toHaveLength(synthesized);
    for (const t of ['aws_db_instance', 'aws_s3_bucket', 'aws_s3_bucket_policy', 'aws_secretsmanager_secret_version', 'aws_vpc_security_group_ingress_rule', 'aws_db_parameter_group']) {
      expect(result.plannedCreates.some((a) => a.startsWith(`${t}.`))).toBe(true);
    }
  });
});
