export * from './catalog';
export * from './types';
export * from './gpu-operator';
export * from './karpenter';
export * from './cluster-autoscaler';
export * from './gpu-node-pool';
