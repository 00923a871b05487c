// Every recording and alerting rule the library ships, as synthesized for a platform with every
// rule-carrying feature on, goes through `promtool check rules` and `promtool test rules` (one
// invocation each). Each alert must have a case where it fires and one where it stays quiet.
// Without promtool the promtool steps skip with the reason printed; the coverage check always runs.
// The same synth shows who can reach the Pushgateway and Alertmanager (issue 16, item 1).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ALERT_CASES } from './alert-cases';
import { synthRuleFixture } from './rule-fixture';
import { coverage, writePromtoolFiles } from '../harness/promtool-cases';
import { canConnect, NetworkPolicy, Pod, renderedNetworkPolicies } from '../harness/network-policy';
import { Synth } from '../harness/synth';
import { deepMerge, referenceDefaults } from '../harness/reference';
import { AiPlatform } from '../../lib';
import { stringify } from 'yaml';
import { FIXTURE } from './rule-fixture';
import { alertNames, extractPrometheusRules, ExtractedPrometheusRule, promtool, promtoolVersion, runPromtool, scratchDir } from '../harness/prometheus-rules';
import { GPU_INHIBIT_RULES } from '../../lib/observability/gpu-monitoring';

const tool = promtool();
const withPromtool = tool.path ? test : test.skip;
if (!tool.path) process.stdout.write(`\n[promtool] SKIPPED: ${tool.reason}\n`);

let rules: ExtractedPrometheusRule[];
let stacks: Record<string, Synth>;
let platform: AiPlatform;
let dir: string;
let files: ReturnType<typeof writePromtoolFiles>;

beforeAll(() => {
  ({ stacks, platform } = synthRuleFixture());
  rules = extractPrometheusRules(stacks);
  dir = scratchDir('promtool-');
  files = writePromtoolFiles(dir, rules, ALERT_CASES);
});

afterAll(() => {
  if (dir && !process.env.KEEP_PROMTOOL_FILES) fs.rmSync(dir, { recursive: true, force: true });
  else if (dir) process.stdout.write(`promtool files kept in ${dir}\n`);
});

test('the fixture ships the rules of every area (GPU, serving, serving drift, drift and eval jobs)', () => {
  const names = new Set(alertNames(rules));
  for (const a of ['GpuXidError', 'VllmQueueHigh', 'AiPlatformServingErrorRateDrift', 'AiPlatformDriftJobStale', 'AiPlatformEvalGateFailed']) expect(names).toContain(a);
  expect(rules.flatMap((r) => r.groups.flatMap((g) => g.rules.filter((x) => x.record))).length).toBeGreaterThan(0);
});

test('every alert has a promtool case where it fires and one where it stays quiet', () => {
  const names = [...new Set(alertNames(rules))].sort();
  const { fires, quiet } = coverage(ALERT_CASES);
  expect(names.filter((n) => !fires.has(n))).toEqual([]);
  expect(names.filter((n) => !quiet.has(n))).toEqual([]);
  // No case for an alert that does not exist (a renamed alert would leave its cases testing nothing).
  expect([...new Set([...fires, ...quiet])].filter((n) => !names.includes(n))).toEqual([]);
});

withPromtool('promtool check rules accepts every rule file', () => {
  const r = runPromtool(['check', 'rules', ...files.ruleFiles], dir);
  if (r.status !== 0) throw new Error(`${promtoolVersion()}\n${r.output}`);
  expect(r.output).toMatch(/SUCCESS/);
});

withPromtool('promtool test rules: every case passes', () => {
  const r = runPromtool(['test', 'rules', ...files.testFiles], dir);
  if (r.status !== 0) throw new Error(`${promtoolVersion()}\n${r.output}`);
  expect(r.output).not.toMatch(/FAILED/);
  expect(files.testFiles.length).toBe(new Set(ALERT_CASES.map((c) => c.expect[0].alert)).size);
});

