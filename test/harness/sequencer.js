// Test order for jest (jest.config.js `testSequencer`): the longest files start first, so that on
// CI's two workers neither sits idle while the other finishes a long file at the end.
//
// jest's own sequencer orders by the durations it cached on the previous run of this checkout and,
// on a fresh clone (CI), by file size. File size does not predict the files that spend their time
// in Terraform, npm or the TypeScript compiler: those are small files, and by size they started
// last. Here a file's weight is its duration from jest's cache when there is one; otherwise the
// CPU-seconds listed below (measured 2026-12-07 with `--maxWorkers=1`, see docs/contributing.md,
// "Test-suite time"); otherwise an estimate from its size. Order only: no test depends on it, and a
// stale entry costs time, never a result.
'use strict';
const path = require('path');
const Sequencer = require('@jest/test-sequencer').default;

/** CPU-seconds (worker and the processes it waits for) of the files whose size misleads, longest first. */
const KNOWN_SECONDS = {
  'test/oracles/whole-stack.test.ts': 58,
  'test/package/pack.test.ts': 43,
  'test/gpu/gpu-node-pool.test.ts': 17,
  'test/docs/code-blocks.test.ts': 16,
  'test/bad-input/enum-props.test.ts': 15,
  'test/cluster/ai-cluster.test.ts': 13,
  'test/bad-input/corpus.test.ts': 11,
  'test/k8s/rendered-objects.test.ts': 10,
  'test/gpu/karpenter.test.ts': 10,
};

/** Seconds per byte of a test file without an entry (vllm-serving-stack: 48 KB, 11 s). */
const SECONDS_PER_BYTE = 11 / 48000;

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const root = path.resolve(__dirname, '..', '..');
    const weight = (test) => {
      const cached = this.time(test);
      if (cached != null) return cached / 1000;
      const known = KNOWN_SECONDS[path.relative(root, test.path).split(path.sep).join('/')];
      if (known != null) return known;
      return (test.context.hasteFS.getSize(test.path) ?? 0) * SECONDS_PER_BYTE;
    };
    const w = new Map(tests.map((t) => [t, weight(t)]));
    // Files that failed last time first (quick feedback), as jest does; then the heaviest.
    return [...tests].sort((a, b) => Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || w.get(b) - w.get(a) || (a.path < b.path ? -1 : 1));
  }
}

module.exports = LongestFirstSequencer;
