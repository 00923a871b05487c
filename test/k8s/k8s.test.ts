import * as YAML from 'yaml';
import { HelmChart, ManifestChart, PlatformNamespace, PodSecurityLevel, CHARTS } from '../../lib';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { awsStack, synth, resources } from '../harness/synth';
import { escapeTemplate, mergeValues } from '../../lib/k8s/values';
import { restrictedContainerSecurityContext } from '../../lib/k8s/pod-security';
import { restrictedPodSecurityContext } from '../../lib/k8s/pod-security';

type Rel = { values: string[]; chart: string; version?: string; repository?: string; depends_on?: string[]; wait?: boolean; create_namespace?: boolean };

function releases(s: ReturnType<typeof synth>): Rel[] {
  return Object.values(resources(s, 'helm_release')) as unknown as Rel[];
}

describe('HelmChart', () => {
  test('pins the chart, serializes values as parseable YAML, resolves tokens and escapes template sequences', () => {
    const stack = awsStack();
    const role = new IamRole(stack, 'role', { assumeRolePolicy: '{}' });
    const chart = new HelmChart(stack, 'karpenter', {
      chart: CHARTS.karpenter,
      releaseName: 'karpenter',
      namespace: 'kube-system',
      values: { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': role.arn } }, dashboard: 'Grafana ${datasource} %{if}' },
      extraValues: { replicas: 3 },
    });
    chart.addValues({ settings: { clusterName: 'demo' } });
    const [rel] = releases(synth(stack));
    expect(rel).toMatchObject({ chart: 'karpenter', version: '1.14.1', repository: 'oci://public.ecr.aws/karpenter', wait: true, create_namespace: false });
    expect(rel.values).toHaveLength(2);
    const first = YAML.parse(rel.values[0]);
    expect(first.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toBe('${aws_iam_role.role.arn}');
    expect(first.dashboard).toBe('Grafana $${datasource} %%{if}');
    expect(first.settings).toEqual({ clusterName: 'demo' });
    expect(YAML.parse(rel.values[1])).toEqual({ replicas: 3 });
    expect(chart.renderedValues()).toMatchObject({ replicas: 3, settings: { clusterName: 'demo' } });
  });

  test('rejects a release name Kubernetes would reject', () => {
    expect(() => new HelmChart(awsStack(), 'x', { chart: CHARTS.keda, releaseName: 'KEDA', namespace: 'keda', values: {} })).toThrow(/releaseName \("KEDA"\) is invalid/);
  });
});

describe('values helpers', () => {
  test('mergeValues merges maps, replaces lists, deletes on null', () => {
    expect(mergeValues({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, d: null })).toEqual({ a: { b: 1, c: [2] } });
  });
  test('escapeTemplate leaves cdktf tokens alone', () => {
    expect(escapeTemplate('${TfToken[TOKEN.1]} ${x}')).toBe('${TfToken[TOKEN.1]} $${x}');
  });
});

describe('ManifestChart', () => {
  test('applies objects through the local chart, after its dependencies', () => {
    const stack = awsStack();
    const crds = new HelmChart(stack, 'crds', { chart: CHARTS.karpenterCrd, releaseName: 'karpenter-crd', namespace: 'kube-system', values: {} });
    const m = new ManifestChart(stack, 'objects', { releaseName: 'gpu-pools', namespace: 'kube-system', dependsOn: [crds.release] });
    m.addManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'kube-system' }, data: { x: '${not-a-template}' } });
    expect(() => m.addManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'kube-system' } })).toThrow(/added twice/);
    const s = synth(stack);
    const rel = releases(s).find((r) => r.chart.includes('assets'))!;
    expect(rel.chart).toMatch(/^\.\/assets\/ai-platform-manifests-chart\/[0-9A-F]+\/?/i);
    expect(rel.depends_on!.some((d) => d.startsWith('helm_release.crds'))).toBe(true);
    const values = YAML.parse(rel.values[0]);
    expect(values.manifests[0].data.x).toBe('$${not-a-template}');
  });

  test('the local chart renders every object as its own document', () => {
    const fs = require('fs') as typeof import('fs');
    const tpl = fs.readFileSync(`${__dirname}/../../charts/manifests/templates/manifests.yaml`, 'utf8');
    expect(tpl).toMatch(/range .* \.Values\.manifests/);
    expect(tpl).toMatch(/^---$/m);
    expect(tpl).toMatch(/toYaml \$m/);
  });
});

describe('PlatformNamespace and pod defaults', () => {
  test('restricted by default with a default-deny ingress policy', () => {
    const stack = awsStack();
    new PlatformNamespace(stack, 'serving', { name: 'serving' });
    new PlatformNamespace(stack, 'gpu', { name: 'gpu-operator', podSecurity: PodSecurityLevel.PRIVILEGED, defaultDenyIngress: false });
    const s = synth(stack);
    const ns = Object.values(resources(s, 'kubernetes_namespace_v1')) as { metadata: { name: string; labels: Record<string, string> } }[];
    expect(ns.find((n) => n.metadata.name === 'serving')!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(ns.find((n) => n.metadata.name === 'gpu-operator')!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const np = Object.values(resources(s, 'kubernetes_network_policy_v1')) as { metadata: { name: string; namespace: string }; spec: { pod_selector: unknown; policy_types: string[] } }[];
    const ingress = np.filter((p) => p.spec.policy_types.includes('Ingress'));
    expect(ingress).toHaveLength(1);
    expect(ingress[0].metadata.namespace).toMatch(/serving_namespace/);
    // Egress is denied by default in both (see test/k8s/egress.test.ts for what stays open).
    expect(np.filter((p) => p.metadata.name === 'default-deny-egress')).toHaveLength(2);
  });
  test('restricted security contexts', () => {
    expect(restrictedContainerSecurityContext()).toEqual({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(restrictedPodSecurityContext()).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });
});
