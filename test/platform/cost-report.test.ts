import { App } from 'cdktf';
import * as os from 'os';
import * as fs from 'fs';
import * as path from 'path';
import { platformCostReport, renderCostReport } from '../../lib';
import { buildPlatform } from '../../examples/platform/platform';
import { GPU_INSTANCE_TYPES, GPU_PRICE_SOURCE } from '../../lib/gpu/catalog';

const platform = buildPlatform(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cost-')), stackTraces: false }));

test('prices come from the catalog; spot is the stated share of on-demand', () => {
  const r = platformCostReport(platform, { spotPriceFactor: 0.5 });
  const pool = r.pools[0];
  expect(pool.pool).toBe('inference');
  for (const t of pool.instanceTypes) {
    expect(t.onDemandHourlyUsd).toBe(GPU_INSTANCE_TYPES[t.instanceType].onDemandHourlyUsd);
    expect(t.spotAssumedHourlyUsd).toBeCloseTo(t.onDemandHourlyUsd * 0.5, 4);
  }
});

test('monthly range: min replicas at the cheapest spot GPU to max replicas at the dearest on-demand GPU', () => {
  const r = platformCostReport(platform, { spotPriceFactor: 0.4, tokensPerSecondPerReplica: 500 });
  const llama = r.models.find((m) => m.model === 'llama-8b')!;
  const perGpu = ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'].map((t) => GPU_INSTANCE_TYPES[t].onDemandHourlyUsd);
  expect(llama.replicaHourlyLowUsd).toBeCloseTo(Math.min(...perGpu) * 0.4, 4);
  expect(llama.replicaHourlyHighUsd).toBeCloseTo(Math.max(...perGpu), 4);
  expect(llama.monthlyLowUsd).toBeCloseTo(Math.min(...perGpu) * 0.4 * 1 * 730, 1);
  expect(llama.monthlyHighUsd).toBeCloseTo(Math.max(...perGpu) * 4 * 730, 1);
  // $/h ÷ 3600 s ÷ 500 tokens/s × 1e6
  expect(llama.costPerMillionTokensHighUsd).toBeCloseTo((Math.max(...perGpu) / 3600 / 500) * 1e6, 3);
  expect(r.monthlyHighUsd).toBeCloseTo(r.models.reduce((n, m) => n + m.monthlyHighUsd, 0), 1);
});

test('the rendered report is labelled as an estimate with the price source and date', () => {
  const text = renderCostReport(platformCostReport(platform));
  expect(text).toMatch(/ESTIMATE/);
  expect(text).toContain(GPU_PRICE_SOURCE.date);
  expect(text).toContain(GPU_PRICE_SOURCE.region);
  expect(text).toMatch(/spot assumed at 40% of on-demand/);
  expect(text).toMatch(/per 1M tokens/);
});

test('bad assumptions are rejected', () => {
  expect(() => platformCostReport(platform, { spotPriceFactor: 1.5 })).toThrow(/spotPriceFactor \(1.5\) is invalid/);
  expect(() => platformCostReport(platform, { tokensPerSecondPerReplica: 0 })).toThrow(/tokensPerSecondPerReplica \(0\) is invalid/);
});
