#!/usr/bin/env node
// Synthesizes every example from the TypeScript sources (no build needed) and either saves the
// Terraform JSON of all stacks to a directory or diffs two such directories. Used to show that a
// refactoring changes no synthesized output. `save` rebuilds the job bundles first: their minified
// names depend on the bundled source text (types included), so a type-only edit in lib/jobs changes
// the drift/eval ConfigMaps, and a stale assets/jobs would hide that.
//   node scripts/compare-synth.js save <dir>
//   node scripts/compare-synth.js diff <before-dir> <after-dir>
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const [cmd, a, b] = process.argv.slice(2);

if (cmd === 'save') {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle-jobs.js')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bundle-jobs failed:\n${r.stderr}`);
}

function examples() {
  return fs.readdirSync(path.join(root, 'examples')).filter((e) => fs.existsSync(path.join(root, 'examples', e, 'main.ts'))).sort();
}

// Runs one example in a child process: ts-node (transpile only), `cdktf-ai-platform` mapped to lib/.
const runner = `
const Module = require('module');
const orig = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) {
  return orig.call(this, req === 'cdktf-ai-platform' ? ${JSON.stringify(path.join(root, 'lib', 'index.ts'))} : req, ...rest);
};
require('ts-node').register({ transpileOnly: true, project: ${JSON.stringify(path.join(root, 'tsconfig.json'))} });
require(process.argv[1]);
`;

function save(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const e of examples()) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `compare-${e}-`));
    const r = spawnSync(process.execPath, ['-e', runner, path.join(root, 'examples', e, 'main.ts')], {
      cwd: root, stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CDKTF_OUTDIR: out, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_TELEMETRY: '1', TZ: 'UTC',
        CDKTF_CONTEXT_JSON: JSON.stringify({ 'ai-platform:support-calendar-date': '2026-12-07' }) },
    });
    if (r.status !== 0) throw new Error(`examples/${e} failed`);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    for (const [name, s] of Object.entries(manifest.stacks)) {
      const json = JSON.parse(fs.readFileSync(path.join(out, s.synthesizedStackPath), 'utf8'));
      fs.writeFileSync(path.join(dir, `${e}--${name}.json`), JSON.stringify(json, null, 1).split(out).join('<outdir>') + '\n');
    }
    fs.rmSync(out, { recursive: true, force: true });
  }
  console.log(`saved ${fs.readdirSync(dir).length} stacks to ${dir}`);
}

function diff(x, y) {
  const files = [...new Set([...fs.readdirSync(x), ...fs.readdirSync(y)])].sort();
  let changed = 0;
  for (const f of files) {
    const r = spawnSync('diff', ['-u', path.join(x, f), path.join(y, f)], { encoding: 'utf8' });
    if (r.status !== 0) {
      changed++;
      process.stdout.write(r.stdout || `${f}: only in one side\n`);
    }
  }
  console.log(`${files.length} stacks compared, ${changed} differ`);
  process.exit(changed ? 1 : 0);
}

if (cmd === 'save' && a) save(path.resolve(a));
else if (cmd === 'diff' && a && b) diff(path.resolve(a), path.resolve(b));
else {
  console.error('usage: compare-synth.js save <dir> | diff <before> <after>');
  process.exit(2);
}
