import { JsonObject } from './values';

/** The Pod Security Standards level of a namespace. */
export enum PodSecurityLevel {
  /** Fully restricted: every workload the library creates meets it, except GPU operator operands. */
  RESTRICTED = 'restricted',
  /** Baseline: for third-party charts that cannot meet `restricted`. */
  BASELINE = 'baseline',
  /** Privileged: only the GPU operator's namespace (its operands need host access). */
  PRIVILEGED = 'privileged',
}

/** UID/GID the library's own containers run as (the distroless `nonroot` user). */
export const NON_ROOT_UID = 65532;

/** Container securityContext meeting the `restricted` Pod Security Standard and SECURITY.md. */
export function restrictedContainerSecurityContext(): JsonObject {
  return {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod securityContext meeting the `restricted` Pod Security Standard. */
export function restrictedPodSecurityContext(uid: number = NON_ROOT_UID): JsonObject {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The Kubernetes taint GPU nodes carry so only GPU workloads schedule there. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' } as const;

/** Toleration for {@link GPU_TAINT}. */
export function gpuToleration(): JsonObject {
  return { key: GPU_TAINT.key, operator: 'Exists', effect: GPU_TAINT.effect };
}
