// docs/guardrails-report.md is the guardrails report of the example platform (rules that fired,
// suppressions and their reasons). It must match what the library produces today:
// UPDATE_GUARDRAILS_REPORT=1 npx jest test/examples/guardrails-report rewrites it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { PlatformGuardrails, renderGuardrailReport, GuardrailSeverity } from '../../lib';
import { buildPlatform } from '../../examples/platform/platform';

test('docs/guardrails-report.md is the current report of the example platform', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'report-')), stackTraces: false });
  buildPlatform(app);
  const report = PlatformGuardrails.check(app);
  expect(report.findings.filter((f) => f.severity === GuardrailSeverity.ERROR)).toEqual([]);
  // Every suppression the library applies carries a reason and is used.
  for (const s of report.suppressions) expect(s.reason.length).toBeGreaterThanOrEqual(10);
  const text = `${renderGuardrailReport(report)}\n`;
  const file = path.join(__dirname, '..', '..', 'docs', 'guardrails-report.md');
  if (process.env.UPDATE_GUARDRAILS_REPORT === '1') fs.writeFileSync(file, text);
  expect(fs.readFileSync(file, 'utf8')).toBe(text);
});
