/* eslint-disable @typescript-eslint/no-explicit-any */
// Evaluation-gated rollouts: one synth of a stack with a canary model (KEDA), a blue/green model and
// an evaluation gate; every Argo object against the reference CRDs, the chart values against the
// reference chart, every query through the PromQL parser; the capacity check's numbers.
import * as YAML from 'yaml';
import { Construct } from 'constructs';
import { EvalCronJob } from '../../lib/evaluation';
import { ArgoRollouts, RolloutMigration, RolloutStrategy } from '../../lib/rollout';
import { VllmServingStack } from '../../lib/serving';
import { parsePromQl } from '../../lib/monitoring/promql';
import { PlatformGuardrails } from '../../lib/policy';
import { awsStack, synth } from '../harness/synth';
import { expectValidChartValues, expectValidCustomResource } from '../harness/reference';
import { expectValidKubernetesObject, isKubernetesBuiltinKind, kubernetesTypeErrors } from '../harness/kubernetes-openapi';
import { FakeGpuPool, FakeMetrics, fakeCluster } from '../serving/fakes';
import { egressAllowed, Pod, renderedNetworkPolicies } from '../harness/network-policy';

type Obj = Record<string, any>;

class LimitedPool extends FakeGpuPool {
  public readonly maxGpus: number;
  public constructor(scope: Construct, id: string, maxGpus: number, instanceTypes?: string[]) {
    super(scope, id, { instanceTypes });
    this.maxGpus = maxGpus;
  }
}

