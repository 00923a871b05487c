/**
 * No creation traces for the tokens cdktf creates while the library builds its tree
 * (docs/design.md, "Synthesis speed").
 *
 * cdktf records where every token was created (`creationStack`, shown when a token cannot be
 * resolved) by formatting the complete JavaScript stack: `Error.stackTraceLimit` is raised to
 * `Number.MAX_SAFE_INTEGER` for each of the ~1,400 tokens of the example platform, most of them the
 * attribute objects every generated provider class builds in its constructor. That was ~10% of the
 * CPU time of a synth (with ts-node's source-mapped traces, more). Inside {@link pauseTokenTraces}
 * the trace is one line saying how to get it back: with the environment variable
 * `CDKTF_AI_PLATFORM_TOKEN_TRACES=full`, cdktf records full traces as usual (for debugging a token
 * that cannot be resolved; docs/operations.md, Troubleshooting).
 */

/** Set to `full` to keep cdktf's full token creation traces inside the library. */
export const TOKEN_TRACES_ENV = 'CDKTF_AI_PLATFORM_TOKEN_TRACES';

/** The creation trace of a token created inside the library. */
export const TOKEN_TRACE_PLACEHOLDER = `(not recorded inside cdktf-ai-platform; set ${TOKEN_TRACES_ENV}=full to record it)`;

type Capture = (below?: (...args: never[]) => unknown) => string[];

interface StackTraceModule {
  captureStackTrace: Capture;
}

let traceModule: StackTraceModule | null | undefined;

function stackTraceModule(): StackTraceModule | null {
  if (traceModule === undefined) {
    try {
      // cdktf's module-private helper; the tokens look it up on its exports at each call.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = require('cdktf/lib/tokens/private/stack-trace') as Partial<StackTraceModule>;
      traceModule = typeof m.captureStackTrace === 'function' ? (m as StackTraceModule) : null;
    } catch {
      traceModule = null;
    }
  }
  return traceModule;
}

const noTrace: Capture = () => [TOKEN_TRACE_PLACEHOLDER];

/**
 * From now on, tokens record {@link TOKEN_TRACE_PLACEHOLDER} instead of their creation stack (unless
 * {@link TOKEN_TRACES_ENV} is `full`). Returns the function that restores what was there before (call
 * it in a `finally`); calls nest.
 */
export function pauseTokenTraces(): () => void {
  const m = process.env[TOKEN_TRACES_ENV] === 'full' ? null : stackTraceModule();
  if (!m) return () => undefined;
  const previous = m.captureStackTrace;
  m.captureStackTrace = noTrace;
  return () => {
    m.captureStackTrace = previous;
  };
}

/** Runs `build` without token creation traces (see {@link pauseTokenTraces}), restoring afterwards. */
export function withoutTokenTraces<T>(build: () => T): T {
  const restore = pauseTokenTraces();
  try {
    return build();
  } finally {
    restore();
  }
}
