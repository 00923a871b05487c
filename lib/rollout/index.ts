export * from './types';
export * from './argo-rollouts';
export { ServingRollouts, EvaluationGateOptions } from './serving-rollouts';
