// Every recording and alerting rule the library ships, as synthesized for a platform with every
// rule-carrying feature on, goes through `promtool check rules` and `promtool test rules` (one
// invocation each). Each alert must have a case where it fires and one where it stays quiet.
// Without promtool the promtool steps skip with the reason printed; the coverage check always runs.
import * as fs from 'fs';
import * as path from 'path';
import { ALERT_CASES } from './alert-cases';
import { synthRuleFixture } from './rule-fixture';
import { coverage, writePromtoolFiles } from '../harness/promtool-cases';
import { alertNames, extractPrometheusRules, ExtractedPrometheusRule, promtool, promtoolVersion, runPromtool, scratchDir } from '../harness/prometheus-rules';

const tool = promtool();
const withPromtool = tool.path ? test : test.skip;
if (!tool.path) process.stdout.write(`\n[promtool] SKIPPED: ${tool.reason}\n`);

let rules: ExtractedPrometheusRule[];
let dir: string;
let files: ReturnType<typeof writePromtoolFiles>;

beforeAll(() => {
  rules = extractPrometheusRules(synthRuleFixture().stacks);
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
  void path;
});
