// The definitions the pre-deployment estimate (`npm run cost`, lib/platform/cost-report.ts), the
// recording rules (cost-rules.ts) and the scheduled cost report (lib/jobs/cost) share, so an estimate
// and a measurement mean the same thing. Plain data and arithmetic only: the job bundle imports this
// file, so it must not import cdktf, constructs or the catalog.

/**
 * Cost of one million tokens at a throughput: hourly price ÷ 3600 ÷ tokens per second × 1e6
 * (infinite at zero throughput). The estimate uses the assumed tokens/s of a replica and its price;
 * the live rules and the report use the measured tokens and the measured GPU spend of the model.
 */
export function costPerMillionTokens(hourlyUsd: number, tokensPerSecond: number): number {
  if (tokensPerSecond <= 0) return Number.POSITIVE_INFINITY;
  return (hourlyUsd / 3600 / tokensPerSecond) * 1e6;
}

/** Cost per 1M tokens from totals over a period: dollars ÷ tokens × 1e6 (undefined without tokens). */
export function costPerMillionTokensOfTotals(dollars: number, tokens: number): number | undefined {
  return tokens > 0 ? (dollars / tokens) * 1e6 : undefined;
}

/**
 * Price of one GPU of an instance: instance price ÷ its GPUs. A replica costs its GPUs (tensor
 * parallel size) × this, whatever else shares the node: the estimate prices replicas so, and the live
 * rules charge each pod its GPU requests × the GPU price of the node it runs on.
 */
export function perGpuHourlyUsd(instanceHourlyUsd: number, gpus: number): number {
  return instanceHourlyUsd / gpus;
}

/** Capacity types of a GPU node as the cost series label them (`capacity_type`). */
export const CAPACITY_TYPES = {
  /** Spot (Karpenter `karpenter.sh/capacity-type=spot`, managed node groups `eks.amazonaws.com/capacityType=SPOT`). */
  spot: 'spot',
  /** On-demand (`on-demand` / `ON_DEMAND`). */
  onDemand: 'on_demand',
  /** A Karpenter capacity reservation (`reserved`): billed at the on-demand rate. */
  reserved: 'reserved',
  /** Neither label (self-managed nodes) or another value (a managed node group's `CAPACITY_BLOCK`): priced on demand. */
  unknown: 'unknown',
} as const;

/** Where the price of a node came from (`price_source` label of the node price series and the report). */
export const PRICE_SOURCES = {
  /** The catalog's on-demand list price (lib/gpu/catalog.ts, with its source and date). */
  catalogOnDemand: 'catalog_on_demand',
  /** The real spot price of the type in the node's zone, pushed by the spot price job (EC2 DescribeSpotPriceHistory). */
  spotPriceHistory: 'spot_price_history',
  /** No spot price was read: the catalog's on-demand price × the stated spot factor. */
  catalogSpotAssumption: 'catalog_spot_assumption',
} as const;

/**
 * The recorded cost series: stable names (docs/cost.md, "Recording rules"), never renamed. Every
 * model-level series carries `namespace`, `model` and, when the pods have them, `revision` (the
 * `rollouts-pod-template-hash` pod label of an Argo Rollout) and `role` (the `aiplatform.io/rollout-role`
 * pod label: `canary` or `stable`).
 */
