// Public API of the evaluation area: the scheduled evaluation and the endpoint contract it consumes.
export * from './types';
export * from './eval-cron-job';
