// Public API of the jobs area: the config contract, the bundle locations and the runtime image.
// The job runtime itself (lib/jobs/runtime, drift, eval) is bundled into assets/jobs and not exported.
export { DriftColumnKind, DriftDataFormat, DriftMethod, EvalScorer, JobExitCode } from './config';
export type { DriftColumnConfig, DriftInputConfig, DriftJobConfig, DriftThresholds, EvalChatMessage, EvalDatasetRow, EvalJobConfig, EvalJudgeConfig, EvalModelEndpoint, EvalRegressionConfig, EvalRegressionGate, EvalRowOptions, EvalThresholdGate, JobCommonConfig, JobLimits, JobMlflowConfig, JobPushgatewayConfig, JobS3Options } from './config';
export type { JobBundleName } from './bundle';
// The image facts (release schedule, fact table) stay internal.
export { JOB_NODE_IMAGE } from './images';
