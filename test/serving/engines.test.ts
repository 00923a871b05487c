/* eslint-disable @typescript-eslint/no-explicit-any */
// Serving engines: each engine's rendered workload (flags, probes, API key), its mapping of raw
// metrics to the common serving signals, alerts and autoscaling that read only the common signals,
// the router's discovery of every engine, NetworkPolicies computed for foreign pods, and a test
// engine registered here only (adding an engine needs no edit outside its module).
import * as YAML from 'yaml';
import { factTableProblems } from '../../lib/core/facts';
import { ValidationError } from '../../lib/core/errors';
import { parsePromQl } from '../../lib/monitoring/promql';
import { ENGINE_PORT, allEnginesSelector } from '../../lib/serving/engine-manifests';
import { EngineDefinition, SignalKey, registerEngine } from '../../lib/serving/engines/engine';
import { engineDefinition, servingEngineFacts } from '../../lib/serving/engines';
import { ServingEngine, SERVING_SIGNALS, VllmServingStack, VllmModelOptions, ModelPrecision, KvCacheDtype, estimateModelMemory } from '../../lib/serving';
import { awsStack, synth, warnings, Synth } from '../harness/synth';
import { expectValidCustomResource } from '../harness/reference';
import { FakeGpuPool, FakeMetrics, fakeCluster } from './fakes';
import { SGLANG_DEFAULTS } from '../../lib/serving/engines/sglang';
import { LLAMA_CPP_DEFAULTS } from '../../lib/serving/engines/llama-cpp';
import { VLLM_DEFAULTS } from '../../lib/serving/engines/vllm';

type Obj = Record<string, any>;

const CHAT: VllmModelOptions = { name: 'chat', model: 'Qwen/Qwen2.5-7B-Instruct', engine: ServingEngine.SGLANG, replicas: { min: 1, max: 3 } };
const EMBED: VllmModelOptions = { name: 'embed', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 2 } };
const SMALL: VllmModelOptions = { name: 'small', model: 'bartowski/Llama-3.2-3B-Instruct-GGUF', baseModel: 'meta-llama/Llama-3.2-3B', engine: ServingEngine.LLAMA_CPP, precision: ModelPrecision.INT8, maxModelLen: 8192, replicas: { min: 1, max: 1 } };

function build(models: VllmModelOptions[], extra: Obj = {}) {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const gpuPool = new FakeGpuPool(stack, 'pool');
  const metrics = new FakeMetrics(stack, 'metrics');
  const serving = new VllmServingStack(stack, 'mix', { cluster, gpuPool, metrics, models, ...extra });
  return { stack, serving };
}

function releaseValues(s: Synth, name: string): Obj {
  const r = Object.values(s.resource?.helm_release ?? {}).find((x: any) => x.name === name) as Obj;
  if (!r) throw new Error(`no release ${name}`);
  return YAML.parse(r.values[0]);
}

function deployment(objects: Obj[], model: string): Obj {
  return objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `mix-${model}-engine`) as Obj;
}

