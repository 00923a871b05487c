#!/usr/bin/env node
// Writes docs/facts.md from the library's fact tables (lib/facts.ts). `--check` writes nothing and
// exits 1 when docs/facts.md is not current (the test suite checks the same).
// Runs the TypeScript sources through ts-node (transpile only), so no build is needed.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
const { allFactTables, renderFactsMarkdown } = require(path.join(root, 'lib', 'facts'));
const { factTableProblems } = require(path.join(root, 'lib', 'core', 'facts'));

const tables = allFactTables();
const problems = tables.flatMap(factTableProblems);
if (problems.length > 0) {
  console.error(`facts without a source or a check date:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const file = path.join(root, 'docs', 'facts.md');
const text = renderFactsMarkdown(tables);
if (process.argv.includes('--check')) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== text) {
    console.error('docs/facts.md is not current: run `npm run facts`');
    process.exit(1);
  }
  console.log(`docs/facts.md is current (${tables.length} tables, ${tables.reduce((n, t) => n + t.rows.length, 0)} facts)`);
} else {
  fs.writeFileSync(file, text);
  console.log(`wrote docs/facts.md (${tables.length} tables, ${tables.reduce((n, t) => n + t.rows.length, 0)} facts)`);
}
