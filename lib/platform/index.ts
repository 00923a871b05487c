export * from './ai-platform';
export * from './platform-backend';
export * from './providers';
