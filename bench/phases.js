#!/usr/bin/env node
// Where synth time goes: CPU time (user + system) of each phase of `examples/<example>` built from
// dist/, median of N runs (each in a fresh process). Phases: loading cdktf, loading the library and
// its provider classes, building the construct tree, cdktf's prepare pass (a resolution of every
// element for cross-stack references), the guardrails Aspect, the stack's own resolution
// (toTerraform), the rest of synthesis (annotations, validations, JSON writing); and the number of
// token stack traces cdktf captured. Usage: node bench/phases.js [--runs 5] [--example platform]
'use strict';
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);

if (process.env.BENCH_PHASES_CHILD) {
  const fs = require('fs');
  const os = require('os');
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t = {};
  const depth = {};
  const timed = (obj, name, label) => {
    const orig = obj[name];
    t[label] = t[label] ?? 0;
    obj[name] = function (...a) {
      // Re-entrancy guard: a subclass method calling its super is counted once.
      if (depth[label]) return orig.apply(this, a);
      depth[label] = true;
      const c = cpu();
      try {
        return orig.apply(this, a);
      } finally {
        depth[label] = false;
        t[label] += cpu() - c;
      }
    };
  };
  let c = cpu();
  const cdktf = require('cdktf');
  t.loadCdktf = cpu() - c;
  const stackTrace = require('cdktf/lib/tokens/private/stack-trace.js');
  const capture = stackTrace.captureStackTrace;
  let traces = 0;
  stackTrace.captureStackTrace = (below) => {
    traces++;
    return capture(below);
  };
  timed(cdktf.TerraformStack.prototype, 'prepareStack', 'prepare');
  timed(cdktf.TerraformStack.prototype, 'toTerraform', 'toTerraform');
  c = cpu();
  const lib = require(path.join(root, 'dist', 'lib'));
  t.loadLibrary = cpu() - c;
  timed(lib.PlatformGuardrails.prototype, 'visit', 'guardrails');
  const example = process.env.BENCH_PHASES_CHILD;
  const app = new cdktf.App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'phases-')) });
  c = cpu();
  if (example === 'platform') require(path.join(root, 'dist', 'examples', 'platform', 'platform.js')).buildPlatform(app);
  else throw new Error(`bench/phases.js knows examples/platform only (got ${example})`);
  t.build = cpu() - c;
  // AiPlatform's stacks resolve each element once (lib/core/resolve-once.ts, inside the bundle):
  // time their own passes too.
  for (const proto of new Set(app.node.findAll().filter(cdktf.TerraformStack.isStack).map((s) => Object.getPrototypeOf(s)))) {
    if (proto === cdktf.TerraformStack.prototype) continue;
    timed(proto, 'prepareStack', 'prepare');
    timed(proto, 'toTerraform', 'toTerraform');
  }
  const tracesBuild = traces;
  c = cpu();
  app.synth();
  t.synthRest = cpu() - c - t.prepare - t.guardrails - t.toTerraform;
  fs.rmSync(app.outdir, { recursive: true, force: true });
  t.total = cpu();
  process.stdout.write(JSON.stringify({ ...t, traces, tracesBuild }));
} else {
  const runs = Number(opt('runs', '5'));
  const example = opt('example', 'platform');
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [__filename], { cwd: root, encoding: 'utf8', env: { ...process.env, BENCH_PHASES_CHILD: example } });
    if (r.status !== 0) throw new Error(r.stderr);
    samples.push(JSON.parse(r.stdout));
  }
  const median = (k) => samples.map((s) => s[k]).sort((a, b) => a - b)[Math.floor(runs / 2)];
  const labels = {
    loadCdktf: 'load cdktf',
    loadLibrary: 'load the library + provider classes',
    build: 'build the construct tree',
    prepare: 'cdktf prepare pass (resolve all)',
    guardrails: 'guardrails Aspect',
    toTerraform: 'stack toTerraform (resolve all)',
    synthRest: 'rest of synth (annotations, write)',
    total: 'process total (incl. node start)',
  };
  console.log(`CPU ms per phase, examples/${example}, median of ${runs} runs (node ${process.version})`);
  for (const [k, l] of Object.entries(labels)) console.log(`${l.padEnd(38)} ${median(k).toFixed(0).padStart(6)}`);
  console.log(`token stack traces captured: ${median('traces')} (${median('tracesBuild')} while building)`);
}
