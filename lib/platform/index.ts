export * from './ai-platform';
export * from './platform-backend';
export type { ClusterConnection } from './providers';
export * from './cost-report';
export type { PlatformExistingResources } from './consistency';
