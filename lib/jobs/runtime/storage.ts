import { promises as fs } from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { gunzipSync } from 'zlib';
import { JobS3Options } from '../config';
import { defaultCredentialProvider, envRegion } from './aws/credentials';
import { S3Client } from './aws/s3';
import { JobError, errorMessage } from './errors';
import { DEFAULT_MAX_RESPONSE_BYTES, displayUrl, expectOk, formatBytes, httpRequest } from './http';

/** One object read from storage. */
export interface StoredObject {
  /** Where it came from (`s3://b/k`, a file path or a URL), for messages and format detection. */
  readonly name: string;
  /** Contents, gunzipped when they were gzip-compressed. */
  readonly body: Buffer;
}

/** A parsed storage location. */
export type Location =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'http'; readonly url: string };

/** Parses `s3://bucket/key`, `file:///abs/path` (or a bare path) and `http(s)://` URLs. */
export function parseLocation(url: string): Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (m) return { kind: 's3', bucket: m[1], key: m[2] };
  if (url.startsWith('file://')) {
    try {
      return { kind: 'file', path: fileURLToPath(url) };
    } catch (e) {
      throw new JobError(`${url} is not a valid file URL (use file:///absolute/path): ${errorMessage(e)}`);
    }
  }
  if (/^https?:\/\//.test(url)) return { kind: 'http', url };
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return { kind: 'file', path: path.resolve(url) };
  throw new JobError(`unsupported location ${displayUrl(url)}: use s3://bucket/key, file:///path or an http(s):// URL`);
}

/** How many bytes one read may still return, and what to name in the error past it. */
export interface ReadBudget {
  /** Bytes left (decompressed). */
  remaining: number;
  /** The whole budget, for the message. */
  readonly max: number;
  /** What sets it, for the message (`JOB_CONFIG.limits.maxInputBytes`). */
  readonly limitName: string;
}

/** A budget for one input location. */
export function readBudget(max: number, limitName = 'JOB_CONFIG.limits.maxInputBytes'): ReadBudget {
  return { remaining: max, max, limitName };
}

function overBudget(name: string, budget: ReadBudget, how: string): JobError {
  return new JobError(`${name}: the input is larger than ${formatBytes(budget.max)}${how} (${budget.limitName}; raise the construct's maxInputSize with the memory limit, or read a smaller window)`);
}

/** Charges `n` bytes to the budget; throws when it is exceeded. */
function charge(name: string, budget: ReadBudget, n: number, how = ''): void {
  if (n > budget.remaining) throw overBudget(name, budget, how);
  budget.remaining -= n;
}

/**
 * Gunzips when the body starts with gzip's magic bytes. The output is capped at the budget left
 * (zlib's `maxOutputLength`): a small gzip bomb stops at the cap instead of inflating to gigabytes.
 */
