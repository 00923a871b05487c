// Inside AiPlatform (and its stacks' synthesis) tokens record a one-line placeholder instead of their
// full creation stack (lib/core/token-traces.ts); outside it, and with CDKTF_AI_PLATFORM_TOKEN_TRACES=full,
// cdktf records full traces as usual.
import { Lazy, Testing } from 'cdktf';
import { AiPlatform } from '../../lib';
import { pauseTokenTraces, TOKEN_TRACE_PLACEHOLDER, TOKEN_TRACES_ENV, withoutTokenTraces } from '../../lib/core/token-traces';
import { PLATFORM_APPS } from '../harness/platform-apps';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackTrace = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: (below?: unknown) => string[] };

/** The creation trace cdktf records for a token created here. */
function lazyTrace(): string[] {
  return (Lazy.anyValue({ produce: () => 'x' }) as unknown as { creationStack: string[] }).creationStack;
}

describe('token creation traces', () => {
  it('are a placeholder inside the scope and full outside it', () => {
    const outside = lazyTrace();
    expect(outside.length).toBeGreaterThan(3);
    expect(outside.join('\n')).toContain('token-traces.test');
    expect(withoutTokenTraces(lazyTrace)).toEqual([TOKEN_TRACE_PLACEHOLDER]);
    expect(lazyTrace().length).toBeGreaterThan(3); // restored
  });

  it('are restored when the scope throws, and nested scopes restore in order', () => {
    expect(() => withoutTokenTraces(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(lazyTrace().length).toBeGreaterThan(3);
    const outer = pauseTokenTraces();
    const inner = pauseTokenTraces();
    inner();
    expect(lazyTrace()).toEqual([TOKEN_TRACE_PLACEHOLDER]);
    outer();
    expect(lazyTrace().length).toBeGreaterThan(3);
  });

  it(`are full inside the scope with ${TOKEN_TRACES_ENV}=full`, () => {
    process.env[TOKEN_TRACES_ENV] = 'full';
    try {
      expect(withoutTokenTraces(lazyTrace).length).toBeGreaterThan(3);
    } finally {
      delete process.env[TOKEN_TRACES_ENV];
    }
  });

  it('AiPlatform and its stacks\' synthesis capture no stack for their tokens, and leave cdktf as they found it', () => {
    const original = stackTrace.captureStackTrace;
    let captured = 0;
    stackTrace.captureStackTrace = (below?: unknown) => {
      captured++;
      return original(below);
    };
    try {
      const app = Testing.app();
      new AiPlatform(app, 'ai', PLATFORM_APPS['byo-full']);
      app.synth();
      expect(captured).toBe(0);
      lazyTrace();
      expect(captured).toBe(1); // the counting capture is back in place
    } finally {
      stackTrace.captureStackTrace = original;
    }
  });
});
