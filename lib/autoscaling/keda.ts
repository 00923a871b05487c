import { Construct, IConstruct } from 'constructs';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ICluster } from '../cluster/cluster-reference';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { validateInteger } from '../core/validate';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { EgressRule } from '../k8s/egress';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { JsonObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';

/** An installed KEDA, as the constructs that create ScaledObjects see it. Implemented by {@link Keda}. */
export interface IKeda extends IConstruct {
  /** Namespace of the KEDA operator. */
  readonly namespace: string;
  /** What ScaledObjects must depend on: the release with the CRDs and the admission webhook. */
  readonly dependable: ITerraformDependable;
}

/** The operator queries Prometheus (ScaledObject triggers), wherever it runs (container port 9090). */
const KEDA_PROMETHEUS_EGRESS: EgressRule = { name: 'prometheus', to: [{ namespaceLabels: {} }], ports: [{ port: 9090 }] };

/** Props of {@link Keda}. */
export interface KedaProps {
  /** The cluster KEDA runs on (its system nodes host the operator). */
  readonly cluster: ICluster;
  /**
   * Namespace of KEDA.
   * @default 'keda'
   */
  readonly namespace?: string;
  /**
   * Create the namespace (Pod Security `restricted`, default-deny ingress, plus the allows KEDA needs).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Replicas of the operator and of the admission webhook (the operator elects a leader; a
   * second replica takes over in seconds instead of waiting for a reschedule).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Chart version override.
   * @default CHARTS.keda.version
   */
  readonly chartVersion?: string;
  /**
   * More egress for the pods of the namespace (created here): the namespace denies egress by default
   * and allows DNS, its own pods, the Kubernetes API and Prometheus (TCP 9090 in any namespace); public HTTPS stays closed. See docs/network-policies.md.
   * @default - none
   */
  readonly additionalEgress?: EgressRule[];
  /**
   * Values merged over the library's (escape hatch, not validated).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

const installed = new WeakMap<ICluster, Keda>();

/** Ports the Kubernetes API server calls on KEDA: the external metrics API server and the admission webhook. */
const API_SERVER_PORTS = [6443, 9443];

/**
 * KEDA, the event-driven autoscaler, installed once per cluster from the pinned chart: CRDs,
 * operator, external metrics API server and admission webhook, on the system nodes, with
 * PodDisruptionBudgets, restricted pod security and no CPU limits. The release waits for the
 * webhook, so ScaledObjects that depend on {@link Keda.dependable} are validated, not rejected.
 */
export class Keda extends Construct implements IKeda, IWorkloadSource {
  /**
   * The KEDA of a cluster: the one already created for it in this app, or a new one (id `keda`
   * in the scope's stack). Constructs that autoscale call this so several of them share one KEDA.
   */
  public static forCluster(scope: IConstruct, cluster: ICluster): Keda {
    return installed.get(cluster) ?? new Keda(TerraformStack.of(scope), 'keda', { cluster });
  }

  /** The Helm release. */
  public readonly chart: HelmChart;
  /** @inheritdoc */
  public readonly namespace: string;
  /** @inheritdoc */
  public readonly dependable: ITerraformDependable;
  /** The namespace, when created by this construct. */
  public readonly platformNamespace?: PlatformNamespace;

  /** Installs KEDA. */
  public constructor(scope: Construct, id: string, props: KedaProps) {
    super(scope, id);
    if (installed.has(props.cluster)) {
      throw new ValidationError(this, 'cluster', props.cluster.node.path, `already has KEDA (${installed.get(props.cluster)!.node.path}); install it once per cluster and share it (Keda.forCluster)`);
    }
    installed.set(props.cluster, this);
    this.namespace = validateDns1123Label(this, 'namespace', props.namespace ?? 'keda');
    const replicas = validateInteger(this, 'replicas', props.replicas ?? 2, 1, 5);
    let namespaceRef = this.namespace;
    if (props.createNamespace ?? true) {
      this.platformNamespace = new PlatformNamespace(this, 'namespace', { name: this.namespace, egress: { publicHttps: false, kubernetesApiClients: [{}], additionalEgress: [KEDA_PROMETHEUS_EGRESS, ...(props.additionalEgress ?? [])] } });
      namespaceRef = this.platformNamespace.name;
      // The API server reaches the metrics API server and the webhook from the control plane's
      // ENIs (no stable CIDR); the components talk to each other inside the namespace.
      new NetworkPolicyV1(this, 'allow-api-server', {
        metadata: { name: 'keda-allow-api-server', namespace: namespaceRef },
        spec: {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{ ports: API_SERVER_PORTS.map((p) => ({ port: String(p), protocol: 'TCP' })) }, { from: [{ podSelector: {} }] }],
        },
      });
    }
    const system = props.cluster.systemNodeSelector ?? {};
    // KEDA's images are distroless `nonroot` (65532), the library's default user.
    const pod = restrictedPodSecurityContext();
    const container = restrictedContainerSecurityContext();
    // SECURITY.md: memory limits, no CPU limits (a null removes the chart's default `cpu: 1`).
    const resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: null, memory: '1000Mi' } };
    const pdb: JsonObject = replicas > 1 ? { minAvailable: 1 } : {};
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.keda,
      releaseName: 'keda',
      namespace: namespaceRef,
      chartVersion: props.chartVersion,
      values: {
        crds: { install: true },
        clusterName: props.cluster.clusterName,
        image: { pullPolicy: 'IfNotPresent' },
        nodeSelector: system,
        operator: { replicaCount: replicas },
        webhooks: { replicaCount: replicas },
        // The external metrics API is served by one active replica; a second only adds churn.
        metricsServer: { replicaCount: 1 },
        podDisruptionBudget: { operator: pdb, webhooks: pdb },
        podSecurityContext: { operator: pod, metricServer: pod, webhooks: pod },
        securityContext: { operator: container, metricServer: container, webhooks: container },
        resources: { operator: resources, metricServer: resources, webhooks: resources },
      },
      extraValues: props.extraValues,
      wait: true,
    });
    this.dependable = this.chart.release;
  }

  /** @inheritdoc */
  public renderedWorkloads(): RenderedWorkload[] {
    const v = this.chart.renderedValues() as { [k: string]: JsonObject };
    // [component, values key of its security/resources, image, service account] as the chart renders them.
    const parts: [string, string, string, string][] = [
      ['operator', 'operator', 'keda', 'keda-operator'],
      ['metricsServer', 'metricServer', 'keda-metrics-apiserver', 'keda-metrics-server'],
      ['webhooks', 'webhooks', 'keda-admission-webhooks', 'keda-webhook'],
    ];
    return parts.map(([component, key, image, serviceAccount]) => ({
      kind: 'HelmValues',
      name: `keda-${component}`,
      namespace: this.namespace,
      source: 'chart',
      replicas: (v[component]?.replicaCount as number | undefined) ?? 1,
      podSpec: {
        serviceAccountName: serviceAccount,
        nodeSelector: v.nodeSelector ?? {},
        securityContext: (v.podSecurityContext?.[key] as JsonObject | undefined) ?? {},
        containers: [
          {
            name: component,
            // The chart's image tag defaults to its appVersion.
            image: `ghcr.io/kedacore/${image}:${CHARTS.keda.appVersion}`,
            securityContext: (v.securityContext?.[key] as JsonObject | undefined) ?? {},
            resources: (v.resources?.[key] as JsonObject | undefined) ?? {},
            // The chart always renders liveness and readiness probes (timings in its values).
            livenessProbe: { httpGet: { path: '/healthz' } },
            readinessProbe: { httpGet: { path: '/readyz' } },
          },
        ],
      },
    }));
  }
}