function arg(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

// One synth of a stack mixing the three engines, reused by every assertion below.
const mixed = build([CHAT, EMBED, SMALL]);
const s = synth(mixed.stack);
const objects = releaseValues(s, 'mix').extraObjects as Obj[];
const monitoring = releaseValues(s, 'mix-monitoring').manifests as Obj[];
const autoscaling = releaseValues(s, 'mix-autoscaling').manifests as Obj[];
const signalRule = monitoring.find((m) => m.metadata.name === 'mix-serving-signals') as Obj;
const alertRule = monitoring.find((m) => m.metadata.name === 'mix-vllm') as Obj;

describe('engine workloads', () => {
  test('SGLang: launch_server with tensor parallel, context, memory fraction, served name, API key, metrics', () => {
    const c = deployment(objects, 'chat').spec.template.spec.containers[0];
    expect(c.name).toBe('sglang');
    expect(c.image).toBe('lmsysorg/sglang:v0.5.20');
    expect(c.command).toEqual(['python3', '-m', 'sglang.launch_server']);
    expect(arg(c.args, '--model-path')).toBe('Qwen/Qwen2.5-7B-Instruct');
    expect(arg(c.args, '--port')).toBe(String(ENGINE_PORT));
    expect(arg(c.args, '--tp-size')).toBe('1');
    expect(arg(c.args, '--context-length')).toBe('32768');
    expect(arg(c.args, '--mem-fraction-static')).toBe(String(SGLANG_DEFAULTS.memFractionStatic));
    // One served name: SGLang's /v1/models lists exactly this, and the router routes by it.
    expect(arg(c.args, '--served-model-name')).toBe('chat');
    expect(mixed.serving.plans[0].servedModelNames).toEqual(['chat']);
    expect(arg(c.args, '--api-key')).toBe('$(SGLANG_API_KEY)');
    expect(c.env).toContainEqual({ name: 'SGLANG_API_KEY', valueFrom: { secretKeyRef: { name: 'mix-api-key', key: 'api-key' } } });
    expect(c.args).toEqual(expect.arrayContaining(['--enable-metrics', '--collect-tokens-histogram']));
    expect(c.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.readinessProbe.httpGet.path).toBe('/health');
  });

  test('vLLM: vllm serve with the pinned release, its flags and VLLM_API_KEY', () => {
    const c = deployment(objects, 'embed').spec.template.spec.containers[0];
    expect(c.name).toBe('vllm');
    expect(c.image).toBe('vllm/vllm-openai:v0.31.0');
    expect(c.command).toEqual(['vllm', 'serve']);
    expect(arg(c.args, '--tensor-parallel-size')).toBe('1');
    expect(arg(c.args, '--max-model-len')).toBe('32768');
    expect(arg(c.args, '--gpu-memory-utilization')).toBe(String(VLLM_DEFAULTS.gpuMemoryUtilization));
    expect(c.args.slice(c.args.indexOf('--served-model-name') + 1, c.args.indexOf('--served-model-name') + 3)).toEqual(['embed', 'meta-llama/Llama-3.1-8B-Instruct']);
    expect(c.args).not.toContain('--api-key');
    expect(c.env).toContainEqual({ name: 'VLLM_API_KEY', valueFrom: { secretKeyRef: { name: 'mix-api-key', key: 'api-key' } } });
    expect(c.livenessProbe.httpGet.path).toBe('/health');
  });

  test('llama.cpp: llama-server with the GGUF quantization, context for every slot, alias, metrics and LLAMA_API_KEY', () => {
    const c = deployment(objects, 'small').spec.template.spec.containers[0];
    expect(c.name).toBe('llama-server');
    expect(c.image).toBe('ghcr.io/ggml-org/llama.cpp:server-cuda-b11243');
    expect(arg(c.args, '--hf-repo')).toBe('bartowski/Llama-3.2-3B-Instruct-GGUF:Q8_0');
    expect(arg(c.args, '--alias')).toBe('small');
    expect(arg(c.args, '--ctx-size')).toBe(String(8192 * LLAMA_CPP_DEFAULTS.parallelSlots));
    expect(arg(c.args, '--parallel')).toBe(String(LLAMA_CPP_DEFAULTS.parallelSlots));
    expect(arg(c.args, '--n-gpu-layers')).toBe('999');
    expect(c.args).toContain('--metrics');
    expect(c.env).toContainEqual({ name: 'LLAMA_API_KEY', valueFrom: { secretKeyRef: { name: 'mix-api-key', key: 'api-key' } } });
    expect(c.env).toContainEqual({ name: 'LLAMA_CACHE', value: '/models/llama.cpp' });
  });

  test('every engine keeps the platform pod contract: restricted security, GPU, spot-safe shutdown, PDB, zone spread', () => {
    for (const model of ['chat', 'embed', 'small']) {
      const d = deployment(objects, model);
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
      expect(c.resources.limits['nvidia.com/gpu']).toBe('1');
      expect(pod.terminationGracePeriodSeconds).toBeLessThanOrEqual(120);
      expect(c.lifecycle.preStop.exec.command[0]).toBe('sleep');
      expect(pod.topologySpreadConstraints).toHaveLength(2);
      expect(d.spec.template.metadata.labels['ai-platform.cdktf.io/engine']).toBe(engineDefinition(model === 'chat' ? 'sglang' : model === 'embed' ? 'vllm' : 'llama-cpp').id);
    }
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name);
    expect(pdbs).toEqual(['mix-chat-engine', 'mix-embed-engine']);
  });

  test('the router discovers every engine: one port named http, the engine labels it selects, /v1/models on that port', () => {
    const router = releaseValues(s, 'mix').routerSpec;
    const selector = router.extraArgs[router.extraArgs.indexOf('--k8s-label-selector') + 1] as string;
    const wanted = Object.fromEntries(selector.split(',').map((kv) => kv.split('=')));
    expect(wanted).toEqual(allEnginesSelector('mix'));
    for (const model of ['chat', 'embed', 'small']) {
      const d = deployment(objects, model);
      for (const [k, v] of Object.entries(wanted)) expect(d.spec.template.metadata.labels[k]).toBe(v);
      expect(d.spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: ENGINE_PORT, protocol: 'TCP' }]);
      // The router reads /v1/models with the key (VLLM_API_KEY from vllmApiKey): every engine accepts a bearer key there.
      const def = engineDefinition(d.metadata.labels['ai-platform.cdktf.io/engine']);
      expect(def.apiKey.open.includes('/v1/models') || def.id !== 'llama-cpp').toBe(true);
    }
    expect(router.vllmApiKey).toEqual({ secretName: 'mix-api-key', secretKey: 'api-key' });
  });

  test('engine choices an engine cannot serve are refused with the prop, the value and what is valid', () => {
    const fail = (m: VllmModelOptions) => () => build([m]);
    expect(fail({ ...CHAT, model: 's3://bucket/qwen', baseModel: 'Qwen/Qwen2.5-7B' })).toThrow(ValidationError);
    expect(fail({ ...CHAT, model: 's3://bucket/qwen', baseModel: 'Qwen/Qwen2.5-7B' })).toThrow(/models\[0\]\.engine \("sglang"\) is invalid: cannot serve this model: .*use engine VLLM/);
    expect(fail({ ...SMALL, precision: ModelPrecision.AWQ_INT4 })).toThrow(/models\[0\]\.engine \("llama-cpp"\) is invalid: .*BF16 \(BF16\), FP16 \(F16\) or INT8 \(Q8_0\)/);
    expect(fail({ ...SMALL, revision: 'main' })).toThrow(/takes no revision/);
    expect(fail({ ...CHAT, engine: 'tgi' as ServingEngine })).toThrow(/models\[0\]\.engine \("tgi"\) is invalid: must be one of vllm, sglang, llama-cpp/);
    expect(fail({ ...CHAT, extraArgs: ['--mem-fraction-static=0.5'] })).toThrow(/extraArgs .* sets an argument the stack manages/);
  });

  test('the pinned engine images carry their source and check date (docs/facts.md)', () => {
    const table = servingEngineFacts();
    expect(factTableProblems(table)).toEqual([]);
    expect(table.rows.map((r) => r.value)).toEqual(expect.arrayContaining(['vllm/vllm-openai:v0.31.0', 'lmsysorg/sglang:v0.5.20', 'ghcr.io/ggml-org/llama.cpp:server-cuda-b11243']));
  });
});

