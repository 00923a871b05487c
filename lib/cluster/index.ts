export * from './ai-cluster';
export * from './cluster-vpc';
export * from './cluster-reference';
export * from './iam';
// The public part of the version tables; the calendar, prices and fact tables stay internal.
export type { AddonVersions } from './versions';
export { DEFAULT_KUBERNETES_VERSION, EKS_VERSIONS, LOG_RETENTION_DAYS } from './versions';
