// Public API of live unit economics: the construct, the documented series names and the rollout hook.
export { CostMonitoring, CostMonitoringProps, CostReportSchedule, SpotPriceSchedule } from './cost-monitoring';
// PRICE_SOURCES, CAPACITY_TYPES and the rollout pod labels stay internal (lib/cost/definitions.ts).
export { COST_SERIES } from './definitions';
// costMetricLabelsAllowlist stays internal (lib/cost/cost-rules.ts).
export { CostAlertThresholds, canaryCostRatioQuery } from './cost-rules';
