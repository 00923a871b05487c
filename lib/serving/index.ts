export * from './models';
export * from './sizing';
export * from './images';
export * from './types';
export { ServingEngine, VLLM_DEFAULTS, SGLANG_DEFAULTS, LLAMA_CPP_DEFAULTS } from './engines';
export { SERVING_SIGNALS } from './serving-signals';
export * from './vllm-serving-stack';
