import { LocalBackend, TerraformStack } from 'cdktf';
import { CHARTS, HelmChart, ManifestChart } from '../../lib/k8s';
import { GUARDRAIL_RULES, GuardrailSeverity, PlatformGuardrails } from '../../lib/policy';
import { awsStack, testApp } from '../harness/synth';
import { AWS_CASES, database, s3BackendStack } from './fixtures/aws';
import { describeCases } from './fixtures/case';

describeCases('AWS rules: the non-compliant fixture is reported, the compliant one is not', AWS_CASES);

test('AIP-173 (info): a local backend and an S3 backend without locking are reported; S3 with locking is not', () => {
  const app = testApp();
  const local = new TerraformStack(app, 'local');
  new LocalBackend(local, { path: 'local.tfstate' });
  const noLock = new TerraformStack(app, 'nolock');
  s3BackendStack(noLock, false);
  const lock = new TerraformStack(app, 'lock');
  s3BackendStack(lock, true);
  const details = (s: TerraformStack) => PlatformGuardrails.check(s).findings.filter((f) => f.ruleId === 'AIP-173').map((f) => f.detail);
  expect(details(local)).toEqual(['the state is a local file']);
  expect(details(noLock)).toEqual(['the S3 backend has no locking (use_lockfile or dynamodb_table)']);
  expect(details(lock)).toEqual([]);
  expect(GUARDRAIL_RULES.find((r) => r.id === 'AIP-173')?.severity).toBe(GuardrailSeverity.INFO);
});

describe('secrets in Helm values', () => {
  test('a HelmChart value with a literal password is reported on its release; a template reference is not', () => {
    const stack = awsStack();
    const chart = new HelmChart(stack, 'mlflow', { chart: CHARTS.mlflow, releaseName: 'mlflow', namespace: 'mlflow', values: { auth: { adminPassword: 'hunter2' } }, extraValues: { backendStore: { postgres: { password: 'also-literal' } } } });
    new ManifestChart(stack, 'eso', {
      releaseName: 'eso-objects',
      namespace: 'mlflow',
      manifests: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'db' }, spec: { target: { template: { data: { password: '{{ .password }}' } } }, data: [{ secretKey: 'password', remoteRef: { key: 'mlflow/db', property: 'password' } }] } }],
    });
    const f = PlatformGuardrails.check(stack).findings.filter((x) => x.ruleId === 'AIP-171');
    expect(f.map((x) => [x.constructPath, x.detail])).toEqual([
      [chart.release.node.path, 'auth.adminPassword is a literal'],
      [chart.release.node.path, 'backendStore.postgres.password is a literal'],
    ]);
  });

  test('a value set from a generated password is reported; another reference is undecided', () => {
    const stack = awsStack();
    const db = database(stack, { instance: { manageMasterUserPassword: undefined, password: 'x' } });
    new HelmChart(stack, 'app', { chart: CHARTS.mlflow, releaseName: 'app', namespace: 'app', values: { db: { password: db.password, token: db.arn } } });
    const r = PlatformGuardrails.check(stack);
    expect(r.findings.filter((x) => x.ruleId === 'AIP-171').map((x) => x.detail)).toEqual([expect.stringMatching(/^db\.password is set from a secret/)]);
    expect(r.undecided.filter((x) => x.ruleId === 'AIP-171').map((x) => x.detail)).toEqual(['db.token is computed']);
  });
});
