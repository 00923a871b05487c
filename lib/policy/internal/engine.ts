import { IConstruct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { GuardrailFinding, GuardrailMode, GuardrailReport, GuardrailRule, GuardrailSeverity, GuardrailSuppressedFinding, GuardrailSuppressionRecord } from '../types';
import { GUARDRAIL_RULES, UNUSED_SUPPRESSION_RULE_ID } from '../catalog';
import { RULE_IMPLEMENTATIONS } from '../rules';
import { ElementRule, Outcome, RuleImpl } from './rule';
import { StackIndex } from './stack-index';
import { globMatch } from './values';
import { ObjectView, WorkloadView } from './workloads';

/** Metadata type under which suppressions are stored on a construct. */
export const SUPPRESSION_METADATA = 'cdktf-ai-platform/guardrails-suppression';

/** A suppression as stored in construct metadata. */
export interface StoredSuppression {
  /** Rule id. */
  readonly ruleId: string;
  /** Reason. */
  readonly reason: string;
  /** Subjects, or undefined for all. */
  readonly appliesTo?: string[];
}

interface SuppressionRef {
  readonly node: IConstruct;
  readonly position: number;
  readonly s: StoredSuppression;
}

/** Options of a check. */
export interface EngineOptions {
  /** How error-severity findings are reported. */
  readonly mode: GuardrailMode;
  /** Severity per rule id, overriding the catalog. */
  readonly severityOverrides: { readonly [ruleId: string]: GuardrailSeverity };
}

/** A finding with the construct it is reported on. */
export interface LocatedFinding {
  /** The finding. */
  readonly finding: GuardrailFinding;
  /** Construct to annotate. */
  readonly node: IConstruct;
  /** Severity after overrides and mode. */
  readonly effective: GuardrailSeverity;
}

/** Suppressions stored on a construct. */
export function suppressionsOn(node: IConstruct): StoredSuppression[] {
  return node.node.metadata.filter((m) => m.type === SUPPRESSION_METADATA).map((m) => m.data as StoredSuppression);
}

/** The stack a construct belongs to, if any (the App and constructs above stacks have none). */
export function stackOf(node: IConstruct): TerraformStack | undefined {
  const scopes = node.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) if (TerraformStack.isStack(scopes[i])) return scopes[i] as TerraformStack;
  return undefined;
}

const RULES_BY_ID = new Map<string, GuardrailRule>(GUARDRAIL_RULES.map((r) => [r.id, r]));

const ELEMENT_RULES = new Map<string, ElementRule[]>();
/** The element rules for one section and type, in catalog order (memoized). */
function elementRulesFor(section: string, type: string): ElementRule[] {
  const key = `${section}:${type}`;
  let rules = ELEMENT_RULES.get(key);
  if (!rules) {
    rules = RULE_IMPLEMENTATIONS.filter((impl): impl is ElementRule => impl.target === 'element' && impl.section === section && impl.types.includes(type));
    ELEMENT_RULES.set(key, rules);
  }
  return rules;
}

function groupBy<T>(items: readonly T[], key: (t: T) => IConstruct): Map<IConstruct, T[]> {
  const m = new Map<IConstruct, T[]>();
  for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
  return m;
}

/**
 * One evaluation of the rules over a subtree (one synth of one stack, or one `check()` call):
 * it evaluates constructs one by one, applies suppressions, and at the end knows which
 * suppressions silenced nothing.
 */
export class GuardrailPass {
  /** Constructs of the subtree not visited yet. */
  public readonly pending: Set<IConstruct>;
  /** Constructs already evaluated. */
  public readonly visited = new Set<IConstruct>();
  /** True once `finish()` ran. */
  public finished = false;
  private readonly indexes = new Map<TerraformStack, StackIndex>();
  private readonly owned = new Map<TerraformStack, { workloads: Map<IConstruct, WorkloadView[]>; objects: Map<IConstruct, ObjectView[]> }>();
  private readonly findings: GuardrailFinding[] = [];
  private readonly suppressed: GuardrailSuppressedFinding[] = [];
  private readonly undecided: GuardrailFinding[] = [];
  private readonly uses = new Map<string, number>();
  private result?: GuardrailReport;

  /** @param root the subtree to check; @param options mode and overrides */
  public constructor(public readonly root: IConstruct, private readonly options: EngineOptions) {
    this.pending = new Set(root.node.findAll());
  }

  /** Evaluates every rule that applies to `node`; returns the unsuppressed findings to report. */
  public evaluate(node: IConstruct): LocatedFinding[] {
    this.visited.add(node);
    this.pending.delete(node);
    const stack = stackOf(node);
    if (!stack) return [];
    const index = this.indexFor(stack);
    const out: LocatedFinding[] = [];
    const entry = index.entryFor(node);
    if (entry) {
      // Attributes are resolved (a full token resolution of the element) only for elements some
      // rule checks; the others are resolved on demand when a rule looks them up.
      const rules = elementRulesFor(entry.section, entry.type);
      const attrs = rules.length > 0 ? entry.attrs() : undefined;
      if (attrs) {
        for (const impl of rules) out.push(...this.record(impl, node, entry.address, false, () => impl.check({ entry, attrs, index })));
      }
    }
    const owned = this.ownedBy(stack, index);
    for (const w of owned.workloads.get(node) ?? []) {
      for (const impl of RULE_IMPLEMENTATIONS) {
        if (impl.target !== 'workload' || !impl.kinds.includes(w.kind)) continue;
        out.push(...this.record(impl, node, w.subject, true, () => impl.check({ workload: w, index })));
      }
    }
    for (const o of owned.objects.get(node) ?? []) {
      for (const impl of RULE_IMPLEMENTATIONS) {
        if (impl.target !== 'object' || !impl.kinds.includes(o.kind)) continue;
        out.push(...this.record(impl, node, o.subject, true, () => impl.check({ object: o, index })));
      }
    }
    return out;
  }

