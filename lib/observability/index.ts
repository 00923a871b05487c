export * from './types';
export { MonitoringObjectError, RelabelAction, ScrapeScheme } from './monitoring-objects';
export type { GrafanaDashboardProps, PodMonitorProps, PrometheusRuleEntry, PrometheusRuleGroup, PrometheusRuleProps, RelabelConfig, ScrapeEndpoint, ServiceMonitorProps } from './monitoring-objects';
export type { GpuAlertOptions } from './gpu-monitoring';
export { AlertReceiverKind, Observability } from './observability';
export type { AlertReceiver, ObservabilityOptions, ObservabilityProps, PushgatewayOptions } from './observability';
