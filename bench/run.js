#!/usr/bin/env node
// Synth benchmark, side by side with the peer. Alternates, run by run, three programs so machine load
// affects them alike: ours (`node dist/examples/<example>/main.js`), the peer (the same GPU platform
// with EKS Blueprints, ../shared/bench/peer-blueprints, installed once into .cache/peer-blueprints)
// and the floor (bench/floor.js: a trivial cdktf stack with deep imports). Prints medians of wall
// time, CPU time (user + system) and peak RSS, and the ratios ours/peer.
//
// Usage: node bench/run.js [--runs N] [--example platform] [--models 1,10,50] [--no-peer]
//                          [--node <path to a node binary>] [--node-options "<flags>"]
//   --node, --node-options  run every case (ours, the peer, the floor) with that node and those flags,
//                           e.g. the app command docs/getting-started.md recommends:
//                           --node .cache/node-lts/22.23.5/bin/node --node-options "--max-semi-space-size=2 --disable-warning=DEP0044"
//   --models   also synthesizes examples/scale with MODELS=n and prints growth and per-model cost
//   env BENCH_PEER_DIR  use an installed peer elsewhere (a folder with main.js and node_modules)
//   env BENCH_JSON      also write the results as JSON to this file
// Compare ratios within one run only: absolute times on a shared machine mean little.
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
const runs = Number(opt('runs', '9'));
const example = opt('example', 'platform');
const models = opt('models', '');
const nodeBin = path.resolve(opt('node', process.execPath));
const nodeOptions = opt('node-options', '').split(/\s+/).filter(Boolean);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Installs the peer into the cache folder once; returns its main.js, or undefined with a reason printed. */
function peerMain() {
  if (args.includes('--no-peer')) return undefined;
  if (process.env.BENCH_PEER_DIR) {
    const main = path.join(path.resolve(process.env.BENCH_PEER_DIR), 'main.js');
    if (fs.existsSync(main)) return main;
    console.log(`peer skipped: BENCH_PEER_DIR has no main.js (${main})`);
    return undefined;
  }
  // ../shared/bench/peer-blueprints beside the repository (or beside a folder above it, for a git worktree).
  let src = path.resolve(root, '..', 'shared', 'bench', 'peer-blueprints');
  for (let dir = path.dirname(root); !fs.existsSync(path.join(src, 'main.js')) && path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(path.dirname(dir), 'shared', 'bench', 'peer-blueprints');
    if (fs.existsSync(path.join(candidate, 'main.js'))) src = candidate;
  }
  const dir = path.join(root, '.cache', 'peer-blueprints');
  if (!fs.existsSync(path.join(src, 'main.js'))) {
    console.log(`peer skipped: ${src} not found (set BENCH_PEER_DIR to an installed peer)`);
    return undefined;
  }
  const pkg = fs.readFileSync(path.join(src, 'package.json'), 'utf8');
  const stamp = path.join(dir, '.installed-package.json');
  const fresh = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === pkg && fs.existsSync(path.join(dir, 'node_modules'));
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(src, 'main.js'), path.join(dir, 'main.js'));
  if (!fresh) {
    fs.writeFileSync(path.join(dir, 'package.json'), pkg);
    console.log(`installing the peer into ${path.relative(root, dir)} (once) ...`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`peer skipped: npm install failed in ${dir}:\n${(r.stderr || String(r.error)).trim().split('\n').slice(-5).join('\n')}`);
      return undefined;
    }
    fs.writeFileSync(stamp, pkg);
  }
  return path.join(dir, 'main.js');
}

