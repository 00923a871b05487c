import * as fs from 'fs';
import * as path from 'path';
import { GUARDRAIL_RULES } from '../../lib/policy';
import { AWS_CASES } from './fixtures/aws';
import { KUBERNETES_CASES } from './fixtures/kubernetes';
import { EXPECTED_LIBRARY_SUPPRESSIONS, renderGuardrailsDocument } from '../../lib/policy/docs';
import { UNUSED_SUPPRESSION_RULE_ID } from '../../lib/policy/catalog';

const DOC = path.resolve(__dirname, '..', '..', 'docs', 'guardrails.md');

test('docs/guardrails.md is generated from the catalog (UPDATE_GUARDRAILS_DOC=1 rewrites it)', () => {
  const text = renderGuardrailsDocument();
  if (process.env.UPDATE_GUARDRAILS_DOC === '1') fs.writeFileSync(DOC, text);
  expect(fs.readFileSync(DOC, 'utf8')).toBe(text);
  for (const r of GUARDRAIL_RULES) expect(text).toContain(`| ${r.id} | ${r.severity} |`);
});

test('every rule has a compliant and a non-compliant fixture', () => {
  const covered = new Set([...AWS_CASES, ...KUBERNETES_CASES].map((c) => c.rule));
  // AIP-000 (unused suppression) and AIP-173 (backend) have their own tests.
  const missing = GUARDRAIL_RULES.map((r) => r.id).filter((id) => !covered.has(id) && id !== UNUSED_SUPPRESSION_RULE_ID && id !== 'AIP-173');
  expect(missing).toEqual([]);
});

test('expected library suppressions name rules of the catalog', () => {
  const ids = new Set(GUARDRAIL_RULES.map((r) => r.id));
  for (const s of EXPECTED_LIBRARY_SUPPRESSIONS) for (const id of s.ruleIds) expect(ids).toContain(id);
});
