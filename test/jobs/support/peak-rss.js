// Preloaded (node -r) into a job bundle by the e2e tests: on exit, writes the process's peak resident set
// size (getrusage ru_maxrss, in KiB) to $PEAK_RSS_FILE. process.exit() runs 'exit' listeners.
'use strict';
process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE) require('fs').writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
