export * from './types';
export * from './monitoring-objects';
export * from './gpu-monitoring';
export * from './observability';
