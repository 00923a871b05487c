/* eslint-disable @typescript-eslint/no-explicit-any */
import * as YAML from 'yaml';
import { CHARTS } from '../../lib/k8s/charts';
import { AwsLoadBalancerController } from '../../lib/ingress';
import { validateStatements } from '../../lib/cluster/iam';
import { awsStack, synth, resources } from '../harness/synth';
import { expectValidChartValues, referenceChartVersion } from '../harness/reference';
import { fakeCluster } from '../serving/fakes';
import { awsLoadBalancerControllerStatements } from '../../lib/ingress/alb-controller-policy';
import { arnPartition } from '../../lib/core/regions';
import { ImportedCluster } from '../../lib/cluster';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import * as fs from 'fs';
import * as path from 'path';

function build(props: Partial<ConstructorParameters<typeof AwsLoadBalancerController>[2]> = {}) {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const alb = new AwsLoadBalancerController(stack, 'alb', { cluster, ...props });
  return { stack, cluster, alb, s: synth(stack) };
}

function values(s: ReturnType<typeof synth>): any {
  const rel = Object.values(resources(s, 'helm_release')).find((r) => r.chart === 'aws-load-balancer-controller') as { values: string[] };
  return YAML.parse(rel.values[0]);
}

describe('AwsLoadBalancerController', () => {
  const base = build();

  test('installs the pinned chart (the reference version) and waits for the webhook before Ingresses (GPU-OPERATIONS 26)', () => {
    expect(CHARTS.awsLoadBalancerController.version).toBe(referenceChartVersion('aws-load-balancer-controller'));
    const rel = Object.values(resources(base.s, 'helm_release'))[0];
    expect(rel).toMatchObject({ chart: 'aws-load-balancer-controller', version: '3.5.0', namespace: 'kube-system', wait: true });
    expect(base.alb.dependable).toBe(base.alb.chart.release);
    expect(base.alb.ingressClassName).toBe('alb');
  });

  test('every values key exists in the chart defaults', () => {
    expectValidChartValues('aws-load-balancer-controller', base.alb.chart.renderedValues());
    expect(() => expectValidChartValues('aws-load-balancer-controller', { ...base.alb.chart.renderedValues(), vpcID: 'x' })).toThrow(/vpcID/);
  });

  test('cluster name, region and VPC id are explicit; IRSA on the service account; system nodes; restricted; PDB; no Service mutation', () => {
    const v = values(base.s);
    expect(v).toMatchObject({ clusterName: 'demo', region: 'us-west-2', vpcId: 'vpc-123', replicaCount: 2, enableServiceMutatorWebhook: false });
    expect(v.serviceAccount.name).toBe('aws-load-balancer-controller');
    expect(v.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    expect(v.nodeSelector).toEqual({ 'ai-platform.cdktf.io/node-role': 'system' });
    expect(v.securityContext).toEqual({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(v.podSecurityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(v.resources.limits).toEqual({ memory: '512Mi' });
    expect(v.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
  });

  test('the IRSA role trusts only kube-system/aws-load-balancer-controller and carries the documented permissions', () => {
    const docs = Object.values((base.s.data ?? {}).aws_iam_policy_document ?? {}) as any[];
    const trust = docs.find((d) => d.statement[0].actions.includes('sts:AssumeRoleWithWebIdentity'));
    expect(JSON.stringify(trust)).toContain('system:serviceaccount:kube-system:aws-load-balancer-controller');
    const policy = docs.find((d) => d.statement.some((s: any) => s.sid === 'Describe'));
    expect(policy.statement.map((s: any) => s.sid)).toEqual(awsLoadBalancerControllerStatements().map((s) => s.sid));
    expect(Object.keys(resources(base.s, 'aws_iam_role_policy'))).toHaveLength(1);
  });

  test('documented policy: no * action, mutations limited to resources tagged by the controller', () => {
    const st = awsLoadBalancerControllerStatements();
    expect(() => validateStatements(base.alb, 'statements', st)).not.toThrow();
    expect(st.flatMap((s) => s.actions).some((a) => a.endsWith(':*') || a === '*')).toBe(false);
    const bySid = Object.fromEntries(st.map((s) => [s.sid, s]));
    expect(bySid.ManageOwnBalancers.conditions).toEqual([{ test: 'Null', variable: 'aws:ResourceTag/elbv2.k8s.aws/cluster', values: ['false'] }]);
    expect(bySid.ManageOwnSecurityGroups.actions).toContain('ec2:DeleteSecurityGroup');
    expect(bySid.ManageOwnSecurityGroups.conditions).toHaveLength(1);
    expect(bySid.CreateElbServiceLinkedRole.conditions).toEqual([{ test: 'StringEquals', variable: 'iam:AWSServiceName', values: ['elasticloadbalancing.amazonaws.com'] }]);
    expect(bySid.Targets.resources).toEqual(['arn:aws:elasticloadbalancing:*:*:targetgroup/*/*']);
    expect(awsLoadBalancerControllerStatements('aws-cn').find((s) => s.sid === 'Targets')!.resources).toEqual(['arn:aws-cn:elasticloadbalancing:*:*:targetgroup/*/*']);
  });

  test('partition follows the region: the catalog for a plain region, one data source per scope otherwise', () => {
    const stack = awsStack();
    expect(arnPartition(stack, 'us-west-2')).toBe('aws');
    expect(arnPartition(stack, 'cn-north-1')).toBe('aws-cn');
    expect(arnPartition(stack, 'us-gov-west-1')).toBe('aws-us-gov');
    expect(arnPartition(stack, 'eu-south-9')).toBe('aws'); // shaped like a commercial region, newer than the catalog
    expect(arnPartition(stack, 'xx-nowhere-1')).toMatch(/^\$\{TfToken/);
    expect(arnPartition(stack, undefined)).toMatch(/^\$\{TfToken/);
    expect(arnPartition(stack, new DataAwsRegion(stack, 'r').name)).toMatch(/^\$\{TfToken/);
    const data = (synth(stack) as { data?: Record<string, Record<string, unknown>> }).data ?? {};
    expect(Object.keys(data.aws_partition ?? {})).toHaveLength(1);
  });

  test('a cluster region Terraform only knows (AiCluster.region) takes the partition from the provider, not "aws"', () => {
    const stack = awsStack();
    const region = new DataAwsRegion(stack, 'region').name;
    const cluster = new ImportedCluster(stack, 'cluster', {
      clusterName: 'demo', endpoint: 'https://example.eks.amazonaws.com', certificateAuthorityData: 'Y2E=',
      oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
      oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/ABC', vpcId: 'vpc-123', privateSubnetIds: ['subnet-a', 'subnet-b'],
      clusterSecurityGroupId: 'sg-123', region,
    });
    new AwsLoadBalancerController(stack, 'alb', { cluster });
    const json = JSON.stringify(synth(stack));
    expect(json).toContain('arn:${data.aws_partition.');
    expect(json).not.toContain('"arn:aws:elasticloadbalancing');
  });

  test('lib/ obtains the ARN partition one way (core/regions arnPartition)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const f = path.join(dir, e.name);
        if (e.isDirectory()) { if (e.name !== 'jobs') walk(f); } // lib/jobs: in-cluster code (DNS suffixes, no ARNs)
        else if (f.endsWith('.ts') && !f.endsWith(path.join('core', 'regions.ts'))) {
          const text = fs.readFileSync(f, 'utf8');
          if (/new DataAwsPartition\b|'aws-us-gov'|startsWith\('us-gov-'\)/.test(text)) offenders.push(path.relative(process.cwd(), f));
        }
      }
    };
    walk(path.join(__dirname, '..', '..', 'lib'));
    expect(offenders).toEqual([]);
  });

  test('own namespace option: restricted namespace plus an allow for the webhook port', () => {
    const own = build({ namespace: 'alb', createNamespace: true });
    const policies = Object.values(resources(own.s, 'kubernetes_network_policy_v1')) as any[];
    expect(policies.find((p) => p.metadata.name === 'aws-load-balancer-controller-webhook').spec.ingress).toEqual([{ ports: [{ port: '9443', protocol: 'TCP' }] }]);
    const docs = Object.values((own.s.data ?? {}).aws_iam_policy_document ?? {}) as any[];
    expect(JSON.stringify(docs)).toContain('system:serviceaccount:alb:aws-load-balancer-controller');
  });

  test('once per cluster', () => {
    expect(AwsLoadBalancerController.forCluster(base.stack, base.cluster)).toBe(base.alb);
    expect(() => new AwsLoadBalancerController(base.stack, 'alb-2', { cluster: base.cluster })).toThrow(/already has an AWS Load Balancer Controller/);
    expect(() => build({ replicas: 9 })).toThrow(/replicas \(9\) is invalid/);
  });

  test('renderedWorkloads reports the controller pod settings', () => {
    const [w] = base.alb.renderedWorkloads();
    expect(w).toMatchObject({ kind: 'HelmValues', name: 'aws-load-balancer-controller', namespace: 'kube-system', replicas: 2 });
  });
});
