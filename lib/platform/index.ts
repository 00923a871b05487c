export * from './ai-platform';
export * from './platform-backend';
export * from './providers';
export * from './cost-report';
