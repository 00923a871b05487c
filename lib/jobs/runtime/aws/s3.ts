import { JobError } from '../errors';
import { HttpError, HttpResponse, RetryPolicy, httpRequest, withRetries } from '../http';
import { CredentialProvider } from './credentials';
import { sha256Hex, signRequest, uriEncode } from './sigv4';
import { xmlElements, xmlText } from './xml';

/** An object found by a listing. */
export interface S3ObjectSummary {
  /** Object key. */
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
}

/** Options of {@link S3Client}. */
export interface S3ClientOptions {
  /** Region used in the signature scope and the default endpoint. */
  readonly region: string;
  /** S3-compatible endpoint; path-style addressing is used with it. */
  readonly endpoint?: string;
  /** Credentials for each request. */
  readonly credentials: CredentialProvider;
  /** Timeout of each request in ms. */
  readonly timeoutMs: number;
  /** Retries of throttled/5xx/network failures. */
  readonly retry?: RetryPolicy;
  /** Cap of a response body other than GetObject's (listings, errors). @default DEFAULT_MAX_RESPONSE_BYTES */
  readonly maxResponseBytes?: number;
}

const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 2000 };

/** The three S3 calls the jobs need (GetObject, PutObject, ListObjectsV2), signed with SigV4. */
export class S3Client {
  private readonly opts: S3ClientOptions;

  /** @param opts region, endpoint, credentials and timeouts */
  public constructor(opts: S3ClientOptions) {
    this.opts = opts;
  }

  /**
   * Reads an object of at most `maxBytes`; undefined when it does not exist (404), so callers can treat
   * "no baseline yet" calmly.
   */
  public async getObjectIfExists(bucket: string, key: string, maxBytes?: number, limitName?: string): Promise<Buffer | undefined> {
    const res = await this.send('GET', bucket, key, '', undefined, {}, `GetObject s3://${bucket}/${key}`, [404], maxBytes, limitName);
    return res.status === 404 ? undefined : res.body;
  }

  /** Reads an object of at most `maxBytes`; fails when it does not exist. */
  public async getObject(bucket: string, key: string, maxBytes?: number, limitName?: string): Promise<Buffer> {
    const body = await this.getObjectIfExists(bucket, key, maxBytes, limitName);
    if (body === undefined) throw new JobError(`S3 GetObject s3://${bucket}/${key}: the object does not exist`);
    return body;
  }

  /** Writes an object. */
  public async putObject(bucket: string, key: string, body: Buffer, contentType: string): Promise<void> {
    await this.send('PUT', bucket, key, '', body, { 'content-type': contentType }, `PutObject s3://${bucket}/${key}`);
  }

  /** Lists every object under a prefix, following continuation tokens. */
  public async listObjects(bucket: string, prefix: string): Promise<S3ObjectSummary[]> {
    const out: S3ObjectSummary[] = [];
    let token: string | undefined;
    do {
      let query = `list-type=2&prefix=${uriEncode(prefix)}`;
      if (token) query += `&continuation-token=${uriEncode(token)}`;
      const res = await this.send('GET', bucket, '', query, undefined, {}, `ListObjectsV2 s3://${bucket}/${prefix}`);
      const xml = res.body.toString('utf8');
      for (const c of xmlElements(xml, 'Contents')) {
        const key = xmlText(c, 'Key');
        if (key !== undefined) out.push({ key, size: Number(xmlText(c, 'Size') ?? 0) });
      }
      token = xmlText(xml, 'IsTruncated') === 'true' ? xmlText(xml, 'NextContinuationToken') : undefined;
    } while (token);
    return out;
  }

  /** URL of a bucket/key: path-style with a custom endpoint or a dotted bucket (TLS), virtual-hosted otherwise. */
  public objectUrl(bucket: string, key: string): URL {
    const path = key === '' ? '' : `/${uriEncode(key, true)}`;
    if (this.opts.endpoint) return new URL(`${this.opts.endpoint.replace(/\/+$/, '')}/${bucket}${path}`);
    const suffix = `s3.${this.opts.region}.amazonaws.${this.opts.region.startsWith('cn-') ? 'com.cn' : 'com'}`;
    return bucket.includes('.') ? new URL(`https://${suffix}/${bucket}${path}`) : new URL(`https://${bucket}.${suffix}${path || '/'}`);
  }

  private async send(method: string, bucket: string, key: string, query: string, body: Buffer | undefined, headers: { [n: string]: string }, what: string, okStatuses: number[] = [], maxBytes?: number, limitName?: string): Promise<HttpResponse> {
    const url = this.objectUrl(bucket, key);
    if (query) url.search = `?${query}`;
    return withRetries(this.opts.retry ?? DEFAULT_RETRY, async () => {
      const creds = await this.opts.credentials();
      const signed = signRequest({ method, url, headers, payloadHash: sha256Hex(body ?? ''), region: this.opts.region, service: 's3', now: new Date() }, creds);
      const res = await httpRequest(url, { method, headers: signed.headers, body, timeoutMs: this.opts.timeoutMs, maxResponseBytes: maxBytes ?? this.opts.maxResponseBytes, limitName });
      if ((res.status >= 200 && res.status < 300) || okStatuses.includes(res.status)) return res;
      const xml = res.body.toString('utf8');
      const code = xmlText(xml, 'Code');
      const message = xmlText(xml, 'Message');
      const retryable = res.status === 429 || res.status >= 500;
      const hint = res.status === 403 ? ' (check the IAM role of the service account and the bucket policy)' : '';
      throw new HttpError(`S3 ${what}: HTTP ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}${hint}`, res.status, retryable);
    });
  }
}
