// Reachability under Kubernetes NetworkPolicy semantics, computed from the policies a synthesized
// app renders (kubernetes_network_policy_v1 resources and NetworkPolicy objects inside Helm values).
// Semantics (networking.k8s.io/v1):
// - a policy applies to the pods of its namespace that its podSelector selects ({} = all);
// - a pod selected by at least one policy with Ingress in its policyTypes is isolated for ingress:
//   a connection is allowed only if some rule of some such policy admits it (rules add up);
//   likewise for egress; a pod no policy selects for a direction is not isolated in it;
// - a rule admits a peer when `from`/`to` is absent or empty (any peer) or one peer matches, and the
//   port when `ports` is absent or empty (any port) or one entry matches (port number or the
//   container port's name, `endPort` ranges, protocol default TCP);
// - a peer with podSelector only: pods of the policy's namespace; namespaceSelector only: every pod
//   of the selected namespaces; both: pods matching the podSelector IN namespaces matching the
//   namespaceSelector (ANDed); ipBlock: the pod's IP in cidr and not in except.
// - policyTypes, when absent, is Ingress plus Egress if the policy has egress rules.
import { parseAllDocuments } from 'yaml';
import { Synth } from './synth';

/** A label selector (matchLabels AND every matchExpression). */
export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** A NetworkPolicy peer. */
export interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { cidr: string; except?: string[] };
}

/** A NetworkPolicy port entry. */
export interface PolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: string;
}

/** A NetworkPolicy in the Kubernetes API's shape. */
export interface NetworkPolicy {
  readonly metadata: { name: string; namespace: string };
  readonly spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: { from?: PolicyPeer[]; ports?: PolicyPort[] }[];
    egress?: { to?: PolicyPeer[]; ports?: PolicyPort[] }[];
  };
}

/** A pod as the evaluator sees it. */
export interface Pod {
  readonly namespace: string;
  /** Labels of the pod's namespace (`kubernetes.io/metadata.name` is added automatically). */
  readonly namespaceLabels?: Record<string, string>;
  readonly labels: Record<string, string>;
  /** Pod IP, for ipBlock peers. @default '10.0.99.99' */
  readonly ip?: string;
  /** Named container ports (name → number) for policies that name ports. */
  readonly namedPorts?: Record<string, number>;
  /** An address outside the cluster (the internet, a VPC host): only ipBlock peers match it. @default false */
  readonly external?: boolean;
}

/** Whether a selector selects a label set ({} selects everything). */
export function selects(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function nsLabels(p: Pod): Record<string, string> {
  return { ...p.namespaceLabels, 'kubernetes.io/metadata.name': p.namespace };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = Number(bits);
  const mask = n === 0 ? 0 : 2 ** 32 - 2 ** (32 - n);
  return (ipToInt(ip) & mask) >>> 0 === (ipToInt(base) & mask) >>> 0;
}

function peerMatches(peer: PolicyPeer, policyNamespace: string, other: Pod): boolean {
  if (peer.ipBlock) {
    const ip = other.ip ?? '10.0.99.99';
    return inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(ip, c));
  }
  if (other.external) return false;
  if (peer.namespaceSelector) {
    return selects(peer.namespaceSelector, nsLabels(other)) && (peer.podSelector === undefined || selects(peer.podSelector, other.labels));
  }
  if (peer.podSelector) return other.namespace === policyNamespace && selects(peer.podSelector, other.labels);
  return false;
}

function portMatches(ports: PolicyPort[] | undefined, target: Pod, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    const n = typeof p.port === 'number' || /^\d+$/.test(p.port) ? Number(p.port) : target.namedPorts?.[p.port];
    if (n === undefined) return false;
    return p.endPort !== undefined ? port >= n && port <= p.endPort : port === n;
  });
}

function types(p: NetworkPolicy): string[] {
  return p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress && p.spec.egress.length > 0 ? ['Egress'] : [])];
}

/** Whether `to` admits a connection from `from` on `port` (ingress side only). */
export function ingressAllowed(policies: NetworkPolicy[], from: Pod, to: Pod, port: number, protocol = 'TCP'): boolean {
  const applying = policies.filter((p) => p.metadata.namespace === to.namespace && types(p).includes('Ingress') && selects(p.spec.podSelector, to.labels));
  if (applying.length === 0) return true;
  return applying.some((p) => (p.spec.ingress ?? []).some((r) => (!r.from || r.from.length === 0 || r.from.some((peer) => peerMatches(peer, p.metadata.namespace, from))) && portMatches(r.ports, to, port, protocol)));
}

/** Whether `from` may send a connection to `to` on `port` (egress side only). */
export function egressAllowed(policies: NetworkPolicy[], from: Pod, to: Pod, port: number, protocol = 'TCP'): boolean {
  const applying = policies.filter((p) => p.metadata.namespace === from.namespace && types(p).includes('Egress') && selects(p.spec.podSelector, from.labels));
  if (applying.length === 0) return true;
  return applying.some((p) => (p.spec.egress ?? []).some((r) => (!r.to || r.to.length === 0 || r.to.some((peer) => peerMatches(peer, p.metadata.namespace, to))) && portMatches(r.ports, to, port, protocol)));
}

