#!/usr/bin/env node
// Derives the test oracles from ../shared/reference (or REFERENCE_DIR): for each chart its default
// values as parsed data (no comments), its values.schema.json with descriptions stripped, and its
// version; for each CRD the openAPIV3Schema of each served version with descriptions stripped.
// Output goes to test/fixtures/reference so the tests never read outside the repository.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const root = path.resolve(__dirname, '..');
const src = path.resolve(process.env.REFERENCE_DIR || path.join(root, '..', 'shared', 'reference'));
const out = path.join(root, 'test', 'fixtures', 'reference');

function strip(node) {
  if (Array.isArray(node)) return node.map(strip);
  if (node && typeof node === 'object') {
    const o = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'description' && typeof v === 'string') continue;
      if (k === '$comment') continue;
      o[k] = strip(v);
    }
    return o;
  }
  return node;
}

function write(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 1) + '\n');
}

function chartDirs(dir, prefix = '') {
  const res = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const d = path.join(dir, e.name);
    if (fs.existsSync(path.join(d, 'values.yaml'))) res.push({ dir: d, name: prefix + e.name });
    if (fs.existsSync(path.join(d, 'charts'))) res.push(...chartDirs(path.join(d, 'charts'), `${prefix}${e.name}/charts/`));
  }
  return res;
}

if (!fs.existsSync(src)) {
  console.error(`reference directory ${src} not found; set REFERENCE_DIR`);
  process.exit(1);
}
// The release pipeline of some charts stamps the real version when it packages the chart; the
// repository's Chart.yaml says a development version (see the reference SOURCES.md).
const RELEASED_VERSION = { 'gpu-operator': { version: 'v26.7.0', appVersion: 'v26.7.0' } };
const charts = {};
for (const { dir, name } of chartDirs(path.join(src, 'charts'))) {
  const chart = YAML.parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'));
  const values = YAML.parse(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')) || {};
  write(path.join(out, 'charts', name, 'defaults.json'), values);
  const schemaFile = path.join(dir, 'values.schema.json');
  if (fs.existsSync(schemaFile)) write(path.join(out, 'charts', name, 'schema.json'), strip(JSON.parse(fs.readFileSync(schemaFile, 'utf8'))));
  const released = RELEASED_VERSION[name] || {};
  charts[name] = {
    name: chart.name,
    version: released.version || String(chart.version),
    appVersion: released.appVersion || (chart.appVersion === undefined ? null : String(chart.appVersion)),
    schema: fs.existsSync(schemaFile),
  };
}
const crds = {};
for (const f of fs.readdirSync(path.join(src, 'crds')).filter((f) => f.endsWith('.yaml'))) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(src, 'crds', f), 'utf8'))) {
    const crd = doc.toJS();
    if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const id = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
      const file = `${crd.spec.names.kind}.${crd.spec.group}.${v.name}.json`;
      write(path.join(out, 'crds', file), strip(v.schema.openAPIV3Schema));
      crds[id] = { file, storage: !!v.storage };
    }
  }
}
// Kubernetes OpenAPI v3 documents: the schemas of every group-version document, merged (the
// documents repeat shared types such as ObjectMeta and PodSpec; the copies must agree), descriptions
// stripped, with the git blob id of each source file.
const k8sDir = path.join(src, 'kubernetes', '1.35');
if (fs.existsSync(k8sDir)) {
  const { execFileSync } = require('child_process');
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(k8sDir, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.json')) files.push(rel);
    }
  };
  walk('');
  files.sort();
  const schemas = {};
  const sources = {};
  for (const f of files) {
    const file = path.join(k8sDir, f);
    sources[f] = execFileSync('git', ['hash-object', file], { encoding: 'utf8' }).trim();
    for (const [name, schema] of Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')).components.schemas)) {
      const stripped = strip(schema);
      if (schemas[name] && JSON.stringify(schemas[name]) !== JSON.stringify(stripped)) throw new Error(`kubernetes/1.35/${f}: ${name} differs from another document's copy`);
      schemas[name] = stripped;
    }
  }
  write(path.join(out, 'kubernetes', '1.35.json'), { version: '1.35', sources, schemas });
}
write(path.join(out, 'index.json'), { charts, crds });
console.log(`derived ${Object.keys(charts).length} charts and ${Object.keys(crds).length} CRD versions into ${path.relative(root, out)}`);
