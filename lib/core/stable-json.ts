/**
 * JSON text with object keys sorted, byte for byte what cdktf writes for a stack's `cdk.tf.json`
 * (cdktf serializes it with json-stable-stringify 1.x, `{ space }`), in a fraction of the time.
 *
 * Why hand-written (docs/design.md, "Synthesis speed"): json-stable-stringify takes ~50 ms of the
 * example platform's synthesis (binding helpers per call, a linear cycle list, a string join per
 * container), and the well-kept fast alternatives (safe-stable-stringify, fast-json-stable-stringify)
 * write empty objects and arrays differently (`{}` where cdktf writes `{` newline, indent, `}`), which
 * would change every user's synthesized files. `test/core/stable-json.test.ts` compares this writer
 * with json-stable-stringify itself on the example platforms and on generated values.
 *
 * The same rules as json-stable-stringify: keys in code-unit order (`Array.prototype.sort`), `toJSON()`
 * honoured, `undefined` and functions dropped from objects and written as `null` in arrays, a cycle is
 * a `TypeError`. A value that writes nothing (`undefined`, a function) gives `''`.
 */
export function stableJson(value: unknown, space: number): string {
  const unit = ' '.repeat(space);
  const indents: string[] = [];
  const indentAt = (level: number): string => (indents[level] ??= space > 0 ? '\n' + unit.repeat(level) : '');
  const colon = space > 0 ? ': ' : ':';
  const open = new Set<object>();

  const write = (node: unknown, level: number): string | undefined => {
    if (node !== null && typeof node === 'object' && typeof (node as { toJSON?: unknown }).toJSON === 'function') {
      node = (node as { toJSON: () => unknown }).toJSON();
    }
    if (node === undefined) return undefined;
    if (typeof node !== 'object' || node === null) return JSON.stringify(node);
    const close = indentAt(level);
    const inner = indentAt(level + 1);
    let out = '';
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        out += (i === 0 ? '' : ',') + inner + (write(node[i], level + 1) ?? 'null');
      }
      return '[' + out + close + ']';
    }
    if (open.has(node)) throw new TypeError('Converting circular structure to JSON');
    open.add(node);
    const keys = Object.keys(node).sort();
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const text = write((node as Record<string, unknown>)[key], level + 1);
      if (text === undefined) continue;
      out += (first ? '' : ',') + inner + JSON.stringify(key) + colon + text;
      first = false;
    }
    open.delete(node);
    return '{' + out + close + '}';
  };
  return write(value, 0) ?? '';
}
