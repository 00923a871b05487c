// Public options of evaluation-gated progressive rollouts (docs/rollouts.md).
import { IConstruct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { Duration } from '../core/units';

/** How a new revision of a model replaces the old one. */
export enum RolloutStrategy {
  /**
   * Canary: one canary replica first, analysis, then the canary's share grows step by step. Without
   * a traffic router the share of live traffic is the canary's share of replicas. For models with
   * at least two replicas.
   */
  CANARY = 'canary',
  /**
   * Blue/green: a full preview copy beside the active one, evaluated through the preview Service
   * before it takes traffic. For models that run as one replica (e.g. a 70B model on one 8-GPU node).
   */
  BLUE_GREEN = 'blueGreen',
}

/** Where a model is in the switch between a plain Deployment and a Rollout (docs/rollouts.md, "Migration"). */
export enum RolloutMigration {
  /** The Rollout owns the pods; the Deployment is its template only (0 replicas). */
  NONE = 'none',
  /**
   * Switching on: the Deployment keeps its replicas while the Rollout scales up and Argo Rollouts
   * scales the Deployment down as Rollout pods become ready (`workloadRef.scaleDown: progressively`).
   * Apply once, wait for the Rollout to be Healthy, then drop the setting.
   */
  FROM_DEPLOYMENT = 'fromDeployment',
  /**
   * Switching off: the Deployment gets its replicas back while the Rollout still serves. Apply once,
   * wait for the Deployment to be available, then remove `rollout`.
   */
  TO_DEPLOYMENT = 'toDeployment',
}

/**
 * Tolerances of the Prometheus checks that compare the canary's (or preview's) pods with the stable
 * pods, on the common serving signals. A check fails when canary > stable × (1 + relative) + absolute.
 */
export interface CanaryCheckOptions {
  /**
   * Absolute tolerance of the error ratio (failed ÷ finished + failed + aborted requests).
   * @default 0.01 (one percentage point)
   */
  readonly errorRatioTolerance?: number;
  /**
   * Relative tolerance of TTFT p95 and end-to-end latency p95.
   * @default 0.2 (20% slower than stable)
   */
  readonly latencyRelativeTolerance?: number;
  /**
   * Absolute tolerance added to the latency bounds (absorbs noise at low latencies; up to 10 minutes,
   * fractions of a second allowed).
   * @default Duration.millis(100)
   */
  readonly latencyAbsoluteTolerance?: Duration;
  /**
   * Compare cost per 1M generated tokens (relative tolerance). Off unless given.
   * @default - no cost check
   */
  readonly cost?: CostCheckOptions;
  /**
   * How often each check is measured during an analysis step.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Measurements per analysis step (with `interval`, the length of the step).
   * @default 5
   */
  readonly count?: number;
  /**
   * Failed measurements tolerated before the analysis fails.
   * @default 1
   */
  readonly failureLimit?: number;
}

/** The optional cost comparison. */
export interface CostCheckOptions {
  /**
   * A per-pod series of USD per 1M tokens (labels `namespace`, `model`, `pod`); when not given the
   * check computes it from the common signal of generated tokens and the replica's hourly price.
   * @default - computed from `aiplatform:serving_generation_tokens:rate5m` and the pool's price
   */
  readonly metric?: string;
  /**
   * Relative tolerance.
   * @default 0.1
   */
  readonly relativeTolerance?: number;
}

/** The rollout of one model (on `VllmModelOptions.rollout`). */
export interface ModelRolloutOptions {
  /**
   * Strategy.
   * @default RolloutStrategy.CANARY with more than one replica, RolloutStrategy.BLUE_GREEN with one
   */
  readonly strategy?: RolloutStrategy;
  /**
   * Canary weights (percent of replicas) after the first analysed canary replica, each followed by a
   * pause and a Prometheus analysis. 100 is implicit (promotion).
   * @default [50]
   */
  readonly canaryWeights?: number[];
  /**
   * Pause after each canary weight before its analysis (live traffic accumulates).
   * @default Duration.minutes(5)
   */
  readonly pause?: Duration;
  /** Tolerances of the Prometheus checks. @default - the defaults of CanaryCheckOptions */
  readonly checks?: CanaryCheckOptions;
  /**
   * Where the model is in the switch on or off.
   * @default RolloutMigration.NONE
   */
  readonly migration?: RolloutMigration;
  /**
   * How long the old ReplicaSet stays up after promotion (fast rollback) or after an abort (up to 1
   * day, whole seconds: the Rollout's `scaleDownDelaySeconds`).
   * @default Duration.seconds(30)
   */
  readonly scaleDownDelay?: Duration;
}

/** The progressive-delivery controller a serving stack's Rollouts need (implemented by `ArgoRollouts`). */
export interface IProgressiveDelivery extends IConstruct {
  /** Namespace of the controller. */
  readonly namespace: string;
  /** Apply Rollouts and AnalysisTemplates after this (the CRDs and the controller). */
  readonly dependable: ITerraformDependable;
}