export const COST_SERIES = {
  /** Catalog on-demand price of an instance type, USD/h (`instance_type`, `price_source`). */
  onDemandPrice: 'aiplatform:gpu_instance_on_demand_price_usd_per_hour',
  /** Catalog on-demand price × the spot factor, USD/h (`instance_type`, `price_source`). */
  spotAssumedPrice: 'aiplatform:gpu_instance_spot_assumed_price_usd_per_hour',
  /** The spot price pushed by the spot price job, USD/h (`instance_type`, `zone`); a Pushgateway series, not a rule. */
  spotPricePushed: 'aiplatform_spot_price_usd_per_hour',
  /** 1 per GPU node (`node`, `instance_type`, `capacity_type`, `zone`). */
  nodeInfo: 'aiplatform:gpu_node_info',
  /** GPUs of each GPU node (capacity). */
  nodeGpus: 'aiplatform:gpu_node_gpus',
  /** Price of each GPU node, USD/h, with `price_source`. */
  nodePrice: 'aiplatform:gpu_node_price_usd_per_hour',
  /** Price of one GPU of each node, USD/h, with `price_source`. */
  nodeGpuPrice: 'aiplatform:gpu_node_gpu_price_usd_per_hour',
  /** GPUs requested by each running pod (`namespace`, `pod`, `node`). */
  podGpus: 'aiplatform:pod_gpus',
  /** 1 per serving pod (`namespace`, `pod`, `model`, `engine`, `revision`, `role`). */
  servingPodInfo: 'aiplatform:serving_pod_info',
  /** GPUs of each serving pod, with its model and node labels. */
  servingPodGpus: 'aiplatform:serving_pod_gpus',
  /** GPU cost of each serving pod, USD/h. */
  servingPodCost: 'aiplatform:serving_pod_cost_usd_per_hour',
  /** GPU utilization of each serving pod, 0–1 (DCGM_FI_DEV_GPU_UTIL averaged over its GPUs). */
  servingPodUtilization: 'aiplatform:serving_pod_gpu_utilization_ratio',
  /** GPUs of a model per capacity type. */
  modelGpus: 'aiplatform:model_gpus',
  /** GPU cost of a model, USD/h. */
  modelCost: 'aiplatform:model_cost_usd_per_hour',
  /** Output (generated) tokens per second of a model. */
  modelOutputTokens: 'aiplatform:model_output_tokens_per_second',
  /** Prompt tokens per second of a model. */
  modelPromptTokens: 'aiplatform:model_prompt_tokens_per_second',
  /** Finished requests per second of a model (every outcome). */
  modelRequests: 'aiplatform:model_requests_per_second',
  /** Cost per 1M output tokens, USD (the estimate's unit). */
  modelCostPerMillionOutputTokens: 'aiplatform:model_cost_per_million_output_tokens_usd',
  /** Cost per 1M tokens, prompt and output together, USD. */
  modelCostPerMillionTokens: 'aiplatform:model_cost_per_million_tokens_usd',
  /** Cost per request, USD. */
  modelCostPerRequest: 'aiplatform:model_cost_per_request_usd',
  /** GPU utilization of a model, 0–1 (mean over its GPUs). */
  modelUtilization: 'aiplatform:model_gpu_utilization_ratio',
  /** Share of a model's GPUs on spot nodes, 0–1. */
  modelSpotShare: 'aiplatform:model_spot_gpu_share',
  /** GPUs of each node no running pod requests. */
  nodeIdleGpus: 'aiplatform:gpu_node_idle_gpus',
  /** Cost of each node's idle GPUs, USD/h. */
  nodeIdleCost: 'aiplatform:gpu_node_idle_cost_usd_per_hour',
  /** Idle GPUs of the cluster. */
  idleGpus: 'aiplatform:gpu_idle_gpus',
  /** Cost of the cluster's idle GPUs, USD/h. */
  idleCost: 'aiplatform:gpu_idle_cost_usd_per_hour',
  /** Cost of all GPU nodes per `capacity_type`, USD/h. */
  gpuCost: 'aiplatform:gpu_cost_usd_per_hour',
  /** Share of the cluster's GPUs on spot nodes, 0–1. */
  spotShare: 'aiplatform:gpu_spot_share',
} as const;

/** The pod label Argo Rollouts puts on every pod of a revision (the `revision` label of the cost series). */
export const ROLLOUT_REVISION_POD_LABEL = 'rollouts-pod-template-hash';
/** The pod label a rollout sets (canaryMetadata/stableMetadata) to `canary` or `stable` (the `role` label). */
export const ROLLOUT_ROLE_POD_LABEL = 'aiplatform.io/rollout-role';

/**
 * kube-state-metrics' Prometheus label name of a Kubernetes label: `label_` + the key with every
 * character outside `[a-zA-Z0-9_]` replaced by `_`, then camelCase turned to snake_case and lowered
 * (kube-state-metrics, `labelName` → `toSnakeCase`): `eks.amazonaws.com/capacityType` →
 * `label_eks_amazonaws_com_capacity_type`.
 */
export function kubeStateMetricsLabel(key: string): string {
  const sanitized = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return `label_${sanitized.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}`;
}

/** Spot price as a share of on-demand when no spot price is known: the estimate's and the live rules' default. */
export const DEFAULT_SPOT_PRICE_FACTOR = 0.4;
