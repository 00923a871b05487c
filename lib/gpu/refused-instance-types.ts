import { CpuArchitecture } from './catalog';
import { Size } from '../core/units';

/**
 * GPU instance types that exist in EC2 (and in Karpenter's instance data) but that a GPU pool refuses,
 * with the reason. Kept as data so the error names the real cause instead of "not a GPU type", and so
 * the shapes stay checked against upstream like the catalog's (test/gpu/fixtures/ec2-gpu-reference.json).
 * Not part of the public API.
 */

// Karpenter's generated data and the EKS GPU AMI table, at the commits the fixture was derived from.
const KARPENTER_REF = '1d927085dd81a9df9301e613f371dac5b4d16bfe';
const EC2_SHAPES = `aws/karpenter-provider-aws:website/content/en/docs/reference/instance-types.md@${KARPENTER_REF}`;
/** The EKS user guide's table of instance types each EKS-optimized accelerated AMI supports. */
export const EKS_NVIDIA_AMI_TABLE = 'awsdocs/amazon-eks-user-guide:latest/ug/ml/ml-eks-optimized-ami.adoc@07d09a0012bcbb0c078904d44c0c083ecf0c3386';

/** Why a family is refused. */
export enum RefusalReason {
  /** A fraction of one GPU (NVIDIA vGPU): EC2 and Karpenter report 0 GPUs, so no `nvidia.com/gpu` is ever advertised. */
  FRACTIONAL_GPU = 'FRACTIONAL_GPU',
  /** Not in the EKS-optimized NVIDIA AMI table: the node image does not claim support for the GPU. */
  NOT_IN_EKS_GPU_AMI = 'NOT_IN_EKS_GPU_AMI',
}

/** One refused instance type, with the facts that explain the refusal. */
export interface RefusedGpuInstanceType {
  readonly name: string;
  readonly family: string;
  readonly gpuModel: string;
  /** Share of one GPU the instance gets (1 for whole GPUs). */
  readonly gpuFraction: number;
  /** Whole GPUs EC2 reports (0 for fractional types). */
  readonly gpuCount: number;
  /** GPU memory the instance gets, MiB, as EC2 reports it. */
  readonly gpuMemoryMiB: number;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly architecture: CpuArchitecture;
  readonly onDemandHourlyUsd: number;
  readonly reason: RefusalReason;
  readonly source: string;
  readonly checked: string;
}

type Row = [size: string, gpuFraction: number, gpuCount: number, gpuMemoryMiB: number, vcpu: number, memoryGiB: number, price: number];
interface RefusedFamily {
  readonly family: string;
  readonly gpuModel: string;
  readonly reason: RefusalReason;
  readonly rows: Row[];
}

// [size, share of a GPU, GPUs, GPU memory MiB, vCPU, memory GiB, us-east-1 on-demand $/h]
const FAMILIES: RefusedFamily[] = [
  // L4 split by NVIDIA vGPU: 1/8 (L4-3Q), 1/4 (L4-6Q) and 1/2 (L4-12Q) of a GPU (the EKS AMI loads the
  // GRID driver for the L4-3Q/6Q/12Q profiles: awslabs/amazon-eks-ami templates/al2023/runtime/gpu/nvidia-kmod-load.sh).
  { family: 'g6f', gpuModel: 'L4', reason: RefusalReason.FRACTIONAL_GPU, rows: [['large', 0.125, 0, 2861, 2, 8, 0.202], ['xlarge', 0.125, 0, 2861, 4, 16, 0.2375], ['2xlarge', 0.25, 0, 5722, 8, 32, 0.475], ['4xlarge', 0.5, 0, 11444, 16, 64, 0.95]] },
  { family: 'gr6f', gpuModel: 'L4', reason: RefusalReason.FRACTIONAL_GPU, rows: [['4xlarge', 0.5, 0, 11444, 16, 128, 1.066]] },
  // RTX PRO 4500 Blackwell, 32 GB: in EC2 and Karpenter's data, absent from the EKS GPU AMI table.
  {
    family: 'g7', gpuModel: 'RTX PRO 4500', reason: RefusalReason.NOT_IN_EKS_GPU_AMI,
    rows: [['2xlarge', 1, 1, 32768, 8, 32, 2.52], ['4xlarge', 1, 1, 32768, 16, 64, 3.04208], ['8xlarge', 1, 1, 32768, 32, 128, 4.08624], ['12xlarge', 1, 2, 32768, 48, 192, 7.12832], ['24xlarge', 1, 4, 32768, 96, 384, 14.25664], ['48xlarge', 1, 8, 32768, 192, 768, 28.51328]],
  },
];

/** Refused GPU instance types, by name. */
export const REFUSED_GPU_INSTANCE_TYPES: { readonly [name: string]: RefusedGpuInstanceType } = Object.freeze(
  Object.fromEntries(
    FAMILIES.flatMap((f) => f.rows.map(([size, gpuFraction, gpuCount, gpuMemoryMiB, vcpu, memoryGiB, price]) => {
      const name = `${f.family}.${size}`;
      const t: RefusedGpuInstanceType = {
        name, family: f.family, gpuModel: f.gpuModel, gpuFraction, gpuCount, gpuMemoryMiB, vcpu, memoryGiB,
        architecture: CpuArchitecture.X86_64, onDemandHourlyUsd: price, reason: f.reason,
        source: f.reason === RefusalReason.NOT_IN_EKS_GPU_AMI ? `${EC2_SHAPES} and ${EKS_NVIDIA_AMI_TABLE}` : EC2_SHAPES, checked: '2026-12-07',
      };
      return [name, Object.freeze(t)];
    })),
  ),
);

/** Why an instance type is refused, as a sentence for an error message, or undefined when it is not refused. */
export function refusalOf(name: string): string | undefined {
  const t = Object.prototype.hasOwnProperty.call(REFUSED_GPU_INSTANCE_TYPES, name) ? REFUSED_GPU_INSTANCE_TYPES[name] : undefined;
  if (!t) return undefined;
  if (t.reason === RefusalReason.FRACTIONAL_GPU) {
    return `is a fractional-GPU type (1/${Math.round(1 / t.gpuFraction)} of an ${t.gpuModel}, ${Size.mebibytes(t.gpuMemoryMiB)}, NVIDIA vGPU): `
      + 'EC2 and Karpenter count 0 GPUs for it, so no nvidia.com/gpu is advertised and GPU pods never schedule there; MIG and time-slicing do not apply to vGPU. '
      + 'Use a whole-GPU type such as g6.xlarge (see docs/gpu-node-pools.md, "Refused instance types")';
  }
  return `has ${t.gpuModel} GPUs, which the EKS-optimized NVIDIA AMIs do not list as supported (EKS user guide, "Use EKS Linux GPU AMIs"); `
    + 'use g7e (RTX PRO 6000) or g6e (L40S) instead (see docs/gpu-node-pools.md, "Refused instance types")';
}
