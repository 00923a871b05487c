/* eslint-disable @typescript-eslint/no-explicit-any */
// The canary checks and the rollout alerts through promtool: the queries of the Prometheus
// AnalysisTemplate (with the pod-template hashes Argo substitutes) over recorded common signals of
// stable and canary pods, and the alerts over Argo Rollouts' own metrics. Needs `promtool`
// (Debian package `prometheus`).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { canaryCheckQueries, renderRolloutAlerts, EXCESS_SUCCESS_CONDITION } from '../../lib/rollout/render';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
const maybe = hasPromtool || process.env.CI ? test : test.skip;

const MODEL = { name: 'chat', deploymentName: 'llm-chat-engine', replicaHourlyUsd: 1.86 };
const queries = canaryCheckQueries('llm', MODEL, { cost: {} });
// Argo substitutes {{args.canary-hash}} / {{args.stable-hash}} with the ReplicaSets' pod-template hashes.
const withHashes = (q: string, canary: string, stable = '7c9f6d5b8') => q.replaceAll('{{args.canary-hash}}', canary).replaceAll('{{args.stable-hash}}', stable);
// Argo's successCondition is `result[0] <= 0` (plus no-data guards): `> bool 0` is 1 when the check fails.
const fails = (q: string) => `(${q}) > bool 0`;

function pod(hash: string, i = 0) {
  return `namespace="llm",model="chat",engine="vllm",pod="llm-chat-engine-${hash}-${'abcde'[i]}x1y2"`;
}

