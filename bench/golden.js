#!/usr/bin/env node
// Output guard for performance work: synthesizes every example (and examples/scale at 1, 10 and 50
// models) from dist/ and compares each stack's cdk.tf.json byte for byte with a saved copy.
// Usage: node bench/golden.js save [dir]   then   node bench/golden.js check [dir]
// (default dir .cache/golden; run `npm run build` first: tsc, the library bundle and the job bundles).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const [mode = 'check', dirArg] = process.argv.slice(2);
const dir = path.resolve(dirArg || path.join(root, '.cache', 'golden'));
const cases = [];
for (const ex of fs.readdirSync(path.join(root, 'examples')).sort()) {
  if (ex === 'scale') for (const n of [1, 10, 50]) cases.push({ name: `scale-${n}`, ex, env: { MODELS: String(n) } });
  else cases.push({ name: ex, ex, env: {} });
}
let bad = 0;
for (const c of cases) {
  const main = path.join(root, 'dist', 'examples', c.ex, 'main.js');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-'));
  const r = spawnSync(process.execPath, [main], { cwd: root, encoding: 'utf8', env: { ...process.env, ...c.env, CDKTF_OUTDIR: out } });
  if (r.status !== 0) { console.error(`${c.name}: synth failed\n${r.stderr}`); bad++; continue; }
  const stacks = path.join(out, 'stacks');
  for (const s of fs.readdirSync(stacks).sort()) {
    const got = fs.readFileSync(path.join(stacks, s, 'cdk.tf.json'));
    const saved = path.join(dir, c.name, s, 'cdk.tf.json');
    if (mode === 'save') {
      fs.mkdirSync(path.dirname(saved), { recursive: true });
      fs.writeFileSync(saved, got);
    } else if (!fs.existsSync(saved) || !got.equals(fs.readFileSync(saved))) {
      console.error(`${c.name}/${s}: cdk.tf.json differs from ${saved}`);
      bad++;
    }
  }
  if (mode !== 'save') {
    const savedStacks = fs.existsSync(path.join(dir, c.name)) ? fs.readdirSync(path.join(dir, c.name)).sort() : [];
    if (savedStacks.join() !== fs.readdirSync(stacks).sort().join()) { console.error(`${c.name}: stack list differs`); bad++; }
  }
  fs.rmSync(out, { recursive: true, force: true });
}
console.log(`${mode}: ${cases.length} syntheses${mode === 'save' ? ` saved to ${dir}` : bad ? `, ${bad} differences` : ', all byte-identical'}`);
process.exit(bad ? 1 : 0);
