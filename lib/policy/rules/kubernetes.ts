// Kubernetes workloads (pod specs rendered by the library) and namespaces.
import { GuardrailRule, GuardrailSeverity } from '../types';
import { fail, onElements, onObjects, onWorkloads, Outcome, RuleImpl, undecided, WorkloadTarget } from '../internal/rule';
import { ElementEntry, StackIndex } from '../internal/stack-index';
import { Attrs, block, blocks, bool, isExpression, isSet, num, obj, objList, SENSITIVE_REFERENCE, show, UNKNOWN } from '../internal/values';
import { ContainerView, containersOf, LONG_RUNNING_KINDS, WorkloadView } from '../internal/workloads';

const E = GuardrailSeverity.ERROR;
const W = GuardrailSeverity.WARNING;

const POD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'HelmValues'];
const SERVING_KINDS = [...LONG_RUNNING_KINDS, 'HelmValues'];
const MULTI_REPLICA_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'];
const NAMESPACE_TYPES = ['kubernetes_namespace_v1', 'kubernetes_namespace'];

const HOST_ROW = 'no `privileged`, `hostNetwork`, `hostPID`, `hostIPC`, `hostPath` — except GPU operator operands';
const HOST_NOTE = 'GPU operator operands need it: the GpuOperator construct suppresses it with its reason (its namespace is Pod Security privileged).';
const SC_ROW = '`allowPrivilegeEscalation: false` set explicitly; `runAsNonRoot: true`; capabilities drop ALL; `readOnlyRootFilesystem: true`; `seccompProfile: RuntimeDefault`';
const RES_ROW = 'requests on every container; memory limits; no CPU limits unless asked; GPU limits = requests';

const k8s = (id: string, severity: GuardrailSeverity, title: string, fix: string, securityRow: string, appliesTo: string[] = POD_KINDS, note?: string): GuardrailRule => ({
  id,
  title,
  severity,
  fix,
  area: 'Kubernetes',
  securityRow,
  appliesTo,
  note,
});

