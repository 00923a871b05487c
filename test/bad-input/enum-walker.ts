// Finds every enum-valued input of the public API with the TypeScript checker: props (at any depth)
// of the parameters of exported constructors, public methods and functions whose type is an enum,
// a union of string literals, or a list or map of those. A new enum prop anywhere in the inputs is
// found without editing the test.
import * as path from 'path';
import * as ts from 'typescript';

/** A path segment: a property name, `[]` (first list element) or `{}` (the first key of a map). */
export type Segment = string;

/** One enum-valued input. */
export interface EnumInput {
  /** Where the walk started: `new AiPlatform`, `Observability.addServiceMonitor`, `selectGpuInstanceTypes`. */
  readonly root: string;
  /** Index of the parameter of the root. */
  readonly param: number;
  /** Path from the parameter to the enum value. */
  readonly path: Segment[];
  /** Declaring interface and property, e.g. `VllmModelOptions.precision`. */
  readonly owner: string;
  /** The enum (or union) type as the checker prints it. */
  readonly type: string;
}

const ROOT = path.resolve(__dirname, '..', '..');

/** Walks the public API of lib/index.ts. */
export function findEnumInputs(): EnumInput[] {
  const program = ts.createProgram([path.join(ROOT, 'lib', 'index.ts'), path.join(ROOT, 'lib', 'serving', 'sizing.ts')], { strict: true, skipLibCheck: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(ROOT, 'lib', 'index.ts'))!;
  const out: EnumInput[] = [];

  const isEnumLike = (t: ts.Type): boolean => {
    const parts = t.isUnion() ? t.types : [t];
    if (parts.length === 0) return false;
    if (parts.every((p) => p.flags & ts.TypeFlags.BooleanLiteral)) return false;
    return parts.every((p) => (p.flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.EnumLiteral | ts.TypeFlags.Enum)) !== 0);
  };
  // Constructs, classes (Duration, Size, providers) and functions are not walked into: their enum
  // inputs are found at their own constructors.
  const isOpaque = (t: ts.Type): boolean => {
    if (t.getCallSignatures().length > 0) return true;
    if (t.getProperty('node')) return true;
    const decl = (t.aliasSymbol ?? t.getSymbol())?.declarations?.[0];
    if (decl && ts.isClassDeclaration(decl)) return true;
    const file = decl?.getSourceFile().fileName ?? '';
    return file !== '' && !file.startsWith(path.join(ROOT, 'lib'));
  };

  const walk = (root: string, param: number, t: ts.Type, at: Segment[], owner: string, seen: Set<ts.Type>) => {
    t = checker.getNonNullableType(t);
    if (isEnumLike(t)) {
      out.push({ root, param, path: at, owner, type: checker.typeToString(t) });
      return;
    }
    if (checker.isArrayType(t)) {
      walk(root, param, checker.getTypeArguments(t as ts.TypeReference)[0], [...at, '[]'], owner, seen);
      return;
    }
    if (t.isUnion() || t.isIntersection() || !(t.flags & ts.TypeFlags.Object) || isOpaque(t) || seen.has(t) || at.length > 8) return;
    const next = new Set(seen).add(t);
    const stringIndex = t.getStringIndexType();
    if (stringIndex) walk(root, param, stringIndex, [...at, '{}'], owner, next);
    const typeName = checker.typeToString(t);
    for (const p of checker.getPropertiesOfType(t)) {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      if (!decl) continue;
      const parent = decl.parent && (ts.isInterfaceDeclaration(decl.parent) || ts.isClassDeclaration(decl.parent)) && decl.parent.name ? decl.parent.name.text : typeName;
      walk(root, param, checker.getTypeOfSymbolAtLocation(p, decl), [...at, p.name], `${parent}.${p.name}`, next);
    }
  };

  const walkSignature = (root: string, sig: ts.Signature, decl: ts.Node) => {
    sig.getParameters().forEach((p, i) => walk(root, i, checker.getTypeOfSymbolAtLocation(p, decl), [], p.name, new Set()));
  };

  // The public API, plus the sizing module: its estimators are internal since the public surface
  // shrank, but the serving stack calls them with user values, so they keep checking their enums.
  const sizing = program.getSourceFile(path.join(ROOT, 'lib', 'serving', 'sizing.ts'))!;
  const roots = new Map<string, ts.Symbol>();
  for (const file of [index, sizing]) {
    for (const e of checker.getExportsOfModule(checker.getSymbolAtLocation(file)!)) if (!roots.has(e.name)) roots.set(e.name, e);
  }
  for (const exported of roots.values()) {
    const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = sym.declarations?.[0];
    if (!decl) continue;
    if (ts.isClassDeclaration(decl)) {
      const ctorType = checker.getTypeOfSymbolAtLocation(sym, decl);
      for (const sig of ctorType.getConstructSignatures()) walkSignature(`new ${sym.name}`, sig, decl);
      // Static factories and public methods.
      const statics = checker.getPropertiesOfType(ctorType).filter((m) => m.flags & ts.SymbolFlags.Method);
      const members = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(sym)).filter((m) => m.flags & ts.SymbolFlags.Method);
      for (const m of [...statics, ...members]) {
        const md = m.valueDeclaration;
        if (!md || (ts.getCombinedModifierFlags(md as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))) continue;
        if (!md.getSourceFile().fileName.startsWith(path.join(ROOT, 'lib'))) continue;
        for (const sig of checker.getTypeOfSymbolAtLocation(m, md).getCallSignatures()) walkSignature(`${sym.name}.${m.name}`, sig, md);
      }
    } else if (ts.isFunctionDeclaration(decl)) {
      for (const sig of checker.getTypeOfSymbolAtLocation(sym, decl).getCallSignatures()) walkSignature(sym.name, sig, decl);
    }
  }
  return out;
}

/** Sets `value` at `at` in a deep copy of `obj` (lists: the first element; maps: the first key). */
export function setAt(obj: unknown, at: Segment[], value: unknown): unknown {
  if (value === KEEP) return obj;
  if (at.length === 0) return value;
  const [head, ...rest] = at;
  if (head === '[]') {
    const list = obj as unknown[];
    if (!Array.isArray(list) || list.length === 0) throw new Error(`fixture has no list element at ${at.join('.')}`);
    return [setAt(list[0], rest, value), ...list.slice(1)];
  }
  if (obj === undefined || obj === null || typeof obj !== 'object') throw new Error(`fixture has no object at ${at.join('.')}`);
  const record = obj as Record<string, unknown>;
  if (head === '{}') {
    const key = Object.keys(record)[0];
    if (key === undefined) throw new Error(`fixture has an empty map at ${at.join('.')}`);
    return { ...record, [key]: setAt(record[key], rest, value) };
  }
  if (rest.length > 0 && record[head] === undefined) throw new Error(`fixture has no ${head} (needed for ${at.join('.')})`);
  // Keep class instances (props may hold constructs or Duration values) as they are.
  const copy = Object.getPrototypeOf(record) === Object.prototype ? { ...record } : record;
  copy[head] = setAt(record[head], rest, value);
  return copy;
}

/** Passed as the value to {@link setAt}: leave the fixture as it is. */
export const KEEP: unique symbol = Symbol('keep');
