export * from './postgres-versions';
export * from './artifact-bucket';
export * from './registry-database';
export * from './mlflow-registry';
