import type { CostReportBody, ModelCostLine } from './run';

const usd = (x: number | undefined, digits = 2) => (x === undefined ? '–' : `$${x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`);
const num = (x: number | undefined, digits = 1) => (x === undefined ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits }));
const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const sec = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(2)} s`);

function estimateRow(l: ModelCostLine): string | undefined {
  const e = l.estimate;
  if (!e) return undefined;
  return `| ${l.namespace}/${l.model} | ${usd(e.gpuHourlyLowUsd, 3)}–${usd(e.gpuHourlyHighUsd, 3)} | ${usd(l.dollarsPerGpuHour, 3)} | ${num(e.tokensPerSecondPerReplica, 0)} | ${num(e.measuredTokensPerSecondPerReplica, 1)} | ${usd(e.costPerMillionOutputTokensLowUsd)}–${usd(e.costPerMillionOutputTokensHighUsd)} | ${usd(l.costPerMillionOutputTokensUsd)} | ${e.verdict.replace('_', ' ')} |`;
}

/** The Markdown report (docs/cost.md shows a sample). */
export function renderCostMarkdown(name: string, r: CostReportBody): string {
  const p = r.platform;
  const out = [
    `# GPU utilization and inference cost: ${name}`,
    '',
    `Period: ${r.period.start} to ${r.period.end} (${r.period.hours} h). Measured from Prometheus (${r.prometheusUrl}), cost recording rules of docs/cost.md.`,
    r.priceCatalog ? `Prices: on-demand ${r.priceCatalog.source}, ${r.priceCatalog.date}; spot: the pushed spot price of each node's type and zone, else ${r.priceCatalog.spotPriceFactor} × on-demand.` : 'Prices: see the price sources below.',
    '',
    '## Platform',
    '',
    '| GPU-hours | spot share | GPU spend | serving | idle | other GPU pods |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${num(p.gpuHours)} | ${pct(p.spotShare)} | ${usd(p.dollars)} | ${usd(p.modelDollars)} | ${usd(p.idleDollars)} (${num(p.idleGpuHours)} GPU-h) | ${usd(p.otherDollars)} |`,
    '',
    `Price sources: ${Object.entries(p.dollarsByPriceSource).sort().map(([k, v]) => `${k} ${usd(v)}`).join(', ') || 'none'}.`,
    '',
    '## Models',
    '',
    '| model | requests | prompt tokens | output tokens | GPU-hours | spot share | spend | per 1M output tokens | per 1M tokens | per request | GPU utilization | p95 latency |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.models.map((l) => `| ${l.namespace}/${l.model} | ${int(l.requests)} | ${int(l.promptTokens)} | ${int(l.outputTokens)} | ${num(l.gpuHours)} | ${pct(l.spotShare)} | ${usd(l.dollars)} | ${usd(l.costPerMillionOutputTokensUsd)} | ${usd(l.costPerMillionTokensUsd)} | ${usd(l.costPerRequestUsd, 5)} | ${pct(l.gpuUtilization)} | ${sec(l.latencyP95Seconds)} |`),
  ];
  const est = r.models.map(estimateRow).filter((x): x is string => x !== undefined);
  if (est.length) {
    out.push('', '## Estimate vs actual', '', 'The estimate is `npm run cost` (`platformCostReport`): catalog prices and an assumed throughput; the same definitions as above.', '',
      '| model | estimate $/GPU-h | actual $/GPU-h | assumed tokens/s per replica | measured | estimate per 1M output tokens | actual | verdict |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |', ...est);
  }
  if (r.notes.length) out.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  return `${out.join('\n')}\n`;
}
