#!/usr/bin/env node
// Synth benchmark: median wall time and peak RSS of `node dist/examples/<example>/main.js` over N
// runs (default 5), beside a baseline that first loads the provider barrels, measured in the same
// run so machine load affects both alike. Usage: node bench/run.js [--runs N] [--example platform]
// [--models 1,10,50]   (the last needs examples/scale, see below).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', '5'));
const example = opt('example', 'platform');
const models = opt('models', '');

function measure(main, preload, extraEnv = {}) {
  const wall = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const report = path.join(out, 'report.jsonl');
    const nodeArgs = ['-r', path.join(__dirname, 'rss.js'), ...preload.flatMap((p) => ['-r', p]), main];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, nodeArgs, { cwd: root, env: { ...process.env, ...extraEnv, CDKTF_OUTDIR: out, BENCH_REPORT: report }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${main} failed:\n${r.stderr}`);
    const rep = JSON.parse(fs.readFileSync(report, 'utf8').trim().split('\n').pop());
    wall.push(ms);
    rss.push(rep.maxRssKiB / 1024);
    fs.rmSync(out, { recursive: true, force: true });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wallMs: median(wall), rssMiB: median(rss), maxRssMiB: Math.max(...rss) };
}

function row(label, m) {
  return `${label.padEnd(34)} ${m.wallMs.toFixed(0).padStart(7)} ms ${m.rssMiB.toFixed(0).padStart(7)} MiB`;
}

const main = path.join(root, 'dist', 'examples', example, 'main.js');
if (!fs.existsSync(main)) {
  console.error(`${main} missing: run npm run build first (npm run bench does)`);
  process.exit(1);
}
console.log(`synth benchmark: examples/${example}, median of ${runs} runs, node ${process.version}, ${os.cpus().length} cores`);
console.log(`${'case'.padEnd(34)} ${'wall'.padStart(10)} ${'peak RSS'.padStart(11)}`);
const deep = measure(main, []);
const barrel = measure(main, [path.join(__dirname, 'barrel.js')]);
console.log(row('deep imports (the library)', deep));
console.log(row('provider barrels loaded (baseline)', barrel));
console.log(`ratio baseline/library: wall ${(barrel.wallMs / deep.wallMs).toFixed(2)}x, RSS ${(barrel.rssMiB / deep.rssMiB).toFixed(2)}x`);
if (models) {
  const scale = path.join(root, 'dist', 'examples', 'scale', 'main.js');
  if (!fs.existsSync(scale)) {
    console.error('examples/scale is missing; skipping the model-count series');
  } else {
    console.log('\ngrowth with the number of models (examples/scale, MODELS=n):');
    for (const n of models.split(',').map(Number)) console.log(row(`${n} model(s)`, measure(scale, [], { MODELS: String(n) })));
  }
}
const json = { example, runs, deep, barrel, date: new Date().toISOString() };
if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(json, null, 1));
