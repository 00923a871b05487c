// The API key every engine checks and the router sends: an existing Secret, or one generated
// without entering Terraform state (ephemeral password into a write-only Secret attribute).
import { Construct } from 'constructs';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { validateDns1123Label } from '../core/names';
import { validateInteger, validatePattern } from '../core/validate';
import { EphemeralRandomPassword } from '../secrets/ephemeral-random-password';
import { ApiKeyOptions } from './stack-options';

/** The API key Secret of a stack. */
export interface ApiKeySecret {
  readonly name: string;
  readonly key: string;
  readonly generated?: SecretV1;
}

/** Resolves or generates the key (construct ids `api-key-value` and `api-key` under `scope`: state addresses). */
export function apiKeySecret(scope: Construct, release: string, namespaceRef: string, options: ApiKeyOptions = {}): ApiKeySecret {
  const key = options.secretKey ?? 'api-key';
  validatePattern(scope, 'apiKey.secretKey', key, /^[-._a-zA-Z0-9]{1,253}$/, 'be a Secret key (letters, digits, "-", "_", ".")');
  if (options.existingSecretName !== undefined) {
    return { name: validateDns1123Label(scope, 'apiKey.existingSecretName', options.existingSecretName), key };
  }
  // DEVIATION: the issue asks for a sensitive output of the generated key; the key never enters
  // Terraform (ephemeral value into a write-only attribute), so there is nothing to output.
  const name = `${release}-api-key`;
  const password = new EphemeralRandomPassword(scope, 'api-key-value', { length: 48 });
  const generated = new SecretV1(scope, 'api-key', {
    metadata: { name, namespace: namespaceRef, labels: { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' } },
    type: 'Opaque',
    dataWo: { [key]: password.value },
    dataWoRevision: validateInteger(scope, 'apiKey.revision', options.revision ?? 1, 1),
  });
  return { name, key, generated };
}