const PRIVILEGED = k8s('CKV_K8S_16', E, 'Containers are not privileged', 'remove securityContext.privileged: true', HOST_ROW, POD_KINDS, HOST_NOTE);
const HOST_PID = k8s('CKV_K8S_17', E, 'Pods do not share the host PID namespace', 'remove hostPID: true', HOST_ROW, POD_KINDS, HOST_NOTE);
const HOST_IPC = k8s('CKV_K8S_18', E, 'Pods do not share the host IPC namespace', 'remove hostIPC: true', HOST_ROW, POD_KINDS, HOST_NOTE);
const HOST_NETWORK = k8s('CKV_K8S_19', E, 'Pods do not share the host network namespace', 'remove hostNetwork: true', HOST_ROW, POD_KINDS, HOST_NOTE);
const HOST_PATH = k8s('AIP-180', E, 'Pods mount no hostPath volumes', 'use emptyDir, a PVC or a projected volume instead of hostPath', HOST_ROW, POD_KINDS, HOST_NOTE);
const ESCALATION = k8s('CKV_K8S_20', E, 'allowPrivilegeEscalation is false, explicitly', 'set securityContext.allowPrivilegeEscalation: false on every container (restrictedContainerSecurityContext())', SC_ROW);
const NON_ROOT = k8s('CKV_K8S_23', E, 'Containers run as non-root', 'set runAsNonRoot: true (and a non-zero runAsUser) in the pod or container securityContext', SC_ROW);
const CAPABILITIES = k8s('CKV_K8S_37', E, 'Containers drop ALL capabilities', 'set securityContext.capabilities.drop: [ALL]; add back at most NET_BIND_SERVICE', SC_ROW, POD_KINDS, 'Also fails added capabilities other than NET_BIND_SERVICE (what Pod Security restricted allows).');
const READ_ONLY = k8s('CKV_K8S_22', E, 'Root filesystems are read-only', 'set securityContext.readOnlyRootFilesystem: true and mount emptyDirs where the app writes', SC_ROW);
const SECCOMP = k8s('CKV_K8S_31', E, 'Pods use the RuntimeDefault seccomp profile', 'set securityContext.seccompProfile.type: RuntimeDefault on the pod (restrictedPodSecurityContext())', SC_ROW);
const CPU_REQUESTS = k8s('CKV_K8S_10', E, 'Containers request CPU', 'set resources.requests.cpu', RES_ROW);
const MEMORY_REQUESTS = k8s('CKV_K8S_12', E, 'Containers request memory', 'set resources.requests.memory', RES_ROW);
const MEMORY_LIMITS = k8s('CKV_K8S_13', E, 'Containers have memory limits', 'set resources.limits.memory', RES_ROW);
const CPU_LIMITS = k8s('AIP-181', W, 'Containers have no CPU limits unless asked', 'remove resources.limits.cpu (CPU limits throttle; requests give the share), or suppress with the reason', RES_ROW, POD_KINDS, 'The opposite of CKV_K8S_11, following the EKS best practices guide.');
const GPU_LIMITS = k8s('AIP-182', E, 'GPU limits equal GPU requests', 'set resources.limits["nvidia.com/gpu"] equal to the request (extended resources cannot be overcommitted)', RES_ROW);
const READINESS = k8s('CKV_K8S_9', E, 'Serving containers have a readiness probe', 'add a readinessProbe', 'readiness and liveness probes', SERVING_KINDS);
const LIVENESS = k8s('CKV_K8S_8', E, 'Serving containers have a liveness probe', 'add a livenessProbe', 'readiness and liveness probes', SERVING_KINDS);
const STARTUP = k8s('AIP-183', W, 'GPU serving containers have a startup probe', 'add a startupProbe with a failureThreshold that covers model download and load', 'a startupProbe for slow starters (vLLM model load can take many minutes)', SERVING_KINDS, 'Slow starters are recognised by a GPU request.');
const IMAGE = k8s('CKV_K8S_14', E, 'Images are pinned to a tag or digest, never latest', 'use image:<version> or image@sha256:<digest>', 'images pinned by tag at least, digest where available; no `latest`');
const TOKEN = k8s(
  'CKV_K8S_38',
  W,
  'Service account tokens are mounted only where needed',
  'set automountServiceAccountToken: false, or suppress with the reason the pod calls the Kubernetes API',
  '`automountServiceAccountToken: false` unless the pod calls the API',
  POD_KINDS,
  'IRSA does not need the token mount: the EKS webhook projects its own token.',
);
const SERVICE_ACCOUNT = k8s('AIP-184', W, 'Each workload has its own service account', 'set serviceAccountName to a service account of the workload (one per workload, with IRSA when it calls AWS)', 'one service account per workload with IRSA');
const ENV_SECRETS = k8s('AIP-185', E, 'No secrets as literal environment variables', 'take the value from a Secret (valueFrom.secretKeyRef) or mount it as a file', 'secrets mounted as files or from Kubernetes Secrets created outside Helm values');
const CRONJOB = k8s(
  'AIP-186',
  E,
  'CronJobs forbid overlap and bound their runs',
  'set concurrencyPolicy: Forbid, startingDeadlineSeconds, and in jobTemplate.spec ttlSecondsAfterFinished, backoffLimit and activeDeadlineSeconds',
  'CronJobs: `concurrencyPolicy: Forbid`, `startingDeadlineSeconds`, `ttlSecondsAfterFinished`, `backoffLimit`, `activeDeadlineSeconds`',
  ['CronJob'],
);
const PDB = k8s(
  'AIP-187',
  E,
  'Multi-replica workloads have a PodDisruptionBudget',
  'add a PodDisruptionBudget (maxUnavailable: 1) selecting the pods',
  'PodDisruptionBudget for every multi-replica service',
  MULTI_REPLICA_KINDS,
  'PDBs are found among local-chart manifests and kubernetes_pod_disruption_budget_v1 resources; a chart that renders its own PDB is undecided.',
);
const SPREAD = k8s('AIP-188', W, 'Multi-replica workloads spread across zones', 'add a topologySpreadConstraint on topology.kubernetes.io/zone', 'topology spread across zones', MULTI_REPLICA_KINDS);
const HOST_NAMESPACE = k8s(
  'AIP-192',
  E,
  'Workloads that need host access run in a Pod Security privileged namespace',
  'move the workload to the privileged namespace made for it (GPU operator), or drop the host access',
  HOST_ROW,
  POD_KINDS,
  'Pod Security admission of a restricted or baseline namespace rejects privileged, host-namespace and hostPath pods at apply time; decided for namespaces created in the same stack. Suppressing the host-access rules does not silence this one.',
);
const NS_LABELS = k8s('AIP-189', E, 'Namespaces enforce a Pod Security Standard', 'label the namespace pod-security.kubernetes.io/enforce: restricted (PlatformNamespace does)', 'their namespace gets Pod Security `privileged`; every other namespace `restricted` or `baseline`', [...NAMESPACE_TYPES, 'Namespace']);
const NS_PRIVILEGED = k8s('AIP-190', W, 'Only documented namespaces are Pod Security privileged', 'use restricted or baseline, or suppress with the reason (the GPU operator namespace)', 'their namespace gets Pod Security `privileged`', [...NAMESPACE_TYPES, 'Namespace']);
const NS_DEFAULT_DENY = k8s(
  'AIP-191',
  E,
  'Namespaces have a default-deny ingress NetworkPolicy',
  'add a NetworkPolicy with podSelector {} and policyTypes [Ingress] and no ingress rules (PlatformNamespace does), then explicit allows',
  'NetworkPolicy: default deny per namespace, then explicit allows',
  [...NAMESPACE_TYPES, 'Namespace'],
);

