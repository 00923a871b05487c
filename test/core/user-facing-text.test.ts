// What users read: error messages and docs. They cite pages users have (docs/ of this repository,
// shipped in the package), and a synth-time mistake reads as one message, not a page of stack trace.
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { AiPlatform, ValidationError } from '../../lib';

const root = path.resolve(__dirname, '..', '..');

function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name), ext) : e.name.endsWith(ext) ? [path.join(dir, e.name)] : []));
}

/** Lines of library code that are not comments: what ends up in messages, warnings and generated docs. */
const codeLines = filesUnder(path.join(root, 'lib'), '.ts').flatMap((f) =>
  fs.readFileSync(f, 'utf8').split('\n').map((text, i) => ({ where: `${path.relative(root, f)}:${i + 1}`, text })).filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l.text)),
);
const docFiles = [path.join(root, 'README.md'), ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join(root, 'docs', f))];
const docLines = docFiles.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').map((text, i) => ({ where: `${path.relative(root, f)}:${i + 1}`, text })));

describe('user-facing text cites pages users have', () => {
  test('no message or docs page cites the project guides (not in the repository or the package)', () => {
    const cites = [...codeLines, ...docLines].filter((l) => /GPU-OPERATIONS|SECURITY\.md|ARCHITECTURE\.md|STYLE\.md/.test(l.text)).map((l) => `${l.where}: ${l.text.trim().slice(0, 120)}`);
    expect(cites).toEqual([]);
  });

  test('every docs/… page cited exists and ships in the package', () => {
    const cited = new Set([...codeLines, ...docLines].flatMap((l) => [...l.text.matchAll(/\bdocs\/([A-Za-z0-9_-]+\.md)/g)].map((m) => m[1])));
    expect(cited.size).toBeGreaterThan(5);
    const missing = [...cited].filter((f) => !fs.existsSync(path.join(root, 'docs', f)));
    expect(missing).toEqual([]);
    const files = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] }).files;
    expect(files).toContain('docs/*.md');
  });

  test('the test sees the messages (a cited page in a thrown message is found)', () => {
    expect(codeLines.some((l) => l.where.startsWith('lib/registry/registry-database.ts') && l.text.includes('docs/guardrails.md'))).toBe(true);
  });
});

describe('a synth-time mistake reads as one message', () => {
  function mistake(): ValidationError {
    try {
      new AiPlatform(Testing.app({ stackTraces: false }), 'ai', { region: 'uswest', cluster: { clusterName: 'x' } });
    } catch (e) {
      return e as ValidationError;
    }
    throw new Error('expected a ValidationError');
  }

  test('the stack is the message and the frames of the user\'s program only; no property dump', () => {
    const e = mistake();
    const lines = e.stack!.split('\n');
    expect(lines[0]).toBe('ValidationError: ai: region ("uswest") is invalid: must be an AWS region such as "us-west-2"');
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines.slice(1).every((l) => l.includes(__filename))).toBe(true);
    for (const l of lines) expect(l).not.toContain(`${path.sep}lib${path.sep}`);
    // Node prints an uncaught error's own enumerable properties after the stack: there are none.
    expect(Object.keys(e)).toEqual([]);
    expect(e.constructPath).toBe('ai');
    expect(e.prop).toBe('region');
  });

  test('CDKTF_AI_PLATFORM_FULL_STACK=1 keeps the whole trace', () => {
    process.env.CDKTF_AI_PLATFORM_FULL_STACK = '1';
    try {
      expect(mistake().stack!.split('\n').length).toBeGreaterThan(4);
    } finally {
      delete process.env.CDKTF_AI_PLATFORM_FULL_STACK;
    }
  });
});
