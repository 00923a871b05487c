// stableJson writes a stack's cdk.tf.json (lib/core/stable-json.ts): it must give exactly the bytes of
// json-stable-stringify, the writer cdktf itself uses, which is the oracle here (cdktf's own copy).
import * as path from 'path';
import { stableJson } from '../../lib/core/stable-json';
import { seededRandom } from '../harness/random';

type Stringify = (value: unknown, opts?: { space?: number }) => string | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktfStringify = require(require.resolve('json-stable-stringify', { paths: [path.dirname(require.resolve('cdktf'))] })) as Stringify;

const KEYS = ['a', 'B', 'b', '10', '2', '0', '01', '-1', 'é', 'z\u0000', '${aws_iam_role.x.arn}', '//', 'key with space', '\u{1f600}', '_', 'depends_on'];
const STRINGS = ['', 'plain', 'quote " and \\ backslash', 'line\nbreak\ttab', '\u2028\u2029', 'é ü ß', '\u{1f680}', '\ud800', '${TfToken[TOKEN.1]}', '<script>'];

function value(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 4 ? 6 : 10));
  switch (pick) {
    case 0: return null;
    case 1: return next() < 0.5;
    case 2: return [0, -0, 1.5, -3, 1e21, 2 ** 53, NaN, Infinity][Math.floor(next() * 8)];
    case 3: return STRINGS[Math.floor(next() * STRINGS.length)];
    case 4: return undefined;
    case 5: return next() < 0.5 ? () => 1 : new Date(Date.UTC(2026, 11, 7));
    case 6: case 7: {
      const n = Math.floor(next() * 5);
      return Array.from({ length: n }, () => value(next, depth + 1));
    }
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(next() * 6);
      for (let i = 0; i < n; i++) o[KEYS[Math.floor(next() * KEYS.length)]] = value(next, depth + 1);
      if (next() < 0.1) o.nested = { toJSON: () => ({ fromToJson: [1, {}] }) };
      return o;
    }
  }
}

describe('stableJson', () => {
  it.each([2, 0, 4])('writes what json-stable-stringify writes for 500 generated values (space %d)', (space) => {
    for (let seed = 1; seed <= 500; seed++) {
      const v = value(seededRandom(seed), 0);
      const expected = cdktfStringify(v, { space }) ?? '';
      if (stableJson(v, space) !== expected) throw new Error(`seed ${seed}, space ${space}: ${stableJson(v, space)} !== ${expected}`);
    }
  });

  it('writes empty objects and arrays the way cdktf does (a line break before the closing bracket)', () => {
    const v = { a: {}, b: [], c: [{}, []] };
    expect(stableJson(v, 2)).toBe(cdktfStringify(v, { space: 2 }));
    expect(stableJson(v, 2)).toContain('"a": {\n  }');
  });

  it('orders integer-like keys as strings, not as JavaScript orders them', () => {
    expect(stableJson({ 10: 'x', 2: 'y', b: 1, a: 2 }, 0)).toBe('{"10":"x","2":"y","a":2,"b":1}');
  });

  it('refuses a cycle as JSON.stringify does, and accepts an object reached twice', () => {
    const shared = { s: 1 };
    expect(stableJson({ x: shared, y: [shared] }, 0)).toBe('{"x":{"s":1},"y":[{"s":1}]}');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => stableJson(cyclic, 2)).toThrow(TypeError);
  });
});
