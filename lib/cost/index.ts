// Public API of live unit economics: the construct, the documented series names and the rollout hook.
export { CostMonitoring, CostMonitoringProps, CostReportSchedule, SpotPriceSchedule } from './cost-monitoring';
export { COST_SERIES, PRICE_SOURCES, CAPACITY_TYPES, ROLLOUT_REVISION_POD_LABEL, ROLLOUT_ROLE_POD_LABEL } from './definitions';
export { CostAlertThresholds, canaryCostRatioQuery, costMetricLabelsAllowlist } from './cost-rules';
