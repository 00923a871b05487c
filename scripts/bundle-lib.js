#!/usr/bin/env node
// Bundles the library (lib/index.ts and what it imports) into the one file the package's entry point
// loads, dist/lib/index.js, replacing tsc's per-module JavaScript (tsc still type-checks and writes
// the .d.ts files). Bundled from the TypeScript sources, so the CommonJS output carries esbuild's
// static list of named exports (`0 && (module.exports = {...})`), which Node reads to let ES module
// apps `import { AiPlatform } from 'cdktf-ai-platform'`.
// Why: loading ~150 small modules costs ~70 ms of CPU per synth in Node's module resolution
// (stat, realpath, package scope lookups) that one file does not (docs/design.md, "Synthesis
// speed"). cdktf, constructs and the provider packages stay external: users share them with us.
// Usage: node scripts/bundle-lib.js          (run by `npm run build` after tsc)
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'dist', 'lib');

/**
 * Provider classes are required by their file (`@cdktf/provider-aws/lib/vpc/index.js`), not their
 * folder: Node then skips probing extensions and the folder's package.json (~8 ms of the 58 requires).
 * The module is the same file, so the app's `require('@cdktf/provider-aws/lib/vpc')` gets it from the
 * cache. Only where that is the file Node would pick.
 */
function requireProviderFiles(code) {
  return code.replace(/require\("(@cdktf\/provider-[a-z0-9-]+\/lib\/[a-z0-9-]+)"\)/g, (whole, request) => {
    const file = `${request}/index.js`;
    return require.resolve(request, { paths: [ROOT] }) === require.resolve(file, { paths: [ROOT] }) ? `require("${file}")` : whole;
  });
}

/**
 * Bundles lib/index.ts into dist/lib/index.js (replacing tsc's per-module JavaScript); returns its size
 * and module count. With `outfile`, writes the bundle there instead and leaves dist/ alone (tests).
 */
function bundleLib({ outfile } = {}) {
  const entry = outfile ?? path.join(LIB, 'index.js');
  const result = esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'lib', 'index.ts')],
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Peers the user's app shares with the library (one cdktf, one set of provider classes), and the
    // one runtime dependency (pirates: lib/core/provider-sources.ts).
    external: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*', 'pirates'],
    write: false,
    logLevel: 'silent',
    legalComments: 'inline',
    // Non-ASCII in strings and names is escaped (\uXXXX)...
    charset: 'ascii',
    metafile: true,
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => f.startsWith('lib/'));
  // ...so what is left is in comments (esbuild keeps some). One non-Latin-1 character makes V8 hold
  // the whole ~750 KB source as a two-byte string (~1.5 MB of heap for the life of the process):
  // comments get ASCII stand-ins. Comments do not run, so the code is unchanged.
  const ascii = { '\u2192': '->', '\u2190': '<-', '\u2194': '<->', '\u00d7': 'x', '\u2013': '-', '\u2014': '--', '\u2026': '...', '\u2265': '>=', '\u2264': '<=', '\u2248': '~', '\u00b5': 'u' };
  const code = Buffer.from(requireProviderFiles(result.outputFiles[0].text.replace(/[^\x00-\x7f]/g, (c) => ascii[c] ?? '?')));
  const tmp = `${entry}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(tmp, code);
  if (outfile) {
    fs.renameSync(tmp, entry);
    return { bytes: code.length, modules: inputs.length };
  }
  // Every other .js under dist/lib is either in the bundle or unreachable from the entry point
  // (sources of the in-cluster jobs, which scripts/bundle-jobs.js bundles on their own).
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
  for (const f of walk(LIB)) if (f !== entry && /\.js(\.map)?$/.test(f)) fs.rmSync(f, { force: true });
  fs.renameSync(tmp, entry);
  return { bytes: code.length, modules: inputs.length };
}

module.exports = { bundleLib };

if (require.main === module) {
  const { bytes, modules } = bundleLib();
  console.log(`bundle-lib: ${modules} modules -> dist/lib/index.js (${(bytes / 1024).toFixed(0)} KiB)`);
}
