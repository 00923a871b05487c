// Public API of the evaluation area: the scheduled evaluation and the endpoint contract it consumes.
export * from './types';
export { EvalCronJob } from './eval-cron-job';
export type { EvalAlertOptions, EvalCronJobOptions, EvalCronJobProps, EvalJudgeOptions, EvalRegressionOptions, EvalSecretRef } from './eval-cron-job';
