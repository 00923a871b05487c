import { IConstruct } from 'constructs';
import { AnnotationMetadataEntryType, Annotations, Aspects, IAspect, TerraformStack } from 'cdktf';
import { ValidationError } from '../core/errors';
import { markAspect } from '../core/resolve-once';
import { guardrailRule, UNUSED_SUPPRESSION_RULE_ID } from './catalog';
import { EngineOptions, GuardrailPass, LocatedFinding, StoredSuppression, SUPPRESSION_METADATA, suppressionsOn } from './internal/engine';
import { renderGuardrailReport } from './report';
import { GuardrailMode, GuardrailReport, GuardrailSeverity, GuardrailSuppressionOptions } from './types';

/** Props of {@link PlatformGuardrails}. */
export interface PlatformGuardrailsProps {
  /**
   * How error-severity findings are reported: as errors (synth fails) or as warnings.
   * @default GuardrailMode.ERROR
   */
  readonly mode?: GuardrailMode;
  /**
   * Severity per rule id, replacing the catalog's (e.g. make `CKV_AWS_39` an error, or
   * `AIP-172` a warning). Ids must exist in `GUARDRAIL_RULES`.
   * @default - the severities of `GUARDRAIL_RULES`
   */
  readonly severityOverrides?: { readonly [ruleId: string]: GuardrailSeverity };
}

/** Minimum length of a suppression reason (cdk-nag's rule: a reason, not a shrug). */
export const MIN_SUPPRESSION_REASON_LENGTH = 10;

function isDescendant(node: IConstruct, root: IConstruct): boolean {
  return node.node.scopes.includes(root);
}

const ANNOTATION_TYPE: Record<GuardrailSeverity, string> = {
  [GuardrailSeverity.ERROR]: AnnotationMetadataEntryType.ERROR,
  [GuardrailSeverity.WARNING]: AnnotationMetadataEntryType.WARN,
  [GuardrailSeverity.INFO]: AnnotationMetadataEntryType.INFO,
};

function annotate(f: LocatedFinding): void {
  const type = ANNOTATION_TYPE[f.effective];
  // Idempotent: synthesizing twice (or two guardrail instances) must not repeat annotations.
  if (f.node.node.metadata.some((m) => m.type === type && m.data === f.finding.message)) return;
  const a = Annotations.of(f.node);
  if (f.effective === GuardrailSeverity.ERROR) a.addError(f.finding.message);
  else if (f.effective === GuardrailSeverity.WARNING) a.addWarning(f.finding.message);
  else a.addInfo(f.finding.message);
}

/**
 * The platform's security and reliability baseline (SECURITY.md) as a cdktf Aspect, in the style of
 * cdk-nag: pure rules over the synthesized attributes of every Terraform resource and over the
 * Kubernetes objects the library renders (`ManifestChart` manifests, `IWorkloadSource` workloads).
 * Findings are annotations whose message starts with the rule id; error annotations make
 * `cdktf synth` (and `app.synth()`) fail. Exceptions are explicit: `PlatformGuardrails.suppress()`
 * with a reason, listed in the report; a suppression that silences nothing is itself reported.
 *
 * ```ts
 * PlatformGuardrails.applyTo(stack);                       // or Aspects.of(stack).add(new PlatformGuardrails())
 * PlatformGuardrails.suppress(bastionSg, 'CKV_AWS_24', 'SSH from the office VPN range only, see runbook');
 * ```
 *
 * DEVIATION: cdktf invokes Aspects from each stack down, so an Aspect added to the App is never
 * run; `applyTo(app)` adds it to every stack the app has at that moment.
 */
export class PlatformGuardrails implements IAspect {
  /**
   * Adds the guardrails to a stack or construct; for an App (or a construct holding stacks, such as
   * `AiPlatform`) to each of its stacks. Call it after the stacks are created.
   */
  public static applyTo(scope: IConstruct, props: PlatformGuardrailsProps = {}): PlatformGuardrails {
    const guardrails = new PlatformGuardrails(props);
    const inStack = scope.node.scopes.some((s) => TerraformStack.isStack(s));
    const targets = inStack ? [scope] : scope.node.findAll().filter((c) => TerraformStack.isStack(c));
    if (targets.length === 0) throw new ValidationError(scope, 'scope', scope.node.path, 'must be or contain a TerraformStack (cdktf runs Aspects per stack; create the stacks first)');
    for (const t of targets) Aspects.of(t).add(guardrails);
    return guardrails;
  }

  /**
   * Checks a scope now, without annotating it: the findings, suppressed findings, suppressions and
   * undecidable checks. Works on an App, a stack or any construct.
   */
  public static check(scope: IConstruct, props: PlatformGuardrailsProps = {}): GuardrailReport {
    const pass = new GuardrailPass(scope, engineOptions(props));
    for (const node of scope.node.findAll()) pass.evaluate(node);
    return pass.finish();
  }

