import { IConstruct } from 'constructs';
import { JsonObject } from './values';

/**
 * A pod-running object the library puts in the cluster, as rendered (after defaults and the
 * user's extra values), so the policy Aspect can check the pods themselves, not the props.
 */
export interface RenderedWorkload {
  /** Kind: Deployment, StatefulSet, DaemonSet, Job, CronJob, or `HelmValues` for a chart's pod settings. */
  readonly kind: string;
  /** Object or component name. */
  readonly name: string;
  /** Namespace it runs in. */
  readonly namespace: string;
  /** The pod spec (for CronJobs: the job template's pod spec). */
  readonly podSpec: JsonObject;
  /** Pod template metadata (labels, annotations), if known. */
  readonly podMetadata?: JsonObject;
  /** Replicas, for Deployments/StatefulSets. */
  readonly replicas?: number;
  /** The whole object (CronJob spec fields, PDB presence checks), if rendered by the library. */
  readonly object?: JsonObject;
  /**
   * Where it comes from: `manifest` (an object the library renders completely) or `chart`
   * (pod settings the library sets in a third-party chart's values; the chart adds the rest).
   */
  readonly source: string;
}

/** A construct that can list the workloads it puts in the cluster (for the policy Aspect). */
export interface IWorkloadSource extends IConstruct {
  /** The workloads as rendered. */
  renderedWorkloads(): RenderedWorkload[];
}

/** Type guard for {@link IWorkloadSource}. */
export function isWorkloadSource(x: unknown): x is IWorkloadSource {
  return typeof x === 'object' && x !== null && typeof (x as { renderedWorkloads?: unknown }).renderedWorkloads === 'function';
}
