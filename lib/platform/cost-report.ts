import { GPU_PRICE_SOURCE } from '../gpu/catalog';
import { checkHelperNumber } from '../core/helper-args';
import { ValidationError } from '../core/errors';
import { CapacityPreference, IGpuNodePool } from '../gpu/types';
import { DEFAULT_SPOT_PRICE_FACTOR, costPerMillionTokens, perGpuHourlyUsd } from '../cost/definitions';
import { VllmServingStack } from '../serving/vllm-serving-stack';
import { formatPercent } from '../core/units';

/** Assumptions of a cost estimate. */
export interface CostReportOptions {
  /**
   * Spot price as a share of on-demand. GPU spot prices move by family, AZ and hour; 0.4 is a
   * middle value of recent GPU spot savings (55-70 %). Use your own Spot price history.
   * @default 0.4
   */
  readonly spotPriceFactor?: number;
  /**
   * Output tokens per second one replica sustains, for the cost per 1M tokens. Measure yours
   * (the vLLM dashboard shows it); it depends on model, GPU, batch size and prompt lengths.
   * @default 1000
   */
  readonly tokensPerSecondPerReplica?: number;
  /**
   * Hours in a month.
   * @default 730
   */
  readonly hoursPerMonth?: number;
}

/** Price of one instance type of a pool. */
export interface InstanceTypeCost {
  /** Instance type. */
  readonly instanceType: string;
  /** GPUs per instance. */
  readonly gpus: number;
  /** On-demand price, USD per hour. */
  readonly onDemandHourlyUsd: number;
  /** Spot price assumed from the spot factor, USD per hour. */
  readonly spotAssumedHourlyUsd: number;
}

/** The GPU capacity of one pool. */
export interface PoolCost {
  /** Pool name. */
  readonly pool: string;
  /** Purchase options of the pool. */
  readonly capacity: CapacityPreference;
  /** Prices of its instance types. */
  readonly instanceTypes: InstanceTypeCost[];
}

/** The cost range of one served model. */
export interface ModelCost {
  /** Serving stack construct path. */
  readonly stack: string;
  /** Namespace of the serving stack (the `namespace` label of the live cost series). */
  readonly namespace: string;
  /** Model name. */
  readonly model: string;
  /** Pool it runs on. */
  readonly pool: string;
  /** GPUs per replica. */
  readonly gpusPerReplica: number;
  /** Replica range. */
  readonly minReplicas: number;
  /** Replica range. */
  readonly maxReplicas: number;
  /** Cheapest hourly price of one replica (spot where the pool allows it). */
  readonly replicaHourlyLowUsd: number;
  /** Dearest hourly price of one replica (on-demand on the priciest type, or spot for spot-only pools). */
  readonly replicaHourlyHighUsd: number;
  /** Monthly cost at the minimum replicas and the low price. */
  readonly monthlyLowUsd: number;
  /** Monthly cost at the maximum replicas and the high price. */
  readonly monthlyHighUsd: number;
  /** Cost per 1M output tokens at the stated throughput, low and high price. */
  readonly costPerMillionTokensLowUsd: number;
  /** Cost per 1M output tokens at the stated throughput, high price. */
  readonly costPerMillionTokensHighUsd: number;
}

/** A platform cost estimate. */
export interface CostReport {
  /** Pools and their prices. */
  readonly pools: PoolCost[];
  /** Served models and their cost ranges. */
  readonly models: ModelCost[];
  /** Total monthly range of the served models. */
  readonly monthlyLowUsd: number;
  /** Total monthly range of the served models. */
  readonly monthlyHighUsd: number;
  /** The assumptions used. */
  readonly assumptions: { readonly spotPriceFactor: number; readonly tokensPerSecondPerReplica: number; readonly hoursPerMonth: number; readonly priceRegion: string; readonly priceDate: string; readonly priceSource: string };
}

