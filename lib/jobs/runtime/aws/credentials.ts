import { promises as fs } from 'fs';
import { JobError } from '../errors';
import { displayUrl, httpRequest } from '../http';
import { AwsCredentials } from './sigv4';
import { xmlText } from './xml';

/** Returns credentials valid for the next request (refreshing temporary ones when needed). */
export type CredentialProvider = () => Promise<AwsCredentials>;

/** Refresh temporary credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Region from the environment (IRSA injects AWS_REGION and AWS_DEFAULT_REGION). */
export function envRegion(env: NodeJS.ProcessEnv): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/** The STS endpoint: AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL (the SDKs' names), else the regional one. */
export function stsEndpoint(env: NodeJS.ProcessEnv, region: string | undefined): string {
  const override = env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL;
  if (override) return override;
  if (!region) return 'https://sts.amazonaws.com';
  return `https://sts.${region}.amazonaws.${region.startsWith('cn-') ? 'com.cn' : 'com'}`;
}

/**
 * The credential chain of the SDKs, reduced to what a pod uses: static keys from the environment
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN]) first, then IRSA's web identity
 * (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE) exchanged at STS. Resolved lazily: a job that never
 * touches S3 needs no credentials.
 */
export function defaultCredentialProvider(env: NodeJS.ProcessEnv, timeoutMs: number, sessionName: string): CredentialProvider {
  let cached: AwsCredentials | undefined;
  return async () => {
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
    }
    if (env.AWS_ROLE_ARN && env.AWS_WEB_IDENTITY_TOKEN_FILE) {
      if (!cached || (cached.expiration && cached.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS)) {
        cached = await assumeRoleWithWebIdentity(env, timeoutMs, sessionName);
      }
      return cached;
    }
    throw new JobError('no AWS credentials: set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (IRSA: annotate the service account with eks.amazonaws.com/role-arn) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  };
}

/** STS AssumeRoleWithWebIdentity: an unsigned call, the projected service-account token is the proof. */
async function assumeRoleWithWebIdentity(env: NodeJS.ProcessEnv, timeoutMs: number, sessionName: string): Promise<AwsCredentials> {
  const tokenFile = env.AWS_WEB_IDENTITY_TOKEN_FILE as string;
  let token: string;
  try {
    token = (await fs.readFile(tokenFile, 'utf8')).trim();
  } catch (e) {
    throw new JobError(`cannot read the web identity token ${tokenFile} (AWS_WEB_IDENTITY_TOKEN_FILE): ${(e as Error).message}`);
  }
  const endpoint = stsEndpoint(env, envRegion(env));
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: env.AWS_ROLE_ARN as string,
    RoleSessionName: (env.AWS_ROLE_SESSION_NAME || sessionName).slice(0, 64),
    WebIdentityToken: token,
  });
  const what = `STS AssumeRoleWithWebIdentity for ${env.AWS_ROLE_ARN} at ${displayUrl(endpoint)}`;
  const res = await httpRequest(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/xml' },
    body: form.toString(),
    timeoutMs,
  }).catch((e: Error) => {
    throw new JobError(`${what} failed: ${e.message}`);
  });
  const xml = res.body.toString('utf8');
  if (res.status !== 200) {
    throw new JobError(`${what} failed: HTTP ${res.status} ${xmlText(xml, 'Code') ?? ''} ${xmlText(xml, 'Message') ?? ''}`.trim());
  }
  const accessKeyId = xmlText(xml, 'AccessKeyId');
  const secretAccessKey = xmlText(xml, 'SecretAccessKey');
  const sessionToken = xmlText(xml, 'SessionToken');
  const expiration = xmlText(xml, 'Expiration');
  if (!accessKeyId || !secretAccessKey || !sessionToken) throw new JobError(`${what}: the response has no Credentials`);
  return { accessKeyId, secretAccessKey, sessionToken, expiration: expiration ? new Date(expiration) : undefined };
}
