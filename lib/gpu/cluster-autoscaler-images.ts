import { FactSource, FactTable } from '../core/facts';

/** A cluster-autoscaler release for one Kubernetes minor. */
export interface ClusterAutoscalerImage extends FactSource {
  /** Image tag (`registry.k8s.io/autoscaling/cluster-autoscaler:<tag>`). */
  readonly tag: string;
}

/**
 * The newest cluster-autoscaler patch release of each Kubernetes minor the library offers:
 * cluster-autoscaler supports the minor it is released with (its README asks for the release that
 * matches the control plane), while the chart's default image is the newest minor only.
 */
export const CLUSTER_AUTOSCALER_IMAGES: { readonly [kubernetesMinor: string]: ClusterAutoscalerImage } = {
  '1.33': { tag: 'v1.33.6', source: 'https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-1.33.6', checked: '2026-12-07' },
  '1.34': { tag: 'v1.34.5', source: 'https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-1.34.5', checked: '2026-12-07' },
  '1.35': { tag: 'v1.35.2', source: 'https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-1.35.2', checked: '2026-12-07' },
  '1.36': { tag: 'v1.36.1', source: 'https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-1.36.1', checked: '2026-12-07' },
};

/** The cluster-autoscaler images as a fact table. */
export function clusterAutoscalerFactTable(): FactTable {
  return {
    id: 'cluster-autoscaler-images',
    title: 'cluster-autoscaler image per Kubernetes minor',
    file: 'lib/gpu/cluster-autoscaler-images.ts',
    rows: Object.entries(CLUSTER_AUTOSCALER_IMAGES).map(([minor, i]) => ({ fact: `cluster-autoscaler for Kubernetes ${minor}`, value: `registry.k8s.io/autoscaling/cluster-autoscaler:${i.tag}`, source: i.source, checked: i.checked })),
  };
}