describe('Alertmanager inhibition', () => {
  const amtool = spawnSync('sh', ['-c', 'command -v amtool'], { encoding: 'utf8' }).stdout.trim();
  const withAmtool = amtool ? test : test.skip;
  if (!amtool) process.stdout.write('\n[amtool] SKIPPED: amtool is not installed (Debian: apt-get install prometheus-alertmanager)\n');
  const config = () => {
    const values = platform.observability.chart.renderedValues() as { alertmanager: { config: unknown } };
    const defaults = referenceDefaults('kube-prometheus-stack') as { alertmanager: { config: unknown } };
    return deepMerge(defaults.alertmanager.config, values.alertmanager.config) as { inhibit_rules: { source_matchers?: string[]; target_matchers: string[]; equal?: string[] }[] };
  };

  test('a fatal XID inhibits the XID warning of the same GPU; the chart\'s default rules are kept', () => {
    const rules = config().inhibit_rules;
    expect(rules).toEqual(expect.arrayContaining([...GPU_INHIBIT_RULES]));
    const defaults = (referenceDefaults('kube-prometheus-stack') as { alertmanager: { config: { inhibit_rules: unknown[] } } }).alertmanager.config.inhibit_rules;
    expect(rules.slice(0, defaults.length)).toEqual(defaults);
    // The labels the rule compares exist on both alerts (their promtool cases expect them).
    const gpuCase = ALERT_CASES.find((c) => c.name.startsWith('GpuFatalXidError: XID 79'))!;
    for (const e of gpuCase.expect.filter((x) => x.fires.length > 0)) for (const l of GPU_INHIBIT_RULES[0].equal) expect(Object.keys(e.fires[0])).toContain(l);
  });

  withAmtool('amtool check-config accepts the rendered Alertmanager config', () => {
    const file = path.join(dir, 'alertmanager.yml');
    fs.writeFileSync(file, stringify(config()));
    const r = spawnSync(amtool, ['check-config', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${r.stdout}${r.stderr}`);
    expect(r.stdout).toMatch(/SUCCESS/);
  });
});

describe('reachability of the monitoring plane (from the rendered NetworkPolicies)', () => {
  let policies: NetworkPolicy[];
  beforeAll(() => {
    policies = renderedNetworkPolicies(stacks);
  });
  const mon = (labels: Record<string, string>): Pod => ({ namespace: FIXTURE.monitoringNamespace, labels });
  const pushgateway = mon({ 'app.kubernetes.io/name': 'prometheus-pushgateway', 'app.kubernetes.io/instance': 'prometheus-pushgateway' });
  const alertmanager = mon({ 'app.kubernetes.io/name': 'alertmanager', 'alertmanager': 'kube-prometheus-stack-alertmanager', 'app.kubernetes.io/instance': 'kube-prometheus-stack-alertmanager' });
  const prometheus = mon({ 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': 'kube-prometheus-stack-prometheus', 'prometheus': 'kube-prometheus-stack-prometheus' });
  const grafana = mon({ 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'kube-prometheus-stack' });
  const driftJob: Pod = { namespace: FIXTURE.jobsNamespace, labels: { 'app.kubernetes.io/name': 'drift-monitor', 'app.kubernetes.io/instance': FIXTURE.driftCronJob, 'app.kubernetes.io/component': 'job', 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' } };
  const evalJob: Pod = { namespace: FIXTURE.servingNamespace, labels: { 'app.kubernetes.io/name': 'eval-cron-job', 'app.kubernetes.io/instance': FIXTURE.evalCronJob, 'app.kubernetes.io/component': 'job', 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' } };
  const foreign: Pod = { namespace: 'team-a', labels: { app: 'curl' } };
  // The same labels as the eval job, in another namespace; and another pod of the jobs' namespace.
  const impostorElsewhere: Pod = { ...evalJob, namespace: 'team-a' };
  const neighbour: Pod = { namespace: FIXTURE.jobsNamespace, labels: { app: 'notebook' } };
  const monitoringNeighbour = mon({ app: 'debug' });

  test('the policies of the monitoring namespace are rendered (default deny, allows)', () => {
    const names = policies.filter((p) => p.metadata.namespace === FIXTURE.monitoringNamespace).map((p) => p.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['allow-monitoring', 'allow-alertmanager', 'allow-pushgateway', `allow-push-${FIXTURE.jobsNamespace}-${FIXTURE.driftCronJob}`, `allow-push-${FIXTURE.servingNamespace}-${FIXTURE.evalCronJob}`]));
    // Isolation comes from the namespace's default deny: without it everything is reachable.
    expect(policies.some((p) => p.metadata.namespace === FIXTURE.monitoringNamespace && Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 && (p.spec.podSelector.matchExpressions ?? []).length === 0 && (p.spec.ingress ?? []).length === 0)).toBe(true);
  });

  test('only the platform\'s job pods (their namespace AND labels) and Prometheus reach the Pushgateway', () => {
    expect(canConnect(policies, driftJob, pushgateway, 9091)).toBe(true);
    expect(canConnect(policies, evalJob, pushgateway, 9091)).toBe(true);
    expect(canConnect(policies, prometheus, pushgateway, 9091)).toBe(true);
    for (const p of [foreign, impostorElsewhere, neighbour, monitoringNeighbour, grafana]) expect(canConnect(policies, p, pushgateway, 9091)).toBe(false);
  });

  test('only Prometheus (and Grafana, and Alertmanager replicas for gossip) reach Alertmanager', () => {
    expect(canConnect(policies, prometheus, alertmanager, 9093)).toBe(true);
    expect(canConnect(policies, grafana, alertmanager, 9093)).toBe(true);
    expect(canConnect(policies, alertmanager, alertmanager, 9094)).toBe(true);
    expect(canConnect(policies, alertmanager, alertmanager, 9094, 'UDP')).toBe(true);
    for (const p of [foreign, driftJob, evalJob, monitoringNeighbour]) expect(canConnect(policies, p, alertmanager, 9093)).toBe(false);
    expect(canConnect(policies, grafana, alertmanager, 9094)).toBe(false);
  });

  test('Prometheus still answers queries from any namespace and scrapes inside its own', () => {
    expect(canConnect(policies, foreign, prometheus, 9090)).toBe(true);
    expect(canConnect(policies, foreign, prometheus, 8080)).toBe(false);
    expect(canConnect(policies, grafana, prometheus, 9090)).toBe(true);
  });
});
