// The published package: `npm pack` must produce compiled JS + .d.ts, the charts and the bundled
// jobs, without tests or fixtures, and a project that installs the tarball must synthesize from it.
// docs/getting-started.md is run here step by step against the same tarball, as a new user would.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CodeBlock, codeBlocks, where } from '../harness/markdown';

const { findNodeLts, FETCH_COMMAND } = require('../../scripts/fetch-node-lts.js') as {
  findNodeLts: () => { bin?: string; version?: string; reason?: string };
  FETCH_COMMAND: string;
};

const root = path.resolve(__dirname, '..', '..');
let work: string;
let files: string[];
let tarball: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
  // --ignore-scripts: the test builds first so the tarball is made from this tree's sources.
  // The compiler directly (not through npx, which starts npm first).
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  // What `npm run build` runs after tsc: the one-file library bundle, then the job bundles.
  execFileSync(process.execPath, ['scripts/bundle-lib.js'], { cwd: root, stdio: 'pipe' });
  execFileSync(process.execPath, ['scripts/bundle-jobs.js'], { cwd: root, stdio: 'pipe' });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  const info = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  files = info[0].files.map((f) => f.path);
  tarball = path.join(work, info[0].filename);
  const project = path.join(work, 'project');
  const pkgDir = path.join(project, 'node_modules', 'cdktf-ai-platform');
  fs.mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  // Peers and the one dependency come from this repository's node_modules (no registry access needed).
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const peer of ['cdktf', 'constructs', '@cdktf/provider-aws', '@cdktf/provider-helm', '@cdktf/provider-kubernetes', ...Object.keys(manifest.dependencies ?? {})]) {
    const target = path.join(project, 'node_modules', peer);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules', peer), target, 'dir');
  }
}, 180000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the tarball holds the compiled library, types, charts, jobs and docs, and nothing else', () => {
  expect(files).toContain('dist/lib/index.js');
  expect(files).toContain('dist/lib/index.d.ts');
  expect(files).toContain('charts/manifests/Chart.yaml');
  expect(files).toContain('charts/manifests/templates/manifests.yaml');
  expect(files).toContain('README.md');
  expect(files).toContain('LICENSE');
  expect(files).toContain('CHANGELOG.md');
  expect(files.filter((f) => f.startsWith('assets/jobs/')).sort()).toEqual(['assets/jobs/cost.js', 'assets/jobs/drift.js', 'assets/jobs/eval.js', 'assets/jobs/spot-prices.js']);
  const unwanted = files.filter((f) => /(^|\/)test\/|\.test\.|fixtures|^examples\/|^lib\/.*\.ts$|^bench\/|tsconfig|jest\.config/.test(f) && !f.endsWith('.d.ts'));
  expect(unwanted).toEqual([]);
  // The library is one bundle (scripts/bundle-lib.js): no per-module JavaScript beside it.
  expect(files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))).toEqual(['dist/lib/index.js']);
  // ASCII, so V8 holds its source as a one-byte string (scripts/bundle-lib.js).
  const bundle = fs.readFileSync(path.join(work, 'project', 'node_modules', 'cdktf-ai-platform', 'dist', 'lib', 'index.js'), 'utf8');
  expect(bundle.match(/[^\x00-\x7f]/g) ?? []).toEqual([]);
});

test('an ES module app imports the bundle\'s exports by name', () => {
  const project = path.join(work, 'project');
  const r = execFileSync(process.execPath, ['--input-type=module', '-e', "import { AiPlatform, PlatformBackend, VllmServingStack } from 'cdktf-ai-platform'; console.log([AiPlatform, PlatformBackend, VllmServingStack].map((c) => typeof c).join(' '));"], { cwd: project, encoding: 'utf8' });
  expect(r.trim()).toBe('function function function');
});

