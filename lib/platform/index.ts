export * from './ai-platform';
export * from './platform-backend';
export * from './providers';
export * from './cost-report';
export type { PlatformExistingResources } from './consistency';