function label(c: ContainerView): string {
  return `${c.init ? 'init container' : 'container'} "${c.name}"`;
}

/** A missing field: a violation in a manifest the library renders, undecidable in a chart's values. */
function missing(w: WorkloadView, detail: string): Outcome {
  return w.source === 'chart' ? undecided(`${detail} (left to the chart)`) : fail(detail);
}

function perContainer(w: WorkloadView, check: (c: ContainerView, sc: Attrs) => Outcome | undefined, opts: { init?: boolean } = {}): Outcome[] {
  const out: Outcome[] = [];
  for (const c of containersOf(w.podSpec)) {
    if (c.init && opts.init === false) continue;
    const r = check(c, obj(c.container.securityContext) ?? {});
    if (r) out.push(r);
  }
  return out;
}

function podSc(w: WorkloadView): Attrs {
  return obj(w.podSpec.securityContext) ?? {};
}

function resources(c: ContainerView): { requests: Attrs; limits: Attrs } {
  const r = obj(c.container.resources) ?? {};
  return { requests: obj(r.requests) ?? {}, limits: obj(r.limits) ?? {} };
}

const isGpuResource = (k: string) => /(^|\/)gpu$|^nvidia\.com\/|^amd\.com\/gpu|^aws\.amazon\.com\/neuron/.test(k);

function requestsGpu(c: ContainerView): boolean {
  const { requests, limits } = resources(c);
  return [...Object.keys(requests), ...Object.keys(limits)].some(isGpuResource);
}

function podFlag(flag: string) {
  return ({ workload: w }: WorkloadTarget): Outcome[] => {
    const v = bool(w.podSpec[flag]);
    if (v === UNKNOWN) return [undecided(`${flag} is computed`)];
    return v === true ? [fail(`${flag}: true`)] : [];
  };
}

function requiredResource(kind: 'requests' | 'limits', key: string) {
  return ({ workload: w }: WorkloadTarget): Outcome[] =>
    perContainer(w, (c) => (isSet(resources(c)[kind][key]) ? undefined : missing(w, `${label(c)} has no resources.${kind}.${key}`)));
}

function probe(name: string) {
  return ({ workload: w }: WorkloadTarget): Outcome[] => perContainer(w, (c) => (isSet(c.container[name]) ? undefined : missing(w, `${label(c)} has no ${name}`)), { init: false });
}

const SECRET_ENV = /(password|passwd|secret|token|api[-_]?key|apikey|private[-_]?key|credentials?)$/i;

function imageProblem(image: unknown): string | undefined | typeof UNKNOWN {
  if (typeof image !== 'string' || image.length === 0) return 'has no image';
  if (isExpression(image)) return UNKNOWN;
  if (image.includes('@sha256:')) return undefined;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon < 0) return `image ${JSON.stringify(image)} has no tag (pulls latest)`;
  const tag = lastSegment.slice(colon + 1);
  return tag === 'latest' || tag.length === 0 ? `image ${JSON.stringify(image)} uses ${tag || 'an empty tag'}` : undefined;
}

function podLabels(w: WorkloadView): Record<string, unknown> {
  return obj(w.podMetadata.labels) ?? {};
}

function selectorMatches(selector: Attrs | undefined, labels: Record<string, unknown>): boolean {
  const ml = obj(selector?.matchLabels) ?? obj(selector?.match_labels);
  if (!ml || Object.keys(ml).length === 0) return false;
  return Object.entries(ml).every(([k, v]) => labels[k] === v);
}

