#!/usr/bin/env node
// The main job: synthesizes an example (default: examples/platform) offline from the compiled
// package and prints what it produced. Usage: node scripts/synth-example.js [example] [outdir]
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const example = process.argv[2] || 'platform';
const outdir = path.resolve(process.argv[3] || path.join(root, 'cdktf.out'));
const main = path.join(root, 'dist', 'examples', example, 'main.js');
if (!fs.existsSync(main)) {
  console.error(`${path.relative(root, main)} not found: run \`npm run build\` first (npm run synth does).`);
  process.exit(1);
}
const started = process.hrtime.bigint();
const r = spawnSync(process.execPath, [main], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_TELEMETRY: '1' } });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
if (r.status !== 0) process.exit(r.status || 1);

const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
console.log(`Synthesized examples/${example} in ${ms.toFixed(0)} ms (offline; nothing was deployed).\n`);
let total = 0;
for (const [name, stack] of Object.entries(manifest.stacks)) {
  const file = path.join(outdir, stack.synthesizedStackPath);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const counts = {};
  for (const [type, rs] of Object.entries(json.resource || {})) counts[type] = Object.keys(rs).length;
  const n = Object.values(counts).reduce((a, b) => a + b, 0);
  total += n;
  const providers = Object.keys(json.provider || {}).join(', ');
  console.log(`stack ${name}: ${n} resources, providers: ${providers || 'none'}`);
  console.log(`  Terraform JSON: ${path.relative(process.cwd(), file)}`);
  for (const [type, c] of Object.entries(counts).sort()) console.log(`    ${String(c).padStart(3)}  ${type}`);
  if (stack.dependencies && stack.dependencies.length) console.log(`  depends on stacks: ${stack.dependencies.join(', ')}`);
  console.log('');
}
console.log(`${Object.keys(manifest.stacks).length} stacks, ${total} resources. Deploy with: cdktf deploy '*'  (needs AWS credentials)`);
