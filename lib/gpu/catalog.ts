/** CPU architecture of an instance type. */
export enum CpuArchitecture {
  /** x86_64 (Intel/AMD). */
  X86_64 = 'x86_64',
  /** arm64 (Graviton). */
  ARM64 = 'arm64',
}

/** One AWS GPU instance type: the facts validation, right-sizing and the cost report need. */
export interface GpuInstanceType {
  /** EC2 instance type, e.g. `g6e.2xlarge`. */
  readonly name: string;
  /** Instance family, e.g. `g6e`. */
  readonly family: string;
  /** GPU model, e.g. `L40S`. */
  readonly gpuModel: string;
  /** GPUs per instance. */
  readonly gpuCount: number;
  /** Memory of one GPU in GiB (as reported by nvidia-smi, rounded to the marketed size). */
  readonly gpuMemoryGiB: number;
  /** vCPUs. */
  readonly vcpu: number;
  /** Instance memory in GiB. */
  readonly memoryGiB: number;
  /** CPU architecture. */
  readonly architecture: CpuArchitecture;
  /** Whether the GPU supports Multi-Instance GPU partitioning. */
  readonly migCapable: boolean;
  /** On-demand price per hour in USD in {@link GPU_PRICE_SOURCE}'s region. */
  readonly onDemandHourlyUsd: number;
}

/**
 * Where the on-demand prices come from. Prices are Linux on-demand list prices in us-east-1 as
 * published on the AWS EC2 on-demand pricing page, checked on the date below (P4/P5 after the
 * June 2025 price reduction). They are estimates for the cost report, never used for decisions
 * that affect correctness.
 */
export const GPU_PRICE_SOURCE = {
  region: 'us-east-1',
  date: '2025-06-30',
  source: 'https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, us-east-1)',
} as const;

type Row = [name: string, gpuCount: number, vcpu: number, memoryGiB: number, price: number];
interface Family {
  readonly family: string;
  readonly gpuModel: string;
  readonly gpuMemoryGiB: number;
  readonly architecture: CpuArchitecture;
  readonly migCapable: boolean;
  readonly rows: Row[];
}

