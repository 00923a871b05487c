import { mdCell } from './internal/markdown';
import { GuardrailReport, GuardrailSeverity } from './types';

function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['_none_', ''];
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`), ''];
}

/**
 * Renders a guardrails report as Markdown: findings, suppressed findings with their reasons,
 * every suppression with its use count, and the checks that could not be decided at synth.
 */
export function renderGuardrailReport(report: GuardrailReport): string {
  const count = (sev: GuardrailSeverity) => report.findings.filter((f) => f.severity === sev).length;
  const lines = [
    '# Guardrails report',
    '',
    `${report.findings.length} finding(s) (${count(GuardrailSeverity.ERROR)} error, ${count(GuardrailSeverity.WARNING)} warning, ${count(GuardrailSeverity.INFO)} info), ` +
      `${report.suppressed.length} suppressed, ${report.unusedSuppressions.length} unused suppression(s), ${report.undecided.length} undecided.`,
    '',
    '## Findings',
    '',
    ...table(
      ['rule', 'severity', 'construct', 'subject', 'detail'],
      report.findings.map((f) => [f.ruleId, f.severity, f.constructPath, f.subject, f.detail]),
    ),
    '## Suppressed findings',
    '',
    ...table(
      ['rule', 'construct', 'subject', 'reason', 'suppressed at'],
      report.suppressed.map((s) => [s.finding.ruleId, s.finding.constructPath, s.finding.subject, s.reason, s.suppressedAt]),
    ),
    '## Suppressions',
    '',
    ...table(
      ['rule', 'construct', 'applies to', 'reason', 'used'],
      report.suppressions.map((s) => [s.ruleId, s.constructPath, s.appliesTo ? s.appliesTo.join(', ') : 'all', s.reason, String(s.used)]),
    ),
    '## Undecided at synth',
    '',
    ...table(
      ['rule', 'construct', 'subject', 'why'],
      report.undecided.map((f) => [f.ruleId, f.constructPath, f.subject, f.detail]),
    ),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
