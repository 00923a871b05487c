// Public API of the monitoring area: drift monitors (job and serving-signal rules) and the shared
// scheduled-job renderer, cron and PromQL checks the evaluation area reuses.
export { CronScheduleError } from './cron';
export type { CronIntervals, CronSchedule } from './cron';
export { PromQlError } from './promql';
export type { PromQlInfo } from './promql';
export type { HttpLocation, JobLocation, S3Location } from './locations';
// ./job-metrics: internal only (JOB_METRICS, KUBE_STATE_METRICS, DRIFT_PUSHGATEWAY_JOB, EVAL_PUSHGATEWAY_JOB).
export { AlertSeverity } from './job-alerts';
export type { JobAlertOptions, JobRuleTarget } from './job-alerts';
export { ScheduledJob, ScheduledJobKind } from './scheduled-job';
export type { ScheduledJobOptions, ScheduledJobProps, SecretEnvVar } from './scheduled-job';
export type { ServingDriftOptions } from './serving-drift';
export * from './serving-drift-monitor';
export * from './drift-monitor';
