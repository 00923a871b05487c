// Public API: re-exports only, between the start and the end of provider loading
// (lib/core/provider-sources.ts: the first import installs a require hook, the last line removes it).
import { endProviderLoading } from './core/provider-sources';
export * from './core';
export * from './k8s';
export * from './cluster';
export * from './gpu';
export * from './observability';
export * from './platform';
export * from './secrets';
export * from './registry';
export * from './jobs';
export * from './policy';
export * from './serving';
export * from './autoscaling';
export * from './ingress';
export * from './monitoring';
export * from './evaluation';
export * from './rollout';
export * from './cost';

endProviderLoading();
