import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { AddonVersions } from './versions';

// Add-on version overrides: the version format EKS publishes (`v1.19.5-eksbuild.3`), and kube-proxy
// within the Kubernetes version skew policy of the control plane (never newer than the API server,
// at most three minor versions older: https://kubernetes.io/releases/version-skew-policy/#kube-proxy).

const EKS_ADDON_VERSION = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.\d+$/;

/** Checks `addonVersions` overrides against the format and the cluster's Kubernetes version. */
export function checkAddonVersions(scope: IConstruct, kubernetesVersion: string, overrides: Partial<AddonVersions> | undefined): void {
  if (!overrides) return;
  for (const [key, version] of Object.entries(overrides)) {
    if (version === undefined || (typeof version === 'string' && Token.isUnresolved(version))) continue;
    const m = typeof version === 'string' ? EKS_ADDON_VERSION.exec(version) : null;
    if (!m) throw new ValidationError(scope, `addonVersions.${key}`, version, 'must be an EKS add-on version such as "v1.19.5-eksbuild.3" (aws eks describe-addon-versions)');
    if (key === 'kubeProxy') {
      const [major, minor] = kubernetesVersion.split('.').map(Number);
      const proxyMinor = Number(m[2]);
      if (Number(m[1]) !== major || proxyMinor > minor || proxyMinor < minor - 3) {
        throw new ValidationError(scope, 'addonVersions.kubeProxy', version, `must be a kube-proxy of Kubernetes ${major}.${Math.max(0, minor - 3)} to ${kubernetesVersion} (kubernetesVersion ${kubernetesVersion}: kube-proxy is never newer than the API server and at most three minor versions older)`);
      }
    }
  }
}
