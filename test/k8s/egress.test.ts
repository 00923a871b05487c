// Issue 16, item 5: every namespace the library creates denies egress by default, and the flows the
// platform needs still pass. Computed from the rendered NetworkPolicies of one platform with every
// namespace-creating feature on (and KEDA and the load balancer controller on their own), with the
// reachability evaluator of test/harness/network-policy.ts.
import { App, Testing, TerraformStack } from 'cdktf';
import { AiPlatform, AutoscalerKind, CapacityPreference, DriftDataFormat, GpuCapacityMode } from '../../lib';
import { AwsLoadBalancerController } from '../../lib/ingress/aws-load-balancer-controller';
import { Keda } from '../../lib/autoscaling/keda';
import { PlatformNamespace } from '../../lib/k8s/platform-namespace';
import { NetworkProtocol } from '../../lib/k8s/egress';
import { engineSelector, routerSelector } from '../../lib/serving/engine-manifests';
import { canConnect, egressAllowed, NetworkPolicy, Pod, renderedNetworkPolicies } from '../harness/network-policy';
import { awsStack, Synth, synth, synthApp } from '../harness/synth';
import { fakeCluster } from '../harness/fakes';

const NS = { serving: 'serving', jobs: 'ml-jobs', mlflow: 'mlflow', monitoring: 'monitoring', gpu: 'gpu-operator', eso: 'external-secrets' } as const;

