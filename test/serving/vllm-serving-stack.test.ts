/* eslint-disable @typescript-eslint/no-explicit-any */
import * as YAML from 'yaml';
import { TerraformStack } from 'cdktf';
import { CHARTS } from '../../lib/k8s/charts';
import { GpuCapacityMode, CapacityPreference } from '../../lib/gpu/types';
import { Keda } from '../../lib/autoscaling/keda';
import { AwsLoadBalancerController } from '../../lib/ingress/aws-load-balancer-controller';
import { Duration, Size } from '../../lib/core/units';
import {
  VllmServingStack, VllmServingStackProps, VllmModelOptions, AutoscalerKind, ScalingMetric, ModelPrecision, VolumeAccessMode, SERVING_IMAGES,
  RouterRoutingLogic, KvCacheDtype,
} from '../../lib/serving';
import { awsStack, awsOnly, synth, resources, warnings, Synth } from '../harness/synth';
import { expectValidChartValues, expectValidCustomResource, referenceChartVersion } from '../harness/reference';
import { itWithTerraform, terraformCheck } from '../harness/terraform';
import { FakeGpuPool, FakeMetrics, FakePoolOptions, fakeCluster } from './fakes';

type Obj = Record<string, any>;

const LLAMA_8B: VllmModelOptions = { name: 'llama-8b', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 4 } };

interface BuildOptions {
  readonly pool?: FakePoolOptions;
  readonly metrics?: boolean;
  readonly props?: Partial<VllmServingStackProps>;
  readonly id?: string;
}

function build(o: BuildOptions = {}) {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const gpuPool = new FakeGpuPool(stack, 'pool', o.pool);
  const metrics = o.metrics === false ? undefined : new FakeMetrics(stack, 'metrics');
  const serving = new VllmServingStack(stack, o.id ?? 'chat', { cluster, gpuPool, metrics, models: [LLAMA_8B], ...o.props });
  return { stack, cluster, gpuPool, metrics, serving };
}

function synthOf(stack: TerraformStack): Synth {
  return synth(stack);
}

/** The default stack (`build()`), synthesized once for the file; each caller gets its own copy. */
let defaultSynth: Synth | undefined;
function synthOfDefault(): Synth {
  defaultSynth ??= synthOf(build().stack);
  return structuredClone(defaultSynth);
}

function releases(s: Synth): Obj[] {
  return Object.values(resources(s, 'helm_release')) as Obj[];
}

function release(s: Synth, name: string): Obj {
  const r = releases(s).find((x) => x.name === name);
  if (!r) throw new Error(`no release ${name}: ${releases(s).map((x) => x.name).join(', ')}`);
  return r;
}

function values(s: Synth, name: string): Obj {
  return YAML.parse(release(s, name).values[0]) as Obj;
}

function objects(s: Synth, name = 'chat'): Obj[] {
  return values(s, name).extraObjects as Obj[];
}