function hasPdb(index: StackIndex, w: WorkloadView): boolean {
  const labels = podLabels(w);
  const fromObjects = index.objects().some((o) => o.kind === 'PodDisruptionBudget' && o.namespace === w.namespace && selectorMatches(obj(obj(o.object.spec)?.selector), labels));
  if (fromObjects) return true;
  return ['kubernetes_pod_disruption_budget_v1', 'kubernetes_pod_disruption_budget'].some((t) =>
    index.ofType(t).some((e) => {
      const a = e.attrs();
      return a !== undefined && index.namespaceName(block(a.metadata)?.namespace) === w.namespace && selectorMatches(block(block(a.spec)?.selector), labels);
    }),
  );
}

/** More than one replica: from `replicas`, or an HPA / KEDA ScaledObject that may scale it above one. */
function multiReplica(w: WorkloadView, index: StackIndex): boolean | typeof UNKNOWN {
  if (w.replicas === UNKNOWN) return UNKNOWN;
  if (typeof w.replicas === 'number' && w.replicas > 1) return true;
  return index.objects().some((o) => {
    const spec = obj(o.object.spec) ?? {};
    const target = obj(spec.scaleTargetRef);
    if (o.namespace !== w.namespace || target?.name !== w.name || (target.kind !== undefined && target.kind !== w.kind)) return false;
    if (o.kind === 'HorizontalPodAutoscaler') return (num(spec.maxReplicas) ?? 1) !== 1;
    // KEDA's maxReplicaCount defaults to 100.
    if (o.kind === 'ScaledObject') return (num(spec.maxReplicaCount) ?? 100) !== 1;
    return false;
  });
}

function replicasText(w: WorkloadView): string {
  return typeof w.replicas === 'number' && w.replicas > 1 ? `${w.replicas} replicas` : 'scaled above one replica by an autoscaler';
}

const ZONE = 'topology.kubernetes.io/zone';

function spreadsZones(podSpec: Attrs): boolean {
  if (objList(podSpec.topologySpreadConstraints).some((t) => t.topologyKey === ZONE)) return true;
  const anti = obj(obj(podSpec.affinity)?.podAntiAffinity) ?? {};
  const terms = [...objList(anti.requiredDuringSchedulingIgnoredDuringExecution), ...objList(anti.preferredDuringSchedulingIgnoredDuringExecution).map((p) => obj(p.podAffinityTerm) ?? {})];
  return terms.some((t) => t.topologyKey === ZONE);
}

/** What a pod needs that Pod Security baseline forbids (privileged, host namespaces, hostPath). */
function hostAccess(w: WorkloadView): string[] {
  const needs: string[] = [];
  for (const flag of ['hostNetwork', 'hostPID', 'hostIPC']) if (bool(w.podSpec[flag]) === true) needs.push(flag);
  if (objList(w.podSpec.volumes).some((v) => isSet(v.hostPath))) needs.push('hostPath');
  if (containersOf(w.podSpec).some((c) => bool(obj(c.container.securityContext)?.privileged) === true)) needs.push('privileged');
  return needs;
}

/** The Pod Security enforce level of a namespace created in the stack, if it is one. */
function namespaceLevel(index: StackIndex, name: string): string | undefined | typeof UNKNOWN {
  for (const t of NAMESPACE_TYPES) {
    for (const e of index.ofType(t)) {
      const a = e.attrs();
      if (a && block(a.metadata)?.name === name) return enforceLevel(namespaceOfEntry(e, a)) ?? 'privileged';
    }
  }
  const o = index.objects().find((x) => x.kind === 'Namespace' && x.name === name);
  if (o) return enforceLevel({ name, labels: obj(obj(o.object.metadata)?.labels) ?? {} }) ?? 'privileged';
  return undefined;
}

// Namespaces: the name and labels of a kubernetes_namespace(_v1) resource or a Namespace object.
interface NamespaceInfo {
  readonly name: unknown;
  readonly labels: Attrs;
  readonly entry?: ElementEntry;
}

function namespaceOfEntry(entry: ElementEntry, attrs: Attrs): NamespaceInfo {
  const meta = block(attrs.metadata) ?? {};
  return { name: meta.name, labels: obj(meta.labels) ?? {}, entry };
}

