// Public API of the monitoring area: drift monitors (job and serving-signal rules) and the shared
// scheduled-job renderer, cron and PromQL checks the evaluation area reuses.
export * from './cron';
export * from './promql';
export * from './locations';
export * from './job-metrics';
export * from './job-alerts';
export * from './scheduled-job';
export * from './serving-drift';
export * from './serving-drift-monitor';
export * from './drift-monitor';
