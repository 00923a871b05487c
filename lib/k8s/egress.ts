import { IConstruct } from 'constructs';
import { validateEnum } from '../core/enums';
import { Token } from 'cdktf';
import { NetworkPolicyV1SpecEgress } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ValidationError } from '../core/errors';
import { validateCidr } from '../core/cidr';
import { validateDns1123Label } from '../core/names';
import { validateInteger, validatePattern } from '../core/validate';

/** Transport protocol of a NetworkPolicy port. */
export enum NetworkProtocol {
  /** TCP. */
  TCP = 'TCP',
  /** UDP. */
  UDP = 'UDP',
}

/** A destination port (or range) of an egress rule. */
export interface EgressPort {
  /** Port number (1-65535). */
  readonly port: number;
  /**
   * Last port of a range starting at `port`.
   * @default - the single port
   */
  readonly endPort?: number;
  /**
   * Protocol.
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: NetworkProtocol;
}

/**
 * A destination of an egress rule: either an IP block (`cidr`, optionally minus `except`), or pods
 * (`namespace` and/or `podLabels`; `podLabels` alone means pods of the policy's own namespace).
 */
export interface EgressPeer {
  /**
   * IPv4 CIDR the pods may reach (an external service, a VPC subnet).
   * @default - not an IP block
   */
  readonly cidr?: string;
  /**
   * CIDRs inside `cidr` that stay closed.
   * @default - none
   */
  readonly except?: string[];
  /**
   * Namespace of the destination pods (a literal name).
   * @default - the policy's own namespace when `podLabels` is given
   */
  readonly namespace?: string;
  /**
   * Labels of the destination namespaces (`{}`: every namespace); instead of `namespace`.
   * @default - only `namespace`
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * Labels of the destination pods.
   * @default - every pod of `namespace`
   */
  readonly podLabels?: Record<string, string>;
}

/** An explicit egress allow, added to a namespace that denies egress by default. */
export interface EgressRule {
  /** What the rule is for (names the policy, e.g. "postgres" or "corporate proxy"). DNS-1123 label. */
  readonly name: string;
  /** Where the pods may connect (at least one). */
  readonly to: EgressPeer[];
  /**
   * Destination ports.
   * @default - every port of the destinations
   */
  readonly ports?: EgressPort[];
  /**
   * Labels of the pods of the namespace the rule applies to.
   * @default - every pod of the namespace
   */
  readonly podLabels?: Record<string, string>;
}

/**
 * Egress of a namespace the library creates. Egress is denied by default; DNS (to kube-dns) and
 * connections to pods of the same namespace are always allowed (the destination's ingress policies
 * still apply). See docs/network-policies.md.
 */
export interface NamespaceEgressOptions {
  /**
   * Deny every egress not allowed explicitly. `false` leaves egress open (not recommended).
   * @default true
   */
  readonly defaultDeny?: boolean;
  /**
   * Allow HTTPS (TCP 443) to public addresses: every IPv4 address except the private, carrier-grade
   * NAT and link-local ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16: the VPC, the pods, the
   * Service network and the instance metadata service stay closed). AWS APIs (S3, STS, Secrets
   * Manager) and model hubs have no fixed addresses, so this is as narrow as an IP rule can be.
   * @default true
   */
  readonly publicHttps?: boolean;
  /**
   * Pods that call the Kubernetes API, as label selectors (`{}` selects every pod): they may connect
   * to TCP 443 in the private ranges (the EKS private endpoint's network interfaces and the
   * `kubernetes` Service address are private).
   * @default - none
   */
  readonly kubernetesApiClients?: Record<string, string>[];
  /**
   * More allows (a proxy, an internal API, a database).
   * @default - none
   */
  readonly additionalEgress?: EgressRule[];
}

/**
 * Private, carrier-grade NAT (EKS custom networking pod ranges) IPv4 ranges: the VPC, the pods and
 * the Service network are inside them.
 */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];
/** Link-local IPv4: the instance metadata service (169.254.169.254) and the EKS Pod Identity agent. */
export const LINK_LOCAL_RANGE = '169.254.0.0/16';

/** Name of the NetworkPolicy that denies all egress of a namespace. */
export const DEFAULT_DENY_EGRESS_POLICY = 'default-deny-egress';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Checks a label selector map (keys and values as Kubernetes accepts them). */
export function validateLabels(scope: IConstruct, prop: string, labels: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(labels)) {
    validatePattern(scope, `${prop}["${k}"]`, k, LABEL_KEY, 'be a Kubernetes label key');
    validatePattern(scope, `${prop}["${k}"]`, v, LABEL_VALUE, 'have a Kubernetes label value (at most 63 letters, digits, "-", "_", ".")');
  }
  return labels;
}

