#!/usr/bin/env node
// Regenerates test/gpu/fixtures/ec2-gpu-reference.json, the upstream facts the GPU catalog is tested
// against, from copies of three upstream files:
//   1. aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md (EC2
//      DescribeInstanceTypes as Karpenter publishes it: vCPU, memory, GPUs, GPU memory and name, arch),
//   2. aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go (AWS Price List,
//      on-demand Linux; the us-east-1 block is used),
//   3. awsdocs/amazon-eks-user-guide latest/ug/ml/ml-eks-optimized-ami.adoc (which instance families
//      each EKS-optimized NVIDIA AMI supports).
// The families are those listed in the fixture's "families" key (add one there, then re-run).
// Usage: node scripts/gpu-reference.js <instance-types.md> <zz_generated.pricing_aws.go> <ml-eks-optimized-ami.adoc> <commit of 1 and 2> <commit of 3>
'use strict';
const fs = require('fs');
const path = require('path');

const out = path.join(__dirname, '..', 'test', 'gpu', 'fixtures', 'ec2-gpu-reference.json');
const [typesFile, pricingFile, amiFile, karpenterCommit, docsCommit] = process.argv.slice(2);
if (!typesFile || !pricingFile || !amiFile || !karpenterCommit || !docsCommit) {
  console.error('usage: node scripts/gpu-reference.js <instance-types.md> <zz_generated.pricing_aws.go> <ml-eks-optimized-ami.adoc> <karpenter commit> <eks user guide commit>');
  process.exit(2);
}
const previous = JSON.parse(fs.readFileSync(out, 'utf8'));
const families = previous.families;
if (!Array.isArray(families) || families.length === 0) throw new Error(`${out} has no "families" list`);

// Instance-type reference: "### `name`" then "|label|value|" rows.
const labels = {};
let current;
for (const line of fs.readFileSync(typesFile, 'utf8').split('\n')) {
  const heading = /^### `([^`]+)`/.exec(line);
  if (heading) { current = heading[1]; labels[current] = {}; continue; }
  const row = /^ \|([^|]+)\|([^|]*)\|$/.exec(line);
  if (row && current) labels[current][row[1].trim()] = row[2].trim();
}

// Pricing: the us-east-1 block of InitialOnDemandPricesAWS.
const go = fs.readFileSync(pricingFile, 'utf8');
const generated = /generated at (\S+) for/.exec(go);
const start = go.indexOf('"us-east-1": {');
if (start < 0) throw new Error('no us-east-1 block in the pricing file');
const block = go.slice(start, go.indexOf('\n\t},', start));
const prices = {};
for (const m of block.matchAll(/"([a-z0-9-]+\.[a-z0-9]+)": ([0-9.]+)/g)) prices[m[1]] = Number(m[2]);

// EKS AMI table: "|<variant>" line followed by "|<families, comma separated>".
const ami = {};
const amiLines = fs.readFileSync(amiFile, 'utf8').split('\n');
amiLines.forEach((line, i) => {
  const variant = /^\|((?:AL2023|Bottlerocket) .*NVIDIA.*|Bottlerocket .*aws-k8s-nvidia.*)$/.exec(line.trim());
  if (variant && amiLines[i + 1]) ami[variant[1].trim()] = amiLines[i + 1].replace(/^\|/, '').split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
});
if (Object.keys(ami).length === 0) throw new Error('no NVIDIA AMI rows found in the EKS user guide table');

const types = {};
for (const [name, l] of Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))) {
  if (!families.includes(l['karpenter.k8s.aws/instance-family'])) continue;
  types[name] = {
    vcpu: Number(l['karpenter.k8s.aws/instance-cpu']),
    memoryMiB: Number(l['karpenter.k8s.aws/instance-memory']),
    gpuCount: Number(l['karpenter.k8s.aws/instance-gpu-count']),
    gpuMemoryMiB: Number(l['karpenter.k8s.aws/instance-gpu-memory']),
    gpuName: l['karpenter.k8s.aws/instance-gpu-name'],
    arch: l['kubernetes.io/arch'],
    onDemandUsdUsEast1: prices[name] ?? null,
  };
}
const missing = families.filter((f) => !Object.keys(types).some((n) => n.startsWith(`${f}.`)));
if (missing.length > 0) throw new Error(`families without instance types in ${typesFile}: ${missing.join(', ')}`);

const fixture = {
  _source: `Facts only. Hardware: EC2 DescribeInstanceTypes as published in aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md (commit ${karpenterCommit}). Prices: AWS Price List API, EC2 on-demand Linux us-east-1, as generated in pkg/providers/pricing/zz_generated.pricing_aws.go of the same commit (generated ${generated ? generated[1] : 'unknown'}); null = no on-demand list price there. EKS NVIDIA AMI families: awsdocs/amazon-eks-user-guide latest/ug/ml/ml-eks-optimized-ami.adoc (commit ${docsCommit}). Regenerate with scripts/gpu-reference.js.`,
  families,
  eksNvidiaAmi: ami,
  types,
};
fs.writeFileSync(out, JSON.stringify(fixture, null, 1) + '\n');
console.log(`wrote ${Object.keys(types).length} instance types of ${families.length} families to ${path.relative(process.cwd(), out)}`);
