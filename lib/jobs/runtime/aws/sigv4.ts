import { createHash, createHmac } from 'crypto';

/** AWS credentials; `sessionToken` is set for temporary (STS) credentials. */
export interface AwsCredentials {
  /** Access key id. */
  readonly accessKeyId: string;
  /** Secret access key. */
  readonly secretAccessKey: string;
  /** Session token of temporary credentials. */
  readonly sessionToken?: string;
  /** When temporary credentials expire. */
  readonly expiration?: Date;
}

/** What {@link signRequest} needs to sign a request. */
export interface SignableRequest {
  /** HTTP method. */
  readonly method: string;
  /**
   * Request URL; its path and query are canonicalized here (S3 rules: the path is encoded once).
   */
  readonly url: URL;
  /** Headers to sign besides host, x-amz-date, x-amz-content-sha256 and x-amz-security-token. */
  readonly headers?: { readonly [name: string]: string };
  /** Hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`). */
  readonly payloadHash: string;
  /** Region of the signing scope. */
  readonly region: string;
  /** Service of the signing scope, e.g. `s3`. */
  readonly service: string;
  /** Signing time (must be within 15 minutes of AWS's clock). */
  readonly now: Date;
}

/** Intermediate values, exposed so tests can compare each step with AWS's published examples. */
export interface SignedRequest {
  /** Headers to send: the input headers plus host, x-amz-*, authorization. */
  readonly headers: { [name: string]: string };
  /** The canonical request that was hashed. */
  readonly canonicalRequest: string;
  /** The string that was signed. */
  readonly stringToSign: string;
  /** Hex signature. */
  readonly signature: string;
}

/** Hex SHA-256. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * URI-encodes per SigV4: every byte except the unreserved set `A-Za-z0-9-._~` as `%XY` (upper-case hex).
 * encodeURIComponent leaves `!'()*` unescaped, which AWS rejects with SignatureDoesNotMatch.
 */
export function uriEncode(s: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** `20130524T000000Z` */
export function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The signing key: HMAC chain over date, region, service and `aws4_request`. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** Canonical query string: names and values encoded, sorted by name then value; a bare `?acl` becomes `acl=`. */
export function canonicalQuery(url: URL): string {
  const pairs: [string, string][] = [];
  // URLSearchParams would turn '+' into a space; split the raw query so the bytes sent are the bytes signed.
  const raw = url.search.startsWith('?') ? url.search.slice(1) : url.search;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([uriEncode(decodeURIComponent(name)), uriEncode(decodeURIComponent(value))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/**
 * Canonical URI of S3: each path segment decoded then encoded once, so `/test$file.text` and
 * `/test%24file.text` sign the same (S3 does not double-encode, unlike the other services).
 */
export function canonicalPath(pathname: string): string {
  if (pathname === '') return '/';
  return pathname.split('/').map((seg) => {
    let decoded = seg;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      // A lone '%' is data, not an escape.
    }
    return uriEncode(decoded);
  }).join('/');
}

/** Signs a request with AWS Signature Version 4 (Authorization header, single-chunk payload). */
export function signRequest(req: SignableRequest, creds: AwsCredentials): SignedRequest {
  const date = amzDate(req.now);
  const day = date.slice(0, 8);
  const headers: { [name: string]: string } = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  headers.host = req.url.host;
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] = req.payloadHash;
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [req.method, canonicalPath(req.url.pathname), canonicalQuery(req.url), canonicalHeaders, signedHeaders, req.payloadHash].join('\n');
  const scope = `${day}/${req.region}/${req.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, day, req.region, req.service)).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature };
}