function enforceLevel(ns: NamespaceInfo): string | undefined | typeof UNKNOWN {
  const v = ns.labels['pod-security.kubernetes.io/enforce'];
  if (v === undefined) return undefined;
  return typeof v === 'string' && !isExpression(v) ? v : UNKNOWN;
}

function labelCheck(ns: NamespaceInfo): Outcome[] {
  const level = enforceLevel(ns);
  if (level === UNKNOWN) return [undecided('pod-security.kubernetes.io/enforce is computed')];
  if (level === undefined) return [fail('no pod-security.kubernetes.io/enforce label: any pod is admitted')];
  return ['restricted', 'baseline', 'privileged'].includes(level) ? [] : [fail(`pod-security.kubernetes.io/enforce is ${show(level)}`)];
}

function privilegedCheck(ns: NamespaceInfo): Outcome[] {
  return enforceLevel(ns) === 'privileged' ? [fail(`namespace ${show(ns.name)} enforces Pod Security privileged`)] : [];
}

function isDefaultDeny(podSelector: Attrs | undefined, policyTypes: unknown, ingress: unknown): boolean {
  const sel = podSelector ?? {};
  const emptySelector = Object.keys(obj(sel.matchLabels) ?? obj(sel.match_labels) ?? {}).length === 0 && objList(sel.matchExpressions ?? sel.match_expressions).length === 0;
  const types = Array.isArray(policyTypes) ? policyTypes : [];
  return emptySelector && types.includes('Ingress') && blocks(ingress).length === 0;
}

function defaultDenyCheck(ns: NamespaceInfo, index: StackIndex): Outcome[] {
  const literal = typeof ns.name === 'string' && !isExpression(ns.name) ? ns.name : undefined;
  const matches = (policyNs: unknown) => (literal !== undefined && index.namespaceName(policyNs) === literal) || (ns.entry !== undefined && index.refersTo(policyNs, ns.entry));
  for (const t of ['kubernetes_network_policy_v1', 'kubernetes_network_policy']) {
    for (const e of index.ofType(t)) {
      const a = e.attrs();
      if (!a || !matches(block(a.metadata)?.namespace)) continue;
      const spec = block(a.spec) ?? {};
      if (isDefaultDeny(block(spec.pod_selector), spec.policy_types, spec.ingress)) return [];
    }
  }
  for (const o of index.objects()) {
    if (o.kind !== 'NetworkPolicy' || !matches(o.namespace)) continue;
    const spec = obj(o.object.spec) ?? {};
    if (isDefaultDeny(obj(spec.podSelector), spec.policyTypes, spec.ingress)) return [];
  }
  if (literal === undefined && ns.entry === undefined) return [undecided('the namespace name is computed')];
  return [fail(`no default-deny ingress NetworkPolicy in namespace ${show(ns.name)}`)];
}