function build(o: { maxGpus?: number; migration?: RolloutMigration; gate?: boolean } = {}) {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const metrics = new FakeMetrics(stack, 'metrics');
  const gpuPool = new LimitedPool(stack, 'pool', o.maxGpus ?? 64, ['g6e.12xlarge']);
  const serving = new VllmServingStack(stack, 'llm', {
    cluster, gpuPool, metrics,
    models: [
      { name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 2, max: 4 }, rollout: { migration: o.migration, checks: { cost: {} } } },
      { name: 'big', model: 'meta-llama/Llama-3.1-70B-Instruct', tensorParallelSize: 4, rollout: {} },
      { name: 'plain', model: 'meta-llama/Llama-3.2-3B-Instruct' },
    ],
  });
  let evaluation: EvalCronJob | undefined;
  if (o.gate ?? true) {
    evaluation = new EvalCronJob(stack, 'chat-eval', { cluster, metrics, pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091', endpoint: serving, model: 'chat', datasetUrl: 's3://ml-evals/chat/v1.jsonl', schedule: '0 */6 * * *', gates: [{ metric: 'pass_rate', min: 0.85 }] });
    serving.addEvaluationGate(evaluation);
  }
  return { stack, serving, evaluation };
}

const manifestsOf = (s: Obj, name: string): Obj[] => {
  const r = Object.values(s.resource.helm_release).find((x: any) => x.name === name) as Obj;
  return YAML.parse(r.values[0]).manifests ?? YAML.parse(r.values[0]).extraObjects;
};

describe('rollouts on', () => {
  const { stack, serving } = build();
  const s = synth(stack) as Obj;
  const objects = manifestsOf(s, 'llm-rollouts');
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const engines = YAML.parse((Object.values(s.resource.helm_release).find((x: any) => x.name === 'llm') as Obj).values[0]).extraObjects as Obj[];

  test('every Rollout and AnalysisTemplate validates against the v1.9.0 CRDs (unknown fields rejected)', () => {
    expect(byKind('Rollout').map((o) => o.metadata.name)).toEqual(['llm-chat-engine', 'llm-big-engine']);
    expect(byKind('AnalysisTemplate').map((o) => o.metadata.name).sort()).toEqual(['llm-big-engine-signals', 'llm-chat-engine-evaluation', 'llm-chat-engine-signals']);
    for (const o of [...byKind('Rollout'), ...byKind('AnalysisTemplate')]) expectValidCustomResource(o);
    for (const o of byKind('PrometheusRule')) expectValidCustomResource(o);
  });

  test('every core object of the rollouts release and of the engines passes the Kubernetes 1.35 OpenAPI oracle; so does the analysis Job spec', () => {
    const core = [...objects, ...engines].filter((o) => isKubernetesBuiltinKind(o));
    expect(core.map((o) => o.kind)).toEqual(expect.arrayContaining(['Service', 'ConfigMap', 'NetworkPolicy', 'Deployment', 'PodDisruptionBudget']));
    for (const o of core) expectValidKubernetesObject(o, 'llm-rollouts');
    const t = byKind('AnalysisTemplate').find((x) => x.metadata.name === 'llm-chat-engine-evaluation') as Obj;
    expect(kubernetesTypeErrors('io.k8s.api.batch.v1.JobSpec', t.spec.metrics[0].provider.job.spec)).toEqual([]);
  });

  test('the controller namespace denies egress except the Kubernetes API and Prometheus (the analysis checks)', () => {
    const policies = renderedNetworkPolicies({ s: s as never });
    const controller: Pod = { namespace: 'argo-rollouts', labels: { 'app.kubernetes.io/name': 'argo-rollouts' } };
    const prometheus: Pod = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    const apiServer: Pod = { namespace: '(outside)', labels: {}, ip: '172.20.0.1', external: true };
    const internet: Pod = { namespace: '(outside)', labels: {}, ip: '18.239.50.49', external: true };
    expect(egressAllowed(policies, controller, apiServer, 443)).toBe(true);
    expect(egressAllowed(policies, controller, prometheus, 9090)).toBe(true);
    expect(egressAllowed(policies, controller, internet, 443)).toBe(false);
    expect(egressAllowed(policies, controller, { namespace: 'monitoring', labels: { app: 'other' } }, 9090)).toBe(false);
  });

  test('the CRD oracle rejects a misspelt Rollout field (the check can fail)', () => {
    const bad = JSON.parse(JSON.stringify(byKind('Rollout')[0]));
    bad.spec.strategy.canary.canarySvc = 'x';
    expect(() => expectValidCustomResource(bad)).toThrow(/canarySvc|additional/);
  });

  test('the argo-rollouts chart values exist in chart 2.41.0', () => {
    const chart = Object.values(s.resource.helm_release).find((x: any) => x.chart === 'argo-rollouts') as Obj;
    expect(chart.version).toBe('2.41.0');
    expectValidChartValues('argo-rollouts', YAML.parse(chart.values[0]));
  });

  test('canary (multi-replica): workloadRef to the Deployment, canary/stable Services, evaluation then signals', () => {
    const r = byKind('Rollout')[0];
    expect(r.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm-chat-engine', scaleDown: 'never' });
    expect(r.spec.replicas).toBeUndefined();
    const c = r.spec.strategy.canary;
    expect([c.canaryService, c.stableService, c.maxSurge, c.maxUnavailable]).toEqual(['llm-chat-engine-canary', 'llm-chat-engine-stable', 1, 0]);
    // The cost rules attribute spend per role (lib/cost): Argo labels canary and stable pods.
    expect([c.canaryMetadata, c.stableMetadata]).toEqual([{ labels: { 'aiplatform.io/rollout-role': 'canary' } }, { labels: { 'aiplatform.io/rollout-role': 'stable' } }]);
    expect(c.steps[0]).toEqual({ setWeight: 25 });
    expect(c.steps[1].analysis.templates).toEqual([{ templateName: 'llm-chat-engine-evaluation' }, { templateName: 'llm-chat-engine-signals' }]);
    expect(c.steps[1].analysis.args).toEqual([{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }, { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } }]);
    expect(c.steps.slice(2)).toEqual([{ setWeight: 50 }, { pause: { duration: '300s' } }, { analysis: expect.objectContaining({ templates: [{ templateName: 'llm-chat-engine-signals' }] }) }]);
  });

  test('blue/green (one replica): preview Service, pre-promotion analysis, preview pods hidden from the router', () => {
    const b = byKind('Rollout')[1].spec.strategy.blueGreen;
    expect([b.activeService, b.previewService]).toEqual(['llm-big-engine-active', 'llm-big-engine-preview']);
    expect(b.prePromotionAnalysis.templates).toEqual([{ templateName: 'llm-big-engine-signals' }]);
    expect(b.previewMetadata).toEqual({ labels: { 'ai-platform.cdktf.io/rollout-preview': 'true', 'aiplatform.io/rollout-role': 'canary' } });
    expect(b.activeMetadata).toEqual({ labels: { 'aiplatform.io/rollout-role': 'stable' } });
    const router = YAML.parse((Object.values(s.resource.helm_release).find((x: any) => x.name === 'llm') as Obj).values[0]).routerSpec;
    expect(router.extraArgs[1]).toBe('app.kubernetes.io/instance=llm,app.kubernetes.io/component=serving-engine,ai-platform.cdktf.io/rollout-preview!=true');
  });

  test('the Deployments keep no replicas under a Rollout; the plain model is unchanged; KEDA scales the Rollout', () => {
    const dep = (n: string) => engines.find((o) => o.kind === 'Deployment' && o.metadata.name === n) as Obj;
    expect(dep('llm-chat-engine').spec.replicas).toBe(0);
    expect(dep('llm-big-engine').spec.replicas).toBe(0);
    expect(dep('llm-plain-engine').spec.replicas).toBe(1);
    const so = manifestsOf(s, 'llm-autoscaling').find((o) => o.metadata.name === 'llm-chat-engine') as Obj;
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'llm-chat-engine' });
    // The PDB still selects the model's pods (Rollout pods carry the template's labels).
    expect(engines.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'llm-chat-engine')?.spec.selector.matchLabels).toEqual(byKind('Rollout')[0].spec.selector.matchLabels);
  });

  test('the Rollout Services are not scraped a second time (the engines ServiceMonitor does not select them)', () => {
    const sm = manifestsOf(s, 'llm-monitoring').find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'llm-engines') as Obj;
    const svcs = byKind('Service');
    expect(svcs.map((x) => x.metadata.name).sort()).toEqual(['llm-big-engine-active', 'llm-big-engine-preview', 'llm-chat-engine-canary', 'llm-chat-engine-stable']);
    for (const svc of svcs) expect(Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels[k] === v)).toBe(false);
  });

  test('every check query parses as PromQL once Argo substitutes the hashes; the selectors read the common signals of the canary pods', () => {
    const templates = byKind('AnalysisTemplate').filter((t) => t.metadata.name.endsWith('-signals'));
    const queries = templates.flatMap((t) => t.spec.metrics.map((m: Obj) => m.provider.prometheus.query as string));
    expect(queries).toHaveLength(5);
    expect((templates.find((t) => t.metadata.name === 'llm-big-engine-signals') as Obj).spec.metrics.map((m: Obj) => m.name)).toEqual(['error-ratio']);
    for (const q of queries) {
      const info = parsePromQl(q.replace(/\{\{args\.[a-z-]+\}\}/g, 'abc123'));
      expect(info.metricNames.every((n: string) => n.startsWith('aiplatform:serving_'))).toBe(true);
    }
    expect(serving.rollouts!.queries('chat')['error-ratio']).toContain('pod=~"llm-chat-engine-{{args.canary-hash}}-.*"');
    expect(templates[0].spec.metrics.map((m: Obj) => m.name)).toEqual(['error-ratio', 'ttft-p95', 'e2e-latency-p95', 'cost-per-1m-tokens']);
  });

  test('evaluation gate: the eval job (same bundle, dataset, gates) against the canary Service; exit 2 fails at once', () => {
    const t = byKind('AnalysisTemplate').find((x) => x.metadata.name === 'llm-chat-engine-evaluation') as Obj;
    const job = t.spec.metrics[0].provider.job;
    expect(job.spec.podFailurePolicy.rules[0]).toEqual({ action: 'FailJob', onExitCodes: { containerName: 'job', operator: 'In', values: [2] } });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.metadata.labels['ai-platform.cdktf.io/rollout-analysis']).toBe('evaluation');
    const cm = byKind('ConfigMap').find((x) => x.metadata.name === 'eval-chat-eval-gate') as Obj;
    const config = JSON.parse(cm.data['config.json']);
    expect(config).toMatchObject({ name: 'chat-eval-canary', datasetUrl: 's3://ml-evals/chat/v1.jsonl', gates: [{ metric: 'pass_rate', min: 0.85 }], model: { baseUrl: 'http://llm-chat-engine-canary.llm.svc.cluster.local:8000/v1', model: 'chat' } });
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'JOB_CONFIG_FILE', value: '/gate/config.json' });
    expect(JSON.stringify(t)).not.toContain('{{');
  });

  test('the analysis Job may reach the engines (NetworkPolicy) and the policy Aspect sees it as a workload', () => {
    const np = byKind('NetworkPolicy')[0];
    expect(np.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ 'ai-platform.cdktf.io/rollout-analysis': 'evaluation' });
    expect(np.spec.ingress[0].ports).toEqual([{ port: 8000, protocol: 'TCP' }]);
    const w = serving.rollouts!.renderedWorkloads();
    expect(w.map((x) => [x.kind, x.name])).toEqual([['Job', 'eval-chat-eval-gate']]);
    expect(w[0].podSpec.securityContext).toMatchObject({ runAsNonRoot: true });
  });

  test('alerts on Argo Rollouts metrics name the failing check', () => {
    const rule = byKind('PrometheusRule').find((x) => x.metadata.name === 'llm-rollouts') as Obj;
    const exprs = rule.spec.groups[0].rules.map((r: Obj) => r.expr as string);
    for (const e of exprs) parsePromQl(e);
    expect(parsePromQl(exprs[0]).metricNames).toEqual(['analysis_run_metric_phase']);
    expect(parsePromQl(exprs[1]).metricNames).toEqual(['rollout_info']);
  });
});