function find(list: Obj[], kind: string, name?: string): Obj {
  const o = list.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind} ${name ?? ''}`);
  return o;
}

function engine(s: Synth, model = 'llama-8b', rel = 'chat'): { deployment: Obj; pod: Obj; container: Obj } {
  const deployment = find(objects(s, rel), 'Deployment', `${rel}-${model}-engine`);
  const pod = deployment.spec.template.spec;
  return { deployment, pod, container: pod.containers[0] };
}

function manifests(s: Synth, name: string): Obj[] {
  return values(s, name).manifests as Obj[];
}

function argValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('VllmServingStack: chart and router', () => {
  const b = build();
  const s = synthOf(b.stack);

  test('installs the pinned production-stack chart (the reference version) without its LoRA CRD', () => {
    expect(CHARTS.vllmStack.version).toBe(referenceChartVersion('vllm-stack'));
    expect(release(s, 'chat')).toMatchObject({ chart: 'vllm-stack', version: '0.1.12', repository: CHARTS.vllmStack.repository, skip_crds: true, wait: true });
  });

  test('every values key exists in the chart defaults and the values validate against values.schema.json', () => {
    expectValidChartValues('vllm-stack', b.serving.chart.renderedValues());
    expectValidChartValues('vllm-stack', values(s, 'chat'));
  });

  test('the values oracle rejects a misspelt key and a schema violation (proves the check above)', () => {
    const v = b.serving.chart.renderedValues() as Obj;
    expect(() => expectValidChartValues('vllm-stack', { ...v, routerSpec: { ...v.routerSpec, replicaCnt: 2 } })).toThrow(/routerSpec.replicaCnt/);
    expect(() => expectValidChartValues('vllm-stack', { ...v, routerSpec: { ...v.routerSpec, routingLogic: 'random' } })).toThrow(/schema/);
  });

  test('the chart engine template is off: engines come from extraObjects (grace period, preStop, spread)', () => {
    const v = values(s, 'chat');
    expect(v.servingEngineSpec).toEqual({ enableEngine: false });
    expect(objects(s).filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['chat-llama-8b-engine']);
    // extraObjects go through `tpl`: nothing may look like a template.
    expect(JSON.stringify(v.extraObjects)).not.toContain('{{');
  });

  test('router: pinned image, retries on another engine, discovers exactly this stack\'s engine pods', () => {
    const r = values(s, 'chat').routerSpec;
    expect(r).toMatchObject({ repository: SERVING_IMAGES.router.repository, tag: SERVING_IMAGES.router.tag, imagePullPolicy: 'IfNotPresent', serviceType: 'ClusterIP', serviceDiscovery: 'k8s', k8sServiceDiscoveryType: 'pod-ip', routingLogic: 'roundrobin' });
    expect(r.tag).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(argValue(r.extraArgs, '--max-instance-failover-reroute-attempts')).toBe('2');
    const selector = Object.fromEntries(argValue(r.extraArgs, '--k8s-label-selector')!.split(',').map((kv: string) => kv.split('=')));
    const podLabels = engine(s).deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(selector)) expect(podLabels[k]).toBe(v);
    expect(podLabels.model).toBe('llama-8b');
  });

  test('router: API key from the Secret, restricted pod, writable /tmp only, HA with PDB, zone anti-affinity, system nodes', () => {
    const r = values(s, 'chat').routerSpec;
    expect(r.vllmApiKey).toEqual({ secretName: 'chat-api-key', secretKey: 'api-key' });
    expect(r.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(r.containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(r.extraVolumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(r.resources.limits).toEqual({ memory: '1Gi' });
    expect(r.replicaCount).toBe(2);
    expect(r.pdb).toEqual({ enabled: true, minAvailable: 1 });
    expect(r.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('topology.kubernetes.io/zone');
    expect(r.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([{ key: 'ai-platform.cdktf.io/node-role', operator: 'In', values: ['system'] }]);
    expect(r.ingress).toBeUndefined();
    const single = values(synthOf(build({ props: { router: { replicas: 1, routingLogic: RouterRoutingLogic.PREFIX_AWARE, failoverRetries: 0 } } }).stack), 'chat').routerSpec;
    expect(single).toMatchObject({ replicaCount: 1, pdb: { enabled: false }, routingLogic: 'prefixaware' });
    expect(argValue(single.extraArgs, '--max-instance-failover-reroute-attempts')).toBe('0');
  });

  test('exposes an internal OpenAI-compatible endpoint', () => {
    expect(b.serving.endpoint).toBe('http://chat-router-service.chat.svc.cluster.local/v1');
    expect(b.serving.externalUrl).toBeUndefined();
  });
});

describe('VllmServingStack: checkpoint formats and memory models of the 2026 catalog', () => {
  test('gpt-oss-120b defaults to its MXFP4 checkpoint (--dtype auto, no --quantization), fits one H100, plans with MXFP4', () => {
    const b = build({ pool: { instanceTypes: ['p5.4xlarge'] }, props: { models: [{ name: 'oss', model: 'openai/gpt-oss-120b', maxModelLen: 131072 }] } });
    expect(b.serving.plans[0].estimates[0].estimate).toMatchObject({ precision: ModelPrecision.MXFP4, fits: true });
    const args: string[] = engine(synthOf(b.stack), 'oss').container.args;
    expect(argValue(args, '--dtype')).toBe('auto');
    expect(args).not.toContain('--quantization');
  });

  test('MXFP4 below compute capability 9.0 warns (Marlin weight-only); DeepSeek-R1 FP8 does not fit 8× H100', () => {
    const l40s = build({ props: { models: [{ name: 'oss', model: 'openai/gpt-oss-20b', maxModelLen: 32768 }] } });
    expect(warnings(l40s.stack).join('\n')).toMatch(/MXFP4 on g6e.xlarge \(L40S, compute capability 8.9\) runs as weight-only FP4/);
    expect(() => build({ pool: { instanceTypes: ['p5.48xlarge'] }, props: { models: [{ name: 'r1', model: 'deepseek-ai/DeepSeek-R1', tensorParallelSize: 8, maxModelLen: 65536 }] } }))
      .toThrow(/models\[0\].model \("deepseek-ai\/DeepSeek-R1"\) is invalid: does not fit on p5.48xlarge .*weights 78.34 GiB/);
  });

  test('--disable-hybrid-kv-cache-manager in extraArgs counts sliding-window layers at the full context', () => {
    const gemma = { name: 'gemma', model: 'google/gemma-3-27b-it', maxModelLen: 131072 };
    expect(() => build({ pool: { instanceTypes: ['p5.4xlarge'] }, props: { models: [gemma] } })).not.toThrow();
    expect(() => build({ pool: { instanceTypes: ['p5.4xlarge'] }, props: { models: [{ ...gemma, extraArgs: ['--disable-hybrid-kv-cache-manager'] }] } }))
      .toThrow(/models\[0\].maxModelLen \(131072\) is invalid: does not fit on p5.4xlarge/);
  });
});

describe('VllmServingStack: engine pods', () => {
  const s = synthOfDefault();
  const { deployment, pod, container } = engine(s);

  test('GPU requests = limits = tensor parallel size; memory limit; no CPU limit', () => {
    expect(container.resources.requests['nvidia.com/gpu']).toBe('1');
    expect(container.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(container.resources.limits.memory).toBe(container.resources.requests.memory);
    expect(container.resources.limits.cpu).toBeUndefined();
    const tp4 = engine(synthOf(build({ pool: { instanceTypes: ['g6e.12xlarge'] }, props: { models: [{ ...LLAMA_8B, tensorParallelSize: 4 }] } }).stack)).container;
    expect(tp4.resources.requests['nvidia.com/gpu']).toBe('4');
    expect(tp4.resources.limits['nvidia.com/gpu']).toBe('4');
    expect(argValue(tp4.args, '--tensor-parallel-size')).toBe('4');
  });

  test('scheduled on the pool: its nodeSelector and the GPU toleration', () => {
    expect(pod.nodeSelector).toEqual({ 'ai-platform.cdktf.io/gpu-pool': 'gpu' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('/dev/shm is a memory emptyDir with a size limit only when TP > 1', () => {
    expect(pod.volumes.find((v: Obj) => v.name === 'dshm')).toBeUndefined();
    const tp2 = engine(synthOf(build({ pool: { instanceTypes: ['g6e.12xlarge'] }, props: { models: [{ ...LLAMA_8B, tensorParallelSize: 2 }] } }).stack));
    expect(tp2.pod.volumes.find((v: Obj) => v.name === 'dshm')).toEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } });
    expect(tp2.container.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });

  test('startup probe covers the model load budget; readiness and liveness on /health', () => {
    const sp = container.startupProbe;
    expect(sp.httpGet).toEqual({ path: '/health', port: 'http' });
    // 8B bf16 from the hub: 300 s + 15 GiB × 12 s/GiB = 480 s.
    expect(sp.failureThreshold * sp.periodSeconds).toBeGreaterThanOrEqual(480);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const seventy = engine(synthOf(build({ pool: { instanceTypes: ['p4de.24xlarge'] }, props: { models: [{ name: 'llama-70b', model: 'meta-llama/Llama-3.1-70B-Instruct', tensorParallelSize: 8 }] } }).stack), 'llama-70b');
    const sp70 = seventy.container.startupProbe;
    expect(sp70.failureThreshold * sp70.periodSeconds).toBeGreaterThanOrEqual(300 + 131 * 12);
    expect(seventy.deployment.spec.progressDeadlineSeconds).toBeGreaterThan(sp70.failureThreshold * sp70.periodSeconds);
    const custom = engine(synthOf(build({ props: { models: [{ ...LLAMA_8B, startupTimeout: Duration.minutes(30) }] } }).stack)).container.startupProbe;
    expect(custom.failureThreshold * custom.periodSeconds).toBe(1800);
  });

  test('secure pod defaults: non-root, no escalation, drop ALL, seccomp, read-only root with emptyDirs where vLLM writes, no token', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    const mounts = Object.fromEntries(container.volumeMounts.map((m: Obj) => [m.mountPath, m.name]));
    expect(mounts).toMatchObject({ '/tmp': 'tmp', '/home/vllm': 'home', '/models': 'model-cache' });
    const env = Object.fromEntries(container.env.filter((e: Obj) => e.value !== undefined).map((e: Obj) => [e.name, e.value]));
    expect(env).toMatchObject({ HOME: '/home/vllm', USER: 'vllm', XDG_CACHE_HOME: '/home/vllm/.cache', HF_HOME: '/models/huggingface', TMPDIR: '/tmp' });
    for (const v of pod.volumes.filter((x: Obj) => x.emptyDir)) expect(v.emptyDir.sizeLimit).toMatch(/Gi$/);
    expect(container.resources.requests['ephemeral-storage']).toBeDefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objects(s), 'ServiceAccount', 'chat-llama-8b-engine').automountServiceAccountToken).toBe(false);
    expect(JSON.stringify(pod)).not.toMatch(/privileged|hostNetwork|hostPID|hostIPC|hostPath/);
  });

  test('pinned vLLM image; args carry TP, context, utilization, dtype and the served names', () => {
    expect(container.image).toBe(`${SERVING_IMAGES.vllm.repository}:${SERVING_IMAGES.vllm.tag}`);
    expect(SERVING_IMAGES.vllm.tag).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(container.command).toEqual(['vllm', 'serve']);
    expect(container.args[0]).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(argValue(container.args, '--max-model-len')).toBe('32768');
    expect(argValue(container.args, '--gpu-memory-utilization')).toBe('0.9');
    expect(argValue(container.args, '--dtype')).toBe('bfloat16');
    const i = container.args.indexOf('--served-model-name');
    expect(container.args.slice(i + 1, i + 3)).toEqual(['llama-8b', 'meta-llama/Llama-3.1-8B-Instruct']);
  });

  test('spot safety: grace period ≤ 120 s with a preStop sleep, zone spread, do-not-disrupt on Karpenter pools', () => {
    expect(pod.terminationGracePeriodSeconds).toBeLessThanOrEqual(120);
    const sleep = Number(container.lifecycle.preStop.exec.command[1]);
    expect(container.lifecycle.preStop.exec.command[0]).toBe('sleep');
    expect(sleep).toBeGreaterThan(0);
    expect(sleep).toBeLessThan(pod.terminationGracePeriodSeconds);
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, labelSelector: { matchLabels: deployment.spec.selector.matchLabels } });
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
    const mng = engine(synthOf(build({ pool: { mode: GpuCapacityMode.MANAGED_NODE_GROUPS } }).stack));
    expect(mng.deployment.spec.template.metadata.annotations).toEqual({});
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('runtimeClassName only when configured', () => {
    expect(pod.runtimeClassName).toBeUndefined();
    expect(engine(synthOf(build({ props: { runtimeClassName: 'nvidia' } }).stack)).pod.runtimeClassName).toBe('nvidia');
  });

  test('PDB for multi-replica models only; replicas left to the autoscaler when it scales', () => {
    expect(find(objects(s), 'PodDisruptionBudget', 'chat-llama-8b-engine').spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
    expect(deployment.spec.replicas).toBeUndefined();
    const fixed = synthOf(build({ props: { models: [{ ...LLAMA_8B, replicas: { min: 1, max: 1 } }] } }).stack);
    expect(objects(fixed).some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(engine(fixed).deployment.spec.replicas).toBe(1);
    const fixedTwo = synthOf(build({ props: { models: [{ ...LLAMA_8B, replicas: { min: 2, max: 2 } }] } }).stack);
    expect(engine(fixedTwo).deployment.spec.replicas).toBe(2);
    expect(find(objects(fixedTwo), 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('renderedWorkloads lists the engine Deployments and the router for the policy Aspect', () => {
    const b = build();
    const w = b.serving.renderedWorkloads();
    expect(w.map((x) => `${x.kind}/${x.name}`)).toEqual(['Deployment/chat-llama-8b-engine', 'HelmValues/chat-deployment-router']);
    expect(w[0].podSpec).toEqual(engine(synthOf(b.stack)).pod);
    expect(w[0].replicas).toBe(4);
  });
});

describe('VllmServingStack: model weights and secrets', () => {
  test('persistent cache: one ReadWriteMany PVC (storage class prop) kept on uninstall, mounted by every engine', () => {
    const s = synthOf(build({ props: { modelCache: { storageClassName: 'efs-sc' } } }).stack);
    const pvc = find(objects(s), 'PersistentVolumeClaim', 'chat-model-cache');
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs-sc' });
    expect(pvc.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    expect(pvc.spec.resources.requests.storage).toBe('40Gi');
    const { pod } = engine(s);
    expect(pod.volumes.find((v: Obj) => v.name === 'model-cache')).toEqual({ name: 'model-cache', persistentVolumeClaim: { claimName: 'chat-model-cache' } });
  });

  test('without a cache the weights land in a sized emptyDir, with a warning (GPU-OPERATIONS 17)', () => {
    const b = build();
    const { pod } = engine(synthOf(b.stack));
    expect(pod.volumes.find((v: Obj) => v.name === 'model-cache').emptyDir.sizeLimit).toBe('22Gi');
    expect(warnings(b.stack).join('\n')).toMatch(/no modelCache.*\(docs\/serving\.md, "Model weights"\)/);
    expect(warnings(build({ props: { modelCache: {} } }).stack).join('\n')).not.toMatch(/no modelCache/);
  });

  test('a ReadWriteOnce cache with several engine pods is rejected', () => {
    expect(() => build({ props: { modelCache: { storageClassName: 'gp3', accessMode: VolumeAccessMode.READ_WRITE_ONCE } } })).toThrow(/modelCache.accessMode \("ReadWriteOnce"\) is invalid: cannot be ReadWriteOnce with up to 4 engine pods/);
  });

  test('S3 weights stream with the Run:ai streamer under an IRSA role scoped to the bucket prefix', () => {
    const b = build({ props: { models: [{ name: 'llama-8b', model: 's3://acme-models/llama/8b-instruct/', baseModel: 'meta-llama/Llama-3.1-8B-Instruct', s3KmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/abcd-1234' }] } });
    const s = synthOf(b.stack);
    const { container } = engine(s);
    expect(container.args[0]).toBe('s3://acme-models/llama/8b-instruct/');
    expect(argValue(container.args, '--load-format')).toBe('runai_streamer');
    expect(container.args.slice(container.args.indexOf('--served-model-name') + 1, container.args.indexOf('--served-model-name') + 3)).toEqual(['llama-8b', '--tensor-parallel-size']);
    expect(container.env).toContainEqual({ name: 'AWS_REGION', value: 'us-west-2' });
    const sa = find(objects(s), 'ServiceAccount', 'chat-llama-8b-engine');
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    const docs = Object.values(resources(s, 'aws_iam_policy_document') as Obj).concat(Object.values((s.data ?? {}).aws_iam_policy_document ?? {}));
    const policy = docs.find((d: Obj) => d.statement.some((st: Obj) => st.sid === 'ReadWeights')) as Obj;
    expect(policy.statement).toEqual([
      { sid: 'ReadWeights', effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::acme-models/llama/8b-instruct/*'] },
      { sid: 'ListWeights', effect: 'Allow', actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::acme-models'], condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['llama/8b-instruct', 'llama/8b-instruct/*'] }] },
      { sid: 'DecryptWeights', effect: 'Allow', actions: ['kms:Decrypt'], resources: ['arn:aws:kms:us-west-2:123456789012:key/abcd-1234'] },
    ]);
    const trust = docs.find((d: Obj) => d.statement.some((st: Obj) => st.actions.includes('sts:AssumeRoleWithWebIdentity'))) as Obj;
    expect(JSON.stringify(trust)).toContain('system:serviceaccount:chat:chat-llama-8b-engine');
    expect(b.serving.modelRoles['llama-8b']).toBeDefined();
    // S3 models need no download cache, so no warning.
    expect(warnings(b.stack).join('\n')).not.toMatch(/no modelCache/);
  });

  test('Hugging Face token from an existing Secret; never a value in Helm values or state', () => {
    const s = synthOf(build({ props: { huggingFaceToken: { secretName: 'hf-token' } } }).stack);
    expect(engine(s).container.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } });
    expect(values(s, 'chat').routerSpec.hf_token).toBeUndefined();
  });

  test('generated API key: ephemeral Secrets Manager password into the write-only data_wo (not in state, not in outputs)', () => {
    const s = synthOfDefault();
    const eph = (s as Obj).ephemeral.aws_secretsmanager_random_password;
    expect(Object.values(eph)).toEqual([expect.objectContaining({ password_length: 48, exclude_punctuation: true })]);
    const secret = Object.values(resources(s, 'kubernetes_secret_v1'))[0] as Obj;
    expect(secret.data).toBeUndefined();
    expect(secret.data_wo['api-key']).toMatch(/^\$\{ephemeral\.aws_secretsmanager_random_password\..+\.random_password\}$/);
    expect(secret.data_wo_revision).toBe(1);
    expect(secret.metadata.name).toBe('chat-api-key');
    expect(s.output).toBeUndefined();
    expect(engine(s).container.env).toContainEqual({ name: 'VLLM_API_KEY', valueFrom: { secretKeyRef: { name: 'chat-api-key', key: 'api-key' } } });
    expect(release(s, 'chat').depends_on).toContainEqual(expect.stringMatching(/^kubernetes_secret_v1\./));
  });

  test('an existing API key Secret is referenced, nothing generated', () => {
    const b = build({ props: { apiKey: { existingSecretName: 'llm-api-key', secretKey: 'key' } } });
    const s = synthOf(b.stack);
    expect((s as Obj).ephemeral).toBeUndefined();
    expect(resources(s, 'kubernetes_secret_v1')).toEqual({});
    expect(values(s, 'chat').routerSpec.vllmApiKey).toEqual({ secretName: 'llm-api-key', secretKey: 'key' });
    expect(engine(s).container.env).toContainEqual({ name: 'VLLM_API_KEY', valueFrom: { secretKeyRef: { name: 'llm-api-key', key: 'key' } } });
    expect(b.serving.apiKeySecretName).toBe('llm-api-key');
  });
});

describe('VllmServingStack: autoscaling', () => {
  test('KEDA ScaledObject on queue depth, valid against the keda.sh/v1alpha1 CRD, after KEDA and the release', () => {
    const s = synthOfDefault();
    const [so] = manifests(s, 'chat-autoscaling');
    expectValidCustomResource(so);
    expect(so.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'chat-llama-8b-engine' }, minReplicaCount: 1, maxReplicaCount: 4 });
    expect(so.spec.triggers).toEqual([
      expect.objectContaining({ type: 'prometheus', metadata: expect.objectContaining({ serverAddress: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090', query: 'sum(aiplatform:serving_requests_waiting{namespace="chat",model="llama-8b"})', threshold: '5' }) }),
    ]);
    expect(so.spec.cooldownPeriod).toBeUndefined();
    const dependsOn = release(s, 'chat-autoscaling').depends_on as string[];
    expect(dependsOn).toContain(`helm_release.${Object.keys(resources(s, 'helm_release')).find((k) => k.startsWith('keda_'))}`);
    expect(dependsOn.some((d) => d.startsWith('helm_release.chat_chart_release'))).toBe(true);
    expect(release(s, 'keda')).toMatchObject({ chart: 'keda', version: CHARTS.keda.version, wait: true });
  });

  test('KV-cache scaling reads the common KV-cache signal', () => {
    const s = synthOf(build({ props: { models: [{ ...LLAMA_8B, autoscaling: { metric: ScalingMetric.KV_CACHE_USAGE } }] } }).stack);
    const [so] = manifests(s, 'chat-autoscaling');
    expectValidCustomResource(so);
    expect(so.spec.triggers[0].metadata.query).toBe('sum(aiplatform:serving_kv_cache_usage_ratio{namespace="chat",model="llama-8b"})');
    expect(so.spec.triggers[0].metadata.threshold).toBe('0.8');
  });

  test('scale-to-zero: min 0, cooldown, and an activation trigger on the router metric that survives zero replicas', () => {
    const b = build({ props: { models: [{ ...LLAMA_8B, replicas: { min: 0, max: 2 } }] } });
    const s = synthOf(b.stack);
    const [so] = manifests(s, 'chat-autoscaling');
    expectValidCustomResource(so);
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.cooldownPeriod).toBe(1800);
    const wake = so.spec.triggers.find((t: Obj) => t.name === 'router-requests');
    expect(wake.metadata.query).toContain('vllm:num_incoming_requests_total{namespace="chat",model=~"llama-8b|meta-llama/Llama-3\\\\.1-8B-Instruct"}');
    expect(wake.metadata.activationThreshold).toBe('0');
    expect(b.serving.plans[0].coldStartSeconds).toBe(420 + 480);
    expect(warnings(b.stack).join('\n')).toMatch(/scales to zero.*cold-start budget ~15 min/);
    expect(engine(s).deployment.spec.replicas).toBeUndefined();
  });

  test('KEDA is installed once per cluster and shared by several stacks', () => {
    const b = build();
    new VllmServingStack(b.stack, 'code', { cluster: b.cluster, gpuPool: b.gpuPool, metrics: b.metrics, models: [{ name: 'qwen-7b', model: 'Qwen/Qwen2.5-7B-Instruct', replicas: { min: 1, max: 2 } }] });
    const s = synthOf(b.stack);
    expect(releases(s).filter((r) => r.chart === 'keda')).toHaveLength(1);
    expect(Keda.forCluster(b.stack, b.cluster).node.path).toBe('test/keda');
  });

  test('KEDA needs the metrics backbone', () => {
    expect(() => build({ metrics: false })).toThrow(/metrics \(undefined\) is invalid: is required with KEDA autoscaling/);
  });

  test('HPA fallback when KEDA is off: autoscaling/v2 on a per-pod custom metric, with a warning', () => {
    const b = build({ props: { autoscaling: { autoscaler: AutoscalerKind.HPA } } });
    const s = synthOf(b.stack);
    const hpa = find(objects(s), 'HorizontalPodAutoscaler', 'chat-llama-8b-engine');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat-llama-8b-engine' }, minReplicas: 1, maxReplicas: 4 });
    expect(hpa.spec.metrics).toEqual([{ type: 'Pods', pods: { metric: { name: 'aiplatform_serving_requests_waiting' }, target: { type: 'AverageValue', averageValue: '5' } } }]);
    expect(engine(s).deployment.spec.replicas).toBeUndefined();
    expect(releases(s).some((r) => r.chart === 'keda' || r.name === 'chat-autoscaling')).toBe(false);
    expect(warnings(b.stack).join('\n')).toMatch(/custom metrics adapter/);
    expect(() => build({ props: { autoscaling: { autoscaler: AutoscalerKind.HPA }, models: [{ ...LLAMA_8B, replicas: { min: 0, max: 2 } }] } })).toThrow(/replicas.min \(0\) is invalid: cannot be 0 with the HPA/);
  });

  test('fixed replicas need no autoscaler; a range without one is rejected', () => {
    const b = build({ metrics: false, props: { models: [{ ...LLAMA_8B, replicas: { min: 2, max: 2 } }] } });
    expect(b.serving.autoscaler).toBe(AutoscalerKind.NONE);
    expect(releases(synthOf(b.stack)).some((r) => r.chart === 'keda')).toBe(false);
    expect(() => build({ props: { autoscaling: { autoscaler: AutoscalerKind.NONE } } })).toThrow(/models\[0\].replicas .* needs an autoscaler/);
  });
});

describe('VllmServingStack: network and ingress', () => {
  test('NetworkPolicies: only the router reaches the engines; Prometheus scrapes both; clients from allowed namespaces', () => {
    const s = synthOf(build({ props: { clientNamespaces: ['chat', 'apps'] } }).stack);
    const engines = find(objects(s), 'NetworkPolicy', 'chat-engines');
    expect(engines.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'chat', 'app.kubernetes.io/component': 'serving-engine' });
    expect(engines.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'chat', 'app.kubernetes.io/component': 'router' } } }], ports: [{ port: 8000, protocol: 'TCP' }] },
      // The Prometheus pods of the monitoring namespace only (one peer: both selectors must match).
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }], ports: [{ port: 8000, protocol: 'TCP' }] },
    ]);
    const router = find(objects(s), 'NetworkPolicy', 'chat-router');
    expect(router.spec.ingress[0].from).toEqual([{ podSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } }]);
    expect(router.spec.ingress[1].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }]);
    // The namespace itself denies everything else.
    expect(Object.values(resources(s, 'kubernetes_network_policy_v1')).some((p: Obj) => p.metadata.name === 'default-deny-ingress' && JSON.stringify(p.metadata.namespace).includes('chat_namespace'))).toBe(true);
  });

  const INGRESS = { host: 'llm.internal.example.com', certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/abc-123', clientCidrs: ['10.0.0.0/8'], loadBalancerSourceCidrs: ['10.20.0.0/16'] };

  test('optional internal ALB: HTTPS with the certificate, HTTP redirects, client CIDRs, after the controller webhook', () => {
    const b = build({ props: { ingress: INGRESS } });
    const s = synthOf(b.stack);
    const ing = values(s, 'chat').routerSpec.ingress;
    expect(ing).toMatchObject({ enabled: true, className: 'alb', hosts: [{ host: 'llm.internal.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }] });
    expect(ing.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/certificate-arn': INGRESS.certificateArn,
      'alb.ingress.kubernetes.io/inbound-cidrs': '10.0.0.0/8',
    });
    expect(ing.annotations['alb.ingress.kubernetes.io/load-balancer-attributes']).toContain('idle_timeout.timeout_seconds=600');
    expectValidChartValues('vllm-stack', b.serving.chart.renderedValues());
    const controller = release(s, 'aws-load-balancer-controller');
    expect(controller.wait).toBe(true);
    expect(release(s, 'chat').depends_on).toContainEqual(expect.stringMatching(/^helm_release\.aws-load-balancer-controller_chart_release/));
    const router = find(objects(s), 'NetworkPolicy', 'chat-router');
    expect(router.spec.ingress[0].from).toContainEqual({ ipBlock: { cidr: '10.20.0.0/16' } });
    const ns = Object.values(resources(s, 'kubernetes_namespace_v1')).find((n: Obj) => n.metadata.name === 'chat') as Obj;
    expect(ns.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
    expect(b.serving.externalUrl).toBe('https://llm.internal.example.com/v1');
    expect(AwsLoadBalancerController.forCluster(b.stack, b.cluster).node.path).toBe('test/aws-load-balancer-controller');
  });

  test('ingress input is checked', () => {
    expect(() => build({ props: { ingress: { ...INGRESS, clientCidrs: ['0.0.0.0/0'] } } })).toThrow(/ingress.clientCidrs .* must not contain 0.0.0.0\/0/);
    expect(() => build({ props: { ingress: { ...INGRESS, certificateArn: 'not-an-arn' } } })).toThrow(/ingress.certificateArn \("not-an-arn"\) is invalid/);
    expect(() => build({ props: { ingress: { ...INGRESS, loadBalancerSourceCidrs: [] } } })).toThrow(/ingress.loadBalancerSourceCidrs/);
    expect(() => build({ props: { ingress: { ...INGRESS, host: 'Not A Host' } } })).toThrow(/ingress.host \("Not A Host"\) is invalid/);
  });
});

describe('VllmServingStack: observability', () => {
  const b = build();
  const s = synthOf(b.stack);
  const monitoring = manifests(s, 'chat-monitoring');

  test('ServiceMonitors for engines and router carry the backbone labels, select the right Services and validate against the CRD', () => {
    const sms = monitoring.filter((m) => m.kind === 'ServiceMonitor');
    expect(sms.map((m) => m.metadata.name)).toEqual(['chat-engines', 'chat-router']);
    for (const sm of sms) {
      expectValidCustomResource(sm);
      expect(sm.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    }
    const svc = find(objects(s), 'Service', 'chat-llama-8b-engine');
    for (const [k, v] of Object.entries(sms[0].spec.selector.matchLabels)) expect(svc.metadata.labels[k]).toBe(v);
    expect(sms[0].spec.endpoints[0].port).toBe(svc.spec.ports[0].name);
    expect(sms[1].spec.endpoints[0].port).toBe('router-sport');
    expect(release(s, 'chat-monitoring').depends_on).toEqual(['helm_release.metrics_operator_5F13A2A7']);
  });

  test('alert rules: queue, p95 latency from the e2e histogram, KV-cache saturation, no ready replicas', () => {
    const rule = find(monitoring, 'PrometheusRule', 'chat-vllm');
    expectValidCustomResource(rule);
    const bad: Obj = { ...rule, spec: { groups: [{ ...rule.spec.groups[0], rules: [{ ...rule.spec.groups[0].rules[0], for: '10 minutes' }] }] } };
    expect(() => expectValidCustomResource(bad)).toThrow(/for/);
    expect(rule.metadata.labels).toEqual({ release: 'kube-prometheus-stack', role: 'alert-rules' });
    const rules = Object.fromEntries(rule.spec.groups[0].rules.map((r: Obj) => [r.alert, r]));
    expect(Object.keys(rules)).toEqual(['VllmQueueHigh', 'VllmLatencyHigh', 'VllmKvCacheSaturated', 'VllmNoReadyReplicas']);
    expect(rules.VllmQueueHigh.expr).toContain('aiplatform:serving_requests_waiting{namespace="chat",model!=""}');
    expect(rules.VllmLatencyHigh.expr).toBe('histogram_quantile(0.95, sum by (le, model, engine) (aiplatform:serving_e2e_latency_seconds_bucket:rate5m{namespace="chat",model!=""})) > 60');
    expect(rules.VllmKvCacheSaturated.expr).toContain('aiplatform:serving_kv_cache_usage_ratio');
    // Alerts read the common signals only, never an engine's raw metrics.
    for (const r of Object.values(rules) as Obj[]) expect(r.expr).not.toMatch(/vllm:|sglang:|llamacpp:/);
    expect(rules.VllmKvCacheSaturated.expr).toContain('> 0.95');
    expect(rules.VllmNoReadyReplicas.expr).toContain('kube_deployment_status_replicas_available{namespace="chat",deployment=~"chat-llama-8b-engine"}');
    // Longer than the cold-start budget (900 s), so a scale-up from zero does not page.
    expect(rules.VllmNoReadyReplicas.for).toBe('20m');
  });

  test('dashboard ConfigMap in the backbone namespace with its labels: tokens/s and cost per 1M tokens from the catalog price', () => {
    const cm = find(monitoring, 'ConfigMap', 'chat-vllm-dashboard');
    expect(cm.metadata.namespace).toBe('monitoring');
    expect(cm.metadata.labels).toEqual({ grafana_dashboard: '1' });
    const dash = JSON.parse(cm.data['vllm-chat.json']);
    const exprs = dash.panels.flatMap((p: Obj) => p.targets.map((t: Obj) => t.expr)).join('\n');
    expect(exprs).toContain('aiplatform:serving_generation_tokens:rate5m');
    // Only the router's own request counter keeps its name (it is the router's, not an engine's).
    expect(exprs.replace(/vllm:num_incoming_requests_total/g, '')).not.toMatch(/vllm:|sglang:|llamacpp:/);
    // g6e.xlarge (cheapest in the pool): 1.861 $/h ÷ 1 GPU × TP 1.
    const cost = dash.panels.find((p: Obj) => p.title.startsWith('Est. cost per 1M output tokens: llama-8b'));
    expect(cost.targets[0].expr).toBe('(count(aiplatform:serving_requests_running{namespace="chat",model="llama-8b"}) * 1.8610) / 3600 / sum(avg_over_time(aiplatform:serving_generation_tokens:rate5m{namespace="chat",model="llama-8b"}[15m])) * 1e6');
    expect(b.serving.plans[0].replicaHourlyUsd).toBeCloseTo(1.861, 6);
  });

  test('without a backbone: no monitoring objects, a warning', () => {
    const nb = build({ metrics: false, props: { models: [{ ...LLAMA_8B, replicas: { min: 1, max: 1 } }] } });
    expect(releases(synthOf(nb.stack)).some((r) => r.name === 'chat-monitoring')).toBe(false);
    expect(warnings(nb.stack).join('\n')).toMatch(/no metrics backbone/);
  });
});

describe('VllmServingStack: several models share the router', () => {
  test('one release, one router, one Deployment per model, routed by name', () => {
    const b = build({
      pool: { instanceTypes: ['g6e.12xlarge', 'g6e.24xlarge'] },
      props: { models: [LLAMA_8B, { name: 'qwen-32b', model: 'Qwen/Qwen2.5-32B-Instruct', tensorParallelSize: 2, replicas: { min: 1, max: 2 } }] },
    });
    const s = synthOf(b.stack);
    expect(releases(s).filter((r) => r.chart === 'vllm-stack')).toHaveLength(1);
    expect(objects(s).filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['chat-llama-8b-engine', 'chat-qwen-32b-engine']);
    expect(engine(s, 'qwen-32b').container.args).toEqual(expect.arrayContaining(['--served-model-name', 'qwen-32b', 'Qwen/Qwen2.5-32B-Instruct']));
    expect(manifests(s, 'chat-autoscaling')).toHaveLength(2);
    expect(b.serving.plans.map((p) => p.servedModelNames[0])).toEqual(['llama-8b', 'qwen-32b']);
  });

  test('duplicate names are rejected', () => {
    expect(() => build({ props: { models: [LLAMA_8B, { ...LLAMA_8B }] } })).toThrow(/models\[1\].name \("llama-8b"\) is invalid: must be unique/);
    expect(() => build({ props: { models: [LLAMA_8B, { ...LLAMA_8B, name: 'other' }] } })).toThrow(/models\[1\].model \("meta-llama\/Llama-3.1-8B-Instruct"\) is invalid: is already served/);
  });
});

describe('VllmServingStack: right-sizing and bad input', () => {
  test('a model that cannot fit fails with the numbers', () => {
    expect(() => build({ props: { models: [{ name: 'llama-70b', model: 'meta-llama/Llama-3.1-70B-Instruct' }] } })).toThrow(
      /models\[0\].model \("meta-llama\/Llama-3.1-70B-Instruct"\) is invalid: does not fit on g6e.xlarge \(L40S, 44.99 GiB per GPU as CUDA reports it\): weights 131.41 GiB \+ overhead 3 GiB per GPU exceed the budget 40.49 GiB \(gpuMemoryUtilization 0.9 × 44.99 GiB\) at tensorParallelSize 1/,
    );
  });

  test('every instance type of the pool is checked (fits the big GPU, not the small one)', () => {
    const gemma = { name: 'gemma-27b', model: 'google/gemma-2-27b-it', precision: ModelPrecision.FP8 };
    expect(build({ pool: { instanceTypes: ['g6e.xlarge'] }, props: { models: [gemma] } }).serving.plans[0].estimates[0].estimate.fits).toBe(true);
    expect(() => build({ pool: { instanceTypes: ['g6e.xlarge', 'g5.xlarge'] }, props: { models: [gemma] } })).toThrow(/does not fit on g5.xlarge \(A10G, 22.49 GiB per GPU as CUDA reports it\): weights 26.46 GiB/);
  });

  test('a context that leaves no room for one sequence fails; few sequences warn', () => {
    expect(() => build({ pool: { instanceTypes: ['g6.xlarge'] }, props: { models: [{ ...LLAMA_8B, precision: ModelPrecision.FP8, maxModelLen: 131072 }] } })).toThrow(/maxModelLen \(131072\) is invalid: does not fit on g6.xlarge .* less than one sequence of 131072 tokens/);
    const b = build({ props: { models: [{ ...LLAMA_8B, maxModelLen: 131072 }] } });
    expect(warnings(b.stack).join('\n')).toMatch(/holds only 1 concurrent sequence\(s\) of 131072 tokens \(minConcurrentSequences 4\)/);
    expect(warnings(build({ props: { models: [{ ...LLAMA_8B, maxModelLen: 131072, kvCacheDtype: KvCacheDtype.FP8, minConcurrentSequences: 1 }] } }).stack).join('\n')).not.toMatch(/concurrent sequence/);
  });

  test('tensor parallelism must divide the heads and fit one node of every instance type', () => {
    expect(() => build({ pool: { instanceTypes: ['g6e.48xlarge'] }, props: { models: [{ name: 'qwen-7b', model: 'Qwen/Qwen2.5-7B-Instruct', tensorParallelSize: 8 }] } })).toThrow(/tensorParallelSize \(8\) is invalid: must divide the model's 28 attention heads/);
    expect(() => build({ pool: { instanceTypes: ['g6e.12xlarge', 'g6e.xlarge'] }, props: { models: [{ ...LLAMA_8B, tensorParallelSize: 4 }] } })).toThrow(/tensorParallelSize \(4\) is invalid: needs 4 GPUs on one node, but g6e.xlarge has 1/);
  });

  test('replicas, model id and names are checked', () => {
    expect(() => build({ props: { models: [{ ...LLAMA_8B, replicas: { min: 3, max: 2 } }] } })).toThrow(/replicas.min \(3\) is invalid: models\[0\].replicas.min \(3\) cannot be greater than models\[0\].replicas.max \(2\)/);
    expect(() => build({ props: { models: [{ ...LLAMA_8B, model: '  ' }] } })).toThrow(/models\[0\].model \("  "\) is invalid: must be a non-empty string/);
    expect(() => build({ props: { models: [{ ...LLAMA_8B, model: 'llama' }] } })).toThrow(/models\[0\].model \("llama"\) is invalid: must be a Hugging Face model id/);
    expect(() => build({ props: { models: [{ ...LLAMA_8B, name: 'Llama_8B' }] } })).toThrow(/models\[0\].name \("Llama_8B"\) is invalid: must be a Kubernetes DNS-1123 label/);
    expect(() => build({ props: { models: [{ ...LLAMA_8B, name: 'a'.repeat(60) }] } })).toThrow(/Service names allow 63/);
    expect(() => build({ id: '9chat' })).toThrow(/releaseName \("9chat"\) is invalid/);
    expect(() => build({ props: { releaseName: 'x'.repeat(41) } })).toThrow(/releaseName .* must be at most 40 characters/);
    expect(() => build({ props: { models: [] } })).toThrow(/models \(\[\]\) is invalid: must list at least one model/);
    expect(() => build({ props: { namespace: 'Serving' } })).toThrow(/namespace \("Serving"\) is invalid/);
    expect(() => build({ props: { vllmImage: { repository: 'vllm/vllm-openai', tag: 'latest' } } })).toThrow(/vllmImage.tag \("latest"\) is invalid: must be a pinned tag/);
    expect(() => build({ props: { routerImage: { repository: 'lmcache/lmstack-router', tag: '' } } })).toThrow(/routerImage.tag \(""\) is invalid/);
  });

  test('unknown models need an architecture; explicit architectures are checked and used', () => {
    expect(() => build({ props: { models: [{ name: 'mine', model: 'acme/mystery-7b' }] } })).toThrow(/models\[0\].model \("acme\/mystery-7b"\) is invalid: is not in MODEL_CATALOG: give `architecture`/);
    const arch = { parametersBillions: 7, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, contextLength: 16384 };
    const b = build({ props: { models: [{ name: 'mine', model: 'acme/mystery-7b', architecture: arch }] } });
    expect(b.serving.plans[0].maxModelLen).toBe(16384);
    expect(() => build({ props: { models: [{ name: 'mine', model: 'acme/mystery-7b', architecture: { ...arch, kvHeads: 5 } }] } })).toThrow(/architecture.kvHeads \(5\) is invalid: must divide attentionHeads/);
  });

  test('bf16 on a GPU without bf16 (T4) is rejected; quantized formats pass the right flags', () => {
    expect(() => build({ pool: { instanceTypes: ['g4dn.xlarge'] }, props: { models: [{ name: 'llama-1b', model: 'meta-llama/Llama-3.2-1B-Instruct', maxModelLen: 8192 }] } })).toThrow(/precision \("BF16"\) is invalid: is not supported on g4dn.xlarge \(T4, compute capability 7.5\)/);
    const fp16 = engine(synthOf(build({ pool: { instanceTypes: ['g4dn.xlarge'] }, props: { models: [{ name: 'llama-1b', model: 'meta-llama/Llama-3.2-1B-Instruct', maxModelLen: 8192, precision: ModelPrecision.FP16 }] } }).stack), 'llama-1b');
    expect(argValue(fp16.container.args, '--dtype')).toBe('float16');
    const fp8 = engine(synthOf(build({ props: { models: [{ ...LLAMA_8B, precision: ModelPrecision.FP8, kvCacheDtype: KvCacheDtype.FP8 }] } }).stack));
    expect(argValue(fp8.container.args, '--quantization')).toBe('fp8');
    expect(argValue(fp8.container.args, '--kv-cache-dtype')).toBe('fp8');
    const awq = build({ pool: { instanceTypes: ['g6e.12xlarge'] }, props: { models: [{ name: 'llama-70b', model: 'hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4', baseModel: 'meta-llama/Llama-3.1-70B-Instruct', precision: ModelPrecision.AWQ_INT4, tensorParallelSize: 4 }] } });
    const awqPod = engine(synthOf(awq.stack), 'llama-70b');
    expect(argValue(awqPod.container.args, '--dtype')).toBe('auto');
    expect(awqPod.container.args).not.toContain('--quantization');
    expect(awq.serving.plans[0].estimates[0].estimate.fits).toBe(true);
  });

  test('spot: a grace period above the 2-minute notice is rejected on spot pools, allowed on on-demand ones', () => {
    expect(() => build({ props: { models: [{ ...LLAMA_8B, terminationGracePeriod: Duration.seconds(300) }] } })).toThrow(/terminationGracePeriod \("5 minutes"\) is invalid: must be between 10 seconds and 2 minutes, a whole number of seconds/);
    const od = engine(synthOf(build({ pool: { capacity: CapacityPreference.ON_DEMAND }, props: { models: [{ ...LLAMA_8B, terminationGracePeriod: Duration.seconds(300) }] } }).stack));
    expect(od.pod.terminationGracePeriodSeconds).toBe(300);
    expect(() => build({ props: { models: [{ ...LLAMA_8B, terminationGracePeriod: Duration.seconds(30), preStopSleep: Duration.seconds(30) }] } })).toThrow(/preStopSleep \("30 seconds"\) is invalid: must be shorter than terminationGracePeriod \(30 seconds\)/);
  });

  test('pods must fit a node: CPU and memory per replica share; /dev/shm within memory', () => {
    expect(() => build({ props: { models: [{ ...LLAMA_8B, memory: Size.gibibytes(64) }] } })).toThrow(/models\[0\].memory \("64 GiB"\) is invalid: does not fit g6e.xlarge: a replica's share of it \(1 of 1 GPUs\) is 32 GiB/);
    expect(() => build({ props: { models: [{ ...LLAMA_8B, cpu: 8 }] } })).toThrow(/models\[0\].cpu \(8\) is invalid: does not fit g6e.xlarge/);
    const { container } = engine(synthOfDefault());
    expect(container.resources.requests).toMatchObject({ cpu: '3', memory: '24Gi' });
    expect(() => build({ pool: { instanceTypes: ['g6e.12xlarge'] }, props: { models: [{ ...LLAMA_8B, tensorParallelSize: 2, memory: Size.gibibytes(16), shmSize: Size.gibibytes(12) }] } })).toThrow(/shmSize \("12 GiB"\) is invalid: must be at most half of memory \(16 GiB\)/);
  });

  test('GPU sharing pools are rejected (vLLM preallocates the GPU)', () => {
    expect(() => build({ pool: { sharing: { timeSlicingReplicas: 4 } } })).toThrow(/gpuPool.sharing.timeSlicingReplicas \(4\) is invalid/);
    expect(() => build({ pool: { instanceTypes: ['p4d.24xlarge'], sharing: { migProfile: 'all-1g.5gb' } } })).toThrow(/gpuPool.sharing.migProfile \("all-1g.5gb"\) is invalid/);
  });
});

describe('VllmServingStack: AWS resources (terraform oracle)', () => {
  itWithTerraform('the IRSA roles (S3 streamer, ALB controller) validate and plan with the real AWS provider', () => {
    const b = build({
      props: {
        apiKey: { existingSecretName: 'llm-api-key' },
        ingress: { host: 'llm.internal.example.com', certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/abc-123', clientCidrs: ['10.0.0.0/8'], loadBalancerSourceCidrs: ['10.20.0.0/16'] },
        models: [{ name: 'llama-8b', model: 's3://acme-models/llama/8b', baseModel: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 2 } }],
      },
    });
    const result = terraformCheck(awsOnly(synthOf(b.stack)));
    expect(result.validate.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.planError).toBeUndefined();
    expect(result.plannedCreates.filter((a) => a.startsWith('aws_iam_role.')).length).toBe(2);
    expect(result.plannedCreates.filter((a) => a.startsWith('aws_iam_role_policy.')).length).toBe(2);
  });
});
