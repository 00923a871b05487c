// End to end: the evaluation gate of a rollout. The analysis Job's config is taken from the
// synthesized gate (ConfigMap eval-<name>-gate), pointed at loopback stubs (a canary model, a
// Pushgateway, a local dataset) and run with the BUNDLED eval job, as the Job would run it. Argo
// Rollouts' job provider maps the Job's outcome: exit 0 → Successful, exit 2 (gate failed, never
// retried) → Failed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EvalCronJob } from '../../lib/evaluation';
import { VllmServingStack } from '../../lib/serving';
import { awsStack } from '../harness/synth';
import { FakeGpuPool, FakeMetrics, fakeCluster } from '../serving/fakes';
import { buildBundles, errorLines, runBundle, sampleOf, startModel, startPushgateway } from './support/stubs';

const KEY = 'sk-canary-1';
const ROWS = [
  { id: 'capital', input: 'What is the capital of France? Answer with one word.', expected: 'Paris', scorer: 'exact', options: { ignoreCase: true } },
  { id: 'colors', input: 'Name three primary colors.', expected: ['red', 'blue'], scorer: 'contains', options: { ignoreCase: true } },
  { id: 'date', input: 'Give the ISO date of new year 2024.', expected: '^\\d{4}-\\d{2}-\\d{2}$', scorer: 'regex' },
  { id: 'ok-json', input: 'Return {"ok": true} as JSON.', expected: { ok: true }, scorer: 'json' },
];
const GOOD: Record<string, string> = { [ROWS[0].input]: 'Paris', [ROWS[1].input]: 'Red, yellow and blue.', [ROWS[2].input]: '2024-01-01', [ROWS[3].input]: '{"ok": true}' };

let bundle: string;
let regressed = false;
let model: Awaited<ReturnType<typeof startModel>>;
let pg: Awaited<ReturnType<typeof startPushgateway>>;
let tmp: string;
let gateConfig: Record<string, unknown>;
let gateEnv: { name: string; valueFrom?: { secretKeyRef: { name: string } } }[];

beforeAll(async () => {
  bundle = (await buildBundles()).eval;
  model = await startModel((input, name) => {
    if (name !== 'chat') return { content: 'wrong model', status: 404 };
    // The regressed revision gets two of four answers wrong (pass rate 0.5 < the 0.85 gate).
    if (regressed && (input === ROWS[0].input || input === ROWS[3].input)) return { content: 'I am not sure.' };
    return { content: GOOD[input] ?? 'I do not know.' };
  }, KEY);
  pg = await startPushgateway();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-gate-'));
  fs.writeFileSync(path.join(tmp, 'rows.jsonl'), ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n');

  const stack = awsStack();
  const cluster = fakeCluster(stack);
  const metrics = new FakeMetrics(stack, 'metrics');
  const serving = new VllmServingStack(stack, 'llm', {
    cluster, gpuPool: new FakeGpuPool(stack, 'pool'), metrics,
    models: [{ name: 'chat', model: 'meta-llama/Llama-3.1-8B-Instruct', replicas: { min: 2, max: 2 }, rollout: {} }],
  });
  const evaluation = new EvalCronJob(stack, 'chat-eval', { cluster, metrics, pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091', endpoint: serving, model: 'chat', datasetUrl: 's3://ml-evals/chat/v1.jsonl', schedule: '@daily', gates: [{ metric: 'pass_rate', min: 0.85 }] });
  const template = serving.addEvaluationGate(evaluation) as unknown as { spec: { metrics: { provider: { job: { spec: { template: { spec: { containers: { env: typeof gateEnv }[] } } } } } }[] } };
  const cm = serving.rollouts!.chart.manifests.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'eval-chat-eval-gate') as unknown as { data: { 'config.json': string } };
  gateConfig = JSON.parse(cm.data['config.json']);
  gateEnv = template.spec.metrics[0].provider.job.spec.template.spec.containers[0].env;
});

afterAll(async () => {
  await Promise.all([model?.close(), pg?.close()]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the gate's config with the cluster addresses swapped for the stubs (canary Service → model stub). */
async function runGate() {
  const c = JSON.parse(JSON.stringify(gateConfig));
  expect(c.model.baseUrl).toBe('http://llm-chat-engine-canary.llm.svc.cluster.local:8000/v1');
  c.model.baseUrl = `${model.url}/v1`;
  c.datasetUrl = `file://${tmp}/rows.jsonl`;
  c.pushgateway.url = pg.url;
  const file = path.join(tmp, 'config.json');
  fs.writeFileSync(file, JSON.stringify(c));
  // The Job's key comes from the serving stack's API key Secret.
  const keyEnv = gateEnv.find((e) => e.valueFrom?.secretKeyRef.name === 'llm-api-key');
  expect(keyEnv?.name).toBe('EVAL_MODEL_API_KEY');
  return runBundle(bundle, { JOB_CONFIG_FILE: file, EVAL_MODEL_API_KEY: KEY });
}

test('a good canary passes the gate: exit 0 (analysis Successful), gate metrics pushed under the gate\'s own name', async () => {
  regressed = false;
  const r = await runGate();
  expect(errorLines(r)).toEqual([]);
  expect(r.code).toBe(0);
  const push = pg.pushes[pg.pushes.length - 1];
  expect(push.path).toBe('/metrics/job/aiplatform-eval/eval/chat-eval-canary/namespace/llm');
  expect(sampleOf(push, 'aiplatform_eval_gate_passed', { eval: 'chat-eval-canary' })).toBe(1);
  expect(sampleOf(push, 'aiplatform_eval_pass_rate', { eval: 'chat-eval-canary' })).toBe(1);
});

test('a regressed canary fails the gate: exit 2 (analysis Failed, the Job is not retried), gate metrics say which gate', async () => {
  regressed = true;
  const r = await runGate();
  expect(r.code).toBe(2);
  expect(r.stdout + r.stderr).toContain('FAILED: pass_rate 0.500 (2/4)');
  const push = pg.pushes[pg.pushes.length - 1];
  expect(sampleOf(push, 'aiplatform_eval_gate_passed', { eval: 'chat-eval-canary' })).toBe(0);
  expect(sampleOf(push, 'aiplatform_eval_pass_rate', { eval: 'chat-eval-canary' })).toBe(0.5);
  expect(sampleOf(push, 'aiplatform_eval_gate_check_passed', { eval: 'chat-eval-canary', gate: 'threshold', metric: 'pass_rate' })).toBe(0);
});