// One row per size: [type, GPUs, vCPU, memory GiB, on-demand $/h].
const FAMILIES: Family[] = [
  {
    family: 'g4dn', gpuModel: 'T4', gpuMemoryGiB: 16, architecture: CpuArchitecture.X86_64, migCapable: false,
    rows: [['xlarge', 1, 4, 16, 0.526], ['2xlarge', 1, 8, 32, 0.752], ['4xlarge', 1, 16, 64, 1.204], ['8xlarge', 1, 32, 128, 2.176], ['16xlarge', 1, 64, 256, 4.352], ['12xlarge', 4, 48, 192, 3.912], ['metal', 8, 96, 384, 7.824]],
  },
  {
    family: 'g5', gpuModel: 'A10G', gpuMemoryGiB: 24, architecture: CpuArchitecture.X86_64, migCapable: false,
    rows: [['xlarge', 1, 4, 16, 1.006], ['2xlarge', 1, 8, 32, 1.212], ['4xlarge', 1, 16, 64, 1.624], ['8xlarge', 1, 32, 128, 2.448], ['16xlarge', 1, 64, 256, 4.096], ['12xlarge', 4, 48, 192, 5.672], ['24xlarge', 4, 96, 384, 8.144], ['48xlarge', 8, 192, 768, 16.288]],
  },
  {
    family: 'g6', gpuModel: 'L4', gpuMemoryGiB: 24, architecture: CpuArchitecture.X86_64, migCapable: false,
    rows: [['xlarge', 1, 4, 16, 0.8048], ['2xlarge', 1, 8, 32, 0.9776], ['4xlarge', 1, 16, 64, 1.3232], ['8xlarge', 1, 32, 128, 2.0144], ['16xlarge', 1, 64, 256, 3.3968], ['12xlarge', 4, 48, 192, 4.6016], ['24xlarge', 4, 96, 384, 6.6752], ['48xlarge', 8, 192, 768, 13.3504]],
  },
  {
    family: 'gr6', gpuModel: 'L4', gpuMemoryGiB: 24, architecture: CpuArchitecture.X86_64, migCapable: false,
    rows: [['4xlarge', 1, 16, 128, 1.5392], ['8xlarge', 1, 32, 256, 2.4464]],
  },
  {
    family: 'g6e', gpuModel: 'L40S', gpuMemoryGiB: 48, architecture: CpuArchitecture.X86_64, migCapable: false,
    rows: [['xlarge', 1, 4, 32, 1.861], ['2xlarge', 1, 8, 64, 2.242], ['4xlarge', 1, 16, 128, 3.004], ['8xlarge', 1, 32, 256, 4.529], ['16xlarge', 1, 64, 512, 7.577], ['12xlarge', 4, 48, 384, 10.493], ['24xlarge', 4, 96, 768, 15.066], ['48xlarge', 8, 192, 1536, 30.131]],
  },
  {
    family: 'g5g', gpuModel: 'T4G', gpuMemoryGiB: 16, architecture: CpuArchitecture.ARM64, migCapable: false,
    rows: [['xlarge', 1, 4, 8, 0.42], ['2xlarge', 1, 8, 16, 0.556], ['4xlarge', 1, 16, 32, 0.828], ['8xlarge', 1, 32, 64, 1.372], ['16xlarge', 2, 64, 128, 2.744], ['metal', 2, 64, 128, 2.744]],
  },
  { family: 'p4d', gpuModel: 'A100', gpuMemoryGiB: 40, architecture: CpuArchitecture.X86_64, migCapable: true, rows: [['24xlarge', 8, 96, 1152, 21.958]] },
  { family: 'p4de', gpuModel: 'A100', gpuMemoryGiB: 80, architecture: CpuArchitecture.X86_64, migCapable: true, rows: [['24xlarge', 8, 96, 1152, 27.447]] },
  { family: 'p5', gpuModel: 'H100', gpuMemoryGiB: 80, architecture: CpuArchitecture.X86_64, migCapable: true, rows: [['48xlarge', 8, 192, 2048, 55.04]] },
  { family: 'p5e', gpuModel: 'H200', gpuMemoryGiB: 141, architecture: CpuArchitecture.X86_64, migCapable: true, rows: [['48xlarge', 8, 192, 2048, 63.296]] },
  { family: 'p5en', gpuModel: 'H200', gpuMemoryGiB: 141, architecture: CpuArchitecture.X86_64, migCapable: true, rows: [['48xlarge', 8, 192, 2048, 63.296]] },
];

/** Every GPU instance type the library knows, by name. */
export const GPU_INSTANCE_TYPES: { readonly [name: string]: GpuInstanceType } = Object.freeze(
  Object.fromEntries(
    FAMILIES.flatMap((f) =>
      f.rows.map(([size, gpuCount, vcpu, memoryGiB, price]) => {
        const name = `${f.family}.${size}`;
        const t: GpuInstanceType = { name, family: f.family, gpuModel: f.gpuModel, gpuCount, gpuMemoryGiB: f.gpuMemoryGiB, vcpu, memoryGiB, architecture: f.architecture, migCapable: f.migCapable, onDemandHourlyUsd: price };
        return [name, Object.freeze(t)];
      }),
    ),
  ),
);

/** The catalog entry of an instance type, or undefined when it is not a known GPU type. */
export function findGpuInstanceType(name: string): GpuInstanceType | undefined {
  return Object.prototype.hasOwnProperty.call(GPU_INSTANCE_TYPES, name) ? GPU_INSTANCE_TYPES[name] : undefined;
}

/** Families in the catalog. */
export function gpuFamilies(): string[] {
  return FAMILIES.map((f) => f.family);
}

/** Instance types of one family. */
export function gpuInstanceTypesOfFamily(family: string): GpuInstanceType[] {
  return Object.values(GPU_INSTANCE_TYPES).filter((t) => t.family === family);
}
