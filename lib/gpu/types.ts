import { IConstruct } from 'constructs';
import { GpuInstanceType } from './catalog';
import { JsonObject } from '../k8s/values';

/** How a GPU pool gets its nodes. */
export enum GpuCapacityMode {
  /** Karpenter NodePool + EC2NodeClass: per-pod right-sized nodes, spot with on-demand fallback. */
  KARPENTER = 'KARPENTER',
  /** EKS managed node groups (a spot group and an on-demand group) with cluster-autoscaler. */
  MANAGED_NODE_GROUPS = 'MANAGED_NODE_GROUPS',
}

/** Which purchase options a pool may use. */
export enum CapacityPreference {
  /** Spot first, on-demand when spot is unavailable (the default: cheapest that stays up). */
  SPOT_WITH_ON_DEMAND_FALLBACK = 'SPOT_WITH_ON_DEMAND_FALLBACK',
  /** On-demand only (latency-critical serving that must never be interrupted). */
  ON_DEMAND = 'ON_DEMAND',
  /** Spot only (batch, evals): interruptions are acceptable. */
  SPOT = 'SPOT',
}

/** GPU sharing on a pool's nodes. Set at most one of the two. */
export interface GpuSharing {
  /**
   * Time-slicing: each GPU is advertised as this many `nvidia.com/gpu` (2-48). No memory or fault
   * isolation between the pods sharing a GPU.
   * @default - no time-slicing
   */
  readonly timeSlicingReplicas?: number;
  /**
   * MIG profile applied to every GPU (e.g. `all-1g.10gb`), only on MIG-capable instance types.
   * @default - no MIG
   */
  readonly migProfile?: string;
}

/**
 * A pool of GPU nodes, as serving and job constructs see it: where to schedule and what the
 * nodes have. Implemented by `GpuNodePool`.
 */
export interface IGpuNodePool extends IConstruct {
  /** Pool name (DNS-1123 label), also the value of the pool label on its nodes. */
  readonly poolName: string;
  /** How the pool gets nodes. */
  readonly mode: GpuCapacityMode;
  /** Purchase options. */
  readonly capacity: CapacityPreference;
  /** The instance types the pool may launch (catalog entries). */
  readonly instanceTypes: GpuInstanceType[];
  /** Labels that select the pool's nodes (use as nodeSelector). */
  readonly nodeSelector: Record<string, string>;
  /** Tolerations a pod needs to run on the pool's nodes (the GPU taint). */
  readonly tolerations: JsonObject[];
  /** GPU sharing configured on the pool, if any. */
  readonly sharing?: GpuSharing;
  /**
   * Whether the nodes' image runs its own NVIDIA device plugin (Bottlerocket NVIDIA): the GPU
   * operator's device plugin is then kept off the pool's nodes and the pool's sharing is
   * configured in the image's own settings, not in the operator's device-plugin config.
   * @default false
   */
  readonly nodeDevicePlugin?: boolean;
  /**
   * Most GPUs the pool may hold at once (Karpenter: the NodePool's `nvidia.com/gpu` limit), when
   * the pool has a limit. Progressive rollouts check stable + surge against it at synth.
   * @default - no known limit
   */
  readonly maxGpus?: number;
}

/** Label key whose value is the GPU pool name on every node of the pool. */
export const GPU_POOL_LABEL = 'ai-platform.cdktf.io/gpu-pool';

/**
 * Node label the GPU operator's device plugin reads to pick its config (time-slicing) from the
 * device-plugin ConfigMap; its value is the key of that pool's entry (the pool name).
 */
export const DEVICE_PLUGIN_CONFIG_LABEL = 'nvidia.com/device-plugin.config';

/**
 * Node label the GPU operator reads to decide whether its device plugin runs on a node. The operator
 * sets it to `true` on GPU nodes but keeps a value that is already there, so `false` keeps its
 * device plugin off nodes whose image runs one (NVIDIA/gpu-operator, controllers/state_manager.go).
 */
export const OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL = 'nvidia.com/gpu.deploy.device-plugin';

/** Node label the GPU operator's MIG manager reads to apply a MIG profile (e.g. `all-1g.10gb`). */
export const MIG_CONFIG_LABEL = 'nvidia.com/mig.config';

/** The node labels a pool's nodes carry so the GPU operator applies the pool's sharing config. */
export function gpuSharingNodeLabels(poolName: string, sharing: GpuSharing | undefined): Record<string, string> {
  if (sharing?.timeSlicingReplicas !== undefined) return { [DEVICE_PLUGIN_CONFIG_LABEL]: poolName };
  if (sharing?.migProfile !== undefined) return { [MIG_CONFIG_LABEL]: sharing.migProfile };
  return {};
}
