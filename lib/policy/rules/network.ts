// Security groups, default security groups and VPC flow logs.
import { GuardrailRule, GuardrailSeverity } from '../types';
import { fail, onElements, Outcome, RuleImpl, undecided } from '../internal/rule';
import { ElementEntry } from '../internal/stack-index';
import { Attrs, blocks, isSet, num, show, str, strList, UNKNOWN } from '../internal/values';

const E = GuardrailSeverity.ERROR;

const SG_TYPES = ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'];
const INGRESS_TYPES = ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'];
const ROW_OPEN = 'no 0.0.0.0/0 ingress';

const SG_DESCRIPTIONS: GuardrailRule = {
  id: 'CKV_AWS_23',
  title: 'Security groups and their rules have descriptions',
  severity: E,
  fix: 'give the security group and every ingress/egress rule a description saying what the traffic is for',
  area: 'network',
  securityRow: 'security groups: every rule has a description',
  appliesTo: SG_TYPES,
};
const openRule = (id: string, port: string, note?: string): GuardrailRule => ({
  id,
  title: `No security group ingress from 0.0.0.0/0 or ::/0 to ${port}`,
  severity: E,
  fix: 'allow only the CIDRs or security groups that need it (load balancers: the VPC CIDR or the ALB security group)',
  area: 'network',
  securityRow: ROW_OPEN,
  appliesTo: INGRESS_TYPES,
  note,
});
const OPEN_SSH = openRule('CKV_AWS_24', 'port 22');
const OPEN_RDP = openRule('CKV_AWS_25', 'port 3389');
const OPEN_HTTP = openRule('CKV_AWS_260', 'port 80');
const OPEN_ALL = openRule('CKV_AWS_277', 'all ports (protocol -1)');
const OPEN_OTHER = openRule('AIP-150', 'any other port', 'Reported only for ranges that include none of 22, 3389 and 80 and are not "all ports": those have their Checkov ids.');

const DEFAULT_SG: GuardrailRule = {
  id: 'CKV2_AWS_12',
  title: 'The default security group of every VPC allows no traffic',
  severity: E,
  fix: 'manage it with aws_default_security_group { vpc_id = <vpc> } and no ingress or egress rules',
  area: 'network',
  securityRow: 'security groups … (default security group locked)',
  appliesTo: ['aws_vpc', 'aws_default_security_group'],
};
const FLOW_LOGS: GuardrailRule = {
  id: 'CKV2_AWS_11',
  title: 'Every VPC has flow logs',
  severity: E,
  fix: 'add an aws_flow_log with vpc_id = <vpc> and traffic_type = "ALL"',
  area: 'network',
  securityRow: 'VPC flow logs',
  appliesTo: ['aws_vpc'],
};

type Ports = 'all' | [number, number] | typeof UNKNOWN;

interface IngressItem {
  readonly label: string;
  readonly cidrs: string[];
  readonly ports: Ports;
  readonly cidrsUnknown: boolean;
}

function portsOf(protocol: unknown, from: unknown, to: unknown): Ports {
  const p = str(protocol);
  if (p === UNKNOWN) return UNKNOWN;
  if (p === '-1' || p === 'all') return 'all';
  const f = num(from);
  const t = num(to);
  if (f === UNKNOWN || t === UNKNOWN) return UNKNOWN;
  const lo = f ?? 0;
  const hi = t ?? lo;
  return lo <= 0 && hi >= 65535 ? 'all' : [lo, hi];
}

function cidrList(...values: unknown[]): { cidrs: string[]; unknown: boolean } {
  const cidrs: string[] = [];
  let unknown = false;
  for (const v of values) {
    if (v === undefined || v === null) continue;
    const l = typeof v === 'string' ? [v] : strList(v);
    if (l === UNKNOWN || l === undefined) {
      unknown = unknown || l === UNKNOWN;
      continue;
    }
    for (const c of l) {
      if (str(c) === UNKNOWN) unknown = true;
      else cidrs.push(c);
    }
  }
  return { cidrs, unknown };
}

