/**
 * EKS add-on versions pinned per Kubernetes version. A pinned version makes `cdktf deploy`
 * reproducible: "latest" would change the cluster on a plan nobody reviewed.
 * Source: `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>`
 * (default versions for each Kubernetes version). Override with `AiClusterProps.addonVersions`.
 */
export interface AddonVersions {
  /** Amazon VPC CNI. */
  readonly vpcCni: string;
  /** CoreDNS. */
  readonly coredns: string;
  /** kube-proxy. */
  readonly kubeProxy: string;
  /** Amazon EBS CSI driver. */
  readonly ebsCsiDriver: string;
  /** EKS Pod Identity agent. */
  readonly podIdentityAgent: string;
}

/** Kubernetes versions the library supports, with their add-on pins. */
export const EKS_VERSIONS: { readonly [kubernetesVersion: string]: AddonVersions } = {
  '1.31': { vpcCni: 'v1.19.5-eksbuild.3', coredns: 'v1.11.4-eksbuild.14', kubeProxy: 'v1.31.9-eksbuild.2', ebsCsiDriver: 'v1.45.0-eksbuild.2', podIdentityAgent: 'v1.3.7-eksbuild.2' },
  '1.32': { vpcCni: 'v1.19.5-eksbuild.3', coredns: 'v1.11.4-eksbuild.14', kubeProxy: 'v1.32.5-eksbuild.2', ebsCsiDriver: 'v1.45.0-eksbuild.2', podIdentityAgent: 'v1.3.7-eksbuild.2' },
  '1.33': { vpcCni: 'v1.19.5-eksbuild.3', coredns: 'v1.12.1-eksbuild.2', kubeProxy: 'v1.33.0-eksbuild.2', ebsCsiDriver: 'v1.45.0-eksbuild.2', podIdentityAgent: 'v1.3.7-eksbuild.2' },
};

/** The Kubernetes version a new cluster gets. */
export const DEFAULT_KUBERNETES_VERSION = '1.33';

/** Retention values CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
