import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { JOB_NODE_IMAGE } from '../../lib/jobs';
import { NODE_RELEASE_SCHEDULE } from '../../lib/jobs/images';
import { buildBundles, runBundle } from './support/stubs';
import { jobBundlePath } from '../../lib/jobs/bundle';

// A ConfigMap holds at most 1 MiB (keys and values together); keep a wide margin for the config document.
const CONFIGMAP_LIMIT = 1024 * 1024;

let files: { drift: string; eval: string };
beforeAll(async () => {
  const t0 = Date.now();
  files = await buildBundles();
  // The bundler runs before every test command: it must stay fast.
  expect(Date.now() - t0).toBeLessThan(5000);
});

describe.each(['drift', 'eval'] as const)('%s bundle', (name) => {
  test('is well under the ConfigMap limit, minified, with the package banner', () => {
    const text = fs.readFileSync(files[name], 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThan(CONFIGMAP_LIMIT / 4);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
    expect(text.startsWith(`/* ${pkg.name} ${pkg.version} - in-cluster job bundle`)).toBe(true);
  });

  test('requires nothing but Node built-ins', () => {
    const text = fs.readFileSync(files[name], 'utf8');
    const required = [...text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    const builtins = new Set(builtinModules);
    expect(required.filter((r) => !builtins.has(r.replace(/^node:/, '')))).toEqual([]);
    // No dynamic require that the static scan above could miss.
    expect(text).not.toMatch(/\brequire\(\s*[^"'`\s)]/);
  });

  test('runs from an empty directory with no node_modules (as from the ConfigMap mount)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-alone-`));
    try {
      const copy = path.join(dir, `${name}.js`);
      fs.copyFileSync(files[name], copy);
      const r = await runBundle(copy, { JOB_CONFIG: '{"name":"x"}' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`ERROR ${name}: JOB_CONFIG\\.[a-zA-Z]+ is required`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('jobBundlePath finds it from the package root', () => {
    expect(jobBundlePath(name)).toBe(files[name]);
  });
});

test('jobBundlePath explains how to build a missing bundle', () => {
  // Point the package root at an empty directory rather than moving the real bundle: other test files
  // run the bundles in parallel workers.
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-bundle-'));
  try {
    jest.isolateModules(() => {
      jest.doMock('../../lib/k8s/package-root', () => ({ packageRoot: () => empty }));
      const { jobBundlePath: isolated } = jest.requireActual('../../lib/jobs/bundle') as typeof import('../../lib/jobs/bundle');
      expect(() => isolated('eval')).toThrow(/the eval job bundle .*assets\/jobs\/eval\.js is missing; run `npm run bundle:jobs`/);
    });
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('the runtime image is pinned to an exact Node version on ECR Public, of the line in active LTS on the pinned date', () => {
  expect(JOB_NODE_IMAGE).toMatch(/^public\.ecr\.aws\/docker\/library\/node:(\d+)\.\d+\.\d+-alpine3\.\d+$/);
  const major = /node:(\d+)/.exec(JOB_NODE_IMAGE)![1];
  const line = NODE_RELEASE_SCHEDULE[major];
  expect(line).toBeDefined();
  // 2026-12-07: Node 24 has been in maintenance since 2026-10-20; Node 26 is the active LTS.
  const today = '2026-12-07';
  expect(line.lts <= today && today < line.maintenance).toBe(true);
  expect(NODE_RELEASE_SCHEDULE['24'].maintenance <= today).toBe(true);
});
