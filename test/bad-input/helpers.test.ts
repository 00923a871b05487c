// Helper APIs (cost report, catalogs, estimators, region catalog) check their arguments the way
// constructs do: a ValidationError naming the helper, the argument, the value and what is valid.
import { Testing } from 'cdktf';
import { AiPlatform, ValidationError, platformCostReport, selectGpuInstanceTypes, estimateModelMemory, WeightSource } from '../../lib';
import { azIdPrefixOfRegion, knownRegions, regionOfArn, regionOfAvailabilityZone, REGION_FACTS, validateRegion } from '../../lib/core/regions';
import { CPU_INSTANCE_FACTS, cpuArchitectureOf } from '../../lib/cluster/cpu-instance-types';
import { factTableProblems } from '../../lib/core/facts';
import { checkRdsWindows } from '../../lib/registry/windows';
import { estimateStartupSeconds } from '../../lib/serving/sizing';
import { findModelArchitecture } from '../../lib/serving/models';

const LLAMA = findModelArchitecture('meta-llama/Llama-3.1-8B-Instruct')!;

function failure(f: () => unknown): ValidationError {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected a ValidationError, got none');
}

const platform = new AiPlatform(Testing.app({ stackTraces: false }), 'ai', {
  region: 'us-west-2',
  cluster: { clusterName: 'demo', availabilityZones: ['us-west-2a', 'us-west-2b'] },
  gpuPools: [{ poolName: 'gpu', instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge'] }],
  serving: [{ id: 'chat', gpuPool: 'gpu', models: [{ name: 'llama', model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 8192 }] }],
});

test.each([
  ['platformCostReport', () => platformCostReport(undefined as never), 'platform', 'must be an AiPlatform'],
  ['platformCostReport', () => platformCostReport(platform, { hoursPerMonth: 800 }), 'hoursPerMonth', '(0, 744]'],
  ['platformCostReport', () => platformCostReport(platform, { spotPriceFactor: Number.NaN }), 'spotPriceFactor', '(0, 1]'],
  ['selectGpuInstanceTypes', () => selectGpuInstanceTypes({ gpuCount: 1.5 }), 'gpuCount', 'an integer'],
  ['selectGpuInstanceTypes', () => selectGpuInstanceTypes({ minGpuMemoryGiB: 80, maxGpuMemoryGiB: 24 }), 'minGpuMemoryGiB', 'cannot be greater than maxGpuMemoryGiB'],
  ['selectGpuInstanceTypes', () => selectGpuInstanceTypes({ families: ['g9'] }), 'families[0]', 'GPU family of the catalog'],
  ['estimateModelMemory', () => estimateModelMemory({ architecture: LLAMA, gpuMemoryGiB: 24, tensorParallelSize: 0 }), 'tensorParallelSize', 'an integer in [1, 64]'],
  ['estimateModelMemory', () => estimateModelMemory({ architecture: LLAMA, gpuMemoryGiB: -1 }), 'gpuMemoryGiB', '(0, 4096]'],
  ['estimateModelMemory', () => estimateModelMemory({ architecture: LLAMA, gpuMemoryGiB: 24, gpuMemoryUtilization: 1.5 }), 'gpuMemoryUtilization', '(0, 1]'],
  ['estimateStartupSeconds', () => estimateStartupSeconds(-5, WeightSource.HUGGING_FACE), 'weightsGiB', '[0, 100000]'],
  ['validateRegion', () => validateRegion('validateRegion', 'region', 'eu-central'), 'region', 'did you mean "eu-central-1"'],
] as const)('%s rejects %s', (fn, call, prop, valid) => {
  const e = failure(call);
  expect(e.constructPath).toBe(fn === 'validateRegion' ? 'validateRegion' : fn);
  expect(e.prop).toBe(prop);
  expect(e.message).toContain(valid);
});

test('valid helper calls still work', () => {
  expect(platformCostReport(platform).models).toHaveLength(1);
  expect(selectGpuInstanceTypes({ gpuCount: 1, families: ['g6e'] }).length).toBeGreaterThan(0);
});

test('availability zone names and ids map to their region', () => {
  expect(regionOfAvailabilityZone('us-west-2a')).toBe('us-west-2');
  expect(regionOfAvailabilityZone('ap-southeast-1c')).toBe('ap-southeast-1');
  expect(regionOfAvailabilityZone('usw2-az3')).toBe('us-west-2');
  expect(regionOfAvailabilityZone('apne1-az4')).toBe('ap-northeast-1');
  expect(regionOfAvailabilityZone('euc1-az2')).toBe('eu-central-1');
  expect(regionOfAvailabilityZone('zzz9-az1')).toBeUndefined();
  expect(azIdPrefixOfRegion('us-gov-west-1')).toBe('usgw1');
  expect(azIdPrefixOfRegion('cn-northwest-1')).toBe('cnnw1');
  // Every region of the catalog has its own AZ id prefix (no two regions map to one).
  const prefixes = knownRegions().map(azIdPrefixOfRegion);
  expect(new Set(prefixes).size).toBe(prefixes.length);
  expect(regionOfArn('arn:aws:acm:eu-west-1:111122223333:certificate/abc')).toBe('eu-west-1');
  expect(regionOfArn('arn:aws:iam::111122223333:role/x')).toBe('');
});

test('a region newer than the catalog passes with a warning; a shape no partition has fails', () => {
  expect(validateRegion('t', 'region', 'ap-east-2')).toBe('ap-east-2');
  expect(() => validateRegion('t', 'region', 'us-west')).toThrow(ValidationError);
});

test('architecture of CPU instance types', () => {
  expect(cpuArchitectureOf('m7g.large')).toBe('arm64');
  expect(cpuArchitectureOf('c8gn.xlarge')).toBe('arm64');
  expect(cpuArchitectureOf('m8i.large')).toBe('x86_64');
  expect(cpuArchitectureOf('t4g.small')).toBe('arm64');
});

test('RDS windows: overlap across midnight and across the week are found', () => {
  const scope = new AiPlatform(Testing.app({ stackTraces: false }), 'w', { region: 'us-west-2', cluster: { clusterName: 'w' } });
  expect(() => checkRdsWindows(scope, '', '23:30-00:30', 'mon:00:00-mon:01:00')).toThrow(/must not overlap/);
  expect(() => checkRdsWindows(scope, '', '00:00-00:45', 'sun:23:50-mon:00:20')).toThrow(/must not overlap/);
  expect(() => checkRdsWindows(scope, '', '03:00-04:00', 'sun:05:00-sun:06:00')).not.toThrow();
  expect(() => checkRdsWindows(scope, '', '03:00-04:00', 'sun:04:00-sun:05:00')).not.toThrow();
});

test('the region and CPU catalogs carry their sources', () => {
  expect(factTableProblems(REGION_FACTS)).toEqual([]);
  expect(factTableProblems(CPU_INSTANCE_FACTS)).toEqual([]);
});