/** One run of `node main` with the reporter preloaded: wall ms (from the parent), CPU ms, peak RSS MiB. */
function runOnce(main, extraEnv = {}) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const report = path.join(out, 'report.jsonl');
  const env = { ...process.env, ...extraEnv, CDKTF_OUTDIR: out, CDK_OUTDIR: out, BENCH_REPORT: report, CHECKPOINT_DISABLE: '1' };
  const t0 = process.hrtime.bigint();
  const r = spawnSync(nodeBin, [...nodeOptions, '-r', path.join(__dirname, 'rss.js'), main], { cwd: path.dirname(main), env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${main} failed:\n${r.stderr}`);
  const rep = JSON.parse(fs.readFileSync(report, 'utf8').trim().split('\n').pop());
  fs.rmSync(out, { recursive: true, force: true });
  return { wallMs, cpuMs: rep.cpuMs, rssMiB: rep.maxRssKiB / 1024 };
}

/** Alternates the cases run by run; returns the medians per case. */
function alternate(cases, n) {
  const samples = cases.map(() => []);
  for (let i = 0; i < n; i++) cases.forEach((c, j) => samples[j].push(runOnce(c.main, c.env)));
  return cases.map((c, j) => ({
    label: c.label,
    runs: n,
    wallMs: median(samples[j].map((s) => s.wallMs)),
    cpuMs: median(samples[j].map((s) => s.cpuMs)),
    rssMiB: median(samples[j].map((s) => s.rssMiB)),
  }));
}

const fmt = (m) => `${m.label.padEnd(40)} ${m.wallMs.toFixed(0).padStart(7)} ms ${m.cpuMs.toFixed(0).padStart(7)} ms ${m.rssMiB.toFixed(0).padStart(6)} MiB`;
const header = `${'case'.padEnd(40)} ${'wall'.padStart(10)} ${'CPU'.padStart(10)} ${'peak RSS'.padStart(10)}`;

const main = path.join(root, 'dist', 'examples', example, 'main.js');
if (!fs.existsSync(main)) {
  console.error(`${main} missing: run npm run build first (npm run bench does)`);
  process.exit(1);
}
const peer = peerMain();
const nodeVersion = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`synth benchmark: examples/${example}, medians of ${runs} alternating runs, node ${nodeVersion}${nodeOptions.length ? ` ${nodeOptions.join(' ')}` : ''}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
const cases = [{ label: `ours (examples/${example})`, main }];
if (peer) cases.push({ label: 'peer (EKS Blueprints)', main: peer });
cases.push({ label: 'floor (trivial cdktf stack)', main: path.join(__dirname, 'floor.js') });
const results = alternate(cases, runs);
console.log(header);
results.forEach((r) => console.log(fmt(r)));
const json = { example, runs, node: nodeVersion, nodeOptions, date: new Date().toISOString(), loadavg: os.loadavg()[0], results };
if (peer) {
  const [o, p] = results;
  const ratio = { wall: o.wallMs / p.wallMs, cpu: o.cpuMs / p.cpuMs, rss: o.rssMiB / p.rssMiB };
  json.ratio = ratio;
  console.log(`ours/peer: wall ${ratio.wall.toFixed(2)}x, CPU ${ratio.cpu.toFixed(2)}x, peak RSS ${ratio.rss.toFixed(2)}x   (targets: wall <= 0.5x, RSS <= 0.8x)`);
}

if (models) {
  const scale = path.join(root, 'dist', 'examples', 'scale', 'main.js');
  if (!fs.existsSync(scale)) {
    console.error('examples/scale is missing; skipping the model-count series');
  } else {
    const counts = models.split(',').map(Number);
    const growth = alternate(counts.map((n) => ({ label: `${n} model(s)`, main: scale, env: { MODELS: String(n) } })), runs);
    console.log(`\ngrowth with the number of served models (examples/scale, MODELS=n, medians of ${runs} alternating runs):`);
    console.log(`${header}   per model vs first (wall / CPU / RSS)`);
    growth.forEach((g, i) => {
      const d = i === 0 ? '' : (() => {
        const k = counts[i] - counts[0];
        return `   ${((g.wallMs - growth[0].wallMs) / k).toFixed(1)} ms / ${((g.cpuMs - growth[0].cpuMs) / k).toFixed(1)} ms / ${((g.rssMiB - growth[0].rssMiB) / k).toFixed(2)} MiB`;
      })();
      console.log(fmt(g) + d);
    });
    json.growth = growth.map((g, i) => ({ models: counts[i], ...g }));
  }
}
if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(json, null, 1));
