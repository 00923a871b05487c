import * as http from 'http';
import * as https from 'https';
import { errorMessage } from './errors';

/** A request made with {@link httpRequest}. */
export interface HttpRequestOptions {
  /** HTTP method. @default 'GET' */
  readonly method?: string;
  /** Request headers. */
  readonly headers?: { readonly [name: string]: string };
  /** Request body. */
  readonly body?: string | Buffer;
  /** Whole-request timeout (connect to last byte), in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Largest response body accepted, in bytes: past it the request is aborted (not retried).
   * @default DEFAULT_MAX_RESPONSE_BYTES
   */
  readonly maxResponseBytes?: number;
  /**
   * What sets `maxResponseBytes`, named in the error (`JOB_CONFIG.limits.maxResponseBytes`).
   * @default 'JOB_CONFIG.limits.maxResponseBytes'
   */
  readonly limitName?: string;
}

/** Cap of a response body when the caller gives none (control-plane documents are small). */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Bytes as people read them: `64 MiB`, `1.5 KiB`, `12 bytes`. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

/** A complete response, buffered: bodies are capped by `maxResponseBytes`. */
export interface HttpResponse {
  /** Status code. */
  readonly status: number;
  /** Response headers, lower-cased. */
  readonly headers: http.IncomingHttpHeaders;
  /** Body bytes. */
  readonly body: Buffer;
}

/**
 * A failed exchange: no response (network, timeout) or, when thrown by {@link expectOk}, a non-2xx status.
 * `retryable` says whether the same request may succeed later (429, 5xx, network errors, timeouts).
 */
export class HttpError extends Error {
  /** Status code, or undefined when no response arrived. */
  public readonly status?: number;
  /** Whether retrying could help. */
  public readonly retryable: boolean;
  /** Seconds from a Retry-After header, when the server sent one. */
  public readonly retryAfterSeconds?: number;

  /**
   * @param message one line with the method, the URL (without credentials or query) and the cause
   * @param status response status, when there was a response
   * @param retryable whether the request may succeed if repeated
   * @param retryAfterSeconds server's Retry-After
   */
  public constructor(message: string, status: number | undefined, retryable: boolean, retryAfterSeconds?: number) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.retryable = retryable;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The URL as it may appear in logs: no user info (basic auth) and no query string (signed URLs carry secrets). */
export function displayUrl(url: string | URL): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return String(url).replace(/\/\/[^@/]*@/, '//').replace(/\?.*$/, '');
  }
}

/**
 * Sends one request and buffers the response, up to `maxResponseBytes` (a larger body, announced by
 * Content-Length or streamed, aborts the request with a non-retryable {@link HttpError}: an endless body
 * must not grow the heap until the pod dies). Rejects with a retryable HttpError when no response arrives.
 */
export function httpRequest(url: string | URL, opts: HttpRequestOptions): Promise<HttpResponse> {
  const u = typeof url === 'string' ? new URL(url) : url;
  const method = opts.method ?? 'GET';
  const what = `${method} ${displayUrl(u)}`;
  const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
  if (!lib) return Promise.reject(new HttpError(`${what}: unsupported protocol ${u.protocol}`, undefined, false));
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
  const headers: { [name: string]: string } = { ...opts.headers };
  if (body !== undefined) headers['content-length'] = String(body.length);
  if (u.username && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  }
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: HttpError | undefined, res?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res as HttpResponse);
    };
    // `agent: false`: one connection per request, so no keep-alive socket holds the process open at exit.
    const max = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const tooLarge = (status: number | undefined): void => {
      finish(new HttpError(`${what}: the response is larger than ${formatBytes(max)} (${opts.limitName ?? 'JOB_CONFIG.limits.maxResponseBytes'})`, status, false));
      req.destroy();
    };
    const req = lib.request(u, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      if (Number(res.headers['content-length']) > max) return tooLarge(res.statusCode);
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) tooLarge(res.statusCode);
        else chunks.push(c);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => finish(new HttpError(`${what}: ${errorMessage(e)}`, undefined, true)));
    });
    const timer = setTimeout(() => {
      finish(new HttpError(`${what}: no complete response within ${opts.timeoutMs} ms`, undefined, true));
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (e) => finish(new HttpError(`${what}: ${errorMessage(e)}`, undefined, true)));
    req.end(body);
  });
}

/** Whether a status code is worth retrying: throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/** Parses Retry-After in its delta-seconds form (the HTTP-date form is rare from APIs and ignored). */
function retryAfter(res: HttpResponse): number | undefined {
  const v = res.headers['retry-after'];
  const n = typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Returns the response when 2xx; otherwise throws an {@link HttpError} quoting the start of the body. */
export function expectOk(res: HttpResponse, what: string): HttpResponse {
  if (res.status >= 200 && res.status < 300) return res;
  const text = res.body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 300);
  throw new HttpError(`${what}: HTTP ${res.status}${text ? ` ${text}` : ''}`, res.status, isRetryableStatus(res.status), retryAfter(res));
}

/** Retry policy of {@link withRetries}. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** First delay in ms; doubled per retry. */
  readonly baseDelayMs: number;
  /** Cap of one delay in ms (also caps Retry-After). */
  readonly maxDelayMs: number;
}

/** The delay before retry number `retry` (0-based): exponential with "equal jitter", so clients spread out. */
export function backoffDelay(policy: RetryPolicy, retry: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  if (retryAfterSeconds !== undefined) return Math.min(policy.maxDelayMs, retryAfterSeconds * 1000);
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return exp / 2 + (random() * exp) / 2;
}

/** Runs `fn` until it succeeds, a non-retryable error occurs or the retries are used up. */
export async function withRetries<T>(policy: RetryPolicy, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const retryable = e instanceof HttpError && e.retryable;
      if (!retryable || attempt >= policy.maxRetries) throw e;
      await sleep(backoffDelay(policy, attempt, e.retryAfterSeconds));
    }
  }
}

/** Promise-based delay. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