maybe('canary checks fail for a worse canary and pass for an equal one; rollout alerts fire and stay quiet (promtool)', () => {
  expect(EXCESS_SUCCESS_CONDITION).toContain('result[0] <= 0');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-checks-'));
  try {
    const alerts = renderRolloutAlerts('llm', 'llm', {}, ['llm-chat-engine']);
    fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify({ groups: (alerts.spec as any).groups }));
    const requests = (hash: string, finished: string, failed: string, i = 0) => [
      { series: `aiplatform:serving_requests:rate5m{${pod(hash, i)},outcome="finished"}`, values: finished },
      { series: `aiplatform:serving_requests:rate5m{${pod(hash, i)},outcome="failed"}`, values: failed },
      { series: `aiplatform:serving_requests:rate5m{${pod(hash, i)},outcome="aborted"}`, values: '0x20' },
    ];
    // TTFT buckets (per-second rates): stable and "same" canary mostly under 0.5 s; "slow" canary under 4 s.
    const ttft = (hash: string, b: Record<string, number>) => Object.entries(b).map(([le, v]) => ({ series: `aiplatform:serving_ttft_seconds_bucket:rate5m{${pod(hash)},le="${le}"}`, values: `${v}x20` }));
    const fast = { '0.25': 5, '0.5': 9.8, '1': 10, '4': 10, '+Inf': 10 };
    const slow = { '0.25': 0, '0.5': 1, '1': 2, '4': 9.9, '+Inf': 10 };
    const tokens = (hash: string, perSecond: number) => ({ series: `aiplatform:serving_generation_tokens:rate5m{${pod(hash)}}`, values: `${perSecond}x20` });
    const stable = '7c9f6d5b8';
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          // Stable: two pods, 1% failed.
          ...requests(stable, '9.9x20', '0.1x20', 0), ...requests(stable, '9.9x20', '0.1x20', 1),
          // "worse": 10% failed. "same": 1% failed, as stable.
          ...requests('worse5f7', '9x20', '1x20'), ...requests('same6a8', '9.9x20', '0.1x20'),
          ...ttft(stable, fast), ...ttft('same6a8', fast), ...ttft('worse5f7', slow),
          tokens(stable, 1000), tokens('same6a8', 1000), tokens('worse5f7', 500),
          // Argo Rollouts metrics: the canary's error-ratio check failed; the stable analysis succeeded.
          { series: 'analysis_run_metric_phase{namespace="llm",name="llm-chat-engine-worse5f7-3-1",metric="error-ratio",type="Prometheus",dry_run="false",phase="Failed"}', values: '0 1x10' },
          { series: 'analysis_run_metric_phase{namespace="llm",name="llm-chat-engine-same6a8-2-1",metric="error-ratio",type="Prometheus",dry_run="false",phase="Failed"}', values: '0x10' },
          { series: 'analysis_run_metric_phase{namespace="other",name="llm-chat-engine-x-1-1",metric="evaluation",type="Job",dry_run="false",phase="Failed"}', values: '1x10' },
          { series: 'rollout_info{namespace="llm",name="llm-chat-engine",strategy="canary",traffic_router="",phase="Degraded"}', values: '0 0 1x10' },
        ],
        promql_expr_test: [
          { expr: fails(withHashes(queries['error-ratio'], 'worse5f7')), eval_time: '5m', exp_samples: [{ labels: '{}', value: 1 }] },
          { expr: fails(withHashes(queries['error-ratio'], 'same6a8')), eval_time: '5m', exp_samples: [{ labels: '{}', value: 0 }] },
          { expr: fails(withHashes(queries['ttft-p95'], 'worse5f7')), eval_time: '5m', exp_samples: [{ labels: '{}', value: 1 }] },
          { expr: fails(withHashes(queries['ttft-p95'], 'same6a8')), eval_time: '5m', exp_samples: [{ labels: '{}', value: 0 }] },
          // Half the tokens per second on the same GPUs: twice the cost per 1M tokens.
          { expr: fails(withHashes(queries['cost-per-1m-tokens'], 'worse5f7')), eval_time: '5m', exp_samples: [{ labels: '{}', value: 1 }] },
          { expr: fails(withHashes(queries['cost-per-1m-tokens'], 'same6a8')), eval_time: '5m', exp_samples: [{ labels: '{}', value: 0 }] },
          // A stable revision without traffic: the canary is held to the tolerance alone.
          { expr: fails(withHashes(queries['error-ratio'], 'same6a8', 'nostable')), eval_time: '5m', exp_samples: [{ labels: '{}', value: 0 }] },
        ],
        alert_rule_test: [
          { alertname: 'AiPlatformRolloutCheckFailed', eval_time: '0m', exp_alerts: [] },
          {
            alertname: 'AiPlatformRolloutCheckFailed',
            eval_time: '3m',
            exp_alerts: [{
              exp_labels: { severity: 'warning', release: 'llm', namespace: 'llm', name: 'llm-chat-engine-worse5f7-3-1', metric: 'error-ratio' },
              exp_annotations: {
                summary: 'Rollout analysis llm-chat-engine-worse5f7-3-1: check error-ratio failed',
                description: 'The check error-ratio of analysis run llm-chat-engine-worse5f7-3-1 (namespace llm) failed: the new revision is rolled back and the stable revision takes all traffic. `kubectl argo rollouts get rollout` shows the run; docs/rollouts.md, "A failed gate".',
              },
            }],
          },
          { alertname: 'AiPlatformRolloutAborted', eval_time: '2m', exp_alerts: [] },
          {
            alertname: 'AiPlatformRolloutAborted',
            eval_time: '5m',
            exp_alerts: [{
              exp_labels: { severity: 'warning', release: 'llm', namespace: 'llm', name: 'llm-chat-engine' },
              exp_annotations: {
                summary: 'Rollout llm-chat-engine was aborted',
                description: 'Rollout llm-chat-engine (namespace llm) is Degraded: a check failed or the new revision did not become ready in time; the stable revision serves. Fix the revision and apply again, or `kubectl argo rollouts retry rollout llm-chat-engine` (docs/rollouts.md).',
              },
            }],
          },
        ],
      }],
    };
    fs.writeFileSync(path.join(dir, 'tests.yaml'), YAML.stringify(tests));
    const r = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`promtool failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
