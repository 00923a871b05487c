// The published package: `npm pack` must produce compiled JS + .d.ts, the charts and the bundled
// jobs, without tests or fixtures, and a project that installs the tarball must synthesize from it.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
let work: string;
let files: string[];

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
  // --ignore-scripts: the test builds first so the tarball is made from this tree's sources.
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  execFileSync(process.execPath, ['scripts/bundle-jobs.js'], { cwd: root, stdio: 'pipe' });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  const info = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  files = info[0].files.map((f) => f.path);
  const project = path.join(work, 'project');
  const pkgDir = path.join(project, 'node_modules', 'cdktf-ai-platform');
  fs.mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(work, info[0].filename), '-C', pkgDir, '--strip-components=1']);
  // Peers come from this repository's node_modules (no registry access needed).
  for (const peer of ['cdktf', 'constructs', '@cdktf/provider-aws', '@cdktf/provider-helm', '@cdktf/provider-kubernetes']) {
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
  expect(files.filter((f) => f.startsWith('assets/jobs/')).sort()).toEqual(['assets/jobs/drift.js', 'assets/jobs/eval.js']);
  const unwanted = files.filter((f) => /(^|\/)test\/|\.test\.|fixtures|^examples\/|^lib\/.*\.ts$|^bench\/|tsconfig|jest\.config/.test(f) && !f.endsWith('.d.ts'));
  expect(unwanted).toEqual([]);
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
