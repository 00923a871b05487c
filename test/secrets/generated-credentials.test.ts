import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { GeneratedCredentials, GeneratedCredentialsProps, EphemeralRandomPassword } from '../../lib/secrets';
import { Duration } from '../../lib/core/units';
import { awsStack, synth, onlyResource } from '../harness/synth';

function build(props: Partial<GeneratedCredentialsProps> = {}) {
  const stack = awsStack();
  const key = new KmsKey(stack, 'key', { enableKeyRotation: true });
  const creds = new GeneratedCredentials(stack, 'creds', { namePrefix: 'demo/app/admin-', username: 'admin', kmsKeyArn: key.arn, ...props });
  return { stack, creds, s: synth(stack) };
}

describe('GeneratedCredentials', () => {
  const { s, creds } = build();

  test('the password comes from an ephemeral resource (never in state), alphanumeric, 32 characters', () => {
    const eph = (s as { ephemeral?: Record<string, Record<string, Record<string, unknown>>> }).ephemeral!;
    expect(Object.keys(eph)).toEqual(['aws_secretsmanager_random_password']);
    const [pw] = Object.values(eph.aws_secretsmanager_random_password);
    expect(pw).toMatchObject({ password_length: 32, exclude_punctuation: true, include_space: false });
    expect(creds.password.value).toBeDefined();
  });

  test('the value is written through the write-only secret_string_wo, never secret_string', () => {
    const version = onlyResource(s, 'aws_secretsmanager_secret_version');
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo).toMatch(/^\$\{jsonencode\(\{"username" = "admin", "password" = ephemeral\.aws_secretsmanager_random_password\.[\w-]+\.random_password\}\)\}$/);
    expect(version.secret_string_wo_version).toBe(1);
    expect(build({ passwordVersion: 2 }).s.resource!.aws_secretsmanager_secret_version).toMatchObject({ [Object.keys(s.resource!.aws_secretsmanager_secret_version)[0]]: { secret_string_wo_version: 2 } });
  });

  test('the secret is KMS-encrypted with a name prefix and a recovery window', () => {
    const secret = onlyResource(s, 'aws_secretsmanager_secret');
    expect(secret).toMatchObject({ name_prefix: 'demo/app/admin-', recovery_window_in_days: 30 });
    expect(secret.kms_key_id).toMatch(/^\$\{aws_kms_key\.key\.arn\}$/);
    expect(secret.lifecycle).toBeUndefined();
    expect(onlyResource(build({ preventDestroy: true }).s, 'aws_secretsmanager_secret').lifecycle).toEqual({ prevent_destroy: true });
  });

  test('the ephemeral block survives the real synth path (JSON); HCL output fails loudly instead of dropping it', () => {
    const b = build();
    const out = Testing.fullSynth(b.stack);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'test', 'cdk.tf.json'), 'utf8')) as { ephemeral?: object };
    expect(Object.keys(json.ephemeral ?? {})).toEqual(['aws_secretsmanager_random_password']);
    expect(() => b.creds.password.toHclTerraform()).toThrow(/ephemeral resources need JSON synthesis/);
  });

  test('bad input throws naming the prop and the value', () => {
    expect(() => build({ username: 'ad min' })).toThrow(/username \("ad min"\) is invalid/);
    expect(() => build({ username: '' })).toThrow(/username \(""\) is invalid/);
    expect(() => build({ namePrefix: 'bad prefix!' })).toThrow(/namePrefix \("bad prefix!"\) is invalid/);
    expect(() => build({ recoveryWindow: Duration.days(3) })).toThrow(/recoveryWindow \("3 days"\) is invalid: must be between 7 days and 30 days, a whole number of days/);
    expect(() => build({ passwordVersion: 0 })).toThrow(/passwordVersion \(0\) is invalid/);
    expect(() => build({ passwordLength: 8 })).toThrow(/creds: passwordLength \(8\) is invalid: must be an integer between 16 and 4096/);
    expect(() => new EphemeralRandomPassword(awsStack(), 'p', { length: 5000 })).toThrow(/length \(5000\) is invalid/);
  });
});
