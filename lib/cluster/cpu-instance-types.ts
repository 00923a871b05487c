import { IConstruct } from 'constructs';
import { Annotations, Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { FactTable } from '../core/facts';
import { CpuArchitecture } from '../gpu/catalog';

// CPU instance types of the system node group, checked against a catalog of families and sizes
// (not a pattern: "m7i.medium" and "m6g.large" both look like instance types) and against the
// architecture of the node group's AMI.

/** Where the family and size lists come from. */
export const CPU_INSTANCE_SOURCE = {
  source: 'https://docs.rs/aws-sdk-ec2/1.217.0/aws_sdk_ec2/types/enum.InstanceType.html',
  checked: '2026-12-07',
} as const;

const NANO_TO_2XL = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];
const L_TO_24 = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'];
const G_SIZES = ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal'];
const GEN7_INTEL = [...L_TO_24, '48xlarge', 'metal-24xl', 'metal-48xl'];

/** CPU instance families the system node group may use: architecture and sizes. */
export const CPU_INSTANCE_FAMILIES: { readonly [family: string]: { readonly architecture: CpuArchitecture; readonly sizes: readonly string[] } } = Object.freeze({
  t3: { architecture: CpuArchitecture.X86_64, sizes: NANO_TO_2XL },
  t3a: { architecture: CpuArchitecture.X86_64, sizes: NANO_TO_2XL },
  t4g: { architecture: CpuArchitecture.ARM64, sizes: NANO_TO_2XL },
  m5: { architecture: CpuArchitecture.X86_64, sizes: [...L_TO_24, 'metal'] },
  m5a: { architecture: CpuArchitecture.X86_64, sizes: L_TO_24 },
  m6i: { architecture: CpuArchitecture.X86_64, sizes: [...L_TO_24, '32xlarge', 'metal'] },
  m6a: { architecture: CpuArchitecture.X86_64, sizes: [...L_TO_24, '32xlarge', '48xlarge', 'metal'] },
  m6g: { architecture: CpuArchitecture.ARM64, sizes: G_SIZES },
  m7i: { architecture: CpuArchitecture.X86_64, sizes: GEN7_INTEL },
  m7a: { architecture: CpuArchitecture.X86_64, sizes: ['medium', ...L_TO_24, '32xlarge', '48xlarge', 'metal-48xl'] },
  m7g: { architecture: CpuArchitecture.ARM64, sizes: G_SIZES },
  c6i: { architecture: CpuArchitecture.X86_64, sizes: [...L_TO_24, '32xlarge', 'metal'] },
  c7i: { architecture: CpuArchitecture.X86_64, sizes: GEN7_INTEL },
  c7g: { architecture: CpuArchitecture.ARM64, sizes: G_SIZES },
  r6i: { architecture: CpuArchitecture.X86_64, sizes: [...L_TO_24, '32xlarge', 'metal'] },
  r7i: { architecture: CpuArchitecture.X86_64, sizes: GEN7_INTEL },
  r7g: { architecture: CpuArchitecture.ARM64, sizes: G_SIZES },
});

/** The families as facts, for `docs/facts.md`. */
export const CPU_INSTANCE_FACTS: FactTable = {
  id: 'cpu-instance-families',
  title: 'CPU instance families of the system node group',
  file: 'lib/cluster/cpu-instance-types.ts',
  rows: Object.entries(CPU_INSTANCE_FAMILIES).map(([f, v]) => ({ fact: `${f} (${v.architecture}) sizes`, value: v.sizes.join(', '), ...CPU_INSTANCE_SOURCE })),
};

/**
 * The architecture of an instance type: from the catalog, else from the EC2 naming rule (a `g`
 * right after the generation digit marks Graviton: m7g, c6gn, r8gd, t4g; a1 is Graviton too).
 */
export function cpuArchitectureOf(instanceType: string): CpuArchitecture {
  const family = instanceType.split('.')[0];
  const known = CPU_INSTANCE_FAMILIES[family];
  if (known) return known.architecture;
  return /^[a-z]+\d+g[a-z]*$/.test(family) || family === 'a1' ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64;
}

/** EKS managed node group AMI types and their architecture. */
export const NODE_GROUP_AMI_ARCHITECTURE: { readonly [amiType: string]: CpuArchitecture } = {
  AL2023_x86_64_STANDARD: CpuArchitecture.X86_64,
  AL2023_ARM_64_STANDARD: CpuArchitecture.ARM64,
};

/**
 * Checks the system node group's instance types: a known family and size (an unknown family passes
 * with a warning: the catalog holds the common ones), and the architecture of the AMI type.
 */
export function checkSystemInstanceTypes(scope: IConstruct, prop: string, types: readonly string[], amiType: string): void {
  const amiArch = NODE_GROUP_AMI_ARCHITECTURE[amiType];
  types.forEach((t, i) => {
    if (typeof t === 'string' && Token.isUnresolved(t)) return;
    const p = `${prop}[${i}]`;
    const m = typeof t === 'string' ? /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(t) : null;
    if (!m) throw new ValidationError(scope, p, t, 'must be an EC2 instance type such as "m7i.large"');
    const family = CPU_INSTANCE_FAMILIES[m[1]];
    if (family && !family.sizes.includes(m[2])) {
      throw new ValidationError(scope, p, t, `is not a size of the ${m[1]} family: sizes are ${family.sizes.join(', ')} (${CPU_INSTANCE_SOURCE.source}, checked ${CPU_INSTANCE_SOURCE.checked})`);
    }
    if (!family) Annotations.of(scope).addWarning(`${p} (${t}) is not in the CPU instance catalog (families ${Object.keys(CPU_INSTANCE_FAMILIES).join(', ')}): its size is not checked`);
    const arch = cpuArchitectureOf(t);
    if (amiArch !== undefined && arch !== amiArch) {
      throw new ValidationError(scope, p, t, `is an ${arch} instance type, but the system node group runs the ${amiType} AMI (${amiArch}): use an ${amiArch} type such as "m7i.large" (Graviton types end their family in "g": m7g, c7g, t4g)`);
    }
  });
}
