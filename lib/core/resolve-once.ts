import { Construct, IConstruct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { Aspects, IAspect, ISynthesisSession, TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { deepMerge } from 'cdktf/lib/util';
import { isPlainObject, resolvePlainFast } from './resolve-plain';
import { stableJson } from './stable-json';
import { withoutTokenTraces } from './token-traces';

/**
 * One token resolution per element per synthesis (docs/design.md, "Synthesis speed").
 *
 * cdktf resolves every element of a stack twice: once in `prepareStack()` (to find cross-stack
 * references) and again in `toTerraform()`; the guardrails Aspect resolved each element a third time.
 * A {@link ResolveOnceStack} keeps what its prepare pass resolved and hands it to the guardrails and
 * to `toTerraform()`, as long as nothing can have changed the elements in between: every Aspect in the
 * stack must be marked with {@link markAspect}, either as one that only reads (the guardrails) or as
 * an idempotent one (the tagger), which the stack runs before its prepare pass so that running it
 * again at synthesis changes nothing. Any other Aspect (a user's own, say) makes the stack resolve
 * again exactly as cdktf does. Elements added after the prepare pass (cross-stack outputs and remote
 * state) are resolved when written.
 *
 * The stack also writes its `cdk.tf.json` with {@link stableJson} instead of cdktf's
 * json-stable-stringify: the same bytes in a fraction of the time (cdktf's own synthesizer still does
 * everything else: Aspects, validations, annotations, the manifest).
 */

const ASPECT_KIND = Symbol.for('cdktf-ai-platform.aspect-kind');

/** How an Aspect of this library treats the tree (see {@link markAspect}). */
export type AspectKind = 'read-only' | 'idempotent';

/**
 * Marks an Aspect of this library: `read-only` never changes the tree or an element; `idempotent`
 * may change elements, but a second run over an unchanged tree changes nothing.
 */
export function markAspect(aspect: IAspect, kind: AspectKind): void {
  Object.defineProperty(aspect, ASPECT_KIND, { value: kind, enumerable: false });
}

function kindOf(aspect: IAspect): AspectKind | undefined {
  return (aspect as unknown as Record<symbol, AspectKind | undefined>)[ASPECT_KIND];
}

/** The elements of a stack in cdktf's order (depth first, not into nested stacks). */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (TerraformStack.isStack(child)) continue;
    elementsOf(child, into);
  }
  return into;
}

/** True when every Aspect cdktf will invoke in the stack (its own and those below) is marked. */
function onlyMarkedAspects(stack: TerraformStack): boolean {
  const pending: IConstruct[] = [stack];
  while (pending.length > 0) {
    const node = pending.pop()!;
    for (const a of Aspects.of(node).all) if (kindOf(a) === undefined) return false;
    for (const child of node.node.children) if (!TerraformStack.isStack(child)) pending.push(child);
  }
  return true;
}

/** Runs the idempotent Aspects the way cdktf invokes Aspects: from the stack down, inherited. */
function runIdempotentAspects(node: IConstruct, inherited: IAspect[]): void {
  const all = [...inherited, ...Aspects.of(node).all.filter((a) => kindOf(a) === 'idempotent')];
  for (const a of all) a.visit(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) runIdempotentAspects(child, all);
}

/**
 * cdktf's `deepMerge(target, source)` for a source the stack owns and drops afterwards (a resolution:
 * fresh objects, no `undefined`, no tokens): a plain object the target does not have yet is moved in
 * instead of copied key by key; everything else is merged exactly as `deepMerge` does. The result is
 * the same; the copy of every resource's attributes (and its garbage) is saved.
 */
function mergeOwned(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (target[key] === undefined && isPlainObject(value)) target[key] = value;
    else if (isPlainObject(value) && isPlainObject(target[key])) mergeOwned(target[key] as Record<string, unknown>, value);
    else deepMerge(target, { [key]: value });
  }
}

/** What `TerraformStack` keeps private and `toTerraform()` needs. */
interface StackInternals {
  readonly rawOverrides: Record<string, unknown>;
  readonly cdktfVersion: string;
}

/**
 * A stack that resolves each element once per synthesis (see the module comment). Output is
 * byte-identical to `TerraformStack`'s; `test/core/resolve-once.test.ts` compares the two.
 */
export class ResolveOnceStack extends TerraformStack {
  /** The prepared resolution of a construct's stack, when one is valid; else undefined. */
  public static resolvedFragment(element: IConstruct): Record<string, unknown> | undefined {
    const stack = TerraformStack.of(element);
    return stack instanceof ResolveOnceStack ? stack.fragment(element) : undefined;
  }