/** Kubernetes workload and namespace rules. */
export const KUBERNETES_RULES: RuleImpl[] = [
  onWorkloads(PRIVILEGED, ({ workload: w }) =>
    perContainer(w, (c, sc) => {
      const v = bool(sc.privileged);
      if (v === UNKNOWN) return undecided(`${label(c)} privileged is computed`);
      return v === true ? fail(`${label(c)} is privileged`) : undefined;
    }),
  ),
  onWorkloads(HOST_PID, podFlag('hostPID')),
  onWorkloads(HOST_IPC, podFlag('hostIPC')),
  onWorkloads(HOST_NETWORK, podFlag('hostNetwork')),
  onWorkloads(HOST_PATH, ({ workload: w }) => {
    const host = objList(w.podSpec.volumes).filter((v) => isSet(v.hostPath));
    return host.length > 0 ? [fail(`hostPath volumes ${host.map((v) => `${String(v.name)} (${String(obj(v.hostPath)?.path ?? '?')})`).join(', ')}`)] : [];
  }),
  onWorkloads(ESCALATION, ({ workload: w }) =>
    perContainer(w, (c, sc) => {
      const v = bool(sc.allowPrivilegeEscalation);
      if (v === UNKNOWN) return undecided(`${label(c)} allowPrivilegeEscalation is computed`);
      if (v === true) return fail(`${label(c)} sets allowPrivilegeEscalation: true`);
      return v === false ? undefined : missing(w, `${label(c)} does not set allowPrivilegeEscalation: false`);
    }),
  ),
  onWorkloads(NON_ROOT, ({ workload: w }) =>
    perContainer(w, (c, sc) => {
      const pod = podSc(w);
      const nonRoot = bool(sc.runAsNonRoot ?? pod.runAsNonRoot);
      const user = num(sc.runAsUser ?? pod.runAsUser);
      if (user === 0) return fail(`${label(c)} runs as UID 0`);
      if (nonRoot === UNKNOWN) return undecided(`${label(c)} runAsNonRoot is computed`);
      if (nonRoot === false) return fail(`${label(c)} sets runAsNonRoot: false`);
      return nonRoot === true ? undefined : missing(w, `${label(c)} does not set runAsNonRoot: true`);
    }),
  ),
  onWorkloads(CAPABILITIES, ({ workload: w }) =>
    perContainer(w, (c, sc) => {
      const caps = obj(sc.capabilities) ?? {};
      const drop = Array.isArray(caps.drop) ? caps.drop.map((x) => String(x).toUpperCase()) : [];
      const add = (Array.isArray(caps.add) ? caps.add.map((x) => String(x).toUpperCase()) : []).filter((x) => x !== 'NET_BIND_SERVICE');
      if (add.length > 0) return fail(`${label(c)} adds capabilities ${add.join(', ')}`);
      return drop.includes('ALL') ? undefined : missing(w, `${label(c)} does not drop ALL capabilities`);
    }),
  ),
  onWorkloads(READ_ONLY, ({ workload: w }) =>
    perContainer(w, (c, sc) => {
      const v = bool(sc.readOnlyRootFilesystem);
      if (v === UNKNOWN) return undecided(`${label(c)} readOnlyRootFilesystem is computed`);
      if (v === false) return fail(`${label(c)} sets readOnlyRootFilesystem: false`);
      return v === true ? undefined : missing(w, `${label(c)} does not set readOnlyRootFilesystem: true`);
    }),
  ),
  onWorkloads(SECCOMP, ({ workload: w }) =>
    perContainer(w, (c, sc) => {
      const type = obj(sc.seccompProfile)?.type ?? obj(podSc(w).seccompProfile)?.type;
      if (type === 'RuntimeDefault' || type === 'Localhost') return undefined;
      if (type === undefined) return missing(w, `${label(c)} has no seccompProfile (pod or container)`);
      return typeof type === 'string' && isExpression(type) ? undecided(`${label(c)} seccompProfile is computed`) : fail(`${label(c)} seccompProfile is ${show(type)}`);
    }),
  ),
  onWorkloads(CPU_REQUESTS, requiredResource('requests', 'cpu')),
  onWorkloads(MEMORY_REQUESTS, requiredResource('requests', 'memory')),
  onWorkloads(MEMORY_LIMITS, requiredResource('limits', 'memory')),
  onWorkloads(CPU_LIMITS, ({ workload: w }) => perContainer(w, (c) => (isSet(resources(c).limits.cpu) ? fail(`${label(c)} has a CPU limit (${show(resources(c).limits.cpu)})`) : undefined))),
  onWorkloads(GPU_LIMITS, ({ workload: w }) => {
    const out: Outcome[] = [];
    for (const c of containersOf(w.podSpec)) {
      const { requests, limits } = resources(c);
      for (const key of new Set([...Object.keys(requests), ...Object.keys(limits)].filter(isGpuResource))) {
        if (!isSet(limits[key])) out.push(fail(`${label(c)} requests ${key} without a limit`));
        else if (isSet(requests[key]) && String(requests[key]) !== String(limits[key])) out.push(fail(`${label(c)} ${key} request ${show(requests[key])} differs from limit ${show(limits[key])}`));
      }
    }
    return out;
  }),
  onWorkloads(READINESS, probe('readinessProbe')),
  onWorkloads(LIVENESS, probe('livenessProbe')),
  onWorkloads(STARTUP, ({ workload: w }) => perContainer(w, (c) => (requestsGpu(c) && !isSet(c.container.startupProbe) ? missing(w, `${label(c)} uses GPUs and has no startupProbe`) : undefined), { init: false })),
  onWorkloads(IMAGE, ({ workload: w }) =>
    perContainer(w, (c) => {
      const p = imageProblem(c.container.image);
      if (p === UNKNOWN) return undecided(`${label(c)} image is computed`);
      if (p === 'has no image') return missing(w, `${label(c)} has no image`);
      return p ? fail(`${label(c)} ${p}`) : undefined;
    }),
  ),
  onWorkloads(TOKEN, ({ workload: w }) => {
    const v = bool(w.podSpec.automountServiceAccountToken);
    if (v === false) return [];
    if (v === UNKNOWN) return [undecided('automountServiceAccountToken is computed')];
    return [v === true ? fail('automountServiceAccountToken: true') : missing(w, 'automountServiceAccountToken is not false')];
  }),
  onWorkloads(SERVICE_ACCOUNT, ({ workload: w }) => {
    const sa = w.podSpec.serviceAccountName;
    if (sa === 'default') return [fail('runs as the default service account')];
    return isSet(sa) ? [] : [missing(w, 'no serviceAccountName (the namespace default service account)')];
  }),
  onWorkloads(ENV_SECRETS, ({ workload: w }) =>
    containersOf(w.podSpec).flatMap((c) =>
      objList(c.container.env)
        .filter((e) => typeof e.name === 'string' && SECRET_ENV.test(e.name) && typeof e.value === 'string' && e.value.length > 0)
        .filter((e) => !isExpression(e.value) || SENSITIVE_REFERENCE.test(String(e.value)))
        .map((e) => fail(`${label(c)} env ${String(e.name)} is ${isExpression(e.value) ? 'set from a Terraform secret' : 'a literal value'}`)),
    ),
  ),
  onWorkloads(CRONJOB, ({ workload: w }) => {
    const spec = obj(w.object?.spec);
    if (!spec) return [w.source === 'chart' ? undecided('the CronJob object is rendered by the chart') : undecided('the CronJob object is not rendered')];
    const job = obj(obj(spec.jobTemplate)?.spec) ?? {};
    const problems: string[] = [];
    if (spec.concurrencyPolicy !== 'Forbid') problems.push(`concurrencyPolicy is ${show(spec.concurrencyPolicy)}`);
    if (!isSet(spec.startingDeadlineSeconds)) problems.push('no startingDeadlineSeconds');
    for (const k of ['ttlSecondsAfterFinished', 'backoffLimit', 'activeDeadlineSeconds']) if (!isSet(job[k])) problems.push(`no jobTemplate.spec.${k}`);
    return problems.length > 0 ? [fail(problems.join(', '))] : [];
  }),
  onWorkloads(PDB, ({ workload: w, index }) => {
    const multi = multiReplica(w, index);
    if (multi === UNKNOWN) return [undecided('replicas is computed')];
    if (!multi || hasPdb(index, w)) return [];
    return [missing(w, `${replicasText(w)} and no PodDisruptionBudget selecting the pods`)];
  }),
  onWorkloads(SPREAD, ({ workload: w, index }) => {
    const multi = multiReplica(w, index);
    if (multi === UNKNOWN) return [undecided('replicas is computed')];
    if (!multi || spreadsZones(w.podSpec)) return [];
    return [missing(w, `${replicasText(w)} and no topology spread (or anti-affinity) on ${ZONE}`)];
  }),
  onWorkloads(HOST_NAMESPACE, ({ workload: w, index }) => {
    const needs = hostAccess(w);
    if (needs.length === 0) return [];
    const level = namespaceLevel(index, w.namespace);
    if (level === UNKNOWN) return [undecided(`the Pod Security level of namespace ${w.namespace} is computed`)];
    if (level === undefined || level === 'privileged') return [];
    return [fail(`needs ${needs.join(', ')} but namespace ${w.namespace} enforces Pod Security ${level}: admission will reject the pods`)];
  }),

  onElements(NS_LABELS, ({ entry, attrs }) => labelCheck(namespaceOfEntry(entry, attrs)), NAMESPACE_TYPES),
  onObjects(NS_LABELS, ({ object }) => labelCheck({ name: object.name, labels: obj(obj(object.object.metadata)?.labels) ?? {} }), ['Namespace']),
  onElements(NS_PRIVILEGED, ({ entry, attrs }) => privilegedCheck(namespaceOfEntry(entry, attrs)), NAMESPACE_TYPES),
  onObjects(NS_PRIVILEGED, ({ object }) => privilegedCheck({ name: object.name, labels: obj(obj(object.object.metadata)?.labels) ?? {} }), ['Namespace']),
  onElements(NS_DEFAULT_DENY, ({ entry, attrs, index }) => defaultDenyCheck(namespaceOfEntry(entry, attrs), index), NAMESPACE_TYPES),
  onObjects(NS_DEFAULT_DENY, ({ object, index }) => defaultDenyCheck({ name: object.name, labels: {} }, index), ['Namespace']),
];