describe('common serving signals', () => {
  const rules = signalRule.spec.groups[0].rules as Obj[];
  const common = new Set<string>(Object.values(SERVING_SIGNALS));

  test('one PrometheusRule records every signal each engine has, per model, labelled model and engine', () => {
    expectValidCustomResource(signalRule);
    for (const [model, id] of [['chat', 'sglang'], ['embed', 'vllm'], ['small', 'llama-cpp']]) {
      const def = engineDefinition(id);
      const mine = rules.filter((r) => r.labels.model === model);
      expect(mine.length).toBe(Object.keys(def.signals).length);
      for (const r of mine) {
        expect(common.has(r.record)).toBe(true);
        expect(r.labels.engine).toBe(id);
        expect(r.expr).toContain(`service="mix-${model}-engine"`);
        const read = parsePromQl(r.expr).metricNames;
        // Each raw name the rule reads is one the engine module declares (and tests check upstream).
        for (const n of read) expect(def.rawMetrics.some((raw) => n === raw || n.startsWith(`${raw}_`))).toBe(true);
      }
    }
  });

  test('a signal an engine lacks is recorded by no rule, and the engine says what stands in for it', () => {
    const keys: SignalKey[] = ['requestsWaiting', 'requestsRunning', 'kvCacheUsage', 'ttftBucket', 'e2eLatencyBucket', 'promptTokens', 'generationTokens', 'requestsFinished', 'requestsAborted', 'requestsFailed', 'requestPromptTokensBucket', 'requestGenerationTokensBucket'];
    for (const id of ['vllm', 'sglang', 'llama-cpp']) {
      const def = engineDefinition(id);
      for (const k of keys) expect(Boolean(def.signals[k]) !== Boolean(def.missingSignals[k])).toBe(true);
    }
    const small = rules.filter((r) => r.labels.model === 'small').map((r) => r.record);
    expect(small).not.toContain(SERVING_SIGNALS.e2eLatencyBucket);
    // llama.cpp has no KV-cache gauge: busy slots over all slots stands in.
    const kv = rules.find((r) => r.labels.model === 'small' && r.record === SERVING_SIGNALS.kvCacheUsage) as Obj;
    expect(kv.expr).toBe(`sum by (namespace, pod) (llamacpp:requests_processing{namespace="mix",service="mix-small-engine"}) / ${LLAMA_CPP_DEFAULTS.parallelSlots}`);
    // SGLang counts no failed requests.
    expect(rules.some((r) => r.labels.model === 'chat' && r.labels.outcome === 'failed')).toBe(false);
    expect(rules.some((r) => r.labels.model === 'chat' && r.labels.outcome === 'aborted')).toBe(true);
  });

  test('alerts, autoscaling queries and the dashboard parse and read the common signals only', () => {
    const exprs: string[] = [
      ...alertRule.spec.groups[0].rules.map((r: Obj) => r.expr),
      ...autoscaling.flatMap((so) => so.spec.triggers.map((t: Obj) => t.metadata.query)),
    ];
    expect(autoscaling.map((so) => so.metadata.name)).toEqual(['mix-chat-engine', 'mix-embed-engine']);
    for (const e of exprs) {
      for (const n of parsePromQl(e).metricNames) expect(common.has(n) || n.startsWith('kube_')).toBe(true);
    }
    const dash = JSON.parse(Object.values((monitoring.find((m) => m.kind === 'ConfigMap') as Obj).data)[0] as string);
    for (const p of dash.panels) for (const t of p.targets) for (const n of parsePromQl(t.expr).metricNames) expect(common.has(n) || n === 'vllm:num_incoming_requests_total').toBe(true);
  });

  test('the engine scrape sends the API key only when an engine guards /metrics with it (llama.cpp)', () => {
    const sm = monitoring.find((m) => m.metadata.name === 'mix-engines') as Obj;
    expectValidCustomResource(sm);
    expect(sm.spec.endpoints[0].authorization).toEqual({ type: 'Bearer', credentials: { name: 'mix-api-key', key: 'api-key' } });
    const plain = releaseValues(synth(build([EMBED]).stack), 'mix-monitoring').manifests.find((m: Obj) => m.metadata.name === 'mix-engines');
    expect(plain.spec.endpoints[0].authorization).toBeUndefined();
  });
});

