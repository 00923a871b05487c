// The library's entry point loads the provider classes without their inline source maps
// (lib/core/provider-sources.ts). Jest loads modules itself, so this runs the built entry point
// (scripts/bundle-lib.js into a temporary folder) in plain Node processes: what Node compiled is
// recorded by wrapping Module.prototype._compile before anything loads.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { endProviderLoading, withoutInlineSourceMap } from '../../lib/core/provider-sources';

const { bundleLib } = require('../../scripts/bundle-lib.js') as { bundleLib: (o: { outfile: string }) => unknown };
const { findNodeLts } = require('../../scripts/fetch-node-lts.js') as { findNodeLts: () => { bin?: string; reason?: string } };

const root = path.resolve(__dirname, '..', '..');
// Inside the repository, so the bundle resolves cdktf, the providers and pirates from node_modules.
const work = path.join(root, '.cache', `provider-sources-${process.pid}`);
const bundle = path.join(work, 'index.js');

/** Records, per provider file Node compiles, whether the text still had its inline source map. */
const RECORDER = `
const Module = require('module');
const compiled = new Map();
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename, ...rest) {
  if (/[\\\\/]@cdktf[\\\\/]provider-/.test(filename)) compiled.set(filename, [...(compiled.get(filename) ?? []), content.includes('//# sourceMappingURL=data:')]);
  return compile.call(this, content, filename, ...rest);
};
globalThis.__compiled = () => ({
  files: compiled.size,
  withMap: [...compiled.values()].filter((v) => v.some(Boolean)).length,
  twice: [...compiled.values()].filter((v) => v.length > 1).length,
});
globalThis.__jsLoader = Module._extensions['.js'];
`;

const PLATFORM = `{
  region: 'us-east-1',
  cluster: { clusterName: 'ai-minimal', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  gpuPools: [{ poolName: 'gpu', instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'] }],
  serving: [{ id: 'llm', gpuPool: 'gpu', models: [{ name: 'llama-3b', model: 'meta-llama/Llama-3.2-3B-Instruct', maxModelLen: 8192 }] }],
}`;

/** A CommonJS app: optionally loads one provider file itself first, then the library; builds (and synthesizes) a platform. */
const CJS_APP = `
require('./recorder.js');
const preloaded = process.env.PRELOAD ? require('@cdktf/provider-aws/lib/eks-cluster').EksCluster : undefined;
const lib = require(${JSON.stringify(bundle)});
const hookRemoved = require('module')._extensions['.js'] === globalThis.__jsLoader;
const { App } = require('cdktf');
const { EksCluster } = require('@cdktf/provider-aws/lib/eks-cluster');
const app = new App({ outdir: process.env.OUT });
new lib.AiPlatform(app, 'minimal', ${PLATFORM});
if (process.env.OUT) app.synth();
const clusters = app.node.findAll().filter((n) => n.terraformResourceType === 'aws_eks_cluster');
console.log(JSON.stringify({ ...globalThis.__compiled(), hookRemoved, clusters: clusters.length, instanceOf: clusters.every((c) => c instanceof EksCluster), preloadedSame: preloaded === undefined || preloaded === EksCluster }));
`;

/** An ES module app (the getting-started shape): the library by name, then a provider class by its file. */
const ESM_APP = `
import { App } from 'cdktf';
import { AiPlatform } from ${JSON.stringify(bundle)};
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
const app = new App({ outdir: ${JSON.stringify(path.join(work, 'esm-out'))} });
new AiPlatform(app, 'minimal', ${PLATFORM});
const clusters = app.node.findAll().filter((n) => n.terraformResourceType === 'aws_eks_cluster');
console.log(JSON.stringify({ ...globalThis.__compiled(), clusters: clusters.length, instanceOf: clusters.every((c) => c instanceof EksCluster) }));
`;

interface Probe {
  files: number;
  withMap: number;
  twice: number;
  hookRemoved?: boolean;
  clusters: number;
  instanceOf: boolean;
  preloadedSame?: boolean;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}, node = process.execPath): Probe {
  const clean = { ...process.env };
  delete clean.CDKTF_AI_PLATFORM_PROVIDER_SOURCE_MAPS;
  delete clean.NODE_OPTIONS;
  const r = spawnSync(node, args, { cwd: work, encoding: 'utf8', env: { ...clean, ...env } });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe;
}

