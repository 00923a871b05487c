// The public API contract: every export documented, props readonly, no `any`, no barrel imports.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..', '..');
let program: ts.Program;
let checker: ts.TypeChecker;
let exports: ts.Symbol[];

beforeAll(() => {
  program = ts.createProgram([path.join(root, 'lib', 'index.ts')], { strict: true, skipLibCheck: true, noEmit: true, types: [] });
  checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(root, 'lib', 'index.ts'))!;
  exports = checker.getExportsOfModule(checker.getSymbolAtLocation(index)!);
});

function declarationOf(sym: ts.Symbol): ts.Declaration | undefined {
  const s = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
  return s.declarations?.[0];
}

function hasDoc(node: ts.Node): boolean {
  return ts.getJSDocCommentsAndTags(node).length > 0;
}

test('the public API is not empty', () => expect(exports.length).toBeGreaterThan(40));

/**
 * The free functions and constants users need, each with the reason. Everything else the areas
 * implement stays unexported (tests import it by path); docs/design.md "Public surface" explains.
 */
const ALLOWED_FUNCTIONS_AND_CONSTANTS: Record<string, string> = {
  selectGpuInstanceTypes: 'choose a GPU pool\'s instance types from the catalog by GPU memory/count (docs/gpu-node-pools.md)',
  findGpuInstanceType: 'look up one instance type\'s GPUs, memory and price before writing a pool',
  estimateModelMemory: 'the synth-time sizing estimate, to plan a model\'s GPUs before synthesizing (docs/serving.md)',
  platformCostReport: 'GPU capacity and cost of an AiPlatform (docs/getting-started.md, npm run cost)',
  renderCostReport: 'renders platformCostReport as text (npm run cost)',
  renderGuardrailReport: 'renders the guardrails report as Markdown for CI (docs/guardrails.md)',
  gpuToleration: 'the toleration of the GPU taint, for users\' own pods on a GPU pool',
  GPU_POOL_LABEL: 'node label of a GPU pool, for users\' own nodeSelectors',
  SERVING_IMAGES: 'the default serving images, to mirror them or override vllmImage/routerImage',
  JOB_NODE_IMAGE: 'the drift/evaluation job image, to mirror it to a private registry',
  SERVING_SIGNALS: 'the common serving series names, for users\' dashboards, alerts and scaling metrics',
  DEFAULT_KUBERNETES_VERSION: 'the Kubernetes version a cluster gets by default',
  EKS_VERSIONS: 'the Kubernetes versions supported and the add-on versions pinned for each',
  CHARTS: 'the pinned chart versions (the default of every chartVersion prop)',
  GUARDRAIL_RULES: 'the guardrail rule catalog (ids to suppress, severities)',
  COST_SERIES: 'the live cost series names, for users\' dashboards and alerts (like SERVING_SIGNALS)',
  canaryCostRatioQuery: 'the PromQL a rollout analysis uses to compare canary and stable cost (the rollout hook)',
};

test('free functions and constants are exported only when on the allow list', () => {
  const unlisted = exports
    .filter((sym) => {
      const d = declarationOf(sym);
      return d !== undefined && (ts.isFunctionDeclaration(d) || ts.isVariableDeclaration(d)) && !(sym.name in ALLOWED_FUNCTIONS_AND_CONSTANTS);
    })
    .map((s) => `${s.name} (${path.relative(root, declarationOf(s)!.getSourceFile().fileName)})`);
  expect(unlisted).toEqual([]);
  // An entry whose export went away is removed from the list too.
  expect(Object.keys(ALLOWED_FUNCTIONS_AND_CONSTANTS).filter((n) => !exports.some((s) => s.name === n))).toEqual([]);
});

test('every export has TSDoc', () => {
  const missing = exports
    .filter((sym) => {
      const d = declarationOf(sym);
      if (!d) return false;
      const node = ts.isVariableDeclaration(d) ? d.parent.parent : d;
      return !hasDoc(node);
    })
    .map((s) => `${s.name} (${path.relative(root, declarationOf(s)!.getSourceFile().fileName)})`);
  expect(missing).toEqual([]);
});

test('props and options interfaces are readonly and document every member; optional members say @default', () => {
  const problems: string[] = [];
  for (const sym of exports) {
    const d = declarationOf(sym);
    if (!d || !ts.isInterfaceDeclaration(d) || !/(Props|Options)$/.test(d.name.text)) continue;
    for (const m of d.members) {
      if (!ts.isPropertySignature(m)) continue;
      const name = `${d.name.text}.${m.name.getText()}`;
      if (!m.modifiers?.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword)) problems.push(`${name} is not readonly`);
      if (!hasDoc(m)) problems.push(`${name} has no TSDoc`);
      if (m.questionToken && !ts.getJSDocTags(m).some((t) => t.tagName.text === 'default')) problems.push(`${name} is optional without @default`);
    }
  }
  expect(problems).toEqual([]);
});

test('no `any` in the public API', () => {
  const offenders: string[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!sf.fileName.startsWith(path.join(root, 'lib')) || sf.fileName.includes(`${path.sep}jobs${path.sep}`)) continue;
    const visit = (n: ts.Node) => {
      if (n.kind === ts.SyntaxKind.AnyKeyword) offenders.push(`${path.relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  expect(offenders).toEqual([]);
});

test('provider classes are imported by deep path only', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !['node_modules', 'fixtures', 'cdktf.out'].includes(e.name)) walk(p);
      else if (e.isFile() && /\.(ts|js)$/.test(e.name) && !p.endsWith(path.join('bench', 'barrel.js'))) {
        const src = fs.readFileSync(p, 'utf8');
        if (/from ['"]@cdktf\/provider-(aws|kubernetes|helm)['"]|require\(['"]@cdktf\/provider-(aws|kubernetes|helm)['"]\)/.test(src)) offenders.push(path.relative(root, p));
      }
    }
  };
  for (const d of ['lib', 'examples', 'test', 'scripts']) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  expect(offenders).toEqual([]);
});
