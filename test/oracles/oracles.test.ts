// The oracles themselves must catch mistakes, or every test built on them proves nothing.
import { expectValidChartValues, unknownValuesKeys, valuesSchemaErrors, customResourceErrors, referenceChartVersion } from '../harness/reference';
import { CHARTS } from '../../lib';

describe('chart values oracle', () => {
  test('accepts keys that exist and free-form maps below empty defaults', () => {
    expect(unknownValuesKeys('karpenter', { settings: { clusterName: 'x', interruptionQueue: 'q' }, nodeSelector: { anything: 'goes' }, podAnnotations: { a: 'b' } })).toEqual([]);
  });
  test('rejects a misspelt key and names its path', () => {
    expect(unknownValuesKeys('karpenter', { settings: { clustername: 'x' } })).toEqual(['settings.clustername']);
    expect(() => expectValidChartValues('karpenter', { controler: {} })).toThrow(/unknown values key controler/);
  });
  test('checks vendored subchart keys against the subchart', () => {
    expect(unknownValuesKeys('gpu-operator', { 'node-feature-discovery': { worker: { tolerations: [] }, wrker: {} } })).toEqual(['node-feature-discovery.wrker']);
  });
  test('validates against values.schema.json where the chart ships one', () => {
    expect(valuesSchemaErrors('mlflow', { notAKey: true }).join('\n')).toMatch(/additional/);
    expect(valuesSchemaErrors('mlflow', { replicaCount: 'two' }).join('\n')).toMatch(/replicaCount|must be/);
    expect(valuesSchemaErrors('mlflow', {})).toEqual([]);
  });
  test('every pinned chart matches the reference version', () => {
    const map: Record<string, string> = {
      gpuOperator: 'gpu-operator', dcgmExporter: 'dcgm-exporter', karpenter: 'karpenter', clusterAutoscaler: 'cluster-autoscaler', kubePrometheusStack: 'kube-prometheus-stack',
      prometheusPushgateway: 'prometheus-pushgateway', keda: 'keda', vllmStack: 'vllm-stack', mlflow: 'mlflow', externalSecrets: 'external-secrets', awsLoadBalancerController: 'aws-load-balancer-controller',
    };
    for (const [id, ref] of Object.entries(map)) expect(`${id}@${CHARTS[id as keyof typeof CHARTS].version}`).toBe(`${id}@${referenceChartVersion(ref)}`);
    expect(CHARTS.karpenterCrd.version).toBe(CHARTS.karpenter.version);
  });
});

describe('CRD oracle', () => {
  const nodePool = {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'gpu' },
    spec: {
      template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' }, requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] }] } },
    },
  };
  test('accepts a valid NodePool', () => expect(customResourceErrors(nodePool)).toEqual([]));
  test('rejects an unknown field that Kubernetes would prune silently', () => {
    const bad = JSON.parse(JSON.stringify(nodePool));
    bad.spec.template.spec.taint = [];
    expect(customResourceErrors(bad).join('\n')).toMatch(/must NOT have additional properties.*taint/);
  });
  test('rejects a wrong enum value and a missing required field', () => {
    const bad = JSON.parse(JSON.stringify(nodePool));
    bad.spec.template.spec.requirements[0].operator = 'Within';
    delete bad.spec.template.spec.nodeClassRef;
    const errors = customResourceErrors(bad).join('\n');
    expect(errors).toMatch(/operator/);
    expect(errors).toMatch(/nodeClassRef/);
  });
  test('unknown kinds are an error, not a pass', () => {
    expect(() => customResourceErrors({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } })).toThrow(/no reference CRD/);
  });
});

test('CRD patterns written for Go regular expressions (inline flags) compile and apply', () => {
  const rule = (strategy: string) => ({
    apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r' },
    spec: { groups: [{ name: 'g', partial_response_strategy: strategy, rules: [{ alert: 'A', expr: 'up == 0' }] }] },
  });
  expect(customResourceErrors(rule('WARN'))).toEqual([]);
  expect(customResourceErrors(rule('sometimes')).join('\n')).toMatch(/partial_response_strategy/);
});
