import { validateEnum } from '../core/enums';
import { ValidationError } from '../core/errors';
import { checkHelperNumber } from '../core/helper-args';
import { byCodeUnit } from '../core/names';
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
  /**
   * Whether the pool can partition the GPU with MIG: the GPU supports Multi-Instance GPU and the GPU
   * operator's default MIG configuration has profiles for it ({@link MIG_PROFILES}). False for B300,
   * which supports MIG but whose profiles are not in the operator's default configuration checked.
   */
  readonly migCapable: boolean;
  /** On-demand price per hour in USD in {@link GPU_PRICE_SOURCE}'s region. */
  readonly onDemandHourlyUsd: number;
  /**
   * Whether the type has a public on-demand list price in {@link GPU_PRICE_SOURCE}'s region. False
   * for p5e, which AWS sells through EC2 Capacity Blocks for ML: its `onDemandHourlyUsd` is then an
   * estimate (the p5en price, same GPUs) and pools warn that spot/on-demand offerings may not exist.
   */
  readonly listedOnDemand: boolean;
}

/**
 * Where the on-demand prices come from: Linux, shared-tenancy on-demand list prices in us-east-1
 * from the AWS Price List API (the figures of https://aws.amazon.com/ec2/pricing/on-demand/), after
 * the June 2025 P4/P5 price reduction, as Karpenter generates them from that API
 * (aws/karpenter-provider-aws, pkg/providers/pricing/zz_generated.pricing_aws.go, generated
 * 2026-07-20); a few are rounded to 3 decimals (g6e: $10.493 for $10.49264, < 0.01%). They feed the
 * cost report and right-sizing estimates, never decisions that affect correctness. Hardware facts
 * (vCPU, memory, GPUs, GPU memory) are EC2 DescribeInstanceTypes as published in Karpenter's
 * instance-type reference; both are copied to test/gpu/fixtures/ec2-gpu-reference.json by
 * `node scripts/gpu-reference.js` and every catalog row is compared with that file.
 */
export const GPU_PRICE_SOURCE = {
  region: 'us-east-1',
  date: '2026-07-20',
  source: 'AWS Price List API, EC2 on-demand, Linux, shared tenancy, us-east-1 (https://aws.amazon.com/ec2/pricing/on-demand/)',
} as const;

// Karpenter's generated data, at the commit the fixture was derived from.
const KARPENTER_REF = '1d927085dd81a9df9301e613f371dac5b4d16bfe';
const EC2_SHAPES = `aws/karpenter-provider-aws:website/content/en/docs/reference/instance-types.md@${KARPENTER_REF}`;
const EC2_PRICES = `aws/karpenter-provider-aws:pkg/providers/pricing/zz_generated.pricing_aws.go@${KARPENTER_REF}`;
const CHECKED = '2026-12-07';

type Row = [name: string, gpuCount: number, vcpu: number, memoryGiB: number, price: number];
interface Family {
  readonly family: string;
  readonly gpuModel: string;
  readonly gpuMemoryGiB: number;
  readonly architecture: CpuArchitecture;
  readonly migCapable: boolean;
  readonly listedOnDemand?: boolean;
  /** Where the family's shapes and prices were read (instance types: Karpenter's copy of EC2 DescribeInstanceTypes). */
  readonly source: string;
  /** Where the on-demand prices were read (Karpenter's copy of the AWS Price List, us-east-1). */
  readonly priceSource: string;
  /** Date the rows were last compared with the sources. */
  readonly checked: string;
  readonly rows: Row[];
}