/** The platform parts a cost estimate reads. */
export interface CostReportInput {
  /** GPU pools. */
  readonly gpuPools: Record<string, IGpuNodePool>;
  /** Serving stacks. */
  readonly serving: Record<string, VllmServingStack>;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Estimates the GPU cost of a platform from the catalog's on-demand prices and an assumed spot
 * factor. Replicas are priced per GPU (instance price ÷ GPUs × tensor parallel): replicas of a
 * model bin-pack onto multi-GPU nodes. An estimate, not a bill: no EBS, network, control plane,
 * system nodes or data stores.
 */
export function platformCostReport(platform: CostReportInput, options: CostReportOptions = {}): CostReport {
  const spot = options.spotPriceFactor ?? DEFAULT_SPOT_PRICE_FACTOR;
  const tps = options.tokensPerSecondPerReplica ?? 1000;
  const hours = options.hoursPerMonth ?? 730;
  const fn = 'platformCostReport';
  if (!platform || typeof platform !== 'object' || typeof platform.gpuPools !== 'object' || typeof platform.serving !== 'object' || platform.gpuPools === null || platform.serving === null) {
    throw new ValidationError(fn, 'platform', platform === undefined ? undefined : typeof platform, 'must be an AiPlatform (or an object with gpuPools and serving records)');
  }
  checkHelperNumber(fn, 'spotPriceFactor', spot, 0, 1);
  checkHelperNumber(fn, 'tokensPerSecondPerReplica', tps, 0, 10_000_000);
  checkHelperNumber(fn, 'hoursPerMonth', hours, 0, 744);
  const pools: PoolCost[] = Object.values(platform.gpuPools).map((p) => ({
    pool: p.poolName,
    capacity: p.capacity,
    instanceTypes: p.instanceTypes.map((t) => ({ instanceType: t.name, gpus: t.gpuCount, onDemandHourlyUsd: t.onDemandHourlyUsd, spotAssumedHourlyUsd: round(t.onDemandHourlyUsd * spot, 4) })),
  }));
  const models: ModelCost[] = [];
  for (const stack of Object.values(platform.serving)) {
    const pool = stack.gpuPool;
    const perGpu = pool.instanceTypes.map((t) => perGpuHourlyUsd(t.onDemandHourlyUsd, t.gpuCount));
    const cheapest = Math.min(...perGpu);
    const dearest = Math.max(...perGpu);
    const lowFactor = pool.capacity === CapacityPreference.ON_DEMAND ? 1 : spot;
    const highFactor = pool.capacity === CapacityPreference.SPOT ? spot : 1;
    for (const plan of stack.plans) {
      const low = cheapest * lowFactor * plan.tensorParallelSize;
      const high = dearest * highFactor * plan.tensorParallelSize;
      models.push({
        stack: stack.node.path,
        namespace: stack.namespace,
        model: plan.name,
        pool: pool.poolName,
        gpusPerReplica: plan.tensorParallelSize,
        minReplicas: plan.replicas.min,
        maxReplicas: plan.replicas.max,
        replicaHourlyLowUsd: round(low, 4),
        replicaHourlyHighUsd: round(high, 4),
        monthlyLowUsd: round(low * plan.replicas.min * hours),
        monthlyHighUsd: round(high * plan.replicas.max * hours),
        costPerMillionTokensLowUsd: round(costPerMillionTokens(low, tps), 4),
        costPerMillionTokensHighUsd: round(costPerMillionTokens(high, tps), 4),
      });
    }
  }
  return {
    pools,
    models,
    monthlyLowUsd: round(models.reduce((n, m) => n + m.monthlyLowUsd, 0)),
    monthlyHighUsd: round(models.reduce((n, m) => n + m.monthlyHighUsd, 0)),
    assumptions: { spotPriceFactor: spot, tokensPerSecondPerReplica: tps, hoursPerMonth: hours, priceRegion: GPU_PRICE_SOURCE.region, priceDate: GPU_PRICE_SOURCE.date, priceSource: GPU_PRICE_SOURCE.source },
  };
}

/** Renders a cost report as text, labelled as an estimate with the price source and date. */
export function renderCostReport(r: CostReport): string {
  const usd = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const a = r.assumptions;
  const lines = [
    'GPU COST ESTIMATE (not a bill)',
    `prices: on-demand Linux, ${a.priceRegion}, ${a.priceDate} (${a.priceSource}); spot assumed at ${formatPercent(a.spotPriceFactor)} of on-demand; ${a.hoursPerMonth} h/month`,
    '',
    'GPU pools:',
  ];
  for (const p of r.pools) {
    lines.push(`  ${p.pool} (${p.capacity})`);
    for (const t of p.instanceTypes) lines.push(`    ${t.instanceType.padEnd(16)} ${String(t.gpus).padStart(2)} GPU  on-demand ${usd(t.onDemandHourlyUsd).padStart(9)}/h  spot~ ${usd(t.spotAssumedHourlyUsd).padStart(9)}/h`);
  }
  lines.push('', `Served models (cost per 1M output tokens at ${a.tokensPerSecondPerReplica} tokens/s per replica):`);
  for (const m of r.models) {
    lines.push(`  ${m.model} on ${m.pool}: ${m.gpusPerReplica} GPU/replica, ${m.minReplicas}-${m.maxReplicas} replicas`);
    lines.push(`    per replica ${usd(m.replicaHourlyLowUsd)}-${usd(m.replicaHourlyHighUsd)}/h; monthly ${usd(m.monthlyLowUsd)}-${usd(m.monthlyHighUsd)}; per 1M tokens ${usd(m.costPerMillionTokensLowUsd)}-${usd(m.costPerMillionTokensHighUsd)}`);
  }
  lines.push('', `Total monthly GPU range: ${usd(r.monthlyLowUsd)} - ${usd(r.monthlyHighUsd)}`);
  lines.push('Not included: system nodes, EBS, data transfer, EKS control plane, NAT, RDS, S3.');
  return lines.join('\n');
}
