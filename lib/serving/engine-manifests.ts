// Kubernetes objects of the engines (any ServingEngine), rendered by the library (not by the
// chart's engine template, which cannot express a grace period, a preStop hook, topology spread,
// per-model probes or a service account without a token; see docs/serving.md) and installed
// through the production-stack chart's `extraObjects`. What differs per engine (image, command,
// flags, probes, environment) comes from its EngineDefinition.
import { Size } from '../core/units';
import { IGpuNodePool } from '../gpu/types';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { JsonObject, JsonValue, KubernetesObject } from '../k8s/values';
import { buildPodsMetricHpa } from '../autoscaling/scaled-object';
import { EngineDefinition, EngineModel } from './engines/engine';
import { ImageSpec, imageRef } from './images';
import { WeightSource } from './sizing';
import { AutoscalerKind, ScalingMetric } from './types';
import { ModelRolloutOptions } from '../rollout/types';
import { autoscalerTargetsRollout, deploymentReplicasUnderRollout, targetRollout } from '../rollout/render';

/** Port every engine listens on: the router's `--k8s-port` is one port for all engines of a stack. */
export const ENGINE_PORT = 8000;
/** Mount path of the model cache (PVC or emptyDir). */
export const MODEL_CACHE_PATH = '/models';
const TMP_SIZE = Size.gibibytes(10);
const HOME_SIZE = Size.gibibytes(10);

/** A model after defaults and validation: everything the manifests need. */
export interface ResolvedModel extends EngineModel {
  readonly deploymentName: string;
  readonly engine: EngineDefinition;
  readonly image: ImageSpec;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly startupSeconds: number;
  readonly cpu: number;
  readonly memory: Size;
  readonly shmSize?: Size;
  readonly emptyDirModelCache?: Size;
  readonly doNotDisrupt: boolean;
  readonly terminationGraceSeconds: number;
  readonly preStopSeconds: number;
  readonly roleArn?: string;
  readonly scaler: AutoscalerKind;
  readonly metric: ScalingMetric;
  readonly hpaMetricName: string;
  readonly target: number;
  /** The model's progressive rollout, when on (docs/rollouts.md). */
  readonly rollout?: ModelRolloutOptions;
}

/** Settings shared by every engine of a stack. */
export interface EngineContext {
  readonly release: string;
  readonly namespace: string;
  readonly pool: IGpuNodePool;
  readonly apiKeySecret: { readonly name: string; readonly key: string };
  readonly hfTokenSecret?: { readonly name: string; readonly key: string };
  readonly modelCacheClaim?: string;
  readonly runtimeClassName?: string;
  readonly region: string;
}

/** Labels that select one model's engine pods. */
export function engineSelector(release: string, model: string): Record<string, string> {
  return { 'app.kubernetes.io/name': model, 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'serving-engine' };
}

/** Labels that select every engine pod of a stack (the router's `--k8s-label-selector`). */
export function allEnginesSelector(release: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'serving-engine' };
}

/** Labels of the chart's router pods. */
export function routerSelector(release: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'router' };
}

function secretEnv(name: string, secret: { name: string; key: string }): JsonObject {
  return { name, valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } } };
}