// One row per size: [type, GPUs, vCPU, memory GiB, on-demand $/h].
const FAMILIES: Family[] = [
  {
    family: 'g4dn', gpuModel: 'T4', gpuMemoryGiB: 16, architecture: CpuArchitecture.X86_64, migCapable: false, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED,
    rows: [['xlarge', 1, 4, 16, 0.526], ['2xlarge', 1, 8, 32, 0.752], ['4xlarge', 1, 16, 64, 1.204], ['8xlarge', 1, 32, 128, 2.176], ['16xlarge', 1, 64, 256, 4.352], ['12xlarge', 4, 48, 192, 3.912], ['metal', 8, 96, 384, 7.824]],
  },
  {
    family: 'g5', gpuModel: 'A10G', gpuMemoryGiB: 24, architecture: CpuArchitecture.X86_64, migCapable: false, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED,
    rows: [['xlarge', 1, 4, 16, 1.006], ['2xlarge', 1, 8, 32, 1.212], ['4xlarge', 1, 16, 64, 1.624], ['8xlarge', 1, 32, 128, 2.448], ['16xlarge', 1, 64, 256, 4.096], ['12xlarge', 4, 48, 192, 5.672], ['24xlarge', 4, 96, 384, 8.144], ['48xlarge', 8, 192, 768, 16.288]],
  },
  {
    family: 'g6', gpuModel: 'L4', gpuMemoryGiB: 24, architecture: CpuArchitecture.X86_64, migCapable: false, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED,
    rows: [['xlarge', 1, 4, 16, 0.8048], ['2xlarge', 1, 8, 32, 0.9776], ['4xlarge', 1, 16, 64, 1.3232], ['8xlarge', 1, 32, 128, 2.0144], ['16xlarge', 1, 64, 256, 3.3968], ['12xlarge', 4, 48, 192, 4.6016], ['24xlarge', 4, 96, 384, 6.6752], ['48xlarge', 8, 192, 768, 13.3504]],
  },
  {
    family: 'gr6', gpuModel: 'L4', gpuMemoryGiB: 24, architecture: CpuArchitecture.X86_64, migCapable: false, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED,
    rows: [['4xlarge', 1, 16, 128, 1.5392], ['8xlarge', 1, 32, 256, 2.4464]],
  },
  {
    family: 'g6e', gpuModel: 'L40S', gpuMemoryGiB: 48, architecture: CpuArchitecture.X86_64, migCapable: false, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED,
    rows: [['xlarge', 1, 4, 32, 1.861], ['2xlarge', 1, 8, 64, 2.242], ['4xlarge', 1, 16, 128, 3.004], ['8xlarge', 1, 32, 256, 4.529], ['16xlarge', 1, 64, 512, 7.577], ['12xlarge', 4, 48, 384, 10.493], ['24xlarge', 4, 96, 768, 15.066], ['48xlarge', 8, 192, 1536, 30.131]],
  },
  {
    family: 'g5g', gpuModel: 'T4G', gpuMemoryGiB: 16, architecture: CpuArchitecture.ARM64, migCapable: false, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED,
    rows: [['xlarge', 1, 4, 8, 0.42], ['2xlarge', 1, 8, 16, 0.556], ['4xlarge', 1, 16, 32, 0.828], ['8xlarge', 1, 32, 64, 1.372], ['16xlarge', 2, 64, 128, 2.744], ['metal', 2, 64, 128, 2.744]],
  },
  { family: 'p4d', gpuModel: 'A100', gpuMemoryGiB: 40, architecture: CpuArchitecture.X86_64, migCapable: true, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED, rows: [['24xlarge', 8, 96, 1152, 21.958]] },
  { family: 'p4de', gpuModel: 'A100', gpuMemoryGiB: 80, architecture: CpuArchitecture.X86_64, migCapable: true, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED, rows: [['24xlarge', 8, 96, 1152, 27.447]] },
  { family: 'p5', gpuModel: 'H100', gpuMemoryGiB: 80, architecture: CpuArchitecture.X86_64, migCapable: true, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED, rows: [['4xlarge', 1, 16, 256, 6.88], ['48xlarge', 8, 192, 2048, 55.04]] },
  // Sold through EC2 Capacity Blocks for ML: no on-demand list price; p5en's (same H200s) as the estimate.
  { family: 'p5e', gpuModel: 'H200', gpuMemoryGiB: 141, architecture: CpuArchitecture.X86_64, migCapable: true, listedOnDemand: false, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED, rows: [['48xlarge', 8, 192, 2048, 63.296]] },
  { family: 'p5en', gpuModel: 'H200', gpuMemoryGiB: 141, architecture: CpuArchitecture.X86_64, migCapable: true, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED, rows: [['48xlarge', 8, 192, 2048, 63.296]] },
  // Blackwell. B200 is sold as 180 GB (EC2 reports 183359 MiB); B300 as 288 GB (EC2: 275040 MiB).
  { family: 'p6-b200', gpuModel: 'B200', gpuMemoryGiB: 180, architecture: CpuArchitecture.X86_64, migCapable: true, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED, rows: [['48xlarge', 8, 192, 2048, 113.9328]] },
  { family: 'p6-b300', gpuModel: 'B300', gpuMemoryGiB: 288, architecture: CpuArchitecture.X86_64, migCapable: false, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED, rows: [['48xlarge', 8, 192, 4096, 142.416]] },
  // RTX PRO 6000 Blackwell Server Edition (EC2's GPU name: rtx-pro-server-6000), 96 GB.
  {
    family: 'g7e', gpuModel: 'RTX PRO 6000', gpuMemoryGiB: 96, architecture: CpuArchitecture.X86_64, migCapable: true, source: EC2_SHAPES, priceSource: EC2_PRICES, checked: CHECKED,
    rows: [['2xlarge', 1, 8, 64, 3.36312], ['4xlarge', 1, 16, 128, 3.99816], ['8xlarge', 1, 32, 256, 5.26824], ['12xlarge', 2, 48, 512, 8.28608], ['24xlarge', 4, 96, 1024, 16.57216], ['48xlarge', 8, 192, 2048, 33.14432]],
  },
];

