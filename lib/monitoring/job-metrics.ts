import { DRIFT_DEFAULTS, EVAL_DEFAULTS } from '../jobs/config';

/**
 * Metric names the drift and eval jobs push to the Pushgateway (documented in lib/jobs/README.md,
 * defined by the job runtime). The alert rules read these; a test fails when one drifts from the
 * README's tables or from the bundled jobs.
 */
export const JOB_METRICS = {
  /** Unix time the job last ended, successfully or not. */
  lastRunTimestamp: 'aiplatform_job_last_run_timestamp_seconds',
  /** Unix time the job last completed and recorded its results (exit 0 or 2). */
  lastSuccessTimestamp: 'aiplatform_job_last_success_timestamp_seconds',
  /** 1 when the last run failed (exit 1). */
  failed: 'aiplatform_job_failed',
  /** Wall time of the last run. */
  durationSeconds: 'aiplatform_job_duration_seconds',
  /** Per feature: 1 when it drifted. */
  driftDetected: 'aiplatform_drift_detected',
  /** 1 when the share of drifted features reached the dataset threshold. */
  datasetDrift: 'aiplatform_dataset_drift',
  /** Drifted / evaluated features. */
  driftShare: 'aiplatform_drift_share',
  /** Per feature: PSI. */
  driftPsi: 'aiplatform_drift_psi',
  /** Rows read per window. */
  driftRows: 'aiplatform_drift_rows',
  /** 1 when every eval gate passed, 0 when one failed. */
  evalGatePassed: 'aiplatform_eval_gate_passed',
  /** Per gate: 1 when it passed. */
  evalGateCheckPassed: 'aiplatform_eval_gate_check_passed',
  /** Rows whose scorers all passed / rows. */
  evalPassRate: 'aiplatform_eval_pass_rate',
  /** Share of rows whose model request failed. */
  evalErrorRate: 'aiplatform_eval_error_rate',
  /** p95 latency of successful requests, seconds. */
  evalLatencyP95: 'aiplatform_eval_latency_p95_seconds',
} as const;

/**
 * kube-state-metrics series the job-health alerts read (kube-prometheus-stack installs
 * kube-state-metrics; its ServiceMonitor keeps the objects' `namespace` label).
 */
export const KUBE_STATE_METRICS = {
  /** Failed pods of a Job, per `reason` of its Failed condition (BackoffLimitExceeded, DeadlineExceeded, Evicted; `""` otherwise). */
  jobStatusFailed: 'kube_job_status_failed',
  /** Start time of a Job. */
  jobStartTime: 'kube_job_status_start_time',
  /** Last time a Job of the CronJob succeeded. */
  cronJobLastSuccessfulTime: 'kube_cronjob_status_last_successful_time',
  /** Creation time of the CronJob. */
  cronJobCreated: 'kube_cronjob_created',
  /** 1 when the CronJob is suspended. */
  cronJobSuspend: 'kube_cronjob_spec_suspend',
} as const;


/** Value of the Pushgateway `job` label of the drift job. */
export const DRIFT_PUSHGATEWAY_JOB: string = DRIFT_DEFAULTS.pushgatewayJob;
/** Value of the Pushgateway `job` label of the eval job. */
export const EVAL_PUSHGATEWAY_JOB: string = EVAL_DEFAULTS.pushgatewayJob;