describe('rollout errors and migration', () => {
  test('the policy Aspect checks the analysis Job: a privileged gate Job is a finding', () => {
    const { stack, serving } = build({ maxGpus: 64 });
    const clean = PlatformGuardrails.check(stack).findings.filter((f) => f.subject.includes('eval-chat-eval-gate'));
    expect(clean).toEqual([]);
    const job = serving.rollouts!.renderedWorkloads()[0];
    ((job.podSpec.containers as Obj[])[0].securityContext as Obj).privileged = true;
    const findings = PlatformGuardrails.check(stack).findings.filter((f) => f.subject.includes('eval-chat-eval-gate'));
    expect(findings.map((f) => f.severity)).toContain('error');
  });

  test('capacity: a pool that cannot hold stable + surge fails synth with the numbers', () => {
    // chat 4 × 1 + big 1 × 4 + plain 1 × 1 = 9 stable; surge: chat canary 1 + big preview 4 = 5.
    expect(() => build({ maxGpus: 12, gate: false })).toThrow(/needs stable 9 GPUs \(chat 4 × 1, big 1 × 4, plain 1 × 1\) \+ surge 5 GPUs \(chat canary 1, big preview 4\) = 14 GPUs, more than pool gpu holds \(maxGpus 12\)/);
    expect(() => build({ maxGpus: 14, gate: false })).not.toThrow();
  });

  test('switching on: the Deployment keeps its replicas and Argo scales it down progressively; the surge is a full copy', () => {
    const { stack, serving } = build({ migration: RolloutMigration.FROM_DEPLOYMENT, gate: false, maxGpus: 64 });
    const r = serving.rollouts!.chart.manifests.find((o) => o.kind === 'Rollout') as Obj;
    expect(r.spec.workloadRef.scaleDown).toBe('progressively');
    const engines = serving.engineObjects;
    expect((engines.find((o) => o.kind === 'Deployment' && o.metadata.name === 'llm-chat-engine') as Obj).spec.replicas).toBeUndefined();
    expect(() => synth(stack)).not.toThrow();
    expect(() => build({ migration: RolloutMigration.FROM_DEPLOYMENT, gate: false, maxGpus: 16 })).toThrow(/chat canary 4/);
  });

  test('a one-replica canary, a missing metrics backbone and a gate on a model without rollout are refused', () => {
    const stack = awsStack();
    const cluster = fakeCluster(stack);
    const gpuPool = new FakeGpuPool(stack, 'pool');
    const metrics = new FakeMetrics(stack, 'metrics');
    expect(() => new VllmServingStack(stack, 'a', { cluster, gpuPool, metrics, models: [{ name: 'm', model: 'meta-llama/Llama-3.2-3B-Instruct', rollout: { strategy: RolloutStrategy.CANARY } }] }))
      .toThrow(/models\[0\]\.rollout\.strategy.*needs at least 2 replicas/);
    expect(() => new VllmServingStack(stack, 'b', { cluster, gpuPool, models: [{ name: 'm', model: 'meta-llama/Llama-3.2-3B-Instruct', rollout: {} }] })).toThrow(/metrics.*rollout/);
    const plain = new VllmServingStack(stack, 'c', { cluster, gpuPool, metrics, models: [{ name: 'm', model: 'meta-llama/Llama-3.2-3B-Instruct' }] });
    const ev = new EvalCronJob(stack, 'e', { cluster, metrics, pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091', endpoint: plain, model: 'm', datasetUrl: 's3://ml-evals/d.jsonl', schedule: '@daily' });
    expect(() => plain.addEvaluationGate(ev)).toThrow(/rollout/);
    expect(plain.rollouts).toBeUndefined();
    expect(ArgoRollouts).toBeDefined();
  });
});