test('a project that installs the tarball synthesizes a stack with it', () => {
  const project = path.join(work, 'project');
  fs.writeFileSync(
    path.join(project, 'main.js'),
    `const { App, TerraformStack, LocalBackend } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { HelmProvider } = require('@cdktf/provider-helm/lib/provider');
const { AiCluster, ManifestChart } = require('cdktf-ai-platform');
const app = new App({ outdir: 'out' });
const stack = new TerraformStack(app, 'cluster');
new AwsProvider(stack, 'aws', { region: 'us-west-2' });
new HelmProvider(stack, 'helm', {});
new LocalBackend(stack, { path: 'terraform.tfstate' });
new AiCluster(stack, 'cluster', { clusterName: 'from-tarball', availabilityZones: ['us-west-2a', 'us-west-2b'] });
new ManifestChart(stack, 'objects', { releaseName: 'objects', namespace: 'default', manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }] });
app.synth();
`,
  );
  execFileSync(process.execPath, ['main.js'], { cwd: project, stdio: 'pipe' });
  const json = JSON.parse(fs.readFileSync(path.join(project, 'out', 'stacks', 'cluster', 'cdk.tf.json'), 'utf8'));
  expect(Object.values(json.resource.aws_eks_cluster as Record<string, { name: string }>)[0].name).toBe('from-tarball');
  // The local chart was found inside the installed package and copied as an asset.
  const assets = path.join(project, 'out', 'stacks', 'cluster', 'assets');
  expect(fs.readdirSync(assets)).toContain('ai-platform-manifests-chart');
});

// docs/getting-started.md, step by step, in an empty folder: every `sh` block runs in bash in the
// folder the previous one ended in, every block introduced by a `` `name`: `` line is written to that
// file, and blocks marked `<!-- doc-test: skip: … -->` are stood in for as the marker says. Installs
// come from npm's cache (`npm ci` filled it; --prefer-offline), so the versions the page pins must be
// this repository's. `cdktf` is this repository's cdktf-cli (the page installs it globally). The page
// needs Node.js >= 22.18 (it runs `node main.ts`: type stripping) while this suite runs on the
// library's floor (Node 20): the commands run with the Node.js binary that
// scripts/fetch-node-lts.js keeps in .cache/node-lts/ first on PATH (npm, npx and cdktf run under it
// too). Without that binary the page is skipped, saying so and how to fetch it; .ci/run fetches it.
const page = 'docs/getting-started.md';
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };

test('docs/getting-started.md installs the versions this repository pins (the offline install depends on it)', () => {
  const text = fs.readFileSync(path.join(root, page), 'utf8');
  const pins = [...text.matchAll(/(?:^|\s)((?:@[\w-]+\/)?[\w.-]+)@(\d[\w.-]*)/gm)].map((m) => [m[1], m[2]] as const);
  expect(pins.length).toBeGreaterThanOrEqual(8);
  for (const [name, version] of pins) expect(`${name}@${version}`).toBe(`${name}@${pkg.devDependencies[name]}`);
  expect(text).toContain(`cdktf-ai-platform-${pkg.version}.tgz`);
});

const nodeLts = findNodeLts();
if (!nodeLts.bin) {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED docs/getting-started.md, step by step: ${nodeLts.reason}. The page runs \`node main.ts\` (type stripping, Node.js >= 22.18); fetch the binary with \`${FETCH_COMMAND}\` (npm registry, ~30 MB) and run this file again.`);
}