/** The engine pod spec of one model (also what the policy Aspect checks). */
export function enginePodSpec(ctx: EngineContext, m: ResolvedModel): JsonObject {
  const engine = m.engine;
  const HOME = engine.homeDir;
  const user = HOME.split('/').pop() as string;
  const env: JsonObject[] = [
    { name: 'HOME', value: HOME },
    // The images have no passwd entry for the non-root UID; getpass.getuser() (torch's compile
    // cache path) then needs these.
    { name: 'USER', value: user },
    { name: 'LOGNAME', value: user },
    { name: 'XDG_CACHE_HOME', value: `${HOME}/.cache` },
    { name: 'XDG_CONFIG_HOME', value: `${HOME}/.config` },
    { name: 'TMPDIR', value: '/tmp' },
    { name: 'HF_HOME', value: `${MODEL_CACHE_PATH}/huggingface` },
    ...engine.env(m),
    secretEnv(engine.apiKeyEnv, ctx.apiKeySecret),
  ];
  if (ctx.hfTokenSecret) env.push(secretEnv('HF_TOKEN', ctx.hfTokenSecret));
  if (m.source === WeightSource.S3_STREAMER) env.push({ name: 'AWS_REGION', value: ctx.region });

  const volumes: JsonObject[] = [
    { name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE.toKubernetes() } },
    { name: 'home', emptyDir: { sizeLimit: HOME_SIZE.toKubernetes() } },
  ];
  const mounts: JsonObject[] = [
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'home', mountPath: HOME },
  ];
  let ephemeral = TMP_SIZE.toBytes() + HOME_SIZE.toBytes();
  if (ctx.modelCacheClaim) {
    volumes.push({ name: 'model-cache', persistentVolumeClaim: { claimName: ctx.modelCacheClaim } });
    mounts.push({ name: 'model-cache', mountPath: MODEL_CACHE_PATH });
  } else {
    const size = m.emptyDirModelCache ?? Size.gibibytes(5);
    volumes.push({ name: 'model-cache', emptyDir: { sizeLimit: size.toKubernetes() } });
    mounts.push({ name: 'model-cache', mountPath: MODEL_CACHE_PATH });
    ephemeral += size.toBytes();
  }
  if (m.shmSize) {
    // NCCL and vLLM's worker broadcast queue use /dev/shm across tensor-parallel ranks; the
    // runtime's default is 64 MiB.
    volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: m.shmSize.toKubernetes() } });
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  const gpus = String(m.tensorParallelSize);
  const memory = m.memory.toKubernetes();
  const probe = (path: string) => ({ path, port: 'http' });
  const podSpec: JsonObject = {
    serviceAccountName: m.deploymentName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(),
    nodeSelector: { ...ctx.pool.nodeSelector },
    tolerations: ctx.pool.tolerations,
    topologySpreadConstraints: [
      // Soft: GPU capacity is scarce per zone; a replica in a busy zone beats no replica.
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: engineSelector(ctx.release, m.name) } },
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: engineSelector(ctx.release, m.name) } },
    ],
    terminationGracePeriodSeconds: m.terminationGraceSeconds,
    containers: [
      {
        name: engine.containerName,
        image: imageRef(m.image),
        imagePullPolicy: 'IfNotPresent',
        command: engine.command(m),
        args: engine.args(m, ENGINE_PORT),
        env,
        ports: [{ name: 'http', containerPort: ENGINE_PORT, protocol: 'TCP' }],
        resources: {
          requests: { cpu: String(m.cpu), memory, 'nvidia.com/gpu': gpus, 'ephemeral-storage': Size.mebibytes(Math.ceil(ephemeral / 1024 ** 2)).toKubernetes() },
          limits: { memory, 'nvidia.com/gpu': gpus },
        },
        startupProbe: { httpGet: probe(engine.probes.startup), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: Math.ceil(m.startupSeconds / 10) },
        readinessProbe: { httpGet: probe(engine.probes.readiness), periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: { httpGet: probe(engine.probes.liveness), periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 4 },
        // The router drops a terminating pod from its list when the watch event arrives; the sleep
        // keeps the server answering until then, and in-flight requests finish within the grace period.
        lifecycle: { preStop: { exec: { command: ['sleep', String(m.preStopSeconds)] } } },
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: mounts,
      },
    ],
    volumes,
  };
  if (ctx.runtimeClassName) podSpec.runtimeClassName = ctx.runtimeClassName;
  return podSpec;
}

/** Pod template annotations of one model. */
export function enginePodAnnotations(m: ResolvedModel): Record<string, string> {
  // Karpenter must not consolidate a node while a replica that took minutes to load runs on it.
  return m.doNotDisrupt ? { 'karpenter.sh/do-not-disrupt': 'true' } : {};
}

/** Whether an autoscaler owns the replica count (the Deployment then leaves `replicas` out). */
export function isAutoscaled(m: ResolvedModel): boolean {
  return m.scaler !== AutoscalerKind.NONE && (m.minReplicas !== m.maxReplicas || m.minReplicas === 0);
}

