#!/usr/bin/env node
// Regenerates test/gpu/fixtures/ec2-gpu-reference.json, the EC2 facts the GPU catalog is tested
// against, from Karpenter's generated files: the instance-type reference (EC2 DescribeInstanceTypes)
// and the on-demand price table (AWS Price List API, us-east-1).
//
//   node scripts/derive-gpu-reference.js --karpenter <aws/karpenter-provider-aws checkout> [--add-families p6-b200,g7e] [--families g6e,p5,...]
//   node scripts/derive-gpu-reference.js --instance-types <instance-types.md> --pricing <zz_generated.pricing_aws.go> --commit <sha>
//
// By default the families are the ones already in the fixture; --add-families adds to them and
// --families replaces them. Every instance type of each family is written.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'test', 'gpu', 'fixtures', 'ec2-gpu-reference.json');

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

const checkout = arg('karpenter');
const instanceTypesFile = arg('instance-types') || (checkout && path.join(checkout, 'website', 'content', 'en', 'docs', 'reference', 'instance-types.md'));
const pricingFile = arg('pricing') || (checkout && path.join(checkout, 'pkg', 'providers', 'pricing', 'zz_generated.pricing_aws.go'));
let commit = arg('commit');
if (!commit && checkout) commit = execFileSync('git', ['-C', checkout, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
if (!instanceTypesFile || !pricingFile || !commit) fail('usage: derive-gpu-reference.js --karpenter <checkout> | --instance-types <md> --pricing <go> --commit <sha> [--families a,b]');
for (const f of [instanceTypesFile, pricingFile]) if (!fs.existsSync(f)) fail(`${f} not found`);

const previous = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : { types: {} };
const list = (v) => (v ? v.split(',').map((f) => f.trim()).filter(Boolean) : []);
const families = new Set([...(arg('families') ? list(arg('families')) : Object.keys(previous.types).map((t) => t.split('.')[0])), ...list(arg('add-families'))]);
if (families.size === 0) fail('no families: give --families');

// Labels of each instance type section ("### `g6e.xlarge`" then "|label|value|" rows).
const labels = {};
let current;
for (const line of fs.readFileSync(instanceTypesFile, 'utf8').split('\n')) {
  const head = /^### `([a-z0-9-]+\.[a-z0-9-]+)`/.exec(line);
  if (head) {
    current = head[1];
    labels[current] = {};
    continue;
  }
  const row = /^\s*\|([^|]+)\|([^|]*)\|\s*$/.exec(line);
  if (current && row) labels[current][row[1].trim()] = row[2].trim();
}

// us-east-1 prices: "type": price pairs inside the "us-east-1" block.
const pricing = fs.readFileSync(pricingFile, 'utf8');
const generated = /generated at (\S+) for us-east-1/.exec(pricing);
const block = /"us-east-1": \{([\s\S]*?)\n\t\},/.exec(pricing);
if (!generated || !block) fail(`${pricingFile}: no us-east-1 price table`);
const prices = {};
for (const m of block[1].matchAll(/"([a-z0-9-]+\.[a-z0-9-]+)": ([0-9.]+)/g)) prices[m[1]] = Number(m[2]);

const types = {};
for (const name of Object.keys(labels).sort()) {
  if (!families.has(name.split('.')[0])) continue;
  const l = labels[name];
  const num = (k) => {
    const v = l[`karpenter.k8s.aws/${k}`];
    if (v === undefined) fail(`${name}: no ${k} in ${instanceTypesFile}`);
    return Number(v);
  };
  types[name] = {
    vcpu: num('instance-cpu'),
    memoryMiB: num('instance-memory'),
    gpuCount: num('instance-gpu-count'),
    gpuMemoryMiB: num('instance-gpu-memory'),
    gpuName: l['karpenter.k8s.aws/instance-gpu-name'],
    arch: l['kubernetes.io/arch'],
    onDemandUsdUsEast1: prices[name] === undefined ? null : prices[name],
  };
}
for (const f of families) if (!Object.keys(types).some((t) => t.startsWith(`${f}.`))) fail(`family ${f} has no instance type in ${instanceTypesFile}`);

const doc = {
  _source: `Facts only. Hardware: EC2 DescribeInstanceTypes as published in aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md (commit ${commit}). Prices: AWS Price List API, EC2 on-demand Linux us-east-1, as generated in pkg/providers/pricing/zz_generated.pricing_aws.go of the same commit (generated ${generated[1]}); null = no on-demand list price there.`,
  types,
};
fs.writeFileSync(out, JSON.stringify(doc, null, 1));
console.log(`wrote ${path.relative(root, out)}: ${Object.keys(types).length} instance types of ${[...families].sort().join(', ')}`);
