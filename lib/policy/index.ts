export * from './types';
export { GUARDRAIL_RULES } from './catalog';
export { PlatformGuardrails } from './platform-guardrails';
export type { PlatformGuardrailsProps } from './platform-guardrails';
export * from './report';
export type { ExpectedSuppression } from './docs';