function platformStacks(): Record<string, Synth> {
  const app: App = Testing.app({ stackTraces: false });
  new AiPlatform(app, 'ai', {
    region: 'us-west-2',
    cluster: { clusterName: 'egress', availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
    gpuPools: [{ poolName: 'inference', mode: GpuCapacityMode.KARPENTER, capacity: CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK, instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'], maxGpus: 8 }],
    observability: {},
    registry: { additionalEgress: [{ name: 'proxy', to: [{ cidr: '10.50.0.0/24' }], ports: [{ port: 3128 }] }] },
    serving: [{
      id: 'chat', gpuPool: 'inference', releaseName: 'chat', namespace: NS.serving,
      models: [{ name: 'llama-8b', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 2 }, maxModelLen: 8192 }],
      autoscaling: { autoscaler: AutoscalerKind.HPA },
    }],
    driftMonitors: [{
      id: 'tickets', name: 'tickets', namespace: NS.jobs, schedule: '0 2 * * *',
      reference: { url: 's3://data/ref.csv', format: DriftDataFormat.CSV },
      current: { url: 's3://data/cur.csv', format: DriftDataFormat.CSV },
    }],
    evaluations: [{ id: 'nightly', name: 'nightly', serving: 'chat', model: 'llama-8b', schedule: '0 3 * * *', datasetUrl: 's3://data/golden.jsonl', gates: [{ metric: 'pass_rate', min: 0.8 }] }],
  });
  return synthApp(app);
}

/** KEDA and the load balancer controller (with its own namespace), which the platform above does not create. */
function operatorStack(): Synth {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  new Keda(stack, 'keda', { cluster });
  new AwsLoadBalancerController(stack, 'alb', { cluster, createNamespace: true, namespace: 'aws-lb' });
  return synth(stack);
}

const stacks = { ...platformStacks(), operators: operatorStack() };
const policies = renderedNetworkPolicies(stacks);

/** Names of every namespace the app creates. */
function createdNamespaces(all: Record<string, Synth>): string[] {
  const out: string[] = [];
  for (const s of Object.values(all)) {
    for (const r of Object.values(s.resource?.kubernetes_namespace_v1 ?? {}) as { metadata: { name: string } | { name: string }[] }[]) {
      const m = Array.isArray(r.metadata) ? r.metadata[0] : r.metadata;
      out.push(m.name);
    }
  }
  return out.sort();
}

/**
 * Namespaces without a default-deny egress: no policy selects every pod for Egress with no rule. (A
 * namespace with such a policy is closed except for what other policies allow.)
 */
function withoutDefaultDenyEgress(ps: NetworkPolicy[], namespaces: string[]): string[] {
  const isDeny = (p: NetworkPolicy) =>
    Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 && (p.spec.podSelector.matchExpressions ?? []).length === 0 &&
    (p.spec.policyTypes ?? []).includes('Egress') && (p.spec.egress ?? []).length === 0;
  return namespaces.filter((ns) => !ps.some((p) => p.metadata.namespace === ns && isDeny(p)));
}

const namespaces = createdNamespaces(stacks);
const pod = (namespace: string, labels: Record<string, string> = { app: 'anything' }, ip?: string): Pod => ({ namespace, labels, ip });
const external = (ip: string): Pod => ({ namespace: '(outside)', labels: {}, ip, external: true });

const kubeDns = pod('kube-system', { 'k8s-app': 'kube-dns' }, '10.0.3.10');
const huggingFace = external('18.239.50.49');
const imds = external('169.254.169.254');
const podIdentityAgent = external('169.254.170.23');
const inVpc = external('10.0.7.20');
const apiService = external('172.20.0.1');
const engine = pod(NS.serving, engineSelector('chat', 'llama-8b'));
const router = pod(NS.serving, routerSelector('chat'));
const driftJob = pod(NS.jobs, { 'app.kubernetes.io/name': 'drift-monitor', 'app.kubernetes.io/instance': 'drift-tickets', 'app.kubernetes.io/component': 'job', 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' });
const evalJob = pod(NS.serving, { 'app.kubernetes.io/name': 'eval-cron-job', 'app.kubernetes.io/instance': 'eval-nightly', 'app.kubernetes.io/component': 'job', 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' });
const pushgateway = pod(NS.monitoring, { 'app.kubernetes.io/name': 'prometheus-pushgateway', 'app.kubernetes.io/instance': 'prometheus-pushgateway' });
const prometheus = pod(NS.monitoring, { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': 'kube-prometheus-stack-prometheus', prometheus: 'kube-prometheus-stack-prometheus' });
const mlflow = pod(NS.mlflow, { 'app.kubernetes.io/name': 'mlflow', 'app.kubernetes.io/instance': 'mlflow' });
const bootstrap = pod(NS.mlflow, { 'app.kubernetes.io/name': 'mlflow-bootstrap', 'app.kubernetes.io/instance': 'mlflow', 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' });

describe('default-deny egress in every namespace the library creates', () => {
  test('the app creates the namespaces this test is about', () => {
    expect(namespaces).toEqual(expect.arrayContaining([NS.serving, NS.jobs, NS.mlflow, NS.monitoring, NS.gpu, NS.eso, 'keda', 'aws-lb']));
  });

  test('each has a default-deny egress policy (before: none had one)', () => {
    expect(withoutDefaultDenyEgress(policies, namespaces)).toEqual([]);
    // The check sees a namespace whose default deny is gone.
    const without = policies.filter((p) => !(p.metadata.namespace === NS.serving && p.metadata.name === 'default-deny-egress'));
    expect(withoutDefaultDenyEgress(without, namespaces)).toEqual([NS.serving]);
  });

  test('an arbitrary pod of any of them reaches neither plain HTTP on the internet, nor instance metadata, nor a foreign namespace', () => {
    const foreign = pod('team-a', { app: 'db' });
    for (const ns of namespaces) {
      const p = pod(ns);
      expect([ns, egressAllowed(policies, p, huggingFace, 80)]).toEqual([ns, false]);
      expect([ns, egressAllowed(policies, p, imds, 80)]).toEqual([ns, false]);
      expect([ns, egressAllowed(policies, p, imds, 443)]).toEqual([ns, false]);
      expect([ns, egressAllowed(policies, p, podIdentityAgent, 80)]).toEqual([ns, false]);
      if (ns !== NS.monitoring && ns !== 'keda') expect([ns, egressAllowed(policies, p, foreign, 5432)]).toEqual([ns, false]);
    }
  });
});

describe('the flows the platform needs still pass', () => {
  test('engines: DNS and HTTPS to the model hub; not the VPC, not the API server, not instance metadata', () => {
    expect(canConnect(policies, engine, kubeDns, 53, 'UDP')).toBe(true);
    expect(canConnect(policies, engine, kubeDns, 53, 'TCP')).toBe(true);
    expect(egressAllowed(policies, engine, huggingFace, 443)).toBe(true);
    expect(egressAllowed(policies, engine, inVpc, 443)).toBe(false);
    expect(egressAllowed(policies, engine, apiService, 443)).toBe(false);
    expect(egressAllowed(policies, engine, imds, 80)).toBe(false);
  });

  test('the router: the engines and the Kubernetes API (it discovers engines through it)', () => {
    expect(canConnect(policies, router, engine, 8000)).toBe(true);
    expect(egressAllowed(policies, router, apiService, 443)).toBe(true);
    expect(egressAllowed(policies, router, inVpc, 443)).toBe(true);
  });

  test('jobs: the Pushgateway and MLflow', () => {
    expect(canConnect(policies, driftJob, pushgateway, 9091)).toBe(true);
    expect(canConnect(policies, evalJob, pushgateway, 9091)).toBe(true);
    expect(canConnect(policies, driftJob, mlflow, 5000)).toBe(true);
    expect(canConnect(policies, evalJob, mlflow, 5000)).toBe(true);
    expect(canConnect(policies, evalJob, router, 8000) || canConnect(policies, evalJob, router, 80)).toBe(true);
  });

  test('MLflow: PostgreSQL in the VPC, S3/STS over HTTPS, and the user-added proxy; the bootstrap reaches MLflow', () => {
    expect(egressAllowed(policies, mlflow, inVpc, 5432)).toBe(true);
    expect(egressAllowed(policies, mlflow, inVpc, 22)).toBe(false);
    expect(egressAllowed(policies, mlflow, huggingFace, 443)).toBe(true);
    expect(egressAllowed(policies, mlflow, external('10.50.0.9'), 3128)).toBe(true);
    expect(egressAllowed(policies, engine, external('10.50.0.9'), 3128)).toBe(false);
    expect(canConnect(policies, bootstrap, mlflow, 5000)).toBe(true);
    expect(egressAllowed(policies, bootstrap, inVpc, 5432)).toBe(false);
  });

  test('operators: the Kubernetes API; ESO and the load balancer controller also AWS over HTTPS; the GPU operator and KEDA not the internet', () => {
    for (const ns of [NS.eso, NS.gpu, NS.monitoring, 'keda', 'aws-lb']) expect([ns, egressAllowed(policies, pod(ns), apiService, 443)]).toEqual([ns, true]);
    expect(egressAllowed(policies, pod(NS.eso), huggingFace, 443)).toBe(true);
    expect(egressAllowed(policies, pod('aws-lb'), huggingFace, 443)).toBe(true);
    expect(egressAllowed(policies, pod(NS.gpu), huggingFace, 443)).toBe(false);
    expect(egressAllowed(policies, pod('keda'), huggingFace, 443)).toBe(false);
    expect(egressAllowed(policies, pod('keda'), prometheus, 9090)).toBe(true);
  });

  test('Prometheus scrapes pods in other namespaces and the nodes', () => {
    expect(egressAllowed(policies, prometheus, engine, 8000)).toBe(true);
    expect(egressAllowed(policies, prometheus, external('10.0.1.5'), 10250)).toBe(true);
    expect(egressAllowed(policies, prometheus, huggingFace, 80)).toBe(false);
  });
});

describe('PlatformNamespace egress options', () => {
  function policiesOf(build: (stack: TerraformStack) => void): NetworkPolicy[] {
    const stack = awsStack();
    build(stack);
    return renderedNetworkPolicies({ s: synth(stack) });
  }

  test('additionalEgress and addEgress open exactly the peers and ports given', () => {
    const ps = policiesOf((stack) => {
      const ns = new PlatformNamespace(stack, 'ns', { name: 'apps', egress: { additionalEgress: [{ name: 'db', podLabels: { app: 'api' }, to: [{ namespace: 'data', podLabels: { app: 'pg' } }], ports: [{ port: 5432 }] }] } });
      ns.addEgress({ name: 'syslog', to: [{ cidr: '10.9.0.0/16', except: ['10.9.1.0/24'] }], ports: [{ port: 514, protocol: NetworkProtocol.UDP }] });
    });
    const api = pod('apps', { app: 'api' });
    const web = pod('apps', { app: 'web' });
    expect(egressAllowed(ps, api, pod('data', { app: 'pg' }), 5432)).toBe(true);
    expect(egressAllowed(ps, web, pod('data', { app: 'pg' }), 5432)).toBe(false);
    expect(egressAllowed(ps, api, pod('data', { app: 'other' }), 5432)).toBe(false);
    expect(egressAllowed(ps, web, external('10.9.3.4'), 514, 'UDP')).toBe(true);
    expect(egressAllowed(ps, web, external('10.9.1.4'), 514, 'UDP')).toBe(false);
    expect(egressAllowed(ps, web, external('10.9.3.4'), 514, 'TCP')).toBe(false);
  });

  test('publicHttps: false closes the internet; defaultDeny: false leaves egress open', () => {
    const closed = policiesOf((stack) => new PlatformNamespace(stack, 'ns', { name: 'apps', egress: { publicHttps: false } }));
    expect(egressAllowed(closed, pod('apps'), huggingFace, 443)).toBe(false);
    expect(egressAllowed(closed, pod('apps'), kubeDns, 53, 'UDP')).toBe(true);
    const open = policiesOf((stack) => new PlatformNamespace(stack, 'ns', { name: 'apps', egress: { defaultDeny: false } }));
    expect(egressAllowed(open, pod('apps'), huggingFace, 80)).toBe(true);
  });

  test('bad rules throw naming the prop, the value and what is valid', () => {
    const stack = awsStack();
    const mk = (id: string, rule: object) => () => new PlatformNamespace(stack, id, { name: 'apps', egress: { additionalEgress: [rule as never] } });
    expect(mk('a', { name: 'x', to: [] })).toThrow(/egress.additionalEgress\[0\].to \(\[\]\) is invalid: must list at least one destination/);
    expect(mk('b', { name: 'x', to: [{ cidr: '10.0.0.0/8', namespace: 'a' }] })).toThrow(/egress.additionalEgress\[0\].to\[0\] .* is invalid: must be either an IP block/);
    expect(mk('c', { name: 'x', to: [{ cidr: '10.0.0.1/8' }] })).toThrow(/egress.additionalEgress\[0\].to\[0\].cidr \("10.0.0.1\/8"\) is invalid/);
    expect(mk('d', { name: 'x', to: [{ cidr: '10.0.0.0/8' }], ports: [{ port: 70000 }] })).toThrow(/egress.additionalEgress\[0\].ports\[0\].port \(70000\) is invalid/);
    expect(mk('e', { name: 'Bad Name', to: [{ cidr: '10.0.0.0/8' }] })).toThrow(/egress.additionalEgress\[0\].name \("Bad Name"\) is invalid/);
    expect(() => new PlatformNamespace(stack, 'f', { name: 'apps', egress: { defaultDeny: false, kubernetesApiClients: [{}] } })).toThrow(/egress.defaultDeny \(false\) is invalid: must stay true/);
  });
});