/** Checks an egress rule; errors name `prop` (e.g. `egress.additionalEgress[0]`). */
export function validateEgressRule(scope: IConstruct, prop: string, rule: EgressRule): void {
  validateDns1123Label(scope, `${prop}.name`, rule.name);
  if (!rule.to || rule.to.length === 0) {
    throw new ValidationError(scope, `${prop}.to`, rule.to, 'must list at least one destination ({ cidr } or { namespace, podLabels })');
  }
  rule.to.forEach((peer, i) => {
    const p = `${prop}.to[${i}]`;
    const isBlock = peer.cidr !== undefined;
    const isPods = peer.namespace !== undefined || peer.namespaceLabels !== undefined || peer.podLabels !== undefined;
    if (isBlock === isPods) {
      throw new ValidationError(scope, p, peer, 'must be either an IP block ({ cidr, except? }) or pods ({ namespace?, podLabels? }), not both and not neither');
    }
    if (isBlock) {
      if (!Token.isUnresolved(peer.cidr!)) validateCidr(scope, `${p}.cidr`, peer.cidr!);
      (peer.except ?? []).forEach((c, j) => validateCidr(scope, `${p}.except[${j}]`, c));
    } else if (peer.except !== undefined) {
      throw new ValidationError(scope, `${p}.except`, peer.except, 'applies only with cidr');
    }
    if (peer.namespace !== undefined && !Token.isUnresolved(peer.namespace)) validateDns1123Label(scope, `${p}.namespace`, peer.namespace);
    if (peer.namespace !== undefined && peer.namespaceLabels !== undefined) {
      throw new ValidationError(scope, `${p}.namespaceLabels`, peer.namespaceLabels, 'cannot be combined with namespace (use one of them)');
    }
    if (peer.namespaceLabels) validateLabels(scope, `${p}.namespaceLabels`, peer.namespaceLabels);
    if (peer.podLabels) validateLabels(scope, `${p}.podLabels`, peer.podLabels);
  });
  (rule.ports ?? []).forEach((port, i) => {
    validateInteger(scope, `${prop}.ports[${i}].port`, port.port, 1, 65535);
    if (port.endPort !== undefined) validateInteger(scope, `${prop}.ports[${i}].endPort`, port.endPort, port.port, 65535);
    validateEnum(scope, `${prop}.ports[${i}].protocol`, port.protocol, NetworkProtocol, 'NetworkProtocol');
  });
  if (rule.podLabels) validateLabels(scope, `${prop}.podLabels`, rule.podLabels);
}

function peerToTerraform(peer: EgressPeer): Record<string, unknown> {
  if (peer.cidr !== undefined) return { ipBlock: { cidr: peer.cidr, ...(peer.except && peer.except.length > 0 ? { except: [...peer.except] } : {}) } };
  const nsLabels = peer.namespace !== undefined ? { 'kubernetes.io/metadata.name': peer.namespace } : peer.namespaceLabels;
  return {
    ...(nsLabels !== undefined ? { namespaceSelector: { matchLabels: { ...nsLabels } } } : {}),
    ...(peer.podLabels !== undefined || nsLabels === undefined ? { podSelector: { matchLabels: { ...(peer.podLabels ?? {}) } } } : {}),
  };
}

/** The `egress` entry of a `kubernetes_network_policy_v1` (provider shape) for a rule. */
export function egressRuleToTerraform(rule: Pick<EgressRule, 'to' | 'ports'>): NetworkPolicyV1SpecEgress {
  return {
    to: rule.to.map(peerToTerraform),
    ports: rule.ports?.map((p) => ({ port: String(p.port), protocol: p.protocol ?? NetworkProtocol.TCP, ...(p.endPort !== undefined ? { endPort: p.endPort } : {}) })),
  } as NetworkPolicyV1SpecEgress;
}

/** DNS to CoreDNS (EKS labels it `k8s-app: kube-dns` in kube-system), UDP and TCP 53. */
export const DNS_EGRESS: Pick<EgressRule, 'to' | 'ports'> = {
  to: [{ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } }],
  ports: [{ port: 53, protocol: NetworkProtocol.UDP }, { port: 53, protocol: NetworkProtocol.TCP }],
};

/** HTTPS to public addresses only (see {@link NamespaceEgressOptions.publicHttps}). */
export const PUBLIC_HTTPS_EGRESS: Pick<EgressRule, 'to' | 'ports'> = {
  to: [{ cidr: '0.0.0.0/0', except: [...PRIVATE_RANGES, LINK_LOCAL_RANGE] }],
  ports: [{ port: 443 }],
};

/** The Kubernetes API: TCP 443 in the private ranges (EKS endpoint ENIs, the `kubernetes` Service). */
export const KUBERNETES_API_EGRESS: Pick<EgressRule, 'to' | 'ports'> = {
  to: PRIVATE_RANGES.map((cidr) => ({ cidr })),
  ports: [{ port: 443 }],
};
