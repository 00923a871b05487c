import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from './errors';

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly address: number;
  /** Prefix length, 0-32. */
  readonly prefix: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses an IPv4 CIDR; returns undefined when it is not one (bad octet, prefix > 32, host bits set). */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | undefined {
  const m = CIDR_RE.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  // Host bits set (10.0.0.1/16) are rejected: AWS rejects them for VPCs and they hide typos.
  if ((address & ~mask) >>> 0 !== 0) return undefined;
  return { address, prefix };
}

/** Formats a parsed CIDR back to text. */
export function formatIpv4Cidr(c: Ipv4Cidr): string {
  const a = c.address;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${c.prefix}`;
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)`, computed at synth so subnets are plain strings. */
export function cidrSubnet(base: string, newbits: number, netnum: number): string {
  const c = parseIpv4Cidr(base);
  if (!c) throw new Error(`cidrSubnet: ${JSON.stringify(base)} is not an IPv4 CIDR`);
  const prefix = c.prefix + newbits;
  if (prefix > 32 || netnum < 0 || netnum >= 2 ** newbits) {
    throw new Error(`cidrSubnet: cannot take network ${netnum} of ${newbits} new bits from ${base}`);
  }
  const address = (c.address + netnum * 2 ** (32 - prefix)) >>> 0;
  return formatIpv4Cidr({ address, prefix });
}

/** Throws unless `cidr` is an IPv4 CIDR with a prefix in [minPrefix, maxPrefix]. */
export function validateCidr(scope: IConstruct, prop: string, cidr: string, minPrefix = 0, maxPrefix = 32): string {
  if (Token.isUnresolved(cidr)) return cidr;
  const c = typeof cidr === 'string' ? parseIpv4Cidr(cidr) : undefined;
  if (!c) {
    throw new ValidationError(scope, prop, cidr, 'must be an IPv4 CIDR block such as "10.0.0.0/16" (octets 0-255, prefix 0-32, no host bits set)');
  }
  if (c.prefix < minPrefix || c.prefix > maxPrefix) {
    throw new ValidationError(scope, prop, cidr, `must have a prefix length between /${minPrefix} and /${maxPrefix}`);
  }
  return cidr;
}
