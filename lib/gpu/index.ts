export * from './catalog';
export * from './types';
export * from './gpu-operator';
