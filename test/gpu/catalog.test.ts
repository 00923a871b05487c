import * as fs from 'fs';
import * as path from 'path';
import {
  CpuArchitecture, GPU_INSTANCE_TYPES, GPU_PRICE_SOURCE, MIG_PROFILES, findGpuInstanceType, gpuFamilies, gpuInstanceTypesOfFamily, migProfilesOf, selectGpuInstanceTypes,
} from '../../lib/gpu/catalog';
import { REFUSED_GPU_INSTANCE_TYPES, RefusalReason, refusalOf } from '../../lib/gpu/refused-instance-types';

// Facts (vCPU, memory, GPUs, GPU memory and name, architecture, us-east-1 on-demand price) of every
// size of the catalog's families, from EC2 and the AWS Price List (see _source in the file).
interface RefType { vcpu: number; memoryMiB: number; gpuCount: number; gpuMemoryMiB: number; gpuName: string; arch: string; onDemandUsdUsEast1: number | null }
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'ec2-gpu-reference.json'), 'utf8')) as { families: string[]; eksNvidiaAmi: Record<string, string[]>; types: Record<string, RefType> };

const FAMILIES = ['g4dn', 'g5', 'g6', 'g6e', 'gr6', 'p4d', 'p4de', 'p5', 'p5e', 'p5en', 'g5g', 'p6-b200', 'p6-b300', 'g7e'];
// EC2's GPU name where it differs from the marketed one.
const EC2_GPU_NAME: Record<string, string> = { 'RTX PRO 6000': 'rtx-pro-server-6000' };
const refType = (name: string): RefType => REF.types[name];
const catalogRefNames = () => Object.keys(REF.types).filter((n) => !REFUSED_GPU_INSTANCE_TYPES[n]);
const all = Object.values(GPU_INSTANCE_TYPES);