/** Whether a connection from `from` to `to` on `port` is allowed: the source's egress AND the target's ingress. */
export function canConnect(policies: NetworkPolicy[], from: Pod, to: Pod, port: number, protocol = 'TCP'): boolean {
  return egressAllowed(policies, from, to, port, protocol) && ingressAllowed(policies, from, to, port, protocol);
}

// --- reading the policies out of a synthesized app ------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const one = (v: Json | undefined): Obj | undefined => (Array.isArray(v) ? (v[0] as Obj | undefined) : (v as Obj | undefined) ?? undefined);
const many = (v: Json | undefined): Obj[] => (Array.isArray(v) ? (v as Obj[]) : v ? [v as Obj] : []);

function tfSelector(v: Json | undefined): LabelSelector | undefined {
  const s = one(v);
  if (!s) return undefined;
  return {
    matchLabels: (s.match_labels as Record<string, string> | undefined) ?? undefined,
    matchExpressions: many(s.match_expressions).map((e) => ({ key: e.key as string, operator: e.operator as 'In', values: e.values as string[] | undefined })),
  };
}

function tfPeer(v: Obj): PolicyPeer {
  const ip = one(v.ip_block);
  return {
    podSelector: tfSelector(v.pod_selector),
    namespaceSelector: tfSelector(v.namespace_selector),
    ipBlock: ip ? { cidr: ip.cidr as string, except: ip.except as string[] | undefined } : undefined,
  };
}

function tfPorts(v: Json | undefined): PolicyPort[] | undefined {
  const ps = many(v);
  return ps.length === 0 ? undefined : ps.map((p) => ({ port: p.port as string | undefined, endPort: p.end_port as number | undefined, protocol: p.protocol as string | undefined }));
}

/** Resolves `${kubernetes_namespace_v1.<id>.metadata[0].name}` to the namespace resource's name. */
function resolveNamespace(s: Synth, ns: string): string {
  const m = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(ns);
  if (!m) return ns;
  const r = s.resource?.kubernetes_namespace_v1?.[m[1]] as { metadata: Obj | Obj[] } | undefined;
  const meta = r ? one(r.metadata as Json) : undefined;
  if (!meta) throw new Error(`cannot resolve namespace ${ns}`);
  return meta.name as string;
}

/** Replaces every namespace-name interpolation in a text (Terraform resolves them at apply). */
function resolveNamespaceTokens(s: Synth, text: string): string {
  return text.replace(/\$\{kubernetes_namespace_v1\.[^.}]+\.metadata\[0\]\.name\}/g, (t) => resolveNamespace(s, t));
}

function walk(v: Json, found: (o: Obj) => void): void {
  if (Array.isArray(v)) v.forEach((x) => walk(x, found));
  else if (v && typeof v === 'object') {
    if (v.kind === 'NetworkPolicy' && v.apiVersion === 'networking.k8s.io/v1') found(v);
    else Object.values(v).forEach((x) => walk(x, found));
  }
}

/**
 * Every NetworkPolicy of the given stacks: the kubernetes_network_policy_v1 resources (converted
 * from the provider's snake_case blocks) and the NetworkPolicy objects in helm_release values.
 */
export function renderedNetworkPolicies(stacks: Record<string, Synth>): NetworkPolicy[] {
  const out: NetworkPolicy[] = [];
  for (const s of Object.values(stacks)) {
    for (const r of Object.values(s.resource?.kubernetes_network_policy_v1 ?? {}) as Obj[]) {
      const meta = one(r.metadata) as Obj;
      const spec = one(r.spec) as Obj;
      out.push({
        metadata: { name: meta.name as string, namespace: resolveNamespace(s, meta.namespace as string) },
        spec: {
          podSelector: tfSelector(spec.pod_selector) ?? {},
          policyTypes: spec.policy_types as string[] | undefined,
          ingress: many(spec.ingress).map((i) => ({ from: many(i.from).map(tfPeer), ports: tfPorts(i.ports) })),
          egress: many(spec.egress).map((e) => ({ to: many(e.to).map(tfPeer), ports: tfPorts(e.ports) })),
        },
      });
    }
    for (const r of Object.values(s.resource?.helm_release ?? {}) as Obj[]) {
      for (const doc of (r.values as string[] | undefined) ?? []) {
        for (const d of parseAllDocuments(resolveNamespaceTokens(s, doc))) {
          walk(d.toJSON() as Json, (o) => {
            const np = o as unknown as NetworkPolicy;
            out.push({ metadata: { name: np.metadata.name, namespace: resolveNamespace(s, np.metadata.namespace ?? (r.namespace as string)) }, spec: np.spec });
          });
        }
      }
    }
  }
  return out;
}