function gunzipIfNeeded(name: string, body: Buffer, budget: ReadBudget): Buffer {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) {
    charge(name, budget, body.length);
    return body;
  }
  let out: Buffer;
  try {
    out = gunzipSync(body, { maxOutputLength: Math.max(1, budget.remaining) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw overBudget(name, budget, ' after decompression');
    throw new JobError(`${name}: looks gzip-compressed but cannot be decompressed: ${errorMessage(e)}`);
  }
  charge(name, budget, out.length, ' after decompression');
  return out;
}

/**
 * Hidden by the Hadoop convention: `_SUCCESS`, `_metadata`, `.part-0.crc`. Spark and Hive write these
 * next to the data; reading them as data would fail the job.
 */
export function isHiddenName(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.startsWith('_') || base.startsWith('.');
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (isHiddenName(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Reads and writes the three kinds of locations; the S3 client (and its credentials) is created on first use. */
export class Storage {
  private client?: S3Client;

  /**
   * @param env process environment (credentials, region, endpoint)
   * @param timeoutMs timeout of each request
   * @param s3Options region/endpoint from the job config
   * @param sessionName STS session name when IRSA is used
   */
  public constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs: number,
    private readonly s3Options: JobS3Options | undefined,
    private readonly sessionName: string,
    private readonly maxResponseBytes: number = DEFAULT_MAX_RESPONSE_BYTES,
  ) {}

  private s3(): S3Client {
    if (!this.client) {
      const region = this.s3Options?.region || envRegion(this.env);
      const endpoint = this.s3Options?.endpoint || this.env.AWS_ENDPOINT_URL_S3 || this.env.AWS_ENDPOINT_URL || undefined;
      if (!region && !endpoint) throw new JobError('S3 needs a region: set AWS_REGION (IRSA sets it) or s3.region in the job config');
      this.client = new S3Client({
        region: region || 'us-east-1',
        endpoint,
        credentials: defaultCredentialProvider(this.env, this.timeoutMs, this.sessionName),
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxResponseBytes,
      });
    }
    return this.client;
  }

  /**
   * Every object at a location: the object itself, or everything under a prefix/directory (sorted by
   * name, hidden `_`/`.` names skipped). An empty list when nothing is there: the caller decides
   * whether that is an error. Everything read is charged to `budget` (after gunzip): past it the read
   * stops with a JobError, before the bytes are in memory when the size is known up front (S3 listing
   * sizes, file sizes, Content-Length).
   */
  public async readAll(url: string, budget: ReadBudget): Promise<StoredObject[]> {
    const loc = parseLocation(url);
    if (loc.kind === 's3') {
      const s3 = this.s3();
      const listed = await s3.listObjects(loc.bucket, loc.key);
      const exact = listed.find((o) => o.key === loc.key);
      const objects = (exact ? [exact] : listed.filter((o) => !o.key.endsWith('/') && !isHiddenName(o.key))).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const stored = objects.reduce((n, o) => n + o.size, 0);
      if (stored > budget.remaining) throw overBudget(`s3://${loc.bucket}/${loc.key}`, budget, ` (${objects.length} object(s), ${formatBytes(stored)} stored)`);
      const out: StoredObject[] = [];
      for (const o of objects) {
        const name = `s3://${loc.bucket}/${o.key}`;
        out.push({ name, body: gunzipIfNeeded(name, await s3.getObject(loc.bucket, o.key, budget.remaining, budget.limitName), budget) });
      }
      return out;
    }
    if (loc.kind === 'file') {
      let files: string[];
      try {
        const st = await fs.stat(loc.path);
        files = st.isDirectory() ? (await listFiles(loc.path)).sort() : [loc.path];
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new JobError(`cannot read ${loc.path}: ${errorMessage(e)}`);
      }
      const out: StoredObject[] = [];
      for (const f of files) {
        const size = (await fs.stat(f)).size;
        if (size > budget.remaining) throw overBudget(f, budget, ` (${formatBytes(size)} on disk)`);
        out.push({ name: f, body: gunzipIfNeeded(f, await fs.readFile(f), budget) });
      }
      return out;
    }
    const body = await this.readOne(url, budget);
    return body === undefined ? [] : [{ name: displayUrl(url), body }];
  }

  /**
   * One object, or undefined when it does not exist (404, ENOENT); charged to `budget` (after gunzip).
   * @default budget - maxResponseBytes (small documents such as the eval baseline)
   */
  public async readOne(url: string, budget: ReadBudget = readBudget(this.maxResponseBytes, 'JOB_CONFIG.limits.maxResponseBytes')): Promise<Buffer | undefined> {
    const loc = parseLocation(url);
    if (loc.kind === 's3') {
      const body = await this.s3().getObjectIfExists(loc.bucket, loc.key, budget.remaining, budget.limitName);
      return body === undefined ? undefined : gunzipIfNeeded(url, body, budget);
    }
    if (loc.kind === 'file') {
      let body: Buffer;
      try {
        const size = (await fs.stat(loc.path)).size;
        if (size > budget.remaining) throw overBudget(loc.path, budget, ` (${formatBytes(size)} on disk)`);
        body = await fs.readFile(loc.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        if (e instanceof JobError) throw e;
        throw new JobError(`cannot read ${loc.path}: ${errorMessage(e)}`);
      }
      return gunzipIfNeeded(loc.path, body, budget);
    }
    const res = await httpRequest(loc.url, { timeoutMs: this.timeoutMs, maxResponseBytes: budget.remaining, limitName: budget.limitName });
    if (res.status === 404) return undefined;
    return gunzipIfNeeded(displayUrl(loc.url), expectOk(res, `GET ${displayUrl(loc.url)}`).body, budget);
  }

  /** Writes an object (S3 PutObject, a file with its directories created, or an HTTP PUT). */
  public async write(url: string, body: Buffer, contentType: string): Promise<void> {
    const loc = parseLocation(url);
    if (loc.kind === 's3') {
      if (!loc.key || loc.key.endsWith('/')) throw new JobError(`${url}: an output needs an object key, not a prefix`);
      await this.s3().putObject(loc.bucket, loc.key, body, contentType);
    } else if (loc.kind === 'file') {
      await fs.mkdir(path.dirname(loc.path), { recursive: true });
      // Write then rename: a reader (or the next run's baseline read) never sees half a file.
      const tmp = `${loc.path}.${process.pid}.tmp`;
      await fs.writeFile(tmp, body);
      await fs.rename(tmp, loc.path);
    } else {
      const res = await httpRequest(loc.url, { method: 'PUT', headers: { 'content-type': contentType }, body, timeoutMs: this.timeoutMs });
      expectOk(res, `PUT ${displayUrl(loc.url)}`);
    }
  }
}
