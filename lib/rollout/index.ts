export * from './types';
export * from './argo-rollouts';
export { ServingRollouts, ServingRolloutsProps, RolloutModelInput, EvaluationGateOptions } from './serving-rollouts';
