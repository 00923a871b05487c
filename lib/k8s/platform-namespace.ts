import { Construct } from 'constructs';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodSecurityLevel } from './pod-security';
import { validateDns1123Label } from '../core/names';

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
   * Egress stays open: model downloads, S3 and AWS APIs are reached from these pods.
   * @default true
   */
  readonly defaultDenyIngress?: boolean;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A namespace with Pod Security admission labels and a default-deny ingress policy.
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

  /** Creates the namespace. */
  public constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    validateDns1123Label(this, 'name', props.name);
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
  }
}
