// Every Kubernetes object the library puts in a cluster, read from the synthesized Terraform JSON of
// every example and of two platform apps that switch on every optional feature, validates against
// the Kubernetes 1.35 OpenAPI documents (core API) or the reference CRDs (custom resources). An
// object whose apiVersion/kind neither oracle knows fails the suite.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import {
  AiPlatform, AlertReceiverKind, AutoscalerKind, CapacityPreference, DriftDataFormat, GpuCapacityMode, PlatformBackend, Size, Duration, VolumeAccessMode,
} from '../../lib';
import { Synth, synthApp } from '../harness/synth';
import { customResourceErrors, referenceCrdIds } from '../harness/reference';
import { kubernetesObjectErrors, kubernetesTypeErrors, isKubernetesBuiltinKind, gvkOf, kubernetesOpenApiTimingsText } from '../harness/kubernetes-openapi';
import { RenderedObject, renderedObjects, unconvertedKubernetesResources, providerResourceToObject, valuesFragments, ValuesFragment } from '../harness/kubernetes-objects';

const root = path.resolve(__dirname, '..', '..');

/** Runs an example's main.ts as `cdktf synth` would and returns its stacks. */
function synthExample(name: string, env: Record<string, string> = {}): Record<string, Synth> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `k8s-objects-${name}-`));
  const saved = { ...process.env };
  Object.assign(process.env, { CDKTF_OUTDIR: outdir, ...env });
  try {
    // Each main.ts is required once; the library's modules are shared with the rest of this file.
    require(path.join(root, 'examples', name, 'main.ts'));
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
    return Object.fromEntries(Object.entries(manifest.stacks).map(([n, s]) => [n, JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), 'utf8')) as Synth]));
  } finally {
    process.env = saved;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function synthPlatform(build: (app: App) => void): Record<string, Synth> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-objects-'));
  try {
    const app = new App({ outdir, stackTraces: false });
    build(app);
    return synthApp(app);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

/**
 * Created cluster, Karpenter, every serving option (HPA, model cache, ingress, own API key, HF token,
 * clients, alerts), HA observability with a receiver and every object it can add, registry, drift,
 * evaluation.
 */
function everythingKarpenter(app: App): void {
  const platform = new AiPlatform(app, 'full', {
    region: 'us-west-2',
    backend: PlatformBackend.s3({ bucket: 'state', region: 'us-west-2' }),
    cluster: { clusterName: 'ai-full', availabilityZones: AZS },
    gpuPools: [{
      poolName: 'gpu', mode: GpuCapacityMode.KARPENTER, capacity: CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK,
      instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'], maxGpus: 8,
    }],
    observability: {
      replicas: 2,
      alertReceiver: { kind: AlertReceiverKind.SLACK, secretName: 'alert-webhook', secretKey: 'url', slackChannel: '#ml-alerts' },
      storageSize: Size.gibibytes(50),
    },
    registry: {},
    serving: [{
      id: 'chat', gpuPool: 'gpu', releaseName: 'chat',
      models: [{ name: 'llama-8b', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 3 }, maxModelLen: 8192, terminationGracePeriod: Duration.seconds(120), preStopSleep: Duration.seconds(10) }],
      apiKey: { existingSecretName: 'llm-api-key', secretKey: 'key' },
      huggingFaceToken: { secretName: 'hf-token' },
      modelCache: { storageClassName: 'efs-sc', accessMode: VolumeAccessMode.READ_WRITE_MANY, size: Size.gibibytes(200) },
      autoscaling: { autoscaler: AutoscalerKind.HPA },
      ingress: { host: 'llm.internal.example.com', certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/abc-123', clientCidrs: ['10.0.0.0/8'], loadBalancerSourceCidrs: ['10.0.0.0/16'] },
      clientNamespaces: ['apps'],
      alerts: { queueDepth: 20, latencyP95: Duration.seconds(10), kvCacheUsage: 0.9 },
    }],
    existing: { namespaces: ['apps'], secrets: ['monitoring/alert-webhook', 'chat/llm-api-key', 'chat/hf-token'] },
    driftMonitors: [{
      id: 'drift', namespace: 'ml-jobs', schedule: '0 2 * * *', model: 'llama-8b',
      reference: { url: 's3://acme-ml-data/ref.csv', format: DriftDataFormat.CSV }, current: { url: 's3://acme-ml-data/cur/{{date-1d}}/', format: DriftDataFormat.CSV },
    }],
    evaluations: [{ id: 'eval', serving: 'chat', model: 'llama-8b', schedule: '30 3 * * *', datasetUrl: 's3://acme-ml-data/evals/golden.jsonl', gates: [{ metric: 'pass_rate', min: 0.8 }] }],
  });
  const o = platform.observability;
  o.addServiceMonitor({ name: 'app', namespace: 'apps', selector: { app: 'web' }, endpoints: [{ port: 'metrics', interval: Duration.seconds(30) }] });
  o.addPodMonitor({ name: 'workers', namespace: 'apps', selector: { app: 'worker' }, endpoints: [{ port: 'metrics' }] });
  o.addPrometheusRule({ name: 'app-rules', groups: [{ name: 'app', rules: [{ alert: 'AppDown', expr: 'up{job="app"} == 0', forDuration: Duration.minutes(5), labels: { severity: 'warning' } }] }] });
  o.addDashboard('app', JSON.stringify({ title: 'App', panels: [] }));
}

/** Existing cluster, managed node groups with cluster-autoscaler, KEDA scale-to-zero, a generated API key. */
function everythingManagedNodeGroups(app: App): void {
  new AiPlatform(app, 'mng', {
    region: 'eu-west-1',
    existingCluster: {
      clusterName: 'shared', endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthorityData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
      oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC', oidcIssuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
      vpcId: 'vpc-0abc1234def567890', privateSubnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'], clusterSecurityGroupId: 'sg-0123456789abcdef0', region: 'eu-west-1',
      nodeRoleArn: 'arn:aws:iam::111122223333:role/node', nodeRoleName: 'node',
    },
    gpuPools: [{ poolName: 'gpu', mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g6.4xlarge'] }],
    serving: [{
      id: 'llm', gpuPool: 'gpu',
      models: [
        { name: 'qwen-7b', model: 'Qwen/Qwen2.5-7B-Instruct', replicas: { min: 0, max: 2 }, maxModelLen: 8192 },
        { name: 'small', model: 'meta-llama/Llama-3.2-1B-Instruct', replicas: { min: 1, max: 1 }, maxModelLen: 4096 },
      ],
      autoscaling: { autoscaler: AutoscalerKind.KEDA, scaleToZeroCooldown: Duration.minutes(15) },
    }],
  });
}

const apps: Record<string, () => Record<string, Synth>> = {
  'examples/platform': () => synthExample('platform'),
  'examples/minimal': () => synthExample('minimal'),
  'examples/byo-cluster': () => synthExample('byo-cluster'),
  'examples/scale (2 models)': () => synthExample('scale', { MODELS: '2' }),
  'every option, Karpenter': () => synthPlatform(everythingKarpenter),
  'every option, managed node groups, BYO cluster': () => synthPlatform(everythingManagedNodeGroups),
};

const stacks: Record<string, Record<string, Synth>> = {};
const objects: Record<string, RenderedObject[]> = {};
const fragments: Record<string, ValuesFragment[]> = {};
beforeAll(() => {
  for (const [name, build] of Object.entries(apps)) {
    stacks[name] = build();
    objects[name] = Object.entries(stacks[name]).flatMap(([stack, s]) => renderedObjects(stack, s));
    fragments[name] = Object.entries(stacks[name]).flatMap(([stack, s]) => valuesFragments(stack, s));
  }
});

const crdIds = new Set(referenceCrdIds());
const label = (o: RenderedObject) => `${o.stack}: ${o.source} (${gvkOf(o.object)} ${String((o.object.metadata as { name?: unknown } | undefined)?.name)})`;

describe.each(Object.keys(apps))('%s', (name) => {
  test('every core-API object validates against the Kubernetes 1.35 OpenAPI documents', () => {
    const core = objects[name].filter((o) => isKubernetesBuiltinKind(o.object));
    expect(core.length).toBeGreaterThan(0);
    const problems = core.flatMap((o) => kubernetesObjectErrors(o.object).map((e) => `${label(o)} ${e.path}: ${e.message}`));
    expect(problems).toEqual([]);
  });

  test('every custom resource validates against its reference CRD', () => {
    const custom = objects[name].filter((o) => !isKubernetesBuiltinKind(o.object) && crdIds.has(gvkOf(o.object)));
    const problems = custom.flatMap((o) => customResourceErrors(o.object).map((e) => `${label(o)} ${e}`));
    expect(problems).toEqual([]);
  });

  test('Kubernetes fragments in third-party chart values (resources, affinity, tolerations, security contexts, volumes, env) validate', () => {
    const problems = fragments[name].flatMap((f) => {
      const byType = f.types.map((t) => kubernetesTypeErrors(t, f.value));
      if (byType.some((e) => e.length === 0)) return [];
      return byType.flatMap((errs, i) => errs.map((e) => `${f.stack}: ${f.source} as ${f.types[i].split('.').pop()} ${e.path}: ${e.message}`));
    });
    expect(problems).toEqual([]);
  });

  test('every object is known to one of the two oracles, and every kubernetes_* resource is read', () => {
    expect(objects[name].filter((o) => !isKubernetesBuiltinKind(o.object) && !crdIds.has(gvkOf(o.object))).map(label)).toEqual([]);
    expect(unconvertedKubernetesResources(stacks[name])).toEqual([]);
  });
});

test('the apps cover every kind the library renders', () => {
  const kinds = new Set(Object.values(objects).flat().map((o) => gvkOf(o.object)));
  // Guards the coverage of the apps above: dropping a feature from them must not go unnoticed.
  expect([...kinds].sort()).toMatchSnapshot();
});

test('the local chart renders each `manifests` entry verbatim (what the harness assumes)', () => {
  const template = fs.readFileSync(path.join(root, 'charts', 'manifests', 'templates', 'manifests.yaml'), 'utf8');
  expect(fs.readdirSync(path.join(root, 'charts', 'manifests', 'templates'))).toEqual(['manifests.yaml']);
  expect(template.trim()).toBe('{{- range $i, $m := .Values.manifests }}\n---\n{{ toYaml $m }}\n{{- end }}');
});

test('provider resources are converted to the API shape, and a misspelt provider argument is reported', () => {
  const pdb = providerResourceToObject('kubernetes_pod_disruption_budget_v1', {
    '//': {}, depends_on: ['x'], metadata: { name: 'mlflow', namespace: 'mlflow' }, spec: { min_available: '1', selector: { match_labels: { app: 'mlflow' } } },
  });
  expect(pdb).toEqual({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'mlflow', namespace: 'mlflow' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'mlflow' } } } });
  const np = providerResourceToObject('kubernetes_network_policy_v1', {
    metadata: [{ name: 'n' }], spec: [{ pod_selector: [{}], policy_types: ['Ingress'], ingress: [{ from: [{ ip_block: [{ cidr: '10.0.0.0/8' }] }], ports: [{ port: 'http', protocol: 'TCP' }] }] }],
  });
  expect(np).toEqual({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 'http', protocol: 'TCP' }] }] } });
  const secret = providerResourceToObject('kubernetes_secret_v1', { metadata: { name: 's' }, data: { a: 'x' }, data_wo: { b: '${ephemeral.x.y}' }, data_wo_revision: 1 });
  expect(secret).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==', b: '${ephemeral.x.y}' } });
  expect(kubernetesObjectErrors(secret).map((e) => e.path)).toEqual([]);
  const typo = providerResourceToObject('kubernetes_network_policy_v1', { metadata: { name: 'n' }, spec: { pod_selectr: {} } });
  expect(kubernetesObjectErrors(typo).map((e) => e.path)).toContain('.spec.pod_selectr');
});