/** ServiceAccount, Deployment, Service and (when applicable) PodDisruptionBudget and HPA of one model. */
export function renderEngineObjects(ctx: EngineContext, m: ResolvedModel): KubernetesObject[] {
  const selector = engineSelector(ctx.release, m.name);
  const labels = { ...selector, model: m.name, 'app.kubernetes.io/part-of': 'vllm-stack', 'app.kubernetes.io/managed-by': 'cdktf-ai-platform', 'ai-platform.cdktf.io/engine': m.engine.id };
  const meta = (extra: Record<string, string> = {}) => ({ name: m.deploymentName, namespace: ctx.namespace, labels: { ...labels, ...extra } });
  const objects: KubernetesObject[] = [];
  objects.push({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { ...meta(), ...(m.roleArn ? { annotations: { 'eks.amazonaws.com/role-arn': m.roleArn } } : {}) },
    automountServiceAccountToken: false,
  });
  const spec: JsonObject = {
    revisionHistoryLimit: 3,
    // Long enough for the slowest start (download + load) before the rollout counts as failed.
    progressDeadlineSeconds: m.startupSeconds + 600,
    selector: { matchLabels: selector },
    // One extra replica at a time: never below the current capacity, one extra GPU node at most.
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels, annotations: enginePodAnnotations(m) },
      spec: enginePodSpec(ctx, m),
    },
  };
  if (!isAutoscaled(m)) spec.replicas = m.minReplicas;
  if (m.rollout) {
    // The Rollout (workloadRef) runs the pods from this template; the Deployment keeps none, except
    // while switching on or off (docs/rollouts.md, "Migration").
    const replicas = deploymentReplicasUnderRollout(m.rollout.migration, spec.replicas as number | undefined);
    if (replicas === undefined) delete spec.replicas;
    else spec.replicas = replicas;
  }
  objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec });
  objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(),
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: ENGINE_PORT, targetPort: 'http', protocol: 'TCP' }] },
  });
  if (m.maxReplicas > 1) {
    objects.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(),
      // A pod stuck loading may still be evicted (a drain must not wait on it).
      spec: { maxUnavailable: 1, selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
  }
  if (m.scaler === AutoscalerKind.HPA && isAutoscaled(m)) {
    const hpa = buildPodsMetricHpa({ name: m.deploymentName, namespace: ctx.namespace, labels, deploymentName: m.deploymentName, minReplicas: m.minReplicas, maxReplicas: m.maxReplicas, metricName: m.hpaMetricName, targetAverageValue: m.target });
    objects.push(autoscalerTargetsRollout(m.rollout) ? targetRollout(hpa, m.deploymentName) : hpa);
  }
  return objects;
}

/** A NetworkPolicy ingress peer for a namespace, by its immutable name label. */
function namespacePeer(namespace: string): JsonObject {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/** Inputs of {@link renderNetworkPolicies}. */
export interface NetworkPolicyInputs {
  readonly release: string;
  readonly namespace: string;
  readonly routerPort: number;
  readonly metricsNamespace?: string;
  /** Labels of the Prometheus pods in `metricsNamespace` (only they may scrape). */
  readonly prometheusPodLabels?: Record<string, string>;
  readonly clientNamespaces: string[];
  readonly loadBalancerSourceCidrs: string[];
}

/** The Prometheus operator's label on Prometheus server pods (kube-prometheus-stack). */
export const DEFAULT_PROMETHEUS_POD_LABELS: Record<string, string> = { 'app.kubernetes.io/name': 'prometheus' };

/**
 * Only the router reaches the engines; the Prometheus pods (not every pod of the monitoring
 * namespace) scrape both; clients reach the router from the allowed namespaces (and the internal
 * ALB from its subnets).
 */
export function renderNetworkPolicies(p: NetworkPolicyInputs): KubernetesObject[] {
  const tcp = (port: number): JsonObject => ({ port, protocol: 'TCP' });
  // Namespace and pod selector in one peer: both must match (the Prometheus pods of that namespace).
  const prometheus = (): JsonObject => ({ ...namespacePeer(p.metricsNamespace as string), podSelector: { matchLabels: { ...(p.prometheusPodLabels ?? DEFAULT_PROMETHEUS_POD_LABELS) } } });
  const scrape = (port: number): JsonObject[] => (p.metricsNamespace ? [{ from: [prometheus()], ports: [tcp(port)] }] : []);
  const routerFrom: JsonValue[] = [
    ...p.clientNamespaces.map((ns) => (ns === p.namespace ? { podSelector: {} } : namespacePeer(ns))),
    ...p.loadBalancerSourceCidrs.map((cidr) => ({ ipBlock: { cidr } })),
  ];
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${p.release}-engines`, namespace: p.namespace },
      spec: {
        podSelector: { matchLabels: allEnginesSelector(p.release) },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: routerSelector(p.release) } }], ports: [tcp(ENGINE_PORT)] }, ...scrape(ENGINE_PORT)],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${p.release}-router`, namespace: p.namespace },
      spec: {
        podSelector: { matchLabels: routerSelector(p.release) },
        policyTypes: ['Ingress'],
        // An empty `from` would admit everyone: the client rule exists only with peers.
        ingress: [...(routerFrom.length > 0 ? [{ from: routerFrom, ports: [tcp(p.routerPort)] }] : []), ...scrape(p.routerPort)],
      },
    },
  ];
}

/** The shared model cache claim (kept when the release is uninstalled: re-downloading is the expensive part). */
export function renderModelCacheClaim(release: string, namespace: string, storageClassName: string, accessMode: string, size: Size): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `${release}-model-cache`, namespace, annotations: { 'helm.sh/resource-policy': 'keep' } },
    spec: { accessModes: [accessMode], storageClassName, resources: { requests: { storage: size.toKubernetes() } } },
  };
}
