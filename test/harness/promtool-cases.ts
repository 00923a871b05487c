// promtool unit tests written as data: each case is one promtool `tests:` entry (input series and
// alert expectations). The runner writes one test file per alert and runs promtool once over all.
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { ExtractedPrometheusRule } from './prometheus-rules';

/** One input series in promtool's expanding notation (`0+1x10`, `_`, `stale`). */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** What one alert looks like at one evaluation time: the alerts expected (empty: it must be quiet). */
export interface AlertExpectation {
  /** Evaluation time, e.g. `10m`. */
  readonly at: string;
  readonly alert: string;
  /** Full label sets of the firing alerts (alertname excluded); `[]` means no alert. */
  readonly fires: Record<string, string>[];
}

/** One promtool test. */
export interface PromtoolCase {
  /** What the case shows (printed by promtool on failure). */
  readonly name: string;
  /** Scrape interval of the input series. @default '1m' */
  readonly interval?: string;
  readonly series: InputSeries[];
  readonly expect: AlertExpectation[];
}

/** Alert names that have at least one firing / one quiet expectation in the cases. */
export function coverage(cases: PromtoolCase[]): { fires: Set<string>; quiet: Set<string> } {
  const fires = new Set<string>();
  const quiet = new Set<string>();
  for (const c of cases) {
    // A quiet expectation over no input proves nothing.
    if (c.series.length === 0) continue;
    for (const e of c.expect) (e.fires.length > 0 ? fires : quiet).add(e.alert);
  }
  return { fires, quiet };
}

/**
 * Writes the rules (one file per PrometheusRule; annotations dropped from the copy the unit tests
 * load, because promtool compares rendered annotations verbatim: their templates are checked by
 * `promtool check rules` on the full files) and one test file per alert. Returns the file names.
 */
export function writePromtoolFiles(dir: string, rules: ExtractedPrometheusRule[], cases: PromtoolCase[]): { ruleFiles: string[]; testFiles: string[] } {
  const ruleFiles: string[] = [];
  // One unit file per group, so that a test evaluates only the group of its alert and the groups
  // recording the series that group reads (promtool evaluates every loaded rule at every step).
  const groups: { file: string; alerts: string[]; records: string[]; exprs: string }[] = [];
  rules.forEach((r, i) => {
    const base = `rules-${i}-${r.id.replace(/[^A-Za-z0-9_-]+/g, '_').slice(-60)}`;
    fs.writeFileSync(path.join(dir, `${base}.yml`), stringify({ groups: r.groups }));
    ruleFiles.push(`${base}.yml`);
    r.groups.forEach((g, j) => {
      const file = `${base}-${j}.unit.yml`;
      fs.writeFileSync(path.join(dir, file), stringify({ groups: [{ ...g, rules: g.rules.map(({ annotations: _a, ...rest }) => rest) }] }));
      groups.push({ file, alerts: g.rules.flatMap((x) => (x.alert ? [x.alert] : [])), records: g.rules.flatMap((x) => (x.record ? [x.record] : [])), exprs: g.rules.map((x) => x.expr).join('\n') });
    });
  });
  const needed = (alert: string): string[] => {
    const out = new Set<string>();
    const add = (g: (typeof groups)[number]) => {
      if (out.has(g.file)) return;
      out.add(g.file);
      for (const other of groups) if (other.records.some((rec) => g.exprs.includes(rec))) add(other);
    };
    groups.filter((g) => g.alerts.includes(alert)).forEach(add);
    return [...out];
  };
  const byAlert = new Map<string, PromtoolCase[]>();
  for (const c of cases) {
    const key = c.expect[0]?.alert ?? 'none';
    byAlert.set(key, [...(byAlert.get(key) ?? []), c]);
  }
  const testFiles: string[] = [];
  for (const [alert, cs] of byAlert) {
    const file = `test-${alert}.yml`;
    const ruleFilesOfTest = [...new Set(cs.flatMap((c) => c.expect.flatMap((e) => needed(e.alert))))];
    const doc = {
      rule_files: ruleFilesOfTest,
      evaluation_interval: '1m',
      tests: cs.map((c) => ({
        name: c.name,
        interval: c.interval ?? '1m',
        input_series: c.series.map((s) => ({ series: s.series, values: s.values })),
        alert_rule_test: c.expect.map((e) => ({ eval_time: e.at, alertname: e.alert, exp_alerts: e.fires.map((l) => ({ exp_labels: l })) })),
      })),
    };
    fs.writeFileSync(path.join(dir, file), stringify(doc));
    testFiles.push(file);
  }
  return { ruleFiles, testFiles };
}
