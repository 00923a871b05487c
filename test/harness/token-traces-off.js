// Jest setup (setupFilesAfterEnv): no creation stack for cdktf's tokens in the test suite, except in
// test/core/token-traces.test.ts, which tests the library's own switch (lib/core/token-traces.ts).
// Why: cdktf formats the whole stack for every token it creates (every attribute object of every
// provider class), and under jest each frame is then mapped through its file's source map: ~30 % of
// the CPU time of the files that build constructs outside AiPlatform (gpu-node-pool: 4.2 of 13.8
// CPU-s, measured with --cpu-prof, 2026-12-07). The traces only appear in the message of a token
// that cannot be resolved; no other test reads them. Test-suite time only.
'use strict';
const path = require('path');

const KEEP = new Set(['test/core/token-traces.test.ts']);
const testPath = path.relative(path.resolve(__dirname, '..', '..'), expect.getState().testPath ?? '').split(path.sep).join('/');
if (!KEEP.has(testPath)) {
  const stackTrace = require('cdktf/lib/tokens/private/stack-trace');
  if (typeof stackTrace.captureStackTrace === 'function') {
    stackTrace.captureStackTrace = () => ['(token creation traces are off in the test suite: test/harness/token-traces-off.js)'];
  }
}
