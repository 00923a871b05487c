export type { PostgresEngineVersion, ResolvedPostgresEngine } from './postgres-versions';
export { ArtifactBucket } from './artifact-bucket';
export type { ArtifactBucketOptions, ArtifactBucketProps } from './artifact-bucket';
export { RegistryDatabase } from './registry-database';
export type { CheckedRegistryDatabaseOptions, RegistryDatabaseOptions, RegistryDatabaseProps } from './registry-database';
export { MlflowPermission, MlflowRegistry } from './mlflow-registry';
export type { MlflowAccess, MlflowGrantee, MlflowIngressOptions, MlflowRegistryOptions, MlflowRegistryProps, MlflowServerOptions } from './mlflow-registry';
