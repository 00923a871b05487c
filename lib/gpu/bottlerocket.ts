import { GpuSharing } from './types';

/**
 * Bottlerocket's settings for its own NVIDIA device plugin (TOML user data) that give a pool its
 * time-slicing: `settings.kubelet-device-plugins.nvidia.device-sharing-strategy` and the
 * `time-slicing` table (bottlerocket-os/bottlerocket, settings `kubelet-device-plugins`). Renaming
 * stays off and multi-replica requests are allowed, as in the GPU operator's config of other pools,
 * so pods request `nvidia.com/gpu` the same way on both. Undefined when the pool shares nothing
 * (Bottlerocket's default: whole GPUs).
 */
export function bottlerocketNvidiaSettings(sharing: GpuSharing | undefined): string | undefined {
  const replicas = sharing?.timeSlicingReplicas;
  if (replicas === undefined) return undefined;
  return [
    '[settings.kubelet-device-plugins.nvidia]',
    'device-sharing-strategy = "time-slicing"',
    '',
    '[settings.kubelet-device-plugins.nvidia.time-slicing]',
    `replicas = ${replicas}`,
    'rename-by-default = false',
    'fail-requests-greater-than-one = false',
    '',
  ].join('\n');
}
