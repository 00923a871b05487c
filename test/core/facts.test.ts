// requirement 6: every pinned fact sits in a table with its source and check date, docs/facts.md is
// the rendering of the tables, and the registry stays out of the public API.
import * as fs from 'fs';
import * as path from 'path';
import { FactTable, factTableProblems } from '../../lib/core/facts';
import { allFactTables, renderFactsMarkdown } from '../../lib/facts';
import * as publicApi from '../../lib';

const tables = allFactTables();

test('every row of every fact table has a source (a page or owner/repo:path) and a check date', () => {
  expect(tables.flatMap(factTableProblems)).toEqual([]);
  expect(tables.reduce((n, t) => n + t.rows.length, 0)).toBeGreaterThan(150);
});

test('a row without a source or with a bad date is reported (the check can fail)', () => {
  const bad: FactTable = { id: 't', title: 'T', file: 'x.ts', rows: [
    { fact: 'a', value: '1', source: '', checked: '2026-12-07' },
    { fact: 'b', value: '2', source: 'memory', checked: '2026-12-07' },
    { fact: 'c', value: '3', source: 'https://example.com', checked: '7 Dec 2026' },
  ] };
  expect(factTableProblems(bad)).toHaveLength(3);
});

test('table ids are unique; no check date is in the future of the pinned date; every area is registered', () => {
  const ids = tables.map((t) => t.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const t of tables) for (const r of t.rows) expect({ table: t.id, fact: r.fact, future: r.checked > '2026-12-07' }).toEqual({ table: t.id, fact: r.fact, future: false });
  expect(ids).toEqual(expect.arrayContaining(['eks-calendar', 'eks-prices', 'eks-addons', 'kubernetes-support', 'cluster-autoscaler-images', 'helm-charts', 'gpu-instance-types', 'model-shapes', 'serving-images', 'jobs-image', 'rds-postgres']));
  for (const t of tables) expect(fs.existsSync(path.join(__dirname, '..', '..', t.file))).toBe(true);
});

test('docs/facts.md is current (run `npm run facts` after changing a table)', () => {
  const file = path.join(__dirname, '..', '..', 'docs', 'facts.md');
  expect(fs.readFileSync(file, 'utf8')).toBe(renderFactsMarkdown(tables));
});

test('the registry is internal: not exported from the package', () => {
  expect(Object.keys(publicApi)).not.toContain('allFactTables');
  expect(Object.keys(publicApi)).not.toContain('renderFactsMarkdown');
  expect(Object.keys(publicApi)).not.toContain('EKS_RELEASE_CALENDAR');
});
