export * from './keda';
export * from './scaled-object';
