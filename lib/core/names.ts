import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from './errors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `name` is a Kubernetes DNS-1123 label (namespaces, Services, container names): 1-63 chars of [a-z0-9-], alphanumeric at both ends. */
export function isDns1123Label(name: string): boolean {
  return typeof name === 'string' && name.length >= 1 && name.length <= 63 && DNS1123_LABEL.test(name);
}

/** True when `name` is a Kubernetes DNS-1123 subdomain (most object names): up to 253 chars of dot-separated labels. */
export function isDns1123Subdomain(name: string): boolean {
  return typeof name === 'string' && name.length >= 1 && name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/** Throws unless `name` is a DNS-1123 label. */
export function validateDns1123Label(scope: IConstruct, prop: string, name: string): string {
  if (Token.isUnresolved(name)) return name;
  if (!isDns1123Label(name)) {
    throw new ValidationError(scope, prop, name, 'must be a Kubernetes DNS-1123 label: 1-63 characters of lowercase letters, digits and "-", starting and ending with a letter or digit');
  }
  return name;
}

/** Throws unless `name` is a DNS-1123 subdomain. */
export function validateDns1123Subdomain(scope: IConstruct, prop: string, name: string): string {
  if (Token.isUnresolved(name)) return name;
  if (!isDns1123Subdomain(name)) {
    throw new ValidationError(scope, prop, name, 'must be a Kubernetes DNS-1123 subdomain: up to 253 characters of lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit');
  }
  return name;
}

/**
 * Name rules of the AWS resources the library names. Each entry is what the AWS API enforces
 * (from the service's API reference), so a bad name fails at synth rather than at apply.
 */
export const AWS_NAME_RULES = {
  eksCluster: { max: 100, pattern: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/, rule: 'start with a letter or digit and contain only letters, digits, "-" and "_" (1-100 characters)' },
  eksNodeGroup: { max: 63, pattern: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/, rule: 'start with a letter or digit and contain only letters, digits, "-" and "_" (1-63 characters)' },
  iamRole: { max: 64, pattern: /^[\w+=,.@-]+$/, rule: 'contain only letters, digits and +=,.@-_ (1-64 characters)' },
  iamRolePrefix: { max: 38, pattern: /^[\w+=,.@-]+$/, rule: 'contain only letters, digits and +=,.@-_ (1-38 characters, Terraform appends a 26-character suffix)' },
  s3Bucket: { max: 63, pattern: /^(?!xn--)(?!sthree-)(?!.*-s3alias$)(?!.*--ol-s3$)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, rule: 'be 3-63 characters of lowercase letters, digits, "." and "-", start and end with a letter or digit, not look like an IP address, not start with "xn--" or "sthree-"' },
  rdsIdentifier: { max: 63, pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$|^[a-zA-Z]$/, rule: 'be 1-63 letters, digits or "-", start with a letter, not end with "-" nor contain "--"' },
  sqsQueue: { max: 80, pattern: /^[A-Za-z0-9_-]+$/, rule: 'contain only letters, digits, "-" and "_" (1-80 characters)' },
  logGroup: { max: 512, pattern: /^[\w\-/.#]+$/, rule: 'contain only letters, digits and _-/.# (1-512 characters)' },
  kmsAlias: { max: 256, pattern: /^alias\/(?!aws\/)[A-Za-z0-9/_-]+$/, rule: 'be "alias/" followed by letters, digits, "/", "_" or "-", not under "alias/aws/" (up to 256 characters)' },
  eventBridgeRule: { max: 64, pattern: /^[.\-_A-Za-z0-9]+$/, rule: 'contain only letters, digits and ".-_" (1-64 characters)' },
  secretsManagerSecret: { max: 512, pattern: /^[\w/+=.@-]+$/, rule: 'contain only letters, digits and /_+=.@- (1-512 characters)' },
} as const;

/** An AWS resource kind whose naming rules the library checks. */
export type AwsNameKind = keyof typeof AWS_NAME_RULES;

/** Throws unless `name` is accepted by AWS for the given resource kind. */
export function validateAwsName(scope: IConstruct, prop: string, name: string, kind: AwsNameKind): string {
  if (Token.isUnresolved(name)) return name;
  const rule = AWS_NAME_RULES[kind];
  if (typeof name !== 'string' || name.length < 1 || name.length > rule.max || !rule.pattern.test(name)) {
    throw new ValidationError(scope, prop, name, `must ${rule.rule}`);
  }
  return name;
}

/**
 * Shortens `name` to `max` characters deterministically: names derived from user input (cluster
 * name + suffix) must stay stable across synths, so the cut is a pure function of the input.
 */
export function truncateName(name: string, max: number): string {
  if (name.length <= max) return name;
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const suffix = h.toString(36).padStart(7, '0').slice(0, 7);
  return `${name.slice(0, max - 8)}-${suffix}`;
}

/**
 * Orders strings by UTF-16 code unit, the same on every machine. Synthesized output never sorts with
 * `localeCompare`: its order depends on the runtime's ICU data and locale, and its first call loads
 * ICU collation (~10 ms of every synth).
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
