import { Construct } from 'constructs';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodSecurityLevel } from './pod-security';
import {
  DEFAULT_DENY_EGRESS_POLICY, DNS_EGRESS, EgressRule, KUBERNETES_API_EGRESS, NamespaceEgressOptions, PUBLIC_HTTPS_EGRESS,
  egressRuleToTerraform, validateEgressRule, validateLabels,
} from './egress';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { validateEnum } from '../core/enums';

/** Props of {@link PlatformNamespace}. */
export interface PlatformNamespaceProps {
  /** Namespace name (DNS-1123 label). */
  readonly name: string;
  /**
   * Pod Security Standard enforced on the namespace.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Create a default-deny ingress NetworkPolicy; workloads then add explicit allows.
   * @default true
   */
  readonly defaultDenyIngress?: boolean;
  /**
   * Egress: denied by default, with DNS, the namespace's own pods and (unless turned off) public
   * HTTPS allowed; more with `kubernetesApiClients`, `additionalEgress` or {@link PlatformNamespace.addEgress}.
   * @default - see NamespaceEgressOptions
   */
  readonly egress?: NamespaceEgressOptions;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A namespace with Pod Security admission labels, a default-deny ingress policy and a default-deny
 * egress policy with the explicit allows every workload needs (DNS, its own namespace, public HTTPS)
 * plus the ones its owner adds (see docs/network-policies.md).
 */
export class PlatformNamespace extends Construct {
  /** The namespace resource. */
  public readonly namespace: NamespaceV1;
  /** The namespace name (a reference to the resource, so dependants wait for it). */
  public readonly name: string;
  /** The Pod Security level enforced. */
  public readonly podSecurity: PodSecurityLevel;
  /** The default-deny policy, when created. */
  public readonly defaultDeny?: NetworkPolicyV1;
  /** The default-deny egress policy, when created. */
  public readonly defaultDenyEgress?: NetworkPolicyV1;
  /** The egress allows (baseline, Kubernetes API, additional), when egress is denied by default. */
  public readonly egressPolicies: NetworkPolicyV1[] = [];

  /** Creates the namespace. */
  public constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    validateDns1123Label(this, 'name', props.name);
    validateEnum(this, 'podSecurity', props.podSecurity, PodSecurityLevel, 'PodSecurityLevel');
    this.podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'app.kubernetes.io/managed-by': 'cdktf-ai-platform',
          'pod-security.kubernetes.io/enforce': this.podSecurity,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': this.podSecurity,
          'pod-security.kubernetes.io/audit': this.podSecurity,
        },
      },
    });
    this.name = this.namespace.metadata.name;
    if (props.defaultDenyIngress ?? true) {
      this.defaultDeny = new NetworkPolicyV1(this, 'default-deny', {
        metadata: { name: 'default-deny-ingress', namespace: this.name },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      });
    }
    const egress = props.egress ?? {};
    const clients = egress.kubernetesApiClients ?? [];
    clients.forEach((c, i) => validateLabels(this, `egress.kubernetesApiClients[${i}]`, c));
    (egress.additionalEgress ?? []).forEach((r, i) => validateEgressRule(this, `egress.additionalEgress[${i}]`, r));
    if (egress.defaultDeny ?? true) {
      this.defaultDenyEgress = new NetworkPolicyV1(this, 'default-deny-egress', {
        metadata: { name: DEFAULT_DENY_EGRESS_POLICY, namespace: this.name },
        spec: { podSelector: {}, policyTypes: ['Egress'] },
      });
      this.egressPolicies.push(
        new NetworkPolicyV1(this, 'egress-baseline', {
          metadata: { name: 'allow-egress-baseline', namespace: this.name },
          spec: {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [
              egressRuleToTerraform(DNS_EGRESS),
              // Pods of the namespace (router → engines, Grafana → Prometheus); their ingress policies still decide.
              egressRuleToTerraform({ to: [{ podLabels: {} }] }),
              ...((egress.publicHttps ?? true) ? [egressRuleToTerraform(PUBLIC_HTTPS_EGRESS)] : []),
            ],
          },
        }),
      );
      clients.forEach((selector, i) => {
        this.egressPolicies.push(
          new NetworkPolicyV1(this, `egress-kubernetes-api${i === 0 ? '' : `-${i}`}`, {
            metadata: { name: `allow-egress-kubernetes-api${i === 0 ? '' : `-${i}`}`, namespace: this.name },
            spec: { podSelector: { matchLabels: { ...selector } }, policyTypes: ['Egress'], egress: [egressRuleToTerraform(KUBERNETES_API_EGRESS)] },
          }),
        );
      });
      for (const r of egress.additionalEgress ?? []) this.addEgress(r);
    } else if (clients.length > 0 || (egress.additionalEgress ?? []).length > 0) {
      throw new ValidationError(this, 'egress.defaultDeny', false, 'must stay true when kubernetesApiClients or additionalEgress are given (they only open what the default deny closes)');
    }
  }

  /**
   * Allows more egress from the namespace's pods (a NetworkPolicy `allow-egress-<rule.name>`). Does
   * nothing when egress is not denied by default.
   */
  public addEgress(rule: EgressRule): NetworkPolicyV1 | undefined {
    if (!this.defaultDenyEgress) return undefined;
    validateEgressRule(this, `egress rule "${rule.name}"`, rule);
    const id = `egress-${rule.name}`;
    if (this.node.tryFindChild(id)) throw new ValidationError(this, 'egress rule name', rule.name, 'must be unique in the namespace');
    const policy = new NetworkPolicyV1(this, id, {
      metadata: { name: `allow-egress-${rule.name}`.slice(0, 63).replace(/-+$/, ''), namespace: this.name },
      spec: { podSelector: { matchLabels: { ...(rule.podLabels ?? {}) } }, policyTypes: ['Egress'], egress: [egressRuleToTerraform(rule)] },
    });
    this.egressPolicies.push(policy);
    return policy;
  }
}
