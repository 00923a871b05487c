export * from './definitions';
export * from './cost-rules';
export * from './cost-monitoring';