test('objects and fragments are found in values documents; a misspelt fragment field is reported', () => {
  const values = {
    controller: { extraObjects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { grafana: 'rate($${__interval})' } }] },
    affinity: { nodeAfinity: {} },
    securityContext: { operator: { runAsNonRot: true, runAsUser: 1000 }, webhooks: { runAsNonRoot: true } },
    resources: { limits: { cpu: null, memory: '1Gi' } },
    podSecurityContext: { enabled: true, fsGroup: 1000 },
    env: { NOT_A_LIST: 'chart-specific map' },
  };
  const synth = {
    resource: {
      helm_release: {
        other: { chart: 'some-chart', values: [JSON.stringify(values)] },
        local: { chart: './assets/ai-platform-manifests-chart/ABC', values: [JSON.stringify({ manifests: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } }] })] },
      },
    },
  } as unknown as Synth;
  expect(renderedObjects('s', synth).map((o) => `${o.source} ${gvkOf(o.object)}`)).toEqual(['helm_release.other values.controller.extraObjects[0] v1/ConfigMap', 'helm_release.local values.manifests[0] v1/ServiceAccount']);
  expect((renderedObjects('s', synth)[0].object.data as Record<string, string>).grafana).toBe('rate(${__interval})');
  const found = valuesFragments('s', synth);
  expect(found.map((f) => f.source)).toEqual([
    'helm_release.other values.affinity', 'helm_release.other values.securityContext.operator', 'helm_release.other values.securityContext.webhooks',
    'helm_release.other values.resources', 'helm_release.other values.podSecurityContext',
  ]);
  const invalid = found.filter((f) => f.types.every((t) => kubernetesTypeErrors(t, f.value).length > 0)).map((f) => f.source);
  expect(invalid).toEqual(['helm_release.other values.affinity', 'helm_release.other values.securityContext.operator']);
});

afterAll(() => {
  const count = Object.values(objects).reduce((n, o) => n + o.length, 0);
  const fragmentCount = Object.values(fragments).reduce((n, o) => n + o.length, 0);
  process.stdout.write(`rendered objects: ${count}, values fragments: ${fragmentCount}; ${kubernetesOpenApiTimingsText()}\n`);
});
