export type { ModelArchitecture } from './models';
export { KvCacheDtype, ModelPrecision, WeightSource, estimateModelMemory } from './sizing';
export type { ModelMemoryEstimate, ModelMemoryInput } from './sizing';
export { SERVING_IMAGES } from './images';
export type { ImageSpec } from './images';
export * from './types';
export { ServingEngine } from './engines';
export { SERVING_SIGNALS } from './serving-signals';
export * from './vllm-serving-stack';