function ingressItems(entry: ElementEntry, attrs: Attrs): IngressItem[] {
  if (entry.type === 'aws_security_group') {
    return blocks(attrs.ingress).map((r, i) => {
      const c = cidrList(r.cidr_blocks, r.ipv6_cidr_blocks);
      return { label: `ingress[${i}]`, cidrs: c.cidrs, cidrsUnknown: c.unknown, ports: portsOf(r.protocol, r.from_port, r.to_port) };
    });
  }
  if (entry.type === 'aws_security_group_rule') {
    if (attrs.type !== 'ingress') return [];
    const c = cidrList(attrs.cidr_blocks, attrs.ipv6_cidr_blocks);
    return [{ label: 'rule', cidrs: c.cidrs, cidrsUnknown: c.unknown, ports: portsOf(attrs.protocol, attrs.from_port, attrs.to_port) }];
  }
  if (entry.type === 'aws_vpc_security_group_ingress_rule') {
    const c = cidrList(attrs.cidr_ipv4, attrs.cidr_ipv6);
    return [{ label: 'rule', cidrs: c.cidrs, cidrsUnknown: c.unknown, ports: portsOf(attrs.ip_protocol, attrs.from_port, attrs.to_port) }];
  }
  return [];
}

const isOpen = (c: string) => c === '0.0.0.0/0' || c === '::/0';

function openIngress(which: 'ssh' | 'rdp' | 'http' | 'all' | 'other'): (t: { entry: ElementEntry; attrs: Attrs }) => Outcome[] {
  return ({ entry, attrs }) => {
    const out: Outcome[] = [];
    for (const item of ingressItems(entry, attrs)) {
      const open = item.cidrs.filter(isOpen);
      if (open.length === 0) {
        if (item.cidrsUnknown) out.push(undecided(`${item.label} CIDRs are computed`));
        continue;
      }
      if (item.ports === UNKNOWN) {
        out.push(undecided(`${item.label} is open to ${open.join(', ')} on computed ports`));
        continue;
      }
      const where = item.ports === 'all' ? 'all ports' : `ports ${item.ports[0]}-${item.ports[1]}`;
      const has = (port: number) => item.ports !== 'all' && item.ports !== UNKNOWN && item.ports[0] <= port && port <= item.ports[1];
      const hit =
        which === 'all'
          ? item.ports === 'all'
          : which === 'ssh'
            ? has(22)
            : which === 'rdp'
              ? has(3389)
              : which === 'http'
                ? has(80)
                : item.ports !== 'all' && !has(22) && !has(3389) && !has(80);
      if (hit) out.push(fail(`${item.label} allows ${open.join(', ')} on ${where}`));
    }
    return out;
  };
}

/** Security group, default security group and flow log rules. */
export const NETWORK_RULES: RuleImpl[] = [
  onElements(SG_DESCRIPTIONS, ({ entry, attrs }) => {
    const missing: string[] = [];
    if (entry.type === 'aws_security_group') {
      if (!isSet(attrs.description) || attrs.description === 'Managed by Terraform') missing.push('the security group');
      for (const dir of ['ingress', 'egress']) blocks(attrs[dir]).forEach((r, i) => !isSet(r.description) && missing.push(`${dir}[${i}]`));
    } else if (!isSet(attrs.description)) {
      missing.push('the rule');
    }
    return missing.length > 0 ? [fail(`no description on ${missing.join(', ')}`)] : [];
  }),
  onElements(OPEN_SSH, openIngress('ssh')),
  onElements(OPEN_RDP, openIngress('rdp')),
  onElements(OPEN_HTTP, openIngress('http')),
  onElements(OPEN_ALL, openIngress('all')),
  onElements(OPEN_OTHER, openIngress('other')),
  onElements(DEFAULT_SG, ({ entry, attrs, index }) => {
    if (entry.type === 'aws_default_security_group') {
      const rules = [...blocks(attrs.ingress).map(() => 'ingress'), ...blocks(attrs.egress).map(() => 'egress')];
      return rules.length > 0 ? [fail(`the default security group has ${rules.length} rule(s)`)] : [];
    }
    const managed = index.ofType('aws_default_security_group').some((sg) => index.refersTo(sg.attrs()?.vpc_id, entry));
    return managed ? [] : [fail('no aws_default_security_group for this VPC: AWS default allows all traffic between its members and all egress')];
  }),
  onElements(FLOW_LOGS, ({ entry, index }) => {
    const logged = index.ofType('aws_flow_log').some((f) => index.refersTo(f.attrs()?.vpc_id, entry));
    return logged ? [] : [fail(`no aws_flow_log for ${show(entry.address)}`)];
  }),
];
