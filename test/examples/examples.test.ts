// The examples are the library's front door: they must synthesize offline, keep their state
// addresses (snapshots), hold no machine paths, pass the guardrails and be accepted by Terraform.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PlatformGuardrails, GuardrailSeverity, AiPlatform } from '../../lib';
import { App } from 'cdktf';
import { stateAddresses as addresses, Synth } from '../harness/synth';
import { buildPlatform } from '../../examples/platform/platform';
import { EXAMPLES, ROOT, readOutdir } from '../harness/examples';

const root = ROOT;

/** Runs examples/<name>/main.ts with CDKTF_OUTDIR as the CLI passes it (relative) and reads the result. */
function runExampleIn(name: string, outdir: string): Record<string, Synth> {
  const saved = { ...process.env };
  process.env.CDKTF_OUTDIR = outdir;
  try {
    jest.isolateModules(() => {
      require(path.join(root, 'examples', name, 'main.ts'));
    });
  } finally {
    process.env = saved;
  }
  return readOutdir(path.resolve(outdir));
}


const examples = EXAMPLES;
const synthesized: Record<string, Record<string, Synth>> = {};
const wroteRelative: Record<string, boolean> = {};
beforeAll(() => {
  // Each example runs once, the way `cdktf synth` runs it: cwd = a fresh directory, CDKTF_OUTDIR =
  // the relative `output` of its cdktf.json.
  const cwd = process.cwd();
  for (const e of examples) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `cli-${e}-`));
    try {
      process.chdir(work);
      synthesized[e] = runExampleIn(e, 'cdktf.out');
      wroteRelative[e] = fs.existsSync(path.join(work, 'cdktf.out', 'manifest.json'));
    } finally {
      process.chdir(cwd);
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
});

describe.each(examples)('examples/%s', (name) => {
  test('`cdktf synth` inside examples/<name>/ builds the package and writes examples/<name>/cdktf.out', () => {
    // The CLI runs `app` with cwd = the example's directory and CDKTF_OUTDIR = `output` (relative to
    // that directory), then reads <output>/manifest.json. A real `npx cdktf synth` costs ~15 s of CPU
    // per example (most of it the build), so this checks the parts that break it, without running it.
    const dir = path.join(root, 'examples', name);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.json'), 'utf8')) as { app: string; output: string; language: string };
    expect(config.output).toBe('cdktf.out');
    expect(config.language).toBe('typescript');
    const steps = config.app.split('&&').map((x) => x.trim());
    // No `cd`: the app must write where the CLI reads, in the example's directory.
    expect(steps.filter((x) => /^cd\b/.test(x))).toEqual([]);
    const [build, run] = steps;
    const prefix = /^npm --prefix (\S+) run -s build$/.exec(build);
    expect(prefix).not.toBeNull();
    expect(path.resolve(dir, prefix![1])).toBe(root);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
    const tsBuild = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[]; compilerOptions: { outDir: string; rootDir: string } };
    expect(tsBuild.include).toContain('examples/**/*.ts');
    const script = /^node (\S+)$/.exec(run);
    expect(script).not.toBeNull();
    // The compiled main.js of THIS example (tsc maps examples/<name>/main.ts to <outDir>/examples/<name>/main.js).
    const compiled = path.resolve(dir, script![1]);
    expect(compiled).toBe(path.join(root, tsBuild.compilerOptions.outDir, path.relative(path.resolve(root, tsBuild.compilerOptions.rootDir), path.join(dir, 'main.ts'))).replace(/\.ts$/, '.js'));
    // And main.ts wrote to CDKTF_OUTDIR as the CLI gives it: relative to the working directory (beforeAll).
    expect(wroteRelative[name]).toBe(true);
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
