#!/usr/bin/env node
// `npm run cost`: the GPU cost estimate of the example platform (or MODULE exporting buildPlatform).
// Usage: node scripts/cost-report.js [--spot 0.4] [--tps 1000]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d);
const dist = path.join(root, 'dist');
if (!fs.existsSync(path.join(dist, 'examples', 'platform', 'platform.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run cost does)');
  process.exit(1);
}
const { App } = require('cdktf');
const { platformCostReport, renderCostReport } = require(path.join(dist, 'lib', 'index.js'));
const { buildPlatform } = require(path.join(dist, 'examples', 'platform', 'platform.js'));
const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cost-')), stackTraces: false });
const platform = buildPlatform(app);
console.log(renderCostReport(platformCostReport(platform, { spotPriceFactor: opt('spot', undefined), tokensPerSecondPerReplica: opt('tps', undefined) })));