(nodeLts.bin ? describe : describe.skip)('docs/getting-started.md, step by step', () => {
  const blocks = codeBlocks(root, page);
  const steps: { at: string; ms: number }[] = [];
  let project = '';
  let synthOutput = '';
  let nodeVersion = '';

  /** The environment of a new user's shell: no npm_* of the outer `npm test`, no node_modules/.bin of this repository. */
  function userEnv(bin: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && !k.startsWith('TS_NODE')) env[k] = v;
    const pathEntries = (process.env.PATH ?? '').split(path.delimiter).filter((p) => p && !p.includes('node_modules'));
    return {
      ...env,
      PATH: [bin, nodeLts.bin!, ...pathEntries].join(path.delimiter),
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_loglevel: 'error',
      CHECKPOINT_DISABLE: '1',
      CDKTF_DISABLE_TELEMETRY: '1',
    };
  }

  beforeAll(() => {
    const home = path.join(work, 'getting-started');
    // Stand-ins for the skipped blocks: the checkout's tarball where §2 puts it, `cdktf` on PATH.
    fs.mkdirSync(path.join(home, 'cdktf-ai-platform'), { recursive: true });
    fs.copyFileSync(tarball, path.join(home, 'cdktf-ai-platform', path.basename(tarball)));
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(fs.realpathSync(path.join(root, 'node_modules', '.bin', 'cdktf')), path.join(bin, 'cdktf'));
    const env = userEnv(bin);
    let cwd = home;
    const pwdFile = path.join(work, 'pwd');
    for (const b of blocks) {
      if (b.marker?.startsWith('skip')) continue;
      if (b.fileName) {
        fs.writeFileSync(path.join(cwd, b.fileName), b.code);
        continue;
      }
      if (b.lang !== 'sh') throw new Error(`${where(b)}: a ${b.lang} block that is neither a command (sh) nor a file (\`name\`: before it) nor marked <!-- doc-test: skip: … -->`);
      const started = Date.now();
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', `${b.code}\npwd > ${JSON.stringify(pwdFile)}`], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      steps.push({ at: where(b), ms: Date.now() - started });
      if (r.status !== 0) throw new Error(`${where(b)} failed (exit ${r.status}):\n${b.code}\n${r.stdout}\n${r.stderr}`);
      if (/\bcdktf synth\b/.test(b.code)) synthOutput = `${r.stdout}\n${r.stderr}`;
      cwd = fs.readFileSync(pwdFile, 'utf8').trim();
    }
    project = cwd;
    nodeVersion = spawnSync('bash', ['-c', 'node --version'], { cwd, env, encoding: 'utf8' }).stdout.trim();
    // eslint-disable-next-line no-console
    console.log(`getting-started steps: ${steps.map((s) => `${s.at} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}`);
  }, 300000);

  test('the commands ran in a new project that installed the tarball', () => {
    const installed = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as { type?: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(installed.dependencies['cdktf-ai-platform']).toMatch(/^file:.*cdktf-ai-platform-.*\.tgz$/);
    // An ES module project whose app is run by Node itself: no TypeScript runner installed.
    expect(installed.type).toBe('module');
    expect(Object.keys(installed.devDependencies).sort()).toEqual(['@types/node', 'typescript']);
    const app = (JSON.parse(fs.readFileSync(path.join(project, 'cdktf.json'), 'utf8')) as { app: string }).app;
    expect(app).toMatch(/^node (--[\w=-]+ )*main\.ts$/);
    expect(nodeVersion).toBe(`v${nodeLts.version!}`);
    // A real install (a copy of the package), not a link to this checkout.
    expect(fs.lstatSync(path.join(project, 'node_modules', 'cdktf-ai-platform')).isSymbolicLink()).toBe(false);
    expect(steps.length).toBeGreaterThanOrEqual(2);
  });

  test('cdktf synth wrote the two stacks the page names, and printed the warning it mentions', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
    expect(Object.keys(manifest.stacks).sort()).toEqual(['ai-cluster', 'ai-platform']);
    expect(synthOutput).toMatch(/no modelCache/);
    // No Node.js warning from the app, which the CLI prints as an [ERROR] line (cdktf 0.21 triggers
    // DEP0044 on Node 22+; type stripping warned before 22.18).
    expect(synthOutput).not.toMatch(/\(node:\d+\)|DeprecationWarning|ExperimentalWarning/);
  });

  test('the commands of the skipped "use it" block match main.ts and the synthesized stacks', () => {
    const text = fs.readFileSync(path.join(root, page), 'utf8');
    const stack = (name: string) => JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', name, 'cdk.tf.json'), 'utf8')) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    const cluster = stack('ai-cluster');
    const platform = stack('ai-platform');
    // kubectl only after `aws eks update-kubeconfig`, for the region and cluster of main.ts.
    const kubeconfig = /aws eks update-kubeconfig --region (\S+) --name (\S+)/.exec(text);
    expect(kubeconfig).not.toBeNull();
    expect(text.indexOf('kubectl ')).toBeGreaterThan(kubeconfig!.index);
    expect((cluster.provider.aws as unknown as { region: string }[])[0].region).toBe(kubeconfig![1]);
    expect(Object.values(cluster.resource.aws_eks_cluster).map((c) => c.name)).toEqual([kubeconfig![2]]);
    const useIt = blocks.find((b: CodeBlock) => b.code.includes('port-forward'))!;
    const [, ns, service] = /kubectl -n (\S+) port-forward svc\/(\S+)-router-service 8080:80/.exec(useIt.code)!;
    const releases = Object.values(platform.resource.helm_release).map((r) => r.name);
    expect(releases).toContain(service);
    expect(Object.values(platform.resource.kubernetes_namespace_v1).map((n) => (n.metadata as { name: string }).name)).toContain(ns);
    const [, secretNs, secret, key] = /kubectl -n (\S+) get secret (\S+) -o jsonpath='\{\.data\.([\w-]+)\}'/.exec(useIt.code)!;
    expect(secretNs).toBe(ns);
    const secrets = Object.values(platform.resource.kubernetes_secret_v1).map((s) => ({ name: (s.metadata as { name: string }).name, keys: Object.keys((s.data_wo ?? s.data ?? {}) as object) }));
    expect(secrets).toContainEqual({ name: secret, keys: [key] });
  });
});
