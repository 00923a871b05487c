import { IConstruct } from 'constructs';
import { Attrs, num, obj, objList, UNKNOWN } from './values';

/** A Kubernetes object rendered by a construct (resolved: references are `${...}` strings). */
export interface ObjectView {
  /** Kind. */
  readonly kind: string;
  /** apiVersion. */
  readonly apiVersion: string;
  /** metadata.name. */
  readonly name: string;
  /** Namespace (the release namespace when the object names none). */
  readonly namespace: string;
  /** The whole object. */
  readonly object: Attrs;
  /** The construct that renders it. */
  readonly owner: IConstruct;
  /** `Kind/namespace/name`. */
  readonly subject: string;
}

/** A pod-running workload as the rules see it. */
export interface WorkloadView {
  /** Kind (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, HelmValues). */
  readonly kind: string;
  /** Name. */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /**
   * `manifest`: the library renders the whole object, so a missing field is a violation.
   * `chart`: pod settings the library sets in a third-party chart; the chart adds the rest, so a
   * missing field cannot be decided.
   */
  readonly source: 'manifest' | 'chart';
  /** The pod spec. */
  readonly podSpec: Attrs;
  /** Pod template metadata. */
  readonly podMetadata: Attrs;
  /** Replicas (Deployment, StatefulSet, ReplicaSet), UNKNOWN when an expression, undefined when not applicable. */
  readonly replicas?: number | typeof UNKNOWN;
  /** The whole object, when rendered by the library. */
  readonly object?: Attrs;
  /** The construct that renders it. */
  readonly owner: IConstruct;
  /** `Kind/namespace/name`. */
  readonly subject: string;
}

/** Kinds whose pods run until stopped (probes, PDBs and spreading apply). */
export const LONG_RUNNING_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'];
const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'];
const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

/** Builds the view of a rendered object; undefined when it has no kind or name. */
export function objectView(owner: IConstruct, o: Attrs, defaultNamespace: string): ObjectView | undefined {
  const meta = obj(o.metadata) ?? {};
  if (typeof o.kind !== 'string' || typeof meta.name !== 'string') return undefined;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : defaultNamespace;
  return { kind: o.kind, apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '', name: meta.name, namespace, object: o, owner, subject: `${o.kind}/${namespace}/${meta.name}` };
}

/** The pod template of a pod-running object (spec and metadata). */
export function podTemplateOf(kind: string, o: Attrs): { spec: Attrs; metadata: Attrs } | undefined {
  const spec = obj(o.spec);
  if (!spec) return undefined;
  if (kind === 'Pod') return { spec, metadata: obj(o.metadata) ?? {} };
  let template: Attrs | undefined;
  if (TEMPLATE_KINDS.includes(kind)) template = obj(spec.template);
  else if (kind === 'CronJob') template = obj(obj(obj(spec.jobTemplate)?.spec)?.template);
  const podSpec = obj(template?.spec);
  return podSpec ? { spec: podSpec, metadata: obj(template?.metadata) ?? {} } : undefined;
}

/** The workload of an object, when it runs pods. */
export function workloadFromObject(v: ObjectView): WorkloadView | undefined {
  const t = podTemplateOf(v.kind, v.object);
  if (!t) return undefined;
  return {
    kind: v.kind,
    name: v.name,
    namespace: v.namespace,
    source: 'manifest',
    podSpec: t.spec,
    podMetadata: t.metadata,
    replicas: REPLICATED_KINDS.includes(v.kind) ? replicasOf(obj(v.object.spec)?.replicas) : undefined,
    object: v.object,
    owner: v.owner,
    subject: v.subject,
  };
}

/** The workload of an `IWorkloadSource.renderedWorkloads()` entry (already resolved). */
export function workloadFromRendered(owner: IConstruct, w: Attrs): WorkloadView | undefined {
  const podSpec = obj(w.podSpec);
  if (typeof w.kind !== 'string' || typeof w.name !== 'string' || !podSpec) return undefined;
  const namespace = typeof w.namespace === 'string' ? w.namespace : 'default';
  const object = obj(w.object);
  // The rendered object is what runs: its pod template labels count (PDB selectors match them).
  const templateMeta = object ? podTemplateOf(w.kind, object)?.metadata ?? {} : {};
  const givenMeta = obj(w.podMetadata) ?? {};
  const podMetadata = { ...templateMeta, ...givenMeta, labels: { ...(obj(templateMeta.labels) ?? {}), ...(obj(givenMeta.labels) ?? {}) } };
  let replicas: number | typeof UNKNOWN | undefined;
  if (w.replicas !== undefined) replicas = replicasOf(w.replicas);
  else if (REPLICATED_KINDS.includes(w.kind) && object) replicas = replicasOf(obj(object.spec)?.replicas);
  return {
    kind: w.kind,
    name: w.name,
    namespace,
    source: w.source === 'chart' ? 'chart' : 'manifest',
    podSpec,
    podMetadata,
    replicas,
    object,
    owner,
    subject: `${w.kind}/${namespace}/${w.name}`,
  };
}

function replicasOf(v: unknown): number | typeof UNKNOWN {
  const n = num(v);
  return n === undefined ? 1 : n;
}

/** A container of a pod spec with where it sits. */
export interface ContainerView {
  /** The container object. */
  readonly container: Attrs;
  /** Its name. */
  readonly name: string;
  /** True for init containers. */
  readonly init: boolean;
}

/** Containers and init containers of a pod spec. */
export function containersOf(podSpec: Attrs): ContainerView[] {
  const named = (c: Attrs, i: number, init: boolean) => ({ container: c, name: typeof c.name === 'string' ? c.name : `#${i}`, init });
  return [...objList(podSpec.initContainers).map((c, i) => named(c, i, true)), ...objList(podSpec.containers).map((c, i) => named(c, i, false))];
}
