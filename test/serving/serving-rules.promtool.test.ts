/* eslint-disable @typescript-eslint/no-explicit-any */
// The serving recording rules and alerts through promtool: raw series of each engine (vLLM, SGLang,
// llama.cpp) go in, the common signals are recorded, and the alerts, which read only those, fire or
// stay quiet. One promtool run covers every case. Needs `promtool` (Debian package `prometheus`).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { VllmServingStack, ServingEngine, ModelPrecision } from '../../lib/serving';
import { awsStack, synth } from '../harness/synth';
import { FakeGpuPool, FakeMetrics, fakeCluster } from './fakes';

type Obj = Record<string, any>;

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
// CI installs promtool; a developer machine without it skips these cases visibly.
const maybe = hasPromtool || process.env.CI ? test : test.skip;

function rules(): Obj[] {
  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const gpuPool = new FakeGpuPool(stack, 'pool');
  const metrics = new FakeMetrics(stack, 'metrics');
  new VllmServingStack(stack, 'mix', {
    cluster, gpuPool, metrics,
    models: [
      { name: 'chat', model: 'Qwen/Qwen2.5-7B-Instruct', engine: ServingEngine.SGLANG, replicas: { min: 1, max: 3 } },
      { name: 'embed', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 1, max: 2 } },
      { name: 'small', model: 'bartowski/Llama-3.2-3B-Instruct-GGUF', baseModel: 'meta-llama/Llama-3.2-3B', engine: ServingEngine.LLAMA_CPP, precision: ModelPrecision.INT8, maxModelLen: 8192 },
    ],
  });
  const s = synth(stack);
  const r = Object.values(s.resource?.helm_release ?? {}).find((x: any) => x.name === 'mix-monitoring') as Obj;
  return (YAML.parse(r.values[0]).manifests as Obj[]).filter((m) => m.kind === 'PrometheusRule');
}

const engine = (model: string) => `namespace="mix",service="mix-${model}-engine",pod="mix-${model}-engine-0"`;
const alertLabels = (alert: string, model: string, eng: string, severity = 'warning') => ({ alertname: alert, severity, namespace: 'mix', release: 'mix', model, engine: eng });

const queue = (model: string) => ({ summary: `Model ${model} has a long queue`, description: `More than 10 requests wait per replica of ${model} (now 20): the autoscaler is at its maximum or GPU capacity is missing.` });
const kv = (model: string, pct: string) => ({ summary: `Model ${model} has a full KV cache`, description: `KV-cache usage of ${model} is ${pct}: requests are preempted; add replicas or lower max-model-len.` });

