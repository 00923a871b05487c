// The small valid platform the bad-input tests start from, and the edits that break one part of it.
// Shared by test/bad-input/corpus.test.ts and test/core/value-format.test.ts.
import { AiPlatformProps } from '../../lib';

export const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];
export const POOL = { poolName: 'gpu', instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'] };
export const MODEL = { name: 'llama', model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 8192 };

/** A valid platform: a created cluster, one GPU pool, one served model, the registry. */
export function base(): AiPlatformProps {
  return { region: 'us-west-2', cluster: { clusterName: 'demo', availabilityZones: AZS }, gpuPools: [POOL], serving: [{ id: 'chat', gpuPool: 'gpu', models: [MODEL] }], registry: {} };
}

/** A change to the valid platform. */
export type Edit = (p: AiPlatformProps) => AiPlatformProps;
export const cluster = (c: object): Edit => (p) => ({ ...p, cluster: { ...p.cluster!, ...c } });
export const pool = (o: object): Edit => (p) => ({ ...p, gpuPools: [{ ...POOL, ...o }] });
export const model = (o: object): Edit => (p) => ({ ...p, serving: [{ id: 'chat', gpuPool: 'gpu', models: [{ ...MODEL, ...o }] }] });
export const serving = (o: object): Edit => (p) => ({ ...p, serving: [{ id: 'chat', gpuPool: 'gpu', models: [MODEL], ...o }] });
export const registry = (o: object): Edit => (p) => ({ ...p, registry: o });
export const observability = (o: object): Edit => (p) => ({ ...p, observability: o });
