import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Construct } from 'constructs';
import { App, Aspects, LocalBackend, S3Backend, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { AiCluster, AiClusterProps } from '../../lib/cluster';
import { ValidationError } from '../../lib/core';
import { GUARDRAIL_RULES, GuardrailMode, GuardrailSeverity, PlatformGuardrails, renderGuardrailReport } from '../../lib/policy';
import { awsStack, errors, warnings } from '../harness/synth';
import { bucket, database } from './fixtures/aws';
import { deployment, manifests } from './fixtures/kubernetes';

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

/** A real App (synth writes files and fails on error annotations) with one AWS stack. */
function realApp() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-'));
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, 'platform');
  new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  new S3Backend(stack, { bucket: 'state', key: 'platform.tfstate', region: 'us-west-2', encrypt: true }).addOverride('use_lockfile', true);
  return { app, stack, outdir };
}

function cluster(scope: Construct, props: Partial<AiClusterProps> = {}) {
  return new AiCluster(scope, 'cluster', { clusterName: 'demo', availabilityZones: AZS, adminPrincipalArns: ['arn:aws:iam::123456789012:role/platform-admin'], tags: { team: 'ml' }, ...props });
}

const guardrailAnnotations = (texts: string[]) => texts.filter((t) => / \[(CKV|AIP)/.test(t));

describe('AiCluster', () => {
  test('the default cluster passes every rule with no suppressions, nothing undecided', () => {
    const { stack } = realApp();
    cluster(stack);
    const report = PlatformGuardrails.check(stack);
    expect(report.findings).toEqual([]);
    expect(report.suppressions).toEqual([]);
    expect(report.undecided).toEqual([]);
  });

  test('as an Aspect: synth succeeds with no guardrail annotations', () => {
    const { app, stack } = realApp();
    cluster(stack, { publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'] });
    const g = PlatformGuardrails.applyTo(stack);
    expect(() => app.synth()).not.toThrow();
    expect(guardrailAnnotations(errors(stack))).toEqual([]);
    // A CIDR-limited public endpoint is allowed by SECURITY.md: a warning (CKV_AWS_39), not an error.
    expect(guardrailAnnotations(warnings(stack))).toEqual([expect.stringContaining('[CKV_AWS_39]')]);
    expect(g.report().findings.map((f) => f.ruleId)).toEqual(['CKV_AWS_39']);
  });

  test('an open public endpoint (acknowledged in the cluster props) fails synth with CKV_AWS_38', () => {
    const { app, stack } = realApp();
    cluster(stack, { publicEndpoint: true, publicAccessCidrs: ['0.0.0.0/0'], acknowledgeOpenPublicEndpoint: true });
    PlatformGuardrails.applyTo(stack);
    expect(() => app.synth()).toThrow(/\[CKV_AWS_38\] EKS public endpoint is not reachable from 0\.0\.0\.0\/0: public_access_cidrs includes 0\.0\.0\.0\/0/);
  });

  test('an escape-hatch override is checked too: hop limit 2 on the system launch template fails with CKV_AWS_341', () => {
    const { app, stack } = realApp();
    cluster(stack).systemLaunchTemplate.addOverride('metadata_options.http_put_response_hop_limit', 2);
    PlatformGuardrails.applyTo(stack);
    expect(() => app.synth()).toThrow(/\[CKV_AWS_341\][^\n]*http_put_response_hop_limit is 2/);
  });
});

describe('synth fails on error findings', () => {
  test.each([
    ['an S3 bucket without versioning', 'CKV_AWS_21', (s: TerraformStack) => bucket(s, { versioning: false })],
    ['an RDS instance without deletion protection', 'CKV_AWS_293', (s: TerraformStack) => database(s, { instance: { deletionProtection: false } })],
    [
      'a ManifestChart Deployment with allowPrivilegeEscalation: true',
      'CKV_K8S_20',
      (s: TerraformStack) => {
        new HelmProvider(s, 'helm', {});
        manifests(s, [deployment((d) => (d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true))]);
      },
    ],
  ])('%s → %s', (_name, rule, build) => {
    const { app, stack } = realApp();
    build(stack);
    PlatformGuardrails.applyTo(stack);
    expect(() => app.synth()).toThrow(new RegExp(`\\[${rule}\\]`));
  });

  test('GuardrailMode.WARN reports the same finding as a warning and synth succeeds', () => {
    const { app, stack, outdir } = realApp();
    bucket(stack, { versioning: false });
    PlatformGuardrails.applyTo(stack, { mode: GuardrailMode.WARN });
    expect(() => app.synth()).not.toThrow();
    expect(fs.existsSync(path.join(outdir, 'stacks', 'platform', 'cdk.tf.json'))).toBe(true);
    expect(guardrailAnnotations(warnings(stack)).some((w) => w.includes('[CKV_AWS_21]'))).toBe(true);
    expect(guardrailAnnotations(errors(stack))).toEqual([]);
  });

  test('severityOverrides turn a warning into an error', () => {
    const { app, stack } = realApp();
    cluster(stack, { publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'] });
    PlatformGuardrails.applyTo(stack, { severityOverrides: { CKV_AWS_39: GuardrailSeverity.ERROR } });
    expect(() => app.synth()).toThrow(/\[CKV_AWS_39\]/);
  });

  test('bad props are rejected when the Aspect is created', () => {
    expect(() => new PlatformGuardrails({ severityOverrides: { CKV_NOPE: GuardrailSeverity.ERROR } })).toThrow(/severityOverrides\.CKV_NOPE .* must name a rule/);
    expect(() => new PlatformGuardrails({ mode: 'LOUD' as GuardrailMode })).toThrow(/mode \("LOUD"\) is invalid/);
  });
});

describe('Aspect mechanics', () => {
  test('Testing.synth twice does not repeat annotations; the report reflects the last synth', () => {
    const stack = awsStack();
    bucket(stack, { versioning: false });
    const g = PlatformGuardrails.applyTo(stack);
    Testing.synth(stack);
    Testing.synth(stack);
    expect(guardrailAnnotations(errors(stack)).filter((e) => e.includes('[CKV_AWS_21]'))).toHaveLength(1);
    expect(g.report().findings.filter((f) => f.ruleId === 'CKV_AWS_21')).toHaveLength(1);
  });

  test('cdktf ignores Aspects on the App; applyTo(app) adds the guardrails to every stack', () => {
    const app = Testing.app({ stackTraces: false });
    const stacks = ['a', 'b'].map((id) => {
      const s = new TerraformStack(app, id);
      new LocalBackend(s, { path: `${id}.tfstate` });
      new S3Bucket(s, 'bucket', { bucket: `bucket-${id}` });
      return s;
    });
    Aspects.of(app).add(new PlatformGuardrails());
    stacks.forEach((s) => Testing.synth(s));
    expect(stacks.flatMap((s) => guardrailAnnotations(errors(s)))).toEqual([]);
    const g = PlatformGuardrails.applyTo(app);
    stacks.forEach((s) => Testing.synth(s));
    for (const s of stacks) expect(guardrailAnnotations(errors(s)).some((e) => e.includes('[CKV_AWS_21]'))).toBe(true);
    expect(new Set(g.report().findings.filter((f) => f.ruleId === 'CKV_AWS_21').map((f) => f.constructPath))).toEqual(new Set(['a/bucket', 'b/bucket']));
    expect(() => PlatformGuardrails.applyTo(Testing.app())).toThrow(/must be or contain a TerraformStack/);
  });

  test('an Aspect added to a construct checks only its subtree; check() never annotates', () => {
    const stack = awsStack();
    const checked = new Construct(stack, 'checked');
    bucket(checked, { versioning: false });
    new S3Bucket(stack, 'outside', { bucket: 'outside-bucket' });
    expect(PlatformGuardrails.check(stack).findings.some((f) => f.constructPath === 'test/outside')).toBe(true);
    expect(guardrailAnnotations(errors(stack))).toEqual([]);
    const g = new PlatformGuardrails();
    Aspects.of(checked).add(g);
    Testing.synth(stack);
    const paths = new Set(guardrailAnnotations(errors(stack)).map((e) => e.split(':')[0]));
    expect(paths).toEqual(new Set(['test/checked/bucket']));
    expect(g.report().findings.every((f) => f.constructPath.startsWith('test/checked/'))).toBe(true);
  });

  test('check() on an App covers every stack', () => {
    const app = Testing.app();
    for (const id of ['x', 'y']) new S3Bucket(new TerraformStack(app, id), 'bucket', { bucket: `b-${id}` });
    expect(PlatformGuardrails.check(app).findings.filter((f) => f.ruleId === 'CKV_AWS_21').map((f) => f.constructPath).sort()).toEqual(['x/bucket', 'y/bucket']);
  });

  test('a value known only at apply time is undecided, not a finding', () => {
    const stack = awsStack();
    const open = new TerraformVariable(stack, 'public', { type: 'bool' });
    new EksCluster(stack, 'eks', {
      name: 'x',
      roleArn: 'arn:aws:iam::123456789012:role/eks',
      vpcConfig: { subnetIds: ['subnet-1'], endpointPrivateAccess: true, endpointPublicAccess: open.booleanValue },
      enabledClusterLogTypes: ['api', 'audit', 'authenticator'],
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: 'arn:aws:kms:us-west-2:123456789012:key/x' } },
      accessConfig: { authenticationMode: 'API' },
    });
    const r = PlatformGuardrails.check(stack);
    expect(r.findings.filter((f) => f.ruleId.startsWith('CKV_AWS_3'))).toEqual([]);
    expect(r.undecided.map((f) => `${f.ruleId}: ${f.detail}`)).toEqual(['CKV_AWS_38: endpoint_public_access is computed', 'CKV_AWS_39: endpoint_public_access is computed']);
  });
});

describe('suppressions', () => {
  test('a suppression covers the construct and its children; the report keeps the finding and the reason', () => {
    const stack = awsStack();
    const group = new Construct(stack, 'scratch');
    bucket(group, { versioning: false });
    PlatformGuardrails.suppress(group, 'CKV_AWS_21', 'scratch bucket, recreated by every CI run');
    const g = PlatformGuardrails.applyTo(stack);
    Testing.synth(stack);
    expect(guardrailAnnotations(errors(stack))).toEqual([]);
    const r = g.report();
    expect(r.findings.filter((f) => f.ruleId === 'CKV_AWS_21')).toEqual([]);
    expect(r.suppressed).toEqual([expect.objectContaining({ reason: 'scratch bucket, recreated by every CI run', suppressedAt: 'test/scratch', finding: expect.objectContaining({ ruleId: 'CKV_AWS_21', constructPath: 'test/scratch/bucket' }) })]);
    expect(r.suppressions).toEqual([{ ruleId: 'CKV_AWS_21', constructPath: 'test/scratch', reason: 'scratch bucket, recreated by every CI run', appliesTo: undefined, used: 1 }]);
    const md = renderGuardrailReport(r);
    expect(md).toContain('| CKV_AWS_21 | test/scratch | all | scratch bucket, recreated by every CI run | 1 |');
    expect(g.reportMarkdown()).toBe(md);
  });

  test('a suppression needs a known rule and a reason of at least 10 characters', () => {
    const stack = awsStack();
    expect(() => PlatformGuardrails.suppress(stack, 'CKV_AWS_21', 'because')).toThrow(ValidationError);
    expect(() => PlatformGuardrails.suppress(stack, 'CKV_AWS_21', '   short   ')).toThrow(/reason \(" {3}short {3}"\) is invalid: must explain why the finding of CKV_AWS_21 is acceptable, in at least 10 characters/);
    expect(() => PlatformGuardrails.suppress(stack, 'CKV_AWS_9999', 'a long enough reason')).toThrow(/ruleId \("CKV_AWS_9999"\) is invalid/);
    expect(() => PlatformGuardrails.suppress(stack, 'AIP-000', 'a long enough reason')).toThrow(/cannot be suppressed/);
    expect(() => PlatformGuardrails.suppress(stack, 'CKV_AWS_21', 'a long enough reason', { appliesTo: [] })).toThrow(/appliesTo/);
  });

  test('appliesTo narrows a suppression to subjects; an unused suppression is an AIP-000 warning', () => {
    const stack = awsStack();
    const chart = manifests(stack, [
      deployment((d) => (d.spec.template.spec.containers[0].securityContext.privileged = true)),
      deployment((d) => {
        d.metadata.name = 'driver';
        d.metadata.namespace = 'gpu-operator';
        d.spec.template.spec.containers[0].securityContext.privileged = true;
      }, 'DaemonSet'),
    ]);
    PlatformGuardrails.suppress(chart, 'CKV_K8S_16', 'GPU operator operands need the host driver', { appliesTo: ['DaemonSet/gpu-operator/*'] });
    PlatformGuardrails.suppress(chart, 'CKV_K8S_19', 'nothing here uses the host network any more');
    PlatformGuardrails.suppress(chart, 'CKV_K8S_19', 'nothing here uses the host network any more'); // idempotent
    const g = PlatformGuardrails.applyTo(stack);
    Testing.synth(stack);
    const r = g.report();
    expect(r.findings.filter((f) => f.ruleId === 'CKV_K8S_16').map((f) => f.subject)).toEqual(['Deployment/serving/app']);
    expect(r.suppressed.map((s) => s.finding.subject)).toEqual(['DaemonSet/gpu-operator/driver']);
    expect(r.unusedSuppressions.map((s) => s.ruleId)).toEqual(['CKV_K8S_19']);
    expect(r.suppressions).toHaveLength(2);
    expect(guardrailAnnotations(warnings(stack)).filter((w) => w.includes('[AIP-000]'))).toEqual([
      `${chart.node.path}: [AIP-000] Every suppression silences a finding: the suppression of CKV_K8S_19 ("nothing here uses the host network any more") silenced nothing. Fix: remove the suppression (the finding it was for is gone) or move it to the construct that has the finding`,
    ]);
    // check() reports the same without annotating.
    expect(PlatformGuardrails.check(stack).unusedSuppressions.map((s) => s.ruleId)).toEqual(['CKV_K8S_19']);
  });
});

test('an IRSA role made through the cluster is suppressed on the returned ServiceAccountRole', () => {
  const stack = awsStack();
  const c = cluster(stack);
  const role = c.addServiceAccountRole('karpenter', 'karpenter', { statements: [{ actions: ['ec2:TerminateInstances'], resources: ['*'] }] });
  expect(PlatformGuardrails.check(stack).findings.map((f) => `${f.ruleId} ${f.constructPath}`)).toContain('CKV_AWS_355 test/cluster/irsa-karpenter-karpenter/policy');
  PlatformGuardrails.suppress(role, 'CKV_AWS_355', 'Karpenter terminates instances it launched; scoped by tag in production');
  const r = PlatformGuardrails.check(stack);
  expect(r.findings.filter((f) => f.ruleId === 'CKV_AWS_355')).toEqual([]);
  expect(r.suppressions.map((x) => [x.constructPath, x.used])).toEqual([['test/cluster/irsa-karpenter-karpenter', 1]]);
});

describe('catalog', () => {
  test('ids are unique Checkov or AIP ids; every rule has a title, a fix, a SECURITY.md row and targets', () => {
    const ids = GUARDRAIL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of GUARDRAIL_RULES) {
      expect(r.id).toMatch(/^(CKV2?_(AWS|K8S)_\d+|AIP-\d{3})$/);
      expect(Object.values(GuardrailSeverity)).toContain(r.severity);
      for (const s of [r.title, r.fix, r.securityRow, r.area]) expect(s.length).toBeGreaterThanOrEqual(2);
      expect(r.appliesTo.length).toBeGreaterThan(0);
    }
  });
});
