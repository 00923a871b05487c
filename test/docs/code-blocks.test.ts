// Docs that run: every TypeScript block of README.md and docs/*.md (docs/api is generated) is
// type-checked against the public API (`cdktf-ai-platform` = lib/index.ts) in one TypeScript program,
// and every block that is a whole app (it calls `app.synth()`) is also run: it must synthesize, and
// the AWS part of each of its stacks must pass `terraform validate`. Conventions: docs/contributing.md.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { awsOnly, Synth } from '../harness/synth';
import { CodeBlock, codeBlocks, documentationFiles, where } from '../harness/markdown';
import { describeDiagnostics, deferEphemeralCalls, itWithTerraform, terraformValidateAll } from '../harness/terraform';

const root = path.resolve(__dirname, '..', '..');
const generatedDir = path.join(root, 'test', 'docs', '.generated');

const blocks = documentationFiles(root)
  .flatMap((f) => codeBlocks(root, f))
  .filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const checked = blocks.filter((b) => !b.marker?.startsWith('skip'));
/** A whole app creates its own App and synthesizes it. */
const isApp = (b: CodeBlock) => /^app\.synth\(\);?\s*$/m.test(b.code);
const apps = checked.filter(isApp);

/** Splits a block into its leading import declarations and the rest. */
function splitImports(code: string): { imports: string; body: string } {
  const sf = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022, true);
  let end = 0;
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st)) break;
    end = st.end;
  }
  return { imports: code.slice(0, end), body: code.slice(end) };
}

