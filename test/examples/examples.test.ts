// The examples are the library's front door: they must synthesize offline, keep their state
// addresses (snapshots), hold no machine paths, pass the guardrails and be accepted by Terraform.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PlatformGuardrails, GuardrailSeverity, AiPlatform } from '../../lib';
import { App } from 'cdktf';
import { Synth } from '../harness/synth';
import { buildPlatform } from '../../examples/platform/platform';
import { ROOT, runExample } from '../harness/examples';

const root = ROOT;

/** The state contract of a stack: every resource, data source and output address. */
function addresses(s: Synth): string[] {
  const list: string[] = [];
  for (const section of ['resource', 'data', 'ephemeral'] as const) {
    for (const [type, rs] of Object.entries((s as Record<string, Record<string, Record<string, unknown>>>)[section] ?? {})) {
      for (const id of Object.keys(rs)) list.push(`${section === 'resource' ? '' : `${section}.`}${type}.${id}`);
    }
  }
  for (const o of Object.keys(s.output ?? {})) list.push(`output.${o}`);
  return list.sort();
}

const examples = ['platform', 'minimal', 'byo-cluster'];
const synthesized: Record<string, Record<string, Synth>> = {};
beforeAll(() => {
  for (const e of examples) synthesized[e] = runExample(e);
});

describe.each(examples)('examples/%s', (name) => {
  test('has cdktf.json and main.ts', () => {
    expect(JSON.parse(fs.readFileSync(path.join(root, 'examples', name, 'cdktf.json'), 'utf8')).app).toMatch(/node dist\/examples\/.*\/main\.js/);
  });

  test('state addresses are stable (renaming one destroys infrastructure)', () => {
    const contract = Object.fromEntries(Object.entries(synthesized[name]).map(([stack, s]) => [stack, addresses(s)]));
    expect(contract).toMatchSnapshot();
  });

  test('no absolute machine paths and an S3 backend with locking', () => {
    for (const s of Object.values(synthesized[name])) {
      const text = JSON.stringify(s);
      // Paths of this machine (the checkout, the temp dir, the home dir), not paths inside containers.
      for (const local of [root, os.homedir() + path.sep]) expect(text).not.toContain(local);
      expect((s.terraform as { backend: { s3: { use_lockfile: boolean } } }).backend.s3.use_lockfile).toBe(true);
    }
  });
});

test('the minimal example synthesizes to the same JSON as before', () => {
  const strip = (s: Synth) => JSON.parse(JSON.stringify(s, (k, v) => (k === '//' ? undefined : v)));
  expect(Object.fromEntries(Object.entries(synthesized.minimal).map(([n, s]) => [n, strip(s)]))).toMatchSnapshot();
});

test('the full platform passes every error-severity guardrail; what remains is informational and listed', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'guard-')), stackTraces: false });
  const platform: AiPlatform = buildPlatform(app);
  expect(platform.guardrails).toBeDefined();
  const report = PlatformGuardrails.check(app);
  const errors = report.findings.filter((f) => f.severity === GuardrailSeverity.ERROR);
  expect(errors.map((f) => `${f.ruleId} ${f.constructPath}`)).toEqual([]);
  expect(report.findings.filter((f) => f.severity === GuardrailSeverity.WARNING).map((f) => `${f.ruleId} ${f.constructPath}`)).toMatchSnapshot();
});

// Terraform (configuration loading, validate and offline plan of every stack) runs in
// test/oracles/whole-stack.test.ts, once per stack.