  /**
   * Accepts the findings of one rule on a construct and everything below it. The reason is listed
   * in the report and must say why the finding is acceptable (at least 10 characters).
   * @param scope the construct (its children are covered too)
   * @param ruleId a rule id of `GUARDRAIL_RULES`
   * @param reason why the finding is acceptable
   * @param options narrow the suppression to some subjects
   */
  public static suppress(scope: IConstruct, ruleId: string, reason: string, options: GuardrailSuppressionOptions = {}): void {
    if (!guardrailRule(ruleId)) throw new ValidationError(scope, 'ruleId', ruleId, 'must be the id of a rule in GUARDRAIL_RULES (e.g. "CKV_AWS_39", "AIP-180")');
    if (ruleId === UNUSED_SUPPRESSION_RULE_ID) throw new ValidationError(scope, 'ruleId', ruleId, 'cannot be suppressed: remove the unused suppression instead');
    if (typeof reason !== 'string' || reason.trim().length < MIN_SUPPRESSION_REASON_LENGTH) {
      throw new ValidationError(scope, 'reason', reason, `must explain why the finding of ${ruleId} is acceptable, in at least ${MIN_SUPPRESSION_REASON_LENGTH} characters`);
    }
    if (options.appliesTo !== undefined && (options.appliesTo.length === 0 || options.appliesTo.some((p) => typeof p !== 'string' || p.length === 0))) {
      throw new ValidationError(scope, 'appliesTo', options.appliesTo, 'must list subjects such as "DaemonSet/gpu-operator/*" (omit it to cover every subject)');
    }
    const stored: StoredSuppression = { ruleId, reason: reason.trim(), appliesTo: options.appliesTo ? [...options.appliesTo] : undefined };
    const dup = suppressionsOn(scope).some((s) => s.ruleId === stored.ruleId && JSON.stringify(s.appliesTo) === JSON.stringify(stored.appliesTo));
    if (!dup) scope.node.addMetadata(SUPPRESSION_METADATA, stored);
  }

  private readonly options: EngineOptions;
  private current?: GuardrailPass;
  private readonly passes = new Map<string, GuardrailPass>();

  /** Creates the Aspect; add it with `Aspects.of(stack).add(...)` or use `PlatformGuardrails.applyTo()`. */
  public constructor(props: PlatformGuardrailsProps = {}) {
    this.options = engineOptions(props);
    // Findings are annotations: the Aspect never changes an element (docs/design.md, "Synthesis speed").
    markAspect(this, 'read-only');
  }

  /** Checks one construct (called by cdktf for every construct below where the Aspect was added). */
  public visit(node: IConstruct): void {
    let pass = this.current;
    if (!pass || pass.finished || pass.visited.has(node) || !(pass.pending.has(node) || isDescendant(node, pass.root))) {
      // The first construct of a traversal is where the Aspect was added: a new pass starts there.
      pass = new GuardrailPass(node, this.options);
      this.current = pass;
      this.passes.set(node.node.path, pass);
    }
    pass.evaluate(node).forEach(annotate);
    if (pass.pending.size === 0 && !pass.finished) pass.unusedSuppressionFindings().forEach(annotate);
  }

  /** The findings and suppressions of the last synthesis of every scope this Aspect visited. */
  public report(): GuardrailReport {
    const parts = [...this.passes.values()].map((p) => (p.finished ? p.finish() : p.snapshot()));
    return {
      findings: parts.flatMap((p) => p.findings),
      suppressed: parts.flatMap((p) => p.suppressed),
      suppressions: parts.flatMap((p) => p.suppressions),
      unusedSuppressions: parts.flatMap((p) => p.unusedSuppressions),
      undecided: parts.flatMap((p) => p.undecided),
    };
  }

  /** {@link report} as Markdown (for a CI summary or a review). */
  public reportMarkdown(): string {
    return renderGuardrailReport(this.report());
  }
}

function engineOptions(props: PlatformGuardrailsProps): EngineOptions {
  const invalid = (prop: string, value: unknown, expected: string) => new ValidationError('PlatformGuardrails', prop, value, expected);
  const overrides = props.severityOverrides ?? {};
  for (const [id, sev] of Object.entries(overrides)) {
    if (!guardrailRule(id)) throw invalid(`severityOverrides.${id}`, sev, 'must name a rule of GUARDRAIL_RULES');
    if (!Object.values(GuardrailSeverity).includes(sev)) throw invalid(`severityOverrides.${id}`, sev, 'must be a GuardrailSeverity');
  }
  const mode = props.mode ?? GuardrailMode.ERROR;
  if (!Object.values(GuardrailMode).includes(mode)) throw invalid('mode', mode, 'must be GuardrailMode.ERROR or GuardrailMode.WARN');
  return { mode, severityOverrides: { ...overrides } };
}
