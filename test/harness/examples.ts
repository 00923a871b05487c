// Runs an example's main.ts the way `cdktf synth` does (CDKTF_OUTDIR set) and reads what it wrote.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Synth } from './synth';

/** Repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Every example under examples/ that has a main.ts. */
export const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((e) => fs.existsSync(path.join(ROOT, 'examples', e, 'main.ts'))).sort();

/** Reads the stacks an app wrote to `outdir` (manifest.json), by stack name. */
export function readOutdir(outdir: string): Record<string, Synth> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
  return Object.fromEntries(Object.entries(manifest.stacks).map(([n, s]) => [n, JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), 'utf8')) as Synth]));
}

/** Synthesizes examples/<name>/main.ts in-process (fresh module registry) and returns its stacks. */
export function runExample(name: string, env: Record<string, string> = {}): Record<string, Synth> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${name}-`));
  const saved = { ...process.env };
  Object.assign(process.env, { CDKTF_OUTDIR: outdir, ...env });
  try {
    jest.isolateModules(() => {
      require(path.join(ROOT, 'examples', name, 'main.ts'));
    });
  } finally {
    process.env = saved;
  }
  try {
    return readOutdir(outdir);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
