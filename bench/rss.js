// Preloaded with `node -r`: reports the process's peak RSS and wall time since start on exit.
'use strict';
const start = process.hrtime.bigint();
process.on('exit', () => {
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const file = process.env.BENCH_REPORT;
  const line = JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, inProcessMs: ms }) + '\n';
  if (file) require('fs').appendFileSync(file, line);
});
