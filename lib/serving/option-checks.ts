import { IConstruct } from 'constructs';
import { RolloutMigration, RolloutStrategy } from '../rollout/types';
import { checkHelperNumber } from '../core/helper-args';
import { validateEnum } from '../core/enums';
import { ModelArchitecture } from './models';
import { KvCacheDtype, ModelPrecision } from './precision';
import { AutoscalerKind, RouterRoutingLogic, ScalingMetric, VolumeAccessMode } from './types';
import type { VllmServingStackOptions } from './stack-options';

/**
 * Checks every enum-valued option of a serving stack against its enum before anything reads it
 * (a wrong string from JavaScript would otherwise reach the sizing arithmetic as NaN or the
 * chart values as an unknown routing logic).
 */
export function checkServingEnums(scope: IConstruct, props: VllmServingStackOptions): void {
  validateEnum(scope, 'autoscaling.autoscaler', props.autoscaling?.autoscaler, AutoscalerKind, 'AutoscalerKind');
  validateEnum(scope, 'modelCache.accessMode', props.modelCache?.accessMode, VolumeAccessMode, 'VolumeAccessMode');
  validateEnum(scope, 'router.routingLogic', props.router?.routingLogic, RouterRoutingLogic, 'RouterRoutingLogic');
  (Array.isArray(props.models) ? props.models : []).forEach((m, i) => {
    const p = `models[${i}]`;
    validateEnum(scope, `${p}.precision`, m.precision, ModelPrecision, 'ModelPrecision');
    validateEnum(scope, `${p}.kvCacheDtype`, m.kvCacheDtype, KvCacheDtype, 'KvCacheDtype');
    validateEnum(scope, `${p}.autoscaling.metric`, m.autoscaling?.metric, ScalingMetric, 'ScalingMetric');
    validateEnum(scope, `${p}.rollout.strategy`, m.rollout?.strategy, RolloutStrategy, 'RolloutStrategy');
    validateEnum(scope, `${p}.rollout.migration`, m.rollout?.migration, RolloutMigration, 'RolloutMigration');
    if (m.architecture) checkArchitectureEnums(scope, `${p}.architecture`, m.architecture);
  });
}

/** Checks the enum-valued fields of a user-given {@link ModelArchitecture}. */
export function checkArchitectureEnums(scope: IConstruct | string, prop: string, arch: ModelArchitecture): void {
  validateEnum(scope, `${prop}.checkpointPrecision`, arch.checkpointPrecision, ModelPrecision, 'ModelPrecision');
}

/** Checks the enum arguments of a sizing helper called from user code (named `fn` in the error). */
export function checkSizingArgs(fn: string, args: { readonly architecture?: ModelArchitecture; readonly precision?: ModelPrecision; readonly kvCacheDtype?: KvCacheDtype }): void {
  if (args.architecture) checkArchitectureEnums(fn, 'architecture', args.architecture);
  validateEnum(fn, 'precision', args.precision, ModelPrecision, 'ModelPrecision');
  validateEnum(fn, 'kvCacheDtype', args.kvCacheDtype, KvCacheDtype, 'KvCacheDtype');
}

/** Checks the numeric inputs of {@link estimateModelMemory}. */
export function checkMemoryInputNumbers(input: { readonly gpuMemoryGiB: number; readonly tensorParallelSize?: number; readonly maxModelLen?: number; readonly gpuMemoryUtilization?: number; readonly maxNumBatchedTokens?: number }): void {
  const fn = 'estimateModelMemory';
  checkHelperNumber(fn, 'gpuMemoryGiB', input.gpuMemoryGiB, 0, 4096);
  if (input.tensorParallelSize !== undefined) checkHelperNumber(fn, 'tensorParallelSize', input.tensorParallelSize, 1, 64, { minInclusive: true, integer: true });
  if (input.maxModelLen !== undefined) checkHelperNumber(fn, 'maxModelLen', input.maxModelLen, 1, 16_777_216, { minInclusive: true, integer: true });
  if (input.gpuMemoryUtilization !== undefined) checkHelperNumber(fn, 'gpuMemoryUtilization', input.gpuMemoryUtilization, 0, 1);
  if (input.maxNumBatchedTokens !== undefined) checkHelperNumber(fn, 'maxNumBatchedTokens', input.maxNumBatchedTokens, 1, 16_777_216, { minInclusive: true, integer: true });
}
