import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { AWS_NAME_RULES } from '../core/names';

// Where the jobs read and write: checked at synth (scheme, bucket name, date templates) and turned
// into the job's IAM permissions (S3) and NetworkPolicy egress (in-cluster services, other ports).

/** Date-template tokens the job runtime expands (lib/jobs/runtime/template.ts). */
export const JOB_DATE_TEMPLATE_TOKENS = ['date', 'yyyy', 'mm', 'dd', 'hh', 'datetime', 'timestamp'] as const;
const TEMPLATE = /\{\{\s*([a-z]+)\s*(?:([+-])\s*(\d+)\s*([dh]))?\s*\}\}/g;

/** An `s3://bucket/key` location. */
export interface S3Location {
  /** Bucket name. */
  readonly bucket: string;
  /** Key or prefix as given (may hold date templates). */
  readonly key: string;
  /** The part of the key before the first date template: what IAM can be scoped to. */
  readonly staticPrefix: string;
}

/** An `http(s)://` location. */
export interface HttpLocation {
  /** Host name. */
  readonly host: string;
  /** TCP port (explicit, or 80/443 from the scheme). */
  readonly port: number;
  /** Namespace of an in-cluster Service host (`svc.ns.svc[.cluster.local]`); undefined otherwise. */
  readonly clusterNamespace?: string;
  /** The host has no dot: a Service of the job's own namespace. */
  readonly sameNamespace: boolean;
}

/** A checked job location. */
export interface JobLocation {
  /** The URL. */
  readonly url: string;
  /** Set for `s3://`. */
  readonly s3?: S3Location;
  /** Set for `http(s)://`. */
  readonly http?: HttpLocation;
}

/** Checks the `{{...}}` date templates of a URL the way the job runtime expands them. */
function checkTemplates(scope: IConstruct, prop: string, url: string): void {
  const known = JOB_DATE_TEMPLATE_TOKENS as readonly string[];
  for (const m of url.matchAll(TEMPLATE)) {
    if (!known.includes(m[1])) {
      throw new ValidationError(scope, prop, url, `uses the unknown date template ${m[0]}: known tokens are ${known.join(', ')}, with an optional offset such as {{date-1d}} or {{hh-6h}}`);
    }
  }
  const rest = url.replace(TEMPLATE, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    throw new ValidationError(scope, prop, url, `has a malformed date template: use {{token}} or {{token-1d}} with tokens ${known.join(', ')}`);
  }
}

/**
 * Checks a job input or output location: `s3://bucket/key-or-prefix` or `http(s)://host[:port]/path`,
 * date templates allowed in the key or path (never in the bucket or host: the job's IAM policy and
 * NetworkPolicy are derived from them). `output` locations need an object key, not a prefix.
 */
export function parseJobLocation(scope: IConstruct, prop: string, url: string, opts: { output?: boolean } = {}): JobLocation {
  if (Token.isUnresolved(url)) throw new ValidationError(scope, prop, url, 'must be a literal URL: the job\'s IAM policy and NetworkPolicy are derived from it at synth');
  if (typeof url !== 'string' || url.length === 0) throw new ValidationError(scope, prop, url, 'must be an s3:// or http(s):// URL');
  checkTemplates(scope, prop, url);
  const s3 = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(url);
  if (s3) {
    const bucket = s3[1];
    const key = s3[2] ?? '';
    if (bucket.includes('{{')) throw new ValidationError(scope, prop, url, 'must not template the bucket name (the IAM policy is scoped to the bucket)');
    if (!(bucket.length <= AWS_NAME_RULES.s3Bucket.max && AWS_NAME_RULES.s3Bucket.pattern.test(bucket))) {
      throw new ValidationError(scope, prop, url, `must name a valid bucket: s3://<bucket>/<key> where the bucket must ${AWS_NAME_RULES.s3Bucket.rule}`);
    }
    const first = key.indexOf('{{');
    const staticPrefix = first < 0 ? key : key.slice(0, first);
    if (/[*?]/.test(staticPrefix)) throw new ValidationError(scope, prop, url, 'must not contain "*" or "?" in the key: IAM would read them as wildcards and widen the policy');
    if (key.startsWith('/')) throw new ValidationError(scope, prop, url, 'has a key starting with "/" (s3://bucket//key): remove the extra slash');
    if (opts.output && (key.length === 0 || key.endsWith('/'))) throw new ValidationError(scope, prop, url, 'is written by the job and needs an object key (s3://bucket/path/report-{{date}}.json), not a prefix');
    return { url, s3: { bucket, key, staticPrefix } };
  }
  const http = /^(https?):\/\/([^/:?#]+)(?::(\d+))?([/?#].*)?$/.exec(url);
  if (http) {
    const host = http[2].toLowerCase();
    if (host.includes('{{')) throw new ValidationError(scope, prop, url, 'must not template the host (the job\'s NetworkPolicy is derived from it)');
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(host)) throw new ValidationError(scope, prop, url, 'must have a valid host name');
    const port = http[3] !== undefined ? Number(http[3]) : http[1] === 'https' ? 443 : 80;
    if (!(port >= 1 && port <= 65535)) throw new ValidationError(scope, prop, url, 'must have a port between 1 and 65535');
    if (opts.output && (http[4] ?? '/').endsWith('/')) throw new ValidationError(scope, prop, url, 'is written by the job (HTTP PUT) and needs a path to an object, not a directory');
    const svc = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/.exec(host);
    return { url, http: { host, port, clusterNamespace: svc ? svc[2] : undefined, sameNamespace: !host.includes('.') } };
  }
  if (url.startsWith('file:') || url.startsWith('/')) {
    throw new ValidationError(scope, prop, url, 'must be an s3:// or http(s):// URL: the job pod mounts no data volume, so a file path would not exist in it');
  }
  throw new ValidationError(scope, prop, url, 'must be an s3://bucket/key or http(s):// URL');
}
