/**
 * Shorter creation traces for the tokens cdktf creates while the library builds its tree
 * (docs/design.md, "Synthesis speed").
 *
 * cdktf records where every token was created (`creationStack`, shown when a token cannot be
 * resolved) by formatting the complete JavaScript stack: `Error.stackTraceLimit` is raised to
 * `Number.MAX_SAFE_INTEGER` for each of the ~1,400 tokens of the example platform, most of them the
 * attribute objects every generated provider class builds in its constructor. Inside
 * {@link shortTokenTraces} the trace keeps the {@link TOKEN_TRACE_FRAMES} innermost frames, which
 * still name the construct that created the token.
 */

/** Frames kept in a token's creation trace while the library builds its tree. */
export const TOKEN_TRACE_FRAMES = 16;

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

const shortCapture: Capture = function shortCapture(below) {
  const holder: { stack?: string } = {};
  const previous = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = TOKEN_TRACE_FRAMES;
    Error.captureStackTrace(holder, below ?? shortCapture);
  } finally {
    Error.stackTraceLimit = previous;
  }
  if (!holder.stack) return [];
  return holder.stack
    .split('\n')
    .slice(1)
    .map((s) => s.replace(/^\s*at\s+/, ''));
};

/**
 * From now on, tokens record the {@link TOKEN_TRACE_FRAMES} innermost frames of their creation stack
 * instead of all of them. Returns the function that restores what was there before (call it in a
 * `finally`); calls nest.
 */
export function shortTokenTraces(): () => void {
  const m = stackTraceModule();
  if (!m) return () => undefined;
  const previous = m.captureStackTrace;
  m.captureStackTrace = shortCapture;
  return () => {
    m.captureStackTrace = previous;
  };
}

/** Runs `build` with short token traces (see {@link shortTokenTraces}), restoring afterwards. */
export function withShortTokenTraces<T>(build: () => T): T {
  const restore = shortTokenTraces();
  try {
    return build();
  } finally {
    restore();
  }
}
