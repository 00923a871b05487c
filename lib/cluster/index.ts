export * from './ai-cluster';
export * from './cluster-vpc';
export * from './cluster-reference';
export * from './iam';
export * from './versions';
