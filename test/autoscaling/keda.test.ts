/* eslint-disable @typescript-eslint/no-explicit-any */
import * as YAML from 'yaml';
import { CHARTS } from '../../lib/k8s/charts';
import { Keda } from '../../lib/autoscaling';
import { awsStack, synth, resources } from '../harness/synth';
import { expectValidChartValues, expectValidCustomResource, referenceChartVersion } from '../harness/reference';
import { fakeCluster } from '../serving/fakes';
import { buildPodsMetricHpa, buildPrometheusScaledObject } from '../../lib/autoscaling/scaled-object';

function build(props: Partial<ConstructorParameters<typeof Keda>[2]> = {}) {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const keda = new Keda(stack, 'keda', { cluster, ...props });
  return { stack, cluster, keda, s: synth(stack) };
}

function values(s: ReturnType<typeof synth>): any {
  const rel = Object.values(resources(s, 'helm_release')).find((r) => r.chart === 'keda') as { values: string[] };
  return YAML.parse(rel.values[0]);
}

describe('Keda', () => {
  const base = build();

  test('installs the pinned chart (the reference version) with its CRDs and waits for the webhook', () => {
    expect(CHARTS.keda.version).toBe(referenceChartVersion('keda'));
    const rel = Object.values(resources(base.s, 'helm_release'))[0];
    expect(rel).toMatchObject({ chart: 'keda', version: CHARTS.keda.version, repository: CHARTS.keda.repository, wait: true, skip_crds: false });
    expect(values(base.s).crds).toEqual({ install: true });
    expect(base.keda.dependable).toBe(base.keda.chart.release);
  });

  test('every values key exists in the chart defaults', () => {
    expectValidChartValues('keda', base.keda.chart.renderedValues());
    expect(() => expectValidChartValues('keda', { ...base.keda.chart.renderedValues(), operatr: {} })).toThrow(/operatr/);
  });

  test('on the system nodes, HA operator and webhook with PDBs, restricted pods, memory limits and no CPU limits', () => {
    const v = values(base.s);
    expect(v.nodeSelector).toEqual({ 'ai-platform.cdktf.io/node-role': 'system' });
    expect(v.operator.replicaCount).toBe(2);
    expect(v.webhooks.replicaCount).toBe(2);
    expect(v.podDisruptionBudget).toEqual({ operator: { minAvailable: 1 }, webhooks: { minAvailable: 1 } });
    for (const part of ['operator', 'metricServer', 'webhooks']) {
      expect(v.podSecurityContext[part]).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(v.securityContext[part]).toEqual({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
      // null removes the chart's default `cpu: 1` limit (Helm deletes keys set to null).
      expect(v.resources[part].limits).toEqual({ cpu: null, memory: '1000Mi' });
      expect(v.resources[part].requests.cpu).toBeDefined();
    }
    const one = values(build({ replicas: 1 }).s);
    expect(one.podDisruptionBudget).toEqual({ operator: {}, webhooks: {} });
  });

  test('own restricted namespace, with the API server admitted to the metrics API and webhook ports', () => {
    const ns = Object.values(resources(base.s, 'kubernetes_namespace_v1'))[0] as any;
    expect(ns.metadata.name).toBe('keda');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const policies = Object.values(resources(base.s, 'kubernetes_network_policy_v1')) as any[];
    const allow = policies.find((p) => p.metadata.name === 'keda-allow-api-server');
    expect(allow.spec.ingress[0].ports.map((p: any) => p.port)).toEqual(['6443', '9443']);
    expect(allow.spec.ingress[1].from).toEqual([{ pod_selector: {} }]);
    expect(policies.some((p) => p.metadata.name === 'default-deny-ingress')).toBe(true);
    const existing = build({ createNamespace: false, namespace: 'kube-system' });
    expect(resources(existing.s, 'kubernetes_namespace_v1')).toEqual({});
    expect(existing.keda.namespace).toBe('kube-system');
  });

  test('once per cluster: forCluster returns the installed one; a second install is rejected', () => {
    expect(Keda.forCluster(base.stack, base.cluster)).toBe(base.keda);
    expect(() => new Keda(base.stack, 'keda-2', { cluster: base.cluster })).toThrow(/cluster .* is invalid: already has KEDA \(test\/keda\)/);
    const stack = awsStack();
    const cluster = fakeCluster(stack);
    const created = Keda.forCluster(stack, cluster);
    expect(created.node.path).toBe('test/keda');
    expect(Keda.forCluster(stack, cluster)).toBe(created);
  });

  test('bad input throws naming the prop', () => {
    expect(() => build({ replicas: 0 })).toThrow(/replicas \(0\) is invalid/);
    expect(() => build({ namespace: 'KEDA' })).toThrow(/namespace \("KEDA"\) is invalid/);
  });

  test('renderedWorkloads reports the three components for the policy Aspect', () => {
    const w = base.keda.renderedWorkloads();
    expect(w.map((x) => x.name)).toEqual(['keda-operator', 'keda-metricsServer', 'keda-webhooks']);
    expect((w[0].podSpec.containers as any)[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });
});

describe('ScaledObject and HPA builders', () => {
  const so = buildPrometheusScaledObject({
    name: 'm', namespace: 'ns', deploymentName: 'd', minReplicas: 0, maxReplicas: 3, prometheusUrl: 'http://prom:9090',
    triggers: [{ name: 'q', query: 'sum(x)', threshold: 5 }, { name: 'wake', query: 'sum(rate(y[2m]))', threshold: 1000, activationThreshold: 0 }],
  });

  test('the ScaledObject validates against the keda.sh/v1alpha1 CRD (unknown fields rejected)', () => {
    expectValidCustomResource(so);
    const typo: object = { ...so, spec: { ...(so.spec as any), minReplicas: 1 } };
    expect(() => expectValidCustomResource(typo)).toThrow(/minReplicas/);
  });

  test('Prometheus triggers with AverageValue, null-safe queries, fallback keeping current replicas, slow scale-down', () => {
    const spec = so.spec as any;
    expect(spec.triggers[0]).toEqual({ type: 'prometheus', name: 'q', metricType: 'AverageValue', metadata: { serverAddress: 'http://prom:9090', query: 'sum(x)', threshold: '5', activationThreshold: '0', ignoreNullValues: 'true' } });
    expect(spec.fallback).toEqual({ failureThreshold: 3, replicas: 1, behavior: 'currentReplicasIfHigher' });
    expect(spec.cooldownPeriod).toBe(1800);
    expect(spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] });
    const fixedMin = buildPrometheusScaledObject({ name: 'm', namespace: 'ns', deploymentName: 'd', minReplicas: 2, maxReplicas: 3, prometheusUrl: 'p', triggers: [{ name: 'q', query: 'x', threshold: 1 }] });
    expect((fixedMin.spec as any).cooldownPeriod).toBeUndefined();
    expect((fixedMin.spec as any).fallback.replicas).toBe(2);
  });

  test('HPA fallback: autoscaling/v2 with a Pods metric', () => {
    const hpa = buildPodsMetricHpa({ name: 'h', namespace: 'ns', deploymentName: 'd', minReplicas: 1, maxReplicas: 4, metricName: 'vllm_num_requests_waiting', targetAverageValue: 5 });
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect((hpa.spec as any).metrics).toEqual([{ type: 'Pods', pods: { metric: { name: 'vllm_num_requests_waiting' }, target: { type: 'AverageValue', averageValue: '5' } } }]);
    expect((hpa.spec as any).behavior.scaleUp.policies).toEqual([{ type: 'Pods', value: 2, periodSeconds: 60 }]);
  });
});