const contextModule = path.join(root, 'test', 'docs', 'context');
const contextNames = Object.keys(contextExports());
function contextExports(): Record<string, true> {
  const sf = ts.createSourceFile('context.ts', fs.readFileSync(`${contextModule}.ts`, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names: Record<string, true> = {};
  for (const st of sf.statements) if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) names[d.name.getText(sf)] = true;
  return names;
}

/**
 * The TypeScript file a block is checked as. A whole app is checked as written. A fragment's imports
 * stay at the top; the rest becomes the body of a function whose `this` is a Construct and whose
 * scope holds the names of test/docs/context.ts. A fragment that declares an interface of the
 * public API (`interface IOpenAiEndpoint { … }`) must describe it exactly: both types must be
 * assignable to each other.
 */
function generated(b: CodeBlock): string {
  const header = `// generated from ${where(b)}\n`;
  if (isApp(b)) return `${header}${b.code}\nexport {};\n`;
  const { imports, body } = splitImports(b.code);
  const interfaces = [...body.matchAll(/^\s*(?:export\s+)?interface\s+(\w+)/gm)].map((m) => m[1]);
  const sameChecks = interfaces
    .map((name, i) => {
      const check = `docInterfaceMatchesPublic${name}`;
      return `  type __Api${i} = __api.${name};\n  const ${check}: [${name}] extends [__Api${i}] ? ([__Api${i}] extends [${name}] ? true : false) : false = true;\n  void ${check};\n`;
    })
    .join('');
  return (
    header +
    imports +
    `\nimport type { Construct as __Construct } from 'constructs';\n` +
    (interfaces.length ? `import type * as __api from 'cdktf-ai-platform';\n` : '') +
    `import { ${contextNames.join(', ')} } from ${JSON.stringify(contextModule)};\n` +
    `void [${contextNames.join(', ')}];\n` +
    `export function __fragment(this: __Construct): void {\n${body}\n${sameChecks}}\n`
  );
}

/** Type-checks every block in one program; returns the problems per block. */
function typeCheck(list: CodeBlock[]): Record<string, string[]> {
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  // Doc fragments are excerpts: unused names are fine; everything else is as strict as the library.
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false, types: ['node'] };
  const files = new Map(list.map((b, i) => [path.join(generatedDir, `block-${i}.ts`), generated(b)]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) => {
    const text = files.get(path.resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, onError);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(path.resolve(name)) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(path.resolve(name)) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  const out: Record<string, string[]> = {};
  [...files.keys()].forEach((name, i) => {
    const sf = program.getSourceFile(name)!;
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    out[where(list[i])] = diags.map((d) => {
      const line = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start).line : -1;
      const text = line >= 0 ? sf.text.split('\n')[line].trim() : '';
      return `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}${text ? `\n    at: ${text}` : ''}`;
    });
  });
  return out;
}

/** Runs a whole-app block (transpiled, `cdktf-ai-platform` = lib) and returns its stacks. */
function runApp(b: CodeBlock): Record<string, Synth> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-app-'));
  const js = ts.transpileModule(b.code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }, fileName: 'main.ts' }).outputText;
  const saved = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = outdir;
  try {
    const requireFromDocs = (id: string): unknown => (id === 'cdktf-ai-platform' ? require('../../lib') : require(id));
    const module = { exports: {} };
    new Function('require', 'module', 'exports', js)(requireFromDocs, module, module.exports);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
    return Object.fromEntries(Object.entries(manifest.stacks).map(([n, s]) => [n, JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), 'utf8')) as Synth]));
  } finally {
    if (saved === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = saved;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Puts the cross-stack `terraform_remote_state` data sources back into an AWS-only stack: they
 * belong to Terraform's built-in provider (nothing to install), and the platform stack's AWS
 * resources read the cluster's OIDC provider, VPC and subnets through them. Validation does not read
 * the remote state; a plan would, so the platform stacks are validated, not planned, here.
 */
function withRemoteState(aws: Synth, full: Synth): Synth {
  const remote = full.data?.terraform_remote_state;
  return remote ? { ...aws, data: { ...(aws.data ?? {}), terraform_remote_state: remote } } : aws;
}

test('the docs have TypeScript blocks, and every skipped one says why', () => {
  expect(blocks.length).toBeGreaterThan(10);
  expect(apps.map(where)).toEqual(expect.arrayContaining(['README.md:' + blocks.find((b) => b.file === 'README.md')!.line]));
  for (const b of blocks.filter((x) => x.marker?.startsWith('skip'))) expect(`${where(b)} ${b.marker}`).toMatch(/skip: \S.{10,}/);
});

test('every TypeScript block type-checks against the public API', () => {
  const problems = typeCheck(checked);
  const failing = Object.entries(problems).filter(([, p]) => p.length > 0);
  expect(failing.map(([at, p]) => `${at}\n  ${p.join('\n  ')}`).join('\n')).toBe('');
  expect(Object.keys(problems)).toHaveLength(checked.length);
});

describe('whole apps in the docs synthesize and their AWS part passes terraform validate', () => {
  // Identical apps (README and getting-started show the same main.ts) are synthesized once.
  const unique = [...new Map(apps.map((b) => [b.code, b])).values()];
  const label = (b: CodeBlock) => apps.filter((a) => a.code === b.code).map(where).join(' = ');
  const synthesized = new Map<CodeBlock, Record<string, Synth> | Error>();
  beforeAll(() => {
    for (const b of unique) {
      try {
        synthesized.set(b, runApp(b));
      } catch (e) {
        synthesized.set(b, e as Error);
      }
    }
  });
  const stacksOf = (b: CodeBlock): Record<string, Synth> => {
    const r = synthesized.get(b)!;
    if (r instanceof Error) throw r;
    return r;
  };

  test.each(unique.map((b) => [label(b), b] as const))('%s synthesizes', (_at, b) => {
    const stacks = stacksOf(b);
    expect(Object.keys(stacks).length).toBeGreaterThan(0);
    for (const s of Object.values(stacks)) expect(Object.keys(s.resource ?? {}).length).toBeGreaterThan(0);
  });

  itWithTerraform('every stack of every doc app: the AWS part validates', () => {
    // One terraform run validates them all (each stack a module of one root).
    const stacks = new Map<string, Synth>();
    for (const b of unique) for (const [name, s] of Object.entries(stacksOf(b))) stacks.set(`${label(b)} stack ${name}`, deferEphemeralCalls(withRemoteState(awsOnly(s), s)));
    // A seeded copy of the first stack with an attribute the AWS provider does not have rides along:
    // the shared run reports it, for that copy only (the others must stay clean below).
    const seeded = JSON.parse(JSON.stringify([...stacks.values()][0])) as Synth;
    (Object.values(Object.values(seeded.resource!)[0])[0] as Record<string, unknown>).not_an_attribute = 'x';
    const results = terraformValidateAll({ ...Object.fromEntries(stacks), seeded });
    expect(results.seeded.validate.valid).toBe(false);
    expect(describeDiagnostics(results.seeded)).toMatch(/^error: Extraneous JSON object property .*not_an_attribute/);
    delete results.seeded;
    expect(Object.keys(results)).toEqual([...stacks.keys()]);
    const failures: string[] = [];
    for (const [at, r] of Object.entries(results)) {
      const text = describeDiagnostics(r);
      if (text) failures.push(`${at}:\n${text}`);
    }
    expect(failures.join('\n')).toBe('');
  });
});