maybe('recording rules map each engine to the common signals; alerts fire and stay quiet per engine (promtool)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serving-rules-'));
  try {
    const groups = rules().flatMap((r) => r.spec.groups);
    fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify({ groups }));
    const histogram = (name: string, model: string, buckets: Record<string, string>) =>
      Object.entries(buckets).map(([le, values]) => ({ series: `${name}{${engine(model)},le="${le}"}`, values }));
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // Queue: 20 waiting on vLLM and SGLang (threshold 10 per replica), 2 on llama.cpp.
            { series: `vllm:num_requests_waiting{${engine('embed')},model_name="embed",engine="0"}`, values: '20x30' },
            { series: `sglang:num_queue_reqs{${engine('chat')},model_name="chat"}`, values: '20x30' },
            { series: `llamacpp:requests_deferred{${engine('small')}}`, values: '2x30' },
            // KV cache: SGLang 99% and llama.cpp 4 of 4 slots busy (full); vLLM at 50%.
            { series: `sglang:token_usage{${engine('chat')},model_name="chat"}`, values: '0.99x30' },
            { series: `llamacpp:requests_processing{${engine('small')}}`, values: '4x30' },
            { series: `vllm:kv_cache_usage_perc{${engine('embed')},model_name="embed",engine="0"}`, values: '0.5x30' },
            // Latency: every vLLM request takes 60–120 s (p95 > 60 s); SGLang's take under 1 s.
            ...histogram('vllm:e2e_request_latency_seconds_bucket', 'embed', { '60.0': '0x30', '120.0': '0+10x30', '+Inf': '0+10x30' }),
            ...histogram('sglang:e2e_request_latency_seconds_bucket', 'chat', { '1': '0+10x30', '60': '0+10x30', '+Inf': '0+10x30' }),
            // No ready replica of the llama.cpp model for 40 minutes, while it wants one; the others are ready.
            { series: 'kube_deployment_spec_replicas{namespace="mix",deployment="mix-small-engine"}', values: '1x45' },
            { series: 'kube_deployment_status_replicas_available{namespace="mix",deployment="mix-small-engine"}', values: '0x45' },
            { series: 'kube_deployment_spec_replicas{namespace="mix",deployment="mix-embed-engine"}', values: '1x45' },
            { series: 'kube_deployment_status_replicas_available{namespace="mix",deployment="mix-embed-engine"}', values: '1x45' },
          ],
          promql_expr_test: [
            { expr: 'aiplatform:serving_requests_waiting', eval_time: '5m', exp_samples: [
              { labels: 'aiplatform:serving_requests_waiting{engine="sglang",model="chat",namespace="mix",pod="mix-chat-engine-0"}', value: 20 },
              { labels: 'aiplatform:serving_requests_waiting{engine="vllm",model="embed",namespace="mix",pod="mix-embed-engine-0"}', value: 20 },
              { labels: 'aiplatform:serving_requests_waiting{engine="llama-cpp",model="small",namespace="mix",pod="mix-small-engine-0"}', value: 2 },
            ] },
            { expr: 'aiplatform:serving_kv_cache_usage_ratio{model="small"}', eval_time: '5m', exp_samples: [
              { labels: 'aiplatform:serving_kv_cache_usage_ratio{engine="llama-cpp",model="small",namespace="mix",pod="mix-small-engine-0"}', value: 1 },
            ] },
          ],
          alert_rule_test: [
            { eval_time: '15m', alertname: 'VllmQueueHigh', exp_alerts: [
              { exp_labels: alertLabels('VllmQueueHigh', 'chat', 'sglang'), exp_annotations: queue('chat') },
              { exp_labels: alertLabels('VllmQueueHigh', 'embed', 'vllm'), exp_annotations: queue('embed') },
            ] },
            { eval_time: '5m', alertname: 'VllmQueueHigh', exp_alerts: [] },
            { eval_time: '20m', alertname: 'VllmKvCacheSaturated', exp_alerts: [
              { exp_labels: alertLabels('VllmKvCacheSaturated', 'chat', 'sglang'), exp_annotations: kv('chat', '99%') },
              { exp_labels: alertLabels('VllmKvCacheSaturated', 'small', 'llama-cpp'), exp_annotations: kv('small', '100%') },
            ] },
            { eval_time: '20m', alertname: 'VllmLatencyHigh', exp_alerts: [
              { exp_labels: alertLabels('VllmLatencyHigh', 'embed', 'vllm'), exp_annotations: { summary: 'Model embed is slow', description: 'p95 end-to-end latency of embed is 1m 57s (threshold 60s).' } },
            ] },
            { eval_time: '40m', alertname: 'VllmNoReadyReplicas', exp_alerts: [
              {
                exp_labels: { alertname: 'VllmNoReadyReplicas', severity: 'critical', namespace: 'mix', release: 'mix', deployment: 'mix-small-engine' },
                exp_annotations: { summary: 'vLLM deployment mix-small-engine has no ready replica', description: 'mix-small-engine wants replicas but none has been ready for 20 minutes (longer than its cold-start budget): check GPU capacity, image pull and model download.' },
              },
            ] },
            { eval_time: '10m', alertname: 'VllmNoReadyReplicas', exp_alerts: [] },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'tests.yaml'), YAML.stringify(tests));
    execFileSync('promtool', ['check', 'rules', 'rules.yaml'], { cwd: dir, stdio: 'pipe' });
    const run = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`promtool test rules failed:\n${run.stdout}\n${run.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
