// Preloaded (node -r) into a job bundle by the e2e tests: on exit, writes the process's peak resident set
// size in KiB to $PEAK_RSS_FILE. VmHWM of /proc/self/status is the high-water mark of this process's own
// address space; getrusage's ru_maxrss is not used because Linux carries the parent's RSS at fork into it
// (a child of a 113 MiB jest worker reports at least 113 MiB). process.exit() runs 'exit' listeners.
'use strict';
const fs = require('fs');
process.on('exit', () => {
  if (!process.env.PEAK_RSS_FILE) return;
  let kib;
  try {
    kib = Number(/^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    kib = process.resourceUsage().maxRSS;
  }
  fs.writeFileSync(process.env.PEAK_RSS_FILE, String(kib));
});