describe('GPU catalog invariants', () => {
  test('every family of the issue is present, with at least one size', () => {
    expect([...gpuFamilies()].sort()).toEqual([...FAMILIES].sort());
    for (const f of FAMILIES) expect(gpuInstanceTypesOfFamily(f).length).toBeGreaterThan(0);
  });

  test('names are <family>.<size> and keyed by name', () => {
    for (const [key, t] of Object.entries(GPU_INSTANCE_TYPES)) {
      expect(t.name).toBe(key);
      expect(t.name.startsWith(`${t.family}.`)).toBe(true);
    }
  });

  test('counts, sizes and prices are positive; GPU count is 1, 2, 4 or 8', () => {
    for (const t of all) {
      expect([1, 2, 4, 8]).toContain(t.gpuCount);
      expect(t.gpuMemoryGiB).toBeGreaterThan(0);
      expect(Number.isInteger(t.vcpu) && t.vcpu > 0).toBe(true);
      expect(t.memoryGiB).toBeGreaterThan(0);
      expect(t.onDemandHourlyUsd).toBeGreaterThan(0);
    }
  });

  test('one GPU model, GPU memory and architecture per family', () => {
    for (const f of FAMILIES) {
      const ts = gpuInstanceTypesOfFamily(f);
      expect(new Set(ts.map((t) => `${t.gpuModel}/${t.gpuMemoryGiB}/${t.architecture}/${t.migCapable}`)).size).toBe(1);
    }
  });

  test('GPU models and memory per family', () => {
    const expected: Record<string, string> = {
      g4dn: 'T4/16', g5: 'A10G/24', g5g: 'T4G/16', g6: 'L4/24', gr6: 'L4/24', g6e: 'L40S/48', p4d: 'A100/40', p4de: 'A100/80', p5: 'H100/80', p5e: 'H200/141', p5en: 'H200/141',
      'p6-b200': 'B200/180', 'p6-b300': 'B300/288', g7e: 'RTX PRO 6000/96',
    };
    for (const t of all) expect(`${t.gpuModel}/${t.gpuMemoryGiB}`).toBe(expected[t.family]);
  });

  test('MIG on A100, H100, H200, B200 and RTX PRO 6000 (profiles in the GPU operator\'s default config), not on B300', () => {
    for (const t of all) expect(t.migCapable).toBe(['A100', 'H100', 'H200', 'B200', 'RTX PRO 6000'].includes(t.gpuModel));
  });

  test('arm64 only for g5g (Graviton)', () => {
    for (const t of all) expect(t.architecture).toBe(t.family === 'g5g' ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64);
  });

  test('price within a family grows with size; more GPUs never cost less per node', () => {
    for (const f of FAMILIES) {
      const ts = gpuInstanceTypesOfFamily(f);
      for (const a of ts) for (const b of ts) if (a.vcpu < b.vcpu && a.gpuCount <= b.gpuCount) expect(a.onDemandHourlyUsd).toBeLessThanOrEqual(b.onDemandHourlyUsd);
    }
  });

  test('the catalog cannot be changed at run time', () => {
    expect(Object.isFrozen(GPU_INSTANCE_TYPES)).toBe(true);
    expect(Object.isFrozen(GPU_INSTANCE_TYPES['g6e.xlarge'])).toBe(true);
    expect(Object.isFrozen(MIG_PROFILES['H100/80'])).toBe(true);
  });

  test('findGpuInstanceType: catalog types only, no prototype keys', () => {
    expect(findGpuInstanceType('g6e.xlarge')?.gpuModel).toBe('L40S');
    expect(findGpuInstanceType('m7i.large')).toBeUndefined();
    expect(findGpuInstanceType('toString')).toBeUndefined();
    expect(findGpuInstanceType('constructor')).toBeUndefined();
  });

  test('the price source names region, date and source', () => {
    expect(GPU_PRICE_SOURCE.region).toBe('us-east-1');
    expect(GPU_PRICE_SOURCE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(GPU_PRICE_SOURCE.source).toMatch(/aws\.amazon\.com\/ec2\/pricing\/on-demand/);
  });
});

describe('GPU catalog against EC2 and the AWS Price List', () => {
  test('every size of the families is in the catalog', () => {
    expect(catalogRefNames().filter((n) => !GPU_INSTANCE_TYPES[n])).toEqual([]);
    expect(all.map((t) => t.name).filter((n) => !REF.types[n])).toEqual([]);
  });

  test.each(all.map((t) => [t.name]))('%s: vCPU, memory, GPUs, GPU, architecture', (name) => {
    const t = GPU_INSTANCE_TYPES[name];
    const r = refType(name);
    expect({ vcpu: t.vcpu, memoryGiB: t.memoryGiB, gpuCount: t.gpuCount, gpu: EC2_GPU_NAME[t.gpuModel] ?? t.gpuModel.toLowerCase(), arch: t.architecture }).toEqual({
      vcpu: r.vcpu, memoryGiB: r.memoryMiB / 1024, gpuCount: r.gpuCount, gpu: r.gpuName, arch: r.arch === 'amd64' ? 'x86_64' : 'arm64',
    });
    // The catalog has the marketed size; EC2 reports what the driver exposes (A10G/L4 22.4 GiB, L40S 44.7 GiB).
    const ec2GiB = r.gpuMemoryMiB / 1024;
    expect(t.gpuMemoryGiB).toBeGreaterThanOrEqual(ec2GiB - 0.01);
    expect((t.gpuMemoryGiB - ec2GiB) / t.gpuMemoryGiB).toBeLessThan(0.08);
  });

  test.each(all.map((t) => [t.name]))('%s: on-demand price of the price source', (name) => {
    const t = GPU_INSTANCE_TYPES[name];
    const listed = REF.types[name].onDemandUsdUsEast1;
    expect(t.listedOnDemand).toBe(listed !== null);
    if (listed !== null) expect(Math.abs(t.onDemandHourlyUsd - listed) / listed).toBeLessThan(0.0001);
  });
});

describe('MIG profiles', () => {
  test('every MIG-capable type has profiles, others none', () => {
    for (const t of all) expect(migProfilesOf(t).length > 0).toBe(t.migCapable);
  });

  test('profiles per GPU (NVIDIA MIG user guide)', () => {
    expect(migProfilesOf(GPU_INSTANCE_TYPES['p4d.24xlarge'])).toEqual(expect.arrayContaining(['1g.5gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb']));
    expect(migProfilesOf(GPU_INSTANCE_TYPES['p4d.24xlarge'])).not.toContain('7g.80gb');
    for (const n of ['p4de.24xlarge', 'p5.48xlarge', 'p5.4xlarge']) expect([...migProfilesOf(GPU_INSTANCE_TYPES[n])].sort()).toEqual(['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']);
    for (const n of ['p5e.48xlarge', 'p5en.48xlarge']) expect([...migProfilesOf(GPU_INSTANCE_TYPES[n])].sort()).toEqual(['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']);
  });

  test('the largest profile of each GPU is its whole memory', () => {
    for (const t of all.filter((x) => x.migCapable)) expect(migProfilesOf(t).some((p) => p.endsWith(`g.${t.gpuMemoryGiB}gb`))).toBe(true);
  });

  test('Blackwell profiles (GPU operator default config): B200 7 slices, RTX PRO 6000 4', () => {
    expect(migProfilesOf(GPU_INSTANCE_TYPES['p6-b200.48xlarge'])).toEqual(['1g.23gb', '1g.45gb', '2g.45gb', '3g.90gb', '4g.90gb', '7g.180gb']);
    expect(migProfilesOf(GPU_INSTANCE_TYPES['g7e.2xlarge'])).toEqual(['1g.24gb', '2g.48gb', '4g.96gb']);
    expect(migProfilesOf(GPU_INSTANCE_TYPES['p6-b300.48xlarge'])).toEqual([]);
  });
});

describe('selectGpuInstanceTypes', () => {
  test('filters by GPU count, GPU memory and architecture, cheapest first', () => {
    const picked = selectGpuInstanceTypes({ gpuCount: 1, minGpuMemoryGiB: 24 });
    expect(picked.length).toBeGreaterThanOrEqual(5);
    expect(new Set(picked.map((t) => t.family)).size).toBeGreaterThanOrEqual(3);
    for (const t of picked) {
      expect(t.gpuCount).toBe(1);
      expect(t.gpuMemoryGiB).toBeGreaterThanOrEqual(24);
      expect(t.architecture).toBe(CpuArchitecture.X86_64);
    }
    const prices = picked.map((t) => t.onDemandHourlyUsd);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(picked[0].name).toBe('g6.xlarge');
  });

  test('exact GPU size, families, price cap, arm64; no capacity-block-only types', () => {
    expect(selectGpuInstanceTypes({ gpuCount: 1, minGpuMemoryGiB: 24, maxGpuMemoryGiB: 24 }).every((t) => t.gpuMemoryGiB === 24)).toBe(true);
    expect(selectGpuInstanceTypes({ families: ['g6e'] }).every((t) => t.family === 'g6e')).toBe(true);
    expect(selectGpuInstanceTypes({ maxOnDemandHourlyUsd: 1 }).every((t) => t.onDemandHourlyUsd <= 1)).toBe(true);
    expect(selectGpuInstanceTypes({ architecture: CpuArchitecture.ARM64 }).map((t) => t.family)).toEqual(expect.arrayContaining(['g5g']));
    expect(selectGpuInstanceTypes({ architecture: CpuArchitecture.ARM64 }).every((t) => t.family === 'g5g')).toBe(true);
    expect(selectGpuInstanceTypes({ gpuCount: 8 }).map((t) => t.name)).not.toContain('p5e.48xlarge');
  });
});

describe('families in the EKS GPU AMI table; refused types', () => {
  const amiFamilies = (arch: CpuArchitecture) => REF.eksNvidiaAmi[arch === CpuArchitecture.ARM64 ? 'AL2023 ARM NVIDIA' : 'AL2023 x86_64 NVIDIA'];

  test('every catalog family is supported by the EKS-optimized NVIDIA AMI of its architecture (AL2023 and Bottlerocket)', () => {
    for (const f of gpuFamilies()) {
      const arch = gpuInstanceTypesOfFamily(f)[0].architecture;
      expect(amiFamilies(arch)).toContain(f);
      if (arch === CpuArchitecture.X86_64) expect(REF.eksNvidiaAmi['Bottlerocket x86_64 aws-k8s-nvidia']).toContain(f);
    }
  });

  test('the fixture covers exactly the catalog and the refused families', () => {
    expect([...REF.families].sort()).toEqual([...gpuFamilies(), ...new Set(Object.values(REFUSED_GPU_INSTANCE_TYPES).map((t) => t.family))].sort());
  });

  test.each(Object.keys(REFUSED_GPU_INSTANCE_TYPES).map((n) => [n]))('refused %s: shape and price match EC2 and the price list', (name) => {
    const t = REFUSED_GPU_INSTANCE_TYPES[name];
    const r = refType(name);
    expect({ vcpu: t.vcpu, memoryMiB: t.memoryGiB * 1024, gpuCount: t.gpuCount, gpuMemoryMiB: t.gpuMemoryMiB, price: t.onDemandHourlyUsd }).toEqual({
      vcpu: r.vcpu, memoryMiB: r.memoryMiB, gpuCount: r.gpuCount, gpuMemoryMiB: r.gpuMemoryMiB, price: r.onDemandUsdUsEast1,
    });
    expect(GPU_INSTANCE_TYPES[name]).toBeUndefined();
    expect(t.source).toMatch(/^aws\/karpenter-provider-aws:/);
    expect(t.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('fractional types: EC2 counts 0 GPUs and the memory is the stated share of an L4', () => {
    const l4MiB = refType('g6.xlarge').gpuMemoryMiB;
    for (const t of Object.values(REFUSED_GPU_INSTANCE_TYPES).filter((x) => x.reason === RefusalReason.FRACTIONAL_GPU)) {
      expect(t.gpuCount).toBe(0);
      expect(t.gpuMemoryMiB).toBeCloseTo(l4MiB * t.gpuFraction, -1);
      expect(refusalOf(t.name)).toMatch(/fractional-GPU type \(1\/\d of an L4/);
    }
  });

  test('g7 (RTX PRO 4500, 32 GB) exists in EC2 but not in the EKS GPU AMI table', () => {
    expect(refType('g7.2xlarge')).toMatchObject({ gpuName: 'rtx-pro-4500', gpuMemoryMiB: 32768, gpuCount: 1 });
    for (const rows of Object.values(REF.eksNvidiaAmi)) expect(rows).not.toContain('g7');
    expect(refusalOf('g7.2xlarge')).toMatch(/RTX PRO 4500 GPUs, which the EKS-optimized NVIDIA AMIs do not list/);
    expect(refusalOf('g6.xlarge')).toBeUndefined();
    expect(refusalOf('toString')).toBeUndefined();
  });
});