/** Every GPU instance type the library knows, by name. */
export const GPU_INSTANCE_TYPES: { readonly [name: string]: GpuInstanceType } = Object.freeze(
  Object.fromEntries(
    FAMILIES.flatMap((f) =>
      f.rows.map(([size, gpuCount, vcpu, memoryGiB, price]) => {
        const name = `${f.family}.${size}`;
        const t: GpuInstanceType = { name, family: f.family, gpuModel: f.gpuModel, gpuCount, gpuMemoryGiB: f.gpuMemoryGiB, vcpu, memoryGiB, architecture: f.architecture, migCapable: f.migCapable, onDemandHourlyUsd: price, listedOnDemand: f.listedOnDemand ?? true };
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

/**
 * MIG profiles (GPU instance profiles, `<compute slices>g.<memory>gb`) of each MIG-capable GPU, by
 * `<gpuModel>/<gpuMemoryGiB>`, from NVIDIA's MIG user guide (supported profiles per GPU) and the GPU
 * operator's default MIG configuration. A pool applies one to every GPU as the MIG manager's
 * `all-<profile>` config.
 */
export const MIG_PROFILES: { readonly [gpuModelAndMemory: string]: readonly string[] } = Object.freeze({
  'A100/40': Object.freeze(['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb']),
  'A100/80': Object.freeze(['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']),
  'H100/80': Object.freeze(['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']),
  'H200/141': Object.freeze(['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']),
  // NVIDIA/gpu-operator:assets/state-mig-manager/0400_configmap.yaml (default-mig-parted-config),
  // checked 2026-12-07: B200 and RTX PRO 6000 (4 slices at most; its whole-GPU profile is 4g.96gb).
  'B200/180': Object.freeze(['1g.23gb', '1g.45gb', '2g.45gb', '3g.90gb', '4g.90gb', '7g.180gb']),
  'RTX PRO 6000/96': Object.freeze(['1g.24gb', '2g.48gb', '4g.96gb']),
});

/** The MIG profiles of an instance type's GPU (empty when it cannot be partitioned). */
export function migProfilesOf(type: GpuInstanceType): readonly string[] {
  if (!type.migCapable) return [];
  return MIG_PROFILES[`${type.gpuModel}/${type.gpuMemoryGiB}`] ?? [];
}

/** What {@link selectGpuInstanceTypes} picks. Unset fields do not filter. */
export interface GpuInstanceTypeFilter {
  /**
   * GPUs per instance.
   * @default - any
   */
  readonly gpuCount?: number;
  /**
   * Smallest memory of one GPU, GiB.
   * @default - any
   */
  readonly minGpuMemoryGiB?: number;
  /**
   * Largest memory of one GPU, GiB (with `minGpuMemoryGiB`, an exact GPU size for managed node groups).
   * @default - any
   */
  readonly maxGpuMemoryGiB?: number;
  /**
   * CPU architecture.
   * @default CpuArchitecture.X86_64 (a pool must not mix architectures)
   */
  readonly architecture?: CpuArchitecture;
  /**
   * Families to choose from.
   * @default - every family
   */
  readonly families?: string[];
  /**
   * Most expensive on-demand price per hour, USD.
   * @default - any
   */
  readonly maxOnDemandHourlyUsd?: number;
}

/**
 * Catalog types matching a filter, cheapest first: a quick way to give a spot pool the many
 * diversified types it needs (GPU-OPERATIONS 7), e.g.
 * `selectGpuInstanceTypes({ gpuCount: 1, minGpuMemoryGiB: 24 }).slice(0, 6).map((t) => t.name)`.
 * Types without an on-demand list price (p5e) are left out.
 */
export function selectGpuInstanceTypes(filter: GpuInstanceTypeFilter = {}): GpuInstanceType[] {
  const fn = 'selectGpuInstanceTypes';
  const arch = validateEnum(fn, 'architecture', filter.architecture, CpuArchitecture, 'CpuArchitecture') ?? CpuArchitecture.X86_64;
  if (filter.gpuCount !== undefined) checkHelperNumber(fn, 'gpuCount', filter.gpuCount, 1, 16, { minInclusive: true, integer: true });
  if (filter.minGpuMemoryGiB !== undefined) checkHelperNumber(fn, 'minGpuMemoryGiB', filter.minGpuMemoryGiB, 0, 4096, { minInclusive: true });
  if (filter.maxGpuMemoryGiB !== undefined) checkHelperNumber(fn, 'maxGpuMemoryGiB', filter.maxGpuMemoryGiB, 0, 4096);
  if (filter.minGpuMemoryGiB !== undefined && filter.maxGpuMemoryGiB !== undefined && filter.minGpuMemoryGiB > filter.maxGpuMemoryGiB) {
    throw new ValidationError(fn, 'minGpuMemoryGiB', filter.minGpuMemoryGiB, `cannot be greater than maxGpuMemoryGiB (${filter.maxGpuMemoryGiB}): no type would match`);
  }
  if (filter.maxOnDemandHourlyUsd !== undefined) checkHelperNumber(fn, 'maxOnDemandHourlyUsd', filter.maxOnDemandHourlyUsd, 0, 1000);
  (filter.families ?? []).forEach((f, i) => {
    if (!gpuFamilies().includes(f)) throw new ValidationError(fn, `families[${i}]`, f, `must be a GPU family of the catalog: ${gpuFamilies().join(', ')}`);
  });
  return Object.values(GPU_INSTANCE_TYPES)
    .filter((t) => t.listedOnDemand && t.architecture === arch)
    .filter((t) => filter.gpuCount === undefined || t.gpuCount === filter.gpuCount)
    .filter((t) => filter.minGpuMemoryGiB === undefined || t.gpuMemoryGiB >= filter.minGpuMemoryGiB)
    .filter((t) => filter.maxGpuMemoryGiB === undefined || t.gpuMemoryGiB <= filter.maxGpuMemoryGiB)
    .filter((t) => filter.families === undefined || filter.families.includes(t.family))
    .filter((t) => filter.maxOnDemandHourlyUsd === undefined || t.onDemandHourlyUsd <= filter.maxOnDemandHourlyUsd)
    .sort((a, b) => a.onDemandHourlyUsd - b.onDemandHourlyUsd || byCodeUnit(a.name, b.name));
}

/**
 * The catalog as fact tables for `docs/facts.md`: hardware and on-demand price of every instance
 * type (with each family's sources and check date), and the MIG profiles. Used by the documentation
 * generator (`npm run facts`).
 */
export function gpuCatalogFactTables(): import('../core/facts').FactTable[] {
  const rows = FAMILIES.flatMap((f) => f.rows.map(([size]) => ({ f, t: GPU_INSTANCE_TYPES[`${f.family}.${size}`] })));
  // The profiles of the GPU operator's default MIG configuration were read on CHECKED; the older
  // ones come from NVIDIA's MIG user guide as pinned with the catalog (2026-11-23).
  const operatorMig = 'NVIDIA/gpu-operator:assets/state-mig-manager/0400_configmap.yaml@10ee5b3638b89e11e949412aafa5ba99279c3721';
  const migSource = (gpu: string) => (gpu.startsWith('B200/') || gpu.startsWith('RTX PRO 6000/') ? { source: operatorMig, checked: CHECKED } : { source: 'https://docs.nvidia.com/datacenter/tesla/mig-user-guide/', checked: '2026-11-23' });
  return [
    {
      id: 'gpu-instance-types',
      title: 'GPU instance types',
      file: 'lib/gpu/catalog.ts',
      rows: rows.flatMap(({ f, t }) => [
        { fact: `${t.name} hardware`, value: `${t.gpuCount}× ${t.gpuModel} ${t.gpuMemoryGiB} GiB, ${t.vcpu} vCPU, ${t.memoryGiB} GiB, ${t.architecture}${t.migCapable ? ', MIG' : ''}`, source: f.source, checked: f.checked },
        { fact: `${t.name} on-demand price (${GPU_PRICE_SOURCE.region})`, value: t.listedOnDemand ? `$${t.onDemandHourlyUsd}/h` : `no public on-demand price (estimate $${t.onDemandHourlyUsd}/h)`, source: f.priceSource, checked: f.checked },
      ]),
    },
    {
      id: 'mig-profiles',
      title: 'MIG profiles per GPU',
      file: 'lib/gpu/catalog.ts',
      rows: Object.entries(MIG_PROFILES).map(([gpu, profiles]) => ({ fact: `MIG profiles of ${gpu.replace('/', ' ')} GB`, value: profiles.join(', '), ...migSource(gpu) })),
    },
  ];
}