describe('memory model per engine', () => {
  const l40s = 46068 / 1024;
  const arch = { parametersBillions: 8.03, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, contextLength: 131072, hiddenSize: 4096, vocabSize: 128256 };
  const input = { architecture: arch, gpuMemoryGiB: l40s, precision: ModelPrecision.BF16, kvCacheDtype: KvCacheDtype.AUTO, tensorParallelSize: 1, maxModelLen: 32768 };

  test('vLLM is the shared estimate at its utilization', () => {
    const e = engineDefinition('vllm').memory({ ...input, memoryFraction: 0.9 });
    const shared = estimateModelMemory({ ...input, gpuMemoryUtilization: 0.9 });
    expect(e.kvCachePerGpuGiB).toBeCloseTo(shared.kvCachePerGpuGiB, 9);
    expect(e.kvCacheTokens).toBe(shared.kvCacheTokens);
  });

  test('SGLang: mem-fraction-static holds weights and KV cache; activations come from the rest of the GPU', () => {
    const e = engineDefinition('sglang').memory({ ...input, memoryFraction: 0.85 });
    const weights = e.weightsPerGpuGiB;
    expect(e.kvCachePerGpuGiB).toBeCloseTo(0.85 * l40s - weights, 9);
    // 128 KiB per token (2 × 32 layers × 8 KV heads × 128 × 2 bytes).
    expect(e.kvBytesPerToken).toBe(131072);
    expect(e.kvCacheTokens).toBe(Math.floor(((0.85 * l40s - weights) * 1024 ** 3) / 131072));
    // With almost all of the GPU static, the activations no longer fit: reported as not fitting.
    expect(engineDefinition('sglang').memory({ ...input, memoryFraction: 0.99 }).fits).toBe(false);
  });

  test('llama.cpp: weights, compute buffers and the whole context of every slot must fit at start', () => {
    const ok = engineDefinition('llama-cpp').memory({ ...input, maxModelLen: 8192, memoryFraction: 0.95 });
    expect(ok.fits).toBe(true);
    expect(ok.kvCacheTokens).toBe(8192 * LLAMA_CPP_DEFAULTS.parallelSlots);
    // 4 slots × 131072 tokens × 128 KiB = 64 GiB of context: does not fit an L40S.
    expect(engineDefinition('llama-cpp').memory({ ...input, maxModelLen: 131072, memoryFraction: 0.95 }).fits).toBe(false);
    expect(() => build([{ ...SMALL, baseModel: 'meta-llama/Llama-3.1-8B', precision: ModelPrecision.BF16, maxModelLen: 131072 }])).toThrow(/maxModelLen \(131072\) is invalid: does not fit/);
  });
});

