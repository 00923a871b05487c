export * from './ephemeral-random-password';
export * from './generated-credentials';
export * from './external-secrets-operator';
export * from './secrets-manager-store';