  private prepared?: Map<IConstruct, Record<string, unknown>>;
  private checked = false;
  /** While cdktf's synthesizer runs: whether its own `toTerraform()` call is next, and the JSON it got. */
  private written?: { armed: boolean; json?: Record<string, unknown> };

  /** Creates the stack (same as `TerraformStack`). */
  public constructor(scope: Construct, id: string) {
    super(scope, id);
    const cdktfSynthesizer = this.synthesizer;
    this.synthesizer = { synthesize: (session: ISynthesisSession) => this.synthesizeWith(cdktfSynthesizer, session) };
    // cdktf calls custom synthesis leaves first, so the stack's comes after every Aspect, validation and
    // construct's own, right before cdktf collects the annotations and calls toTerraform() to write.
    addCustomSynthesis(this, {
      onSynthesize: () => {
        if (this.written) this.written.armed = true;
      },
    });
  }

  /**
   * Runs cdktf's synthesizer, taking over only the writing of `cdk.tf.json`: the `toTerraform()` call
   * cdktf makes to write it (the first after the stack's custom synthesis, which cdktf runs last) hands
   * cdktf an empty object to serialize, and the stack writes the real one. Calls before that (from an
   * Aspect, say) get the JSON as usual. When cdktf writes HCL (`SYNTH_HCL_OUTPUT`), `toTerraform()` is
   * not called and nothing changes.
   */
  private synthesizeWith(cdktfSynthesizer: TerraformStack['synthesizer'], session: ISynthesisSession): void {
    const written: { armed: boolean; json?: Record<string, unknown> } = { armed: false };
    this.written = written;
    try {
      cdktfSynthesizer.synthesize(session);
    } finally {
      this.written = undefined;
    }
    if (written.json === undefined) return;
    const file = path.join(session.outdir, session.manifest.forStack(this).synthesizedStackPath);
    fs.writeFileSync(file, stableJson(written.json, 2));
  }

  /** cdktf's prepare pass (backend, cross-stack references), keeping each element's resolution. */
  public override prepareStack(): void {
    withoutTokenTraces(() => {
      runIdempotentAspects(this, []);
      this.ensureBackendExists();
      const prepared = new Map<IConstruct, Record<string, unknown>>();
      for (const e of elementsOf(this)) prepared.set(e, resolvePlainFast(e.toTerraform(), { scope: this, preparing: true }) as Record<string, unknown>);
      this.prepared = prepared;
      this.checked = false;
    });
  }

  /** The stack as Terraform JSON, the same as `TerraformStack.toTerraform()`. */
  public override toTerraform(): Record<string, unknown> {
    const json = withoutTokenTraces(() => this.writeTerraform());
    if (!this.written?.armed) return json;
    this.written.armed = false;
    this.written.json = json;
    return {};
  }

  private writeTerraform(): Record<string, unknown> {
    const prepared = this.validPrepared();
    this.prepared = undefined;
    if (!prepared) return super.toTerraform();
    const internals = this as unknown as StackInternals;
    const resolve = <T>(value: T): T => resolvePlainFast(value, { scope: this, preparing: false }) as T;
    const metadata: Record<string, unknown> = {
      version: internals.cdktfVersion,
      stackName: this.node.id,
      backend: 'local',
      cloud: undefined,
      ...(Object.keys(internals.rawOverrides).length > 0 ? { overrides: { stack: Object.keys(internals.rawOverrides) } } : {}),
    };
    const elements = elementsOf(this);
    for (const e of elements) deepMerge(metadata, resolve(e.toMetadata()));
    const outputs: Record<string, unknown> = {};
    for (const item of elements) {
      if (!TerraformOutput.isTerraformOutput(item)) continue;
      deepMerge(outputs, item.node.path.split('/').reduceRight<Record<string, unknown>>((inner, part) => (Object.keys(inner).length === 0 ? { [part]: item.friendlyUniqueId } : { [part]: inner }), {}));
    }
    const tf: Record<string, unknown> = { '//': resolve({ metadata, outputs }) };
    for (const e of elements) mergeOwned(tf, prepared.get(e) ?? resolve(e.toTerraform()));
    if (Object.keys(internals.rawOverrides).length === 0) return tf;
    deepMerge(tf, internals.rawOverrides);
    return resolve(tf);
  }

  private fragment(element: IConstruct): Record<string, unknown> | undefined {
    return this.validPrepared()?.get(element);
  }

  private validPrepared(): Map<IConstruct, Record<string, unknown>> | undefined {
    if (this.prepared && !this.checked) {
      this.checked = true;
      if (!onlyMarkedAspects(this)) this.prepared = undefined;
    }
    return this.prepared;
  }
}
