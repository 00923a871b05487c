// resolvePlainFast (lib/core/resolve-plain.ts) copies plain data itself and hands everything that is or
// may be a token to cdktf. Oracle: cdktf's own Tokenization.resolve, on generated values that put
// tokens of every kind (string, number, list, map, IResolvable, expressions, escapes) in every position,
// in both passes (preparing and not); results and error messages must be the same.
import * as os from 'os';
import * as path from 'path';
import { App, DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformLocal, TerraformStack, TerraformVariable, Token, Tokenization } from 'cdktf';
import { resolvePlainFast } from '../../lib/core/resolve-plain';
import { seededRandom } from '../harness/random';

const RESOLVER = new DefaultTokenResolver(new StringConcat());

function fixture(): { stack: TerraformStack; leaves: (() => unknown)[]; keys: (() => string)[] } {
  const app = new App({ outdir: path.join(os.tmpdir(), 'resolve-plain-unused') }); // never synthesized
  const stack = new TerraformStack(app, 'plain');
  const size = new TerraformVariable(stack, 'size', { type: 'number' });
  const names = new TerraformVariable(stack, 'names', { type: 'list(string)' });
  const labels = new TerraformVariable(stack, 'labels', { type: 'map(string)' });
  const local = new TerraformLocal(stack, 'computed', { a: 1 });
  const leaves: (() => unknown)[] = [
    () => 'plain text',
    () => '',
    () => 'looks like 1e5 and 2.5E-3 and 1e',
    () => 'e-mail: a-e+b',
    // Minified code: many matches of cdktf's number pattern, none a token (NaN, Infinity, small).
    () => 'a.e.b(1e3,-2.5e-3,1e999,.e.,x|e|y)',
    // A number token written into a string (its encoding, a double near -1e289..-1e299).
    () => `replicas=${size.numberValue}`,
    () => `${size.numberValue}e5`,
    () => '${var.literal} stays escaped, } and ${',
    () => `prefix-${size.stringValue}-suffix`,
    () => `\${${size.stringValue}} and \${literal}`,
    () => Token.asString(local.expression),
    () => Fn.join(',', names.listValue),
    () => Fn.lookup(labels.value, 'team', 'none'),
    () => size.numberValue,
    () => 42,
    () => -0,
    () => 1e300,
    () => NaN,
    () => true,
    () => null,
    () => undefined,
    () => names.listValue,
    () => [...names.listValue],
    () => [size.numberValue, 1],
    () => Token.asNumberList(names.value),
    () => labels.value,
    () => Token.asStringMap(labels.value),
    () => Token.asAnyMap(labels.value),
    () => Lazy.anyValue({ produce: () => ({ nested: [1, undefined, 'x', size.stringValue] }) }),
    () => Lazy.stringValue({ produce: () => 'lazy' }),
    () => new Date(Date.UTC(2026, 11, 7)),
    () => Token.STRING_MAP_TOKEN_VALUE,
    () => Token.NUMBER_MAP_TOKEN_VALUE,
  ];
  const keys: (() => string)[] = [() => 'a', () => 'b', () => 'with space', () => '1e5', () => `key-${size.stringValue}`, () => 'z'];
  return { stack, leaves, keys };
}

function generate(next: () => number, f: ReturnType<typeof fixture>, depth: number): unknown {
  const r = next();
  if (depth > 4 || r < 0.45) return f.leaves[Math.floor(next() * f.leaves.length)]();
  if (r < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => generate(next, f, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(next() * 4);
  for (let i = 0; i < n; i++) o[f.keys[Math.floor(next() * f.keys.length)]()] = generate(next, f, depth + 1);
  return o;
}

type Outcome = { value: unknown } | { error: string };
function outcome(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

describe('resolvePlainFast', () => {
  it.each([false, true])('resolves 400 generated values exactly as cdktf does (preparing: %s)', (preparing) => {
    const f = fixture();
    let errors = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const v = generate(seededRandom(seed), f, 0);
      const ours = outcome(() => resolvePlainFast(v, { scope: f.stack, preparing, resolver: RESOLVER }));
      const cdktf = outcome(() => Tokenization.resolve(v, { scope: f.stack, preparing, resolver: RESOLVER }));
      if ('error' in cdktf) errors++;
      try {
        expect(ours).toStrictEqual(cdktf);
      } catch (e) {
        throw new Error(`seed ${seed} (preparing ${preparing}): ${(e as Error).message}`);
      }
    }
    // The generator reaches cdktf's error paths as well as its results.
    expect(errors).toBeGreaterThan(10);
    expect(errors).toBeLessThan(390);
  });

  it('keeps cdktf\'s path in error messages', () => {
    const f = fixture();
    const v = { outer: { list: [{ fn: () => 1 }] } };
    const ours = outcome(() => resolvePlainFast(v, { scope: f.stack, preparing: false, resolver: RESOLVER }));
    expect(ours).toStrictEqual(outcome(() => Tokenization.resolve(v, { scope: f.stack, preparing: false, resolver: RESOLVER })));
    expect((ours as { error: string }).error).toContain('/outer/list/0/fn');
  });

  it('stops a cycle the way cdktf does', () => {
    const f = fixture();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const ours = outcome(() => resolvePlainFast(cyclic, { scope: f.stack, preparing: false, resolver: RESOLVER }));
    expect('error' in ours).toBe(true);
    expect(ours).toStrictEqual(outcome(() => Tokenization.resolve(cyclic, { scope: f.stack, preparing: false, resolver: RESOLVER })));
  });

  it('copies plain data (the result shares no object or array with the input)', () => {
    const f = fixture();
    const input = { a: { b: [1, { c: 'x' }] }, d: [] as unknown[] };
    const out = resolvePlainFast(input, { scope: f.stack, preparing: false, resolver: RESOLVER }) as typeof input;
    expect(out).toStrictEqual(input);
    expect(out.a).not.toBe(input.a);
    expect(out.a.b).not.toBe(input.a.b);
    expect(out.a.b[1]).not.toBe(input.a.b[1]);
    expect(out.d).not.toBe(input.d);
  });
});