  /** Ends the pass: the report, with the suppressions of the subtree that silenced nothing. */
  public finish(): GuardrailReport {
    if (this.result) return this.result;
    this.finished = true;
    const suppressions: GuardrailSuppressionRecord[] = [];
    for (const node of this.root.node.findAll()) {
      suppressionsOn(node).forEach((s, position) => {
        suppressions.push({ ruleId: s.ruleId, constructPath: node.node.path, reason: s.reason, appliesTo: s.appliesTo, used: this.uses.get(this.key({ node, position, s })) ?? 0 });
      });
    }
    this.result = {
      findings: [...this.findings],
      suppressed: [...this.suppressed],
      suppressions,
      unusedSuppressions: suppressions.filter((s) => s.used === 0),
      undecided: [...this.undecided],
    };
    return this.result;
  }

  /** The findings reported so far (the report once finished). */
  public snapshot(): GuardrailReport {
    return this.result ?? { findings: [...this.findings], suppressed: [...this.suppressed], suppressions: [], unusedSuppressions: [], undecided: [...this.undecided] };
  }

  /** The unused-suppression warnings of a finished pass, with the constructs they belong to. */
  public unusedSuppressionFindings(): LocatedFinding[] {
    const rule = RULES_BY_ID.get(UNUSED_SUPPRESSION_RULE_ID)!;
    const out: LocatedFinding[] = [];
    for (const s of this.finish().unusedSuppressions) {
      const node = this.root.node.findAll().find((n) => n.node.path === s.constructPath) ?? this.root;
      const scope = s.appliesTo ? ` on ${s.appliesTo.join(', ')}` : '';
      const finding = this.finding(rule, node, s.constructPath, `the suppression of ${s.ruleId}${scope} ("${s.reason}") silenced nothing`, false);
      out.push({ finding, node, effective: GuardrailSeverity.WARNING });
    }
    return out;
  }

  private indexFor(stack: TerraformStack): StackIndex {
    let index = this.indexes.get(stack);
    if (!index) {
      index = new StackIndex(stack);
      this.indexes.set(stack, index);
    }
    return index;
  }

  private ownedBy(stack: TerraformStack, index: StackIndex) {
    let o = this.owned.get(stack);
    if (!o) {
      o = { workloads: groupBy(index.workloads(), (w) => w.owner), objects: groupBy(index.objects(), (x) => x.owner) };
      this.owned.set(stack, o);
    }
    return o;
  }

  private key(r: SuppressionRef): string {
    return `${r.node.node.path}#${r.position}`;
  }

  private finding(rule: GuardrailRule, node: IConstruct, subject: string, detail: string, prefixSubject: boolean): GuardrailFinding {
    const text = prefixSubject ? `${subject}: ${detail}` : detail;
    return {
      ruleId: rule.id,
      severity: this.options.severityOverrides[rule.id] ?? rule.severity,
      constructPath: node.node.path,
      subject,
      detail: text,
      message: `[${rule.id}] ${rule.title}: ${text}. Fix: ${rule.fix}`,
    };
  }

  private record(impl: RuleImpl, node: IConstruct, subject: string, prefixSubject: boolean, run: () => Outcome[]): LocatedFinding[] {
    let outcomes: Outcome[];
    try {
      outcomes = run();
    } catch (e) {
      outcomes = [{ status: 'unknown', detail: `the rule could not be evaluated: ${e instanceof Error ? e.message : String(e)}` }];
    }
    const out: LocatedFinding[] = [];
    for (const o of outcomes) {
      const finding = this.finding(impl.rule, node, o.subject ?? subject, o.detail, prefixSubject);
      if (o.status === 'unknown') {
        this.undecided.push(finding);
        continue;
      }
      const sup = this.suppressionFor(node, impl.rule.id, finding.subject);
      if (sup) {
        this.uses.set(this.key(sup), (this.uses.get(this.key(sup)) ?? 0) + 1);
        this.suppressed.push({ finding, reason: sup.s.reason, suppressedAt: sup.node.node.path });
        continue;
      }
      this.findings.push(finding);
      const effective = this.options.mode === GuardrailMode.WARN && finding.severity === GuardrailSeverity.ERROR ? GuardrailSeverity.WARNING : finding.severity;
      out.push({ finding, node, effective });
    }
    return out;
  }

  private suppressionFor(node: IConstruct, ruleId: string, subject: string): SuppressionRef | undefined {
    const scopes = node.node.scopes;
    for (let i = scopes.length - 1; i >= 0; i--) {
      const list = suppressionsOn(scopes[i]);
      for (let position = 0; position < list.length; position++) {
        const s = list[position];
        if (s.ruleId !== ruleId) continue;
        if (s.appliesTo && !s.appliesTo.some((p) => globMatch(p, subject))) continue;
        return { node: scopes[i], position, s };
      }
    }
    return undefined;
  }
}
