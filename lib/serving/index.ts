export * from './models';
export * from './sizing';
export * from './images';
export * from './types';
export * from './vllm-serving-stack';
