export * from './ephemeral-random-password';
export * from './generated-credentials';
export * from './external-secrets-operator';
export { SecretsManagerStore } from './secrets-manager-store';
export type { ExternalSecretOptions, SecretProperty, SecretsManagerStoreProps } from './secrets-manager-store';
