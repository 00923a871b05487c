import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { CHARTS, HelmChart, PlatformNamespace } from '../../lib/k8s';
import { PlatformGuardrails } from '../../lib/policy';
import { awsStack } from '../harness/synth';
import { describeCases } from './fixtures/case';
import { chartWorkload, cronJob, deployment, FixtureChartWorkloads, KUBERNETES_CASES, manifests } from './fixtures/kubernetes';

describeCases('Kubernetes rules: the non-compliant fixture is reported, the compliant one is not', KUBERNETES_CASES);

describe('workloads', () => {
  test('a compliant Deployment with its PDB and a compliant CronJob have no findings and nothing undecided', () => {
    const stack = awsStack();
    manifests(stack, [deployment(), cronJob()]);
    const r = PlatformGuardrails.check(stack);
    expect(r.findings.filter((f) => f.ruleId !== 'AIP-173')).toEqual([]);
    expect(r.undecided).toEqual([]);
  });

  test('findings name the object and the container and are reported on the construct that renders them', () => {
    const stack = awsStack();
    const chart = manifests(stack, [deployment((d) => (d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true))]);
    const [f] = PlatformGuardrails.check(stack).findings.filter((x) => x.ruleId === 'CKV_K8S_20');
    expect(f.constructPath).toBe(chart.node.path);
    expect(f.subject).toBe('Deployment/serving/app');
    expect(f.message).toBe(
      '[CKV_K8S_20] allowPrivilegeEscalation is false, explicitly: Deployment/serving/app: container "app" sets allowPrivilegeEscalation: true. Fix: set securityContext.allowPrivilegeEscalation: false on every container (restrictedContainerSecurityContext())',
    );
  });

  test('objects without a namespace take the release namespace', () => {
    const stack = awsStack();
    manifests(stack, [deployment((d) => delete d.metadata.namespace)], false);
    const subjects = PlatformGuardrails.check(stack).findings.map((f) => f.subject);
    expect(subjects).toContain('Deployment/serving/app');
  });

  test('chart pod settings (IWorkloadSource, source chart): missing fields are undecided, explicit violations are findings', () => {
    const stack = awsStack();
    const src = new FixtureChartWorkloads(stack, 'operator', [
      chartWorkload({ hostNetwork: true, containers: [{ name: 'controller', image: 'ghcr.io/x/operator:latest', resources: { limits: { cpu: '2' } } }] }, { replicas: 2 }),
    ]);
    const r = PlatformGuardrails.check(stack);
    const ids = r.findings.filter((f) => f.constructPath === src.node.path).map((f) => f.ruleId).sort();
    expect(ids).toEqual(['AIP-181', 'CKV_K8S_14', 'CKV_K8S_19']);
    const undecided = new Set(r.undecided.map((f) => f.ruleId));
    for (const id of ['CKV_K8S_20', 'CKV_K8S_23', 'CKV_K8S_9', 'CKV_K8S_10', 'AIP-187', 'AIP-188']) expect(undecided).toContain(id);
    expect(r.undecided.find((f) => f.ruleId === 'CKV_K8S_20')?.detail).toMatch(/left to the chart/);
  });

  test('a workload rendered both by an IWorkloadSource and its ManifestChart is checked once, on the source', () => {
    const stack = awsStack();
    const d = deployment((x) => (x.spec.template.spec.containers[0].securityContext.privileged = true));
    const src = new FixtureChartWorkloads(stack, 'serving', [
      { kind: 'Deployment', name: 'app', namespace: 'serving', source: 'manifest', podSpec: d.spec.template.spec, podMetadata: d.spec.template.metadata, replicas: 2, object: d },
    ]);
    manifests(src, [d]);
    const f = PlatformGuardrails.check(stack).findings.filter((x) => x.ruleId === 'CKV_K8S_16');
    expect(f.map((x) => x.constructPath)).toEqual([src.node.path]);
  });

  test('objects in chart values (extraObjects) are checked as rendered manifests, and their PDBs count', () => {
    const stack = awsStack();
    const d = deployment((x) => (x.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false));
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'app' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'app' } } } };
    delete d.metadata.namespace;
    const chart = new HelmChart(stack, 'chart', { chart: CHARTS.vllmStack, releaseName: 'chat', namespace: 'serving', values: { extraObjects: [d, pdb] } });
    const r = PlatformGuardrails.check(stack);
    expect(r.findings.filter((f) => f.ruleId === 'CKV_K8S_22').map((f) => [f.constructPath, f.subject])).toEqual([[chart.node.path, 'Deployment/serving/app']]);
    expect(r.findings.filter((f) => f.ruleId === 'AIP-187')).toEqual([]);
  });

  test('a Deployment without replicas scaled by an HPA or a KEDA ScaledObject counts as multi-replica', () => {
    const scaled = (scaler: object) => {
      const stack = awsStack();
      manifests(stack, [deployment((d) => delete d.spec.replicas), scaler], false);
      return PlatformGuardrails.check(stack).findings.filter((f) => f.ruleId === 'AIP-187').map((f) => f.detail);
    };
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' };
    expect(scaled({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'app', namespace: 'serving' }, spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 4 } })).toEqual([
      'Deployment/serving/app: scaled above one replica by an autoscaler and no PodDisruptionBudget selecting the pods',
    ]);
    expect(scaled({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'app', namespace: 'serving' }, spec: { scaleTargetRef: { name: 'app' } } })).toHaveLength(1);
    expect(scaled({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'app', namespace: 'serving' }, spec: { scaleTargetRef: { name: 'app' }, maxReplicaCount: 1 } })).toEqual([]);
  });

  test('a namespace given as a reference to its resource compares equal to its name (subjects, PDBs, NetworkPolicies)', () => {
    const stack = awsStack();
    const ns = new PlatformNamespace(stack, 'ns', { name: 'serving' });
    manifests(stack, [deployment((d) => { d.metadata.namespace = ns.name; d.spec.template.spec.containers[0].env = [{ name: 'HF_TOKEN', value: '${random_password.x.result}' }]; })], false);
    new PodDisruptionBudgetV1(stack, 'pdb', { metadata: { name: 'app', namespace: ns.name }, spec: { maxUnavailable: '1', selector: { matchLabels: { app: 'app' } } } });
    const r = PlatformGuardrails.check(stack);
    expect(r.findings.filter((f) => f.ruleId !== 'AIP-173').map((f) => `${f.ruleId} ${f.detail}`)).toEqual(['AIP-185 Deployment/serving/app: container "app" env HF_TOKEN is set from a Terraform secret']);
  });

  test('Terraform references inside manifests are resolved; unknown image tags are undecided', () => {
    const stack = awsStack();
    const image = `${'${'}var.image}`;
    manifests(stack, [deployment((d) => (d.spec.template.spec.containers[0].image = image))]);
    const r = PlatformGuardrails.check(stack);
    expect(r.findings.filter((f) => f.ruleId === 'CKV_K8S_14')).toEqual([]);
    expect(r.undecided.map((f) => f.ruleId)).toContain('CKV_K8S_14');
  });
});