describe('adding an engine', () => {
  // A test engine, registered here only: no edit of the stack, the manifests, the monitoring or the
  // autoscaling is needed for it to be served, scraped, mapped, alerted on and scaled.
  const TEST_ENGINE: EngineDefinition = registerEngine({
    id: 'test-engine',
    displayName: 'Test engine',
    image: { repository: 'example.com/test-engine', tag: 'v1.2.3', source: 'https://example.com/test-engine/releases/v1.2.3', checked: '2026-12-07' },
    containerName: 'test-engine',
    homeDir: '/home/test',
    defaultMemoryFraction: 0.8,
    memoryFractionFlag: '--memory',
    probes: { startup: '/started', readiness: '/ready', liveness: '/alive' },
    apiKey: { protects: 'everything', open: ['/ready'], metricsNeedKey: false },
    apiKeyEnv: 'TEST_KEY',
    reservedArgs: /^--memory/,
    multipleServedNames: false,
    problem: () => undefined,
    command: () => ['serve'],
    args: (m, port) => ['--model', m.modelRef, '--port', String(port), '--memory', String(m.gpuMemoryUtilization), '--name', m.servedModelNames[0]],
    env: () => [],
    signals: { requestsWaiting: (sel) => `sum by (namespace, pod) (test_queue{${sel}})` },
    missingSignals: { kvCacheUsage: 'none' },
    rawMetrics: ['test_queue'],
    memory: (i) => ({ ...estimateModelMemory({ ...i, gpuMemoryUtilization: i.memoryFraction }), budgetExplanation: 'test' }),
  });

  test('a registered engine is rendered, mapped and scaled through its definition alone', () => {
    const b = build([{ name: 'new', model: 'meta-llama/Llama-3.1-8B-Instruct', engine: TEST_ENGINE.id as ServingEngine, replicas: { min: 1, max: 2 } }]);
    const out = synth(b.stack);
    const c = deployment(releaseValues(out, 'mix').extraObjects, 'new').spec.template.spec.containers[0];
    expect(c).toMatchObject({ name: 'test-engine', image: 'example.com/test-engine:v1.2.3', command: ['serve'] });
    expect(c.args).toEqual(['--model', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000', '--memory', '0.8', '--name', 'new']);
    expect([c.startupProbe.httpGet.path, c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path]).toEqual(['/started', '/ready', '/alive']);
    expect(c.env).toContainEqual({ name: 'TEST_KEY', valueFrom: { secretKeyRef: { name: 'mix-api-key', key: 'api-key' } } });
    const rules = releaseValues(out, 'mix-monitoring').manifests.find((m: Obj) => m.metadata.name === 'mix-serving-signals').spec.groups[0].rules;
    expect(rules).toEqual([{ record: SERVING_SIGNALS.requestsWaiting, expr: 'sum by (namespace, pod) (test_queue{namespace="mix",service="mix-new-engine"})', labels: { model: 'new', engine: 'test-engine' } }]);
    const [so] = releaseValues(out, 'mix-autoscaling').manifests;
    expect(so.spec.triggers[0].metadata.query).toBe('sum(aiplatform:serving_requests_waiting{namespace="mix",model="new"})');
    expect(warnings(b.stack).join('\n')).not.toMatch(/test-engine/);
  });
});

describe('network policies', () => {
  // A small evaluator of the rendered NetworkPolicies (ingress only): may a pod reach a port of a target pod?
  interface Pod { readonly namespace: string; readonly labels: Record<string, string> }
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const namespaceLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });
  const matches = (sel: Obj | undefined, labels: Record<string, string>) => Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  function allowed(from: Pod, to: Pod, port: number): boolean {
    const applying = policies.filter((p) => p.metadata.namespace === to.namespace && matches(p.spec.podSelector, to.labels));
    if (applying.length === 0) return true;
    return applying.some((p) => (p.spec.ingress ?? []).some((rule: Obj) => rule.ports.some((pt: Obj) => pt.port === port) && rule.from.some((peer: Obj) => {
      if (peer.ipBlock) return false;
      const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, namespaceLabels(from.namespace)) : from.namespace === to.namespace;
      const podOk = peer.podSelector ? matches(peer.podSelector, from.labels) : true;
      return nsOk && podOk;
    })));
  }
  const engine: Pod = { namespace: 'mix', labels: { ...allEnginesSelector('mix'), 'app.kubernetes.io/name': 'chat' } };
  const router: Pod = { namespace: 'mix', labels: { 'app.kubernetes.io/instance': 'mix', 'app.kubernetes.io/component': 'router' } };
  const prometheus: Pod = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus', prometheus: 'kube-prometheus-stack-prometheus' } };
  const grafana: Pod = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } };
  const foreign: Pod = { namespace: 'team-a', labels: { app: 'x' } };

  test('only the router and the Prometheus pods reach the engines; other monitoring pods do not', () => {
    expect(allowed(router, engine, ENGINE_PORT)).toBe(true);
    expect(allowed(prometheus, engine, ENGINE_PORT)).toBe(true);
    expect(allowed(grafana, engine, ENGINE_PORT)).toBe(false);
    expect(allowed(foreign, engine, ENGINE_PORT)).toBe(false);
    expect(allowed(prometheus, router, 8000)).toBe(true);
    expect(allowed(grafana, router, 8000)).toBe(false);
  });

  test('with an ingress: only the ALB subnets are admitted, placed with subnetIds; without them a warning', () => {
    const ingress = { host: 'llm.internal.example.com', certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/abc', clientCidrs: ['10.0.0.0/8'], loadBalancerSourceCidrs: ['10.0.250.0/26', '10.0.250.64/26'], subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'] };
    const b = build([EMBED], { ingress });
    const out = synth(b.stack);
    const v = releaseValues(out, 'mix');
    const pol = (v.extraObjects as Obj[]).find((o) => o.metadata.name === 'mix-router') as Obj;
    expect(pol.spec.ingress[0].from).toEqual([{ podSelector: {} }, { ipBlock: { cidr: '10.0.250.0/26' } }, { ipBlock: { cidr: '10.0.250.64/26' } }]);
    expect(v.routerSpec.ingress.annotations['alb.ingress.kubernetes.io/subnets']).toBe('subnet-0aaa1111,subnet-0bbb2222');
    expect(warnings(b.stack).join('\n')).not.toMatch(/bypass clientNamespaces/);
    const wide = build([EMBED], { ingress: { ...ingress, subnetIds: undefined, loadBalancerSourceCidrs: ['10.0.0.0/16'] } });
    expect(warnings(wide.stack).join('\n')).toMatch(/ingress.loadBalancerSourceCidrs \(10\.0\.0\.0\/16\) are admitted to the router pods; with the VPC CNI every pod in those ranges can then bypass clientNamespaces/);
    expect(() => build([EMBED], { ingress: { ...ingress, subnetIds: ['subnet-0aaa1111'] } })).toThrow(/ingress.subnetIds .* must list at least two subnets/);
  });
});
