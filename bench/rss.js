// Preloaded with `node -r`: on exit, appends the process's peak RSS, CPU time (user + system) and
// wall time since start to $BENCH_REPORT (one JSON line).
'use strict';
const start = process.hrtime.bigint();
process.on('exit', () => {
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const file = process.env.BENCH_REPORT;
  const u = process.resourceUsage();
  const line = JSON.stringify({ maxRssKiB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, inProcessMs: ms }) + '\n';
  if (file) require('fs').appendFileSync(file, line);
});
