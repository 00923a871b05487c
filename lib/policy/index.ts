export * from './types';
export * from './catalog';
export * from './platform-guardrails';
export * from './report';
export * from './docs';
