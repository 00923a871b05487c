import { FactTable } from '../core/facts';
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

/** Where the device-plugin behaviour the Bottlerocket pools rely on is documented. */
export function devicePluginFactTable(): FactTable {
  const checked = '2026-12-07';
  return {
    id: 'gpu-device-plugin',
    title: 'One device plugin per GPU node',
    file: 'lib/gpu/bottlerocket.ts',
    rows: [
      { fact: 'GPU operator keeps a non-empty nvidia.com/gpu.deploy.<operand> label a node already has', value: 'nvidia.com/gpu.deploy.device-plugin=false keeps its device plugin off the node', source: 'NVIDIA/gpu-operator:controllers/state_manager.go@10ee5b3638b89e11e949412aafa5ba99279c3721', checked },
      { fact: 'Bottlerocket NVIDIA device plugin sharing settings', value: 'settings.kubelet-device-plugins.nvidia.device-sharing-strategy = "time-slicing"; time-slicing.replicas, rename-by-default, fail-requests-greater-than-one', source: 'https://bottlerocket.dev/en/os/1.54.x/api/settings/kubelet-device-plugins', checked },
      { fact: 'Bottlerocket applies MIG at boot from its own settings', value: 'settings.kubelet-device-plugins.nvidia.device-partitioning-strategy / mig.profile (node restart)', source: 'https://bottlerocket.dev/en/os/1.54.x/api/settings/kubelet-device-plugins', checked },
      { fact: 'Karpenter merges Bottlerocket user data and keeps settings outside settings.kubernetes', value: 'SettingsRaw kept; only settings.kubernetes is typed', source: 'aws/karpenter-provider-aws:pkg/providers/amifamily/bootstrap/bottlerocketsettings.go@bde00654cd316fddb3dccfba3f5ac07039865429', checked },
      { fact: 'EKS merges Bottlerocket TOML user data of a managed node group launch template', value: 'TOML, merged with the settings that join the node', source: 'awsdocs/amazon-eks-user-guide:latest/ug/nodes/launch-templates.adoc@4d52b4d05e3478582e7d10a73cbd9ba9194dd5f7', checked },
    ],
  };
}
