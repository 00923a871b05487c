export { AiCluster, EksSupportType } from './ai-cluster';
export type { AiClusterProps, SystemNodeGroupOptions } from './ai-cluster';
export * from './cluster-vpc';
export * from './cluster-reference';
export { ServiceAccountRole } from './iam';
export type { PolicyCondition, PolicyStatement, ServiceAccountPolicy, ServiceAccountRoleProps } from './iam';
// The public part of the version tables; the calendar, prices and fact tables stay internal.
export type { AddonVersions } from './versions';
export { DEFAULT_KUBERNETES_VERSION, EKS_VERSIONS } from './versions';