function stackFiles(out: string): Record<string, string> {
  const stacks = path.join(out, 'stacks');
  return Object.fromEntries(fs.readdirSync(stacks).map((s) => [s, fs.readFileSync(path.join(stacks, s, 'cdk.tf.json'), 'utf8')]));
}

beforeAll(() => {
  fs.mkdirSync(work, { recursive: true });
  bundleLib({ outfile: bundle });
  fs.writeFileSync(path.join(work, 'recorder.js'), RECORDER);
  fs.writeFileSync(path.join(work, 'app.js'), CJS_APP);
  fs.writeFileSync(path.join(work, 'app.mjs'), ESM_APP);
}, 60000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('provider classes loaded by the library', () => {
  let stripped: Probe;
  let kept: Probe;

  beforeAll(() => {
    stripped = run(['app.js'], { OUT: path.join(work, 'out-stripped') });
    kept = run(['app.js'], { OUT: path.join(work, 'out-kept'), CDKTF_AI_PLATFORM_PROVIDER_SOURCE_MAPS: 'keep' });
  }, 60000);

  it('are compiled once each, without their inline source maps, and the require hook is gone afterwards', () => {
    expect(stripped.files).toBeGreaterThanOrEqual(40);
    expect(stripped.withMap).toBe(0);
    expect(stripped.twice).toBe(0);
    expect(stripped.hookRemoved).toBe(true);
  });

  it('are the classes the app gets from the same file (instanceof holds)', () => {
    expect(stripped.clusters).toBe(1);
    expect(stripped.instanceOf).toBe(true);
  });

  it('synthesize the same Terraform JSON as with the source maps kept (CDKTF_AI_PLATFORM_PROVIDER_SOURCE_MAPS=keep)', () => {
    expect(kept.withMap).toBe(kept.files);
    expect(kept.files).toBe(stripped.files);
    const a = stackFiles(path.join(work, 'out-stripped'));
    const b = stackFiles(path.join(work, 'out-kept'));
    expect(Object.keys(a).sort()).toEqual(['minimal-cluster', 'minimal-platform']);
    expect(a).toEqual(b);
  });

  it('keep their source maps when Node reads source maps (--enable-source-maps)', () => {
    const p = run(['--enable-source-maps', 'app.js']);
    expect(p.files).toBeGreaterThanOrEqual(40);
    expect(p.withMap).toBe(p.files);
  });

  it('are reused when the app loaded one before the library (that file keeps its map, the rest do not)', () => {
    const p = run(['app.js'], { PRELOAD: '1' });
    expect(p.preloadedSame).toBe(true);
    expect(p.instanceOf).toBe(true);
    expect(p.withMap).toBe(1);
    expect(p.twice).toBe(0);
  });

  const lts = findNodeLts();
  (lts.bin ? it : it.skip)(`are shared with an ES module app on Node.js 22 (${lts.bin ? 'node-lts' : `skipped: ${lts.reason}`})`, () => {
    const p = run(['--require', './recorder.js', '--disable-warning=DEP0044', 'app.mjs'], {}, path.join(lts.bin!, 'node'));
    expect(p.files).toBeGreaterThanOrEqual(40);
    expect(p.withMap).toBe(0);
    expect(p.twice).toBe(0);
    expect(p.instanceOf).toBe(true);
  });
});

describe('withoutInlineSourceMap', () => {
  afterAll(() => endProviderLoading()); // importing the module installed the hook in this process

  it('drops only a trailing inline source map comment', () => {
    const map = '//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==';
    expect(withoutInlineSourceMap(`"use strict";\nexports.a = 1;\n${map}`)).toBe('"use strict";\nexports.a = 1;\n');
    expect(withoutInlineSourceMap(`exports.a = 1;\n${map}\n`)).toBe('exports.a = 1;\n');
    // Not the last line, a map in a file, or none: the text is left as it is.
    expect(withoutInlineSourceMap(`exports.a = 1;\n${map}\nexports.b = 2;\n`)).toBe(`exports.a = 1;\n${map}\nexports.b = 2;\n`);
    expect(withoutInlineSourceMap('exports.a = 1;\n//# sourceMappingURL=index.js.map')).toBe('exports.a = 1;\n//# sourceMappingURL=index.js.map');
    expect(withoutInlineSourceMap('const s = "//# sourceMappingURL=data:";')).toBe('const s = "//# sourceMappingURL=data:";');
  });
});
