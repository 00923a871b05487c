// Code blocks of the repository's Markdown, for the tests that run the docs (test/docs,
// test/package). Conventions (docs/contributing.md, "Docs that run"):
// - `<!-- doc-test: … -->` on the last non-blank line before a fence is the block's marker;
// - a fence whose last non-blank line before it is exactly `` `name`: `` is the content of file `name`.
import * as fs from 'fs';
import * as path from 'path';

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** Info string of the fence (`ts`, `sh`, `json`, …). */
  readonly lang: string;
  /** The block's text (lines between the fences, each ending with a newline). */
  readonly code: string;
  /** Text of a `<!-- doc-test: … -->` marker right before the fence, trimmed. */
  readonly marker?: string;
  /** `name` when the line right before the fence is `` `name`: `` (the block is that file). */
  readonly fileName?: string;
}

/** `file:line` of a block, for messages. */
export function where(b: CodeBlock): string {
  return `${b.file}:${b.line}`;
}

/** The fenced code blocks of a Markdown file, in document order. */
export function codeBlocks(root: string, file: string): CodeBlock[] {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].startsWith(open[1])) end++;
    let prev = i - 1;
    while (prev >= 0 && lines[prev].trim() === '') prev--;
    const before = prev >= 0 ? lines[prev].trim() : '';
    const marker = /^<!--\s*doc-test:\s*([\s\S]*?)\s*-->$/.exec(before)?.[1];
    const fileName = /^`([^`\s]+)`:$/.exec(before)?.[1];
    blocks.push({ file, line: i + 1, lang: open[2], code: lines.slice(i + 1, end).map((l) => `${l}\n`).join(''), marker, fileName });
    i = end;
  }
  return blocks;
}

/** README.md and docs/*.md (not the generated docs/api), relative to the root. */
export function documentationFiles(root: string): string[] {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}
