import { GuardrailRule, GuardrailSeverity } from './types';
import { RULE_IMPLEMENTATIONS } from './rules';

/** Id of the rule that reports suppressions which silenced nothing. */
export const UNUSED_SUPPRESSION_RULE_ID = 'AIP-000';

const UNUSED_SUPPRESSION: GuardrailRule = {
  id: UNUSED_SUPPRESSION_RULE_ID,
  title: 'Every suppression silences a finding',
  severity: GuardrailSeverity.WARNING,
  fix: 'remove the suppression (the finding it was for is gone) or move it to the construct that has the finding',
  area: 'guardrails',
  securityRow: 'A default that breaks a rule needs a documented reason (and a suppression with that reason in the policy Aspect)',
  appliesTo: ['suppressions'],
  note: 'Cannot itself be suppressed.',
};

function catalog(): GuardrailRule[] {
  const seen = new Map<string, GuardrailRule>();
  for (const impl of RULE_IMPLEMENTATIONS) {
    const prev = seen.get(impl.rule.id);
    if (prev && prev !== impl.rule) throw new Error(`guardrail rule ${impl.rule.id} is defined twice`);
    seen.set(impl.rule.id, impl.rule);
  }
  return [UNUSED_SUPPRESSION, ...seen.values()];
}

/**
 * The guardrail rule catalog: every rule the `PlatformGuardrails` Aspect checks, with its id
 * (Checkov's where one exists), severity, fix and the SECURITY.md requirement it proves.
 * `docs/guardrails.md` is generated from it (`renderGuardrailsDocument()`).
 */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = catalog();

/** The catalog entry of a rule id, or undefined. */
export function guardrailRule(id: string): GuardrailRule | undefined {
  return GUARDRAIL_RULES.find((r) => r.id === id);
}
