import { Construct, IConstruct } from 'constructs';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ICluster } from '../cluster/cluster-reference';
import { DEFAULT_PROMETHEUS_POD_LABELS } from '../serving/engine-manifests';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { validateInteger } from '../core/validate';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { JsonObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { IMetricsBackbone } from '../observability/types';
import { IProgressiveDelivery } from './types';

/** Props of {@link ArgoRollouts}. */
export interface ArgoRolloutsProps {
  /** The cluster. */
  readonly cluster: ICluster;
  /**
   * Namespace of the controller.
   * @default 'argo-rollouts'
   */
  readonly namespace?: string;
  /**
   * Create the namespace (restricted Pod Security).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Controller replicas (leader election; a second one takes over in seconds).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The metrics backbone: a ServiceMonitor scrapes the controller (the rollout alerts read its metrics).
   * @default - no ServiceMonitor (the rollout alerts then never fire)
   */
  readonly metrics?: IMetricsBackbone;
  /**
   * Chart version override, for a user who has validated another version.
   * @default CHARTS.argoRollouts.version (2.41.0, app v1.9.0)
   */
  readonly chartVersion?: string;
  /**
   * Extra chart values, merged last.
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

const installed = new WeakMap<ICluster, ArgoRollouts>();
/** The controller's metrics port (chart 2.41.0 `controller.metrics.service.port`). */
const METRICS_PORT = 8090;
/** UID of the controller image (argoproj/argo-rollouts Dockerfile: `USER 999`). */
const CONTROLLER_UID = 999;

/**
 * The Argo Rollouts controller and its CRDs (Rollout, AnalysisTemplate, AnalysisRun, Experiment),
 * the progressive-delivery engine of evaluation-gated model rollouts (docs/rollouts.md). One per
 * cluster; the dashboard is off; the controller's metrics are scraped when `metrics` is given.
 */
export class ArgoRollouts extends Construct implements IProgressiveDelivery, IWorkloadSource {
  /** The controller installed for a cluster, or a new one at the stack root. */
  public static forCluster(scope: IConstruct, cluster: ICluster, metrics?: IMetricsBackbone): ArgoRollouts {
    return installed.get(cluster) ?? new ArgoRollouts(TerraformStack.of(scope), 'argo-rollouts', { cluster, metrics });
  }

  /** The chart release. */
  public readonly chart: HelmChart;
  /** @inheritdoc */
  public readonly namespace: string;
  /** @inheritdoc */
  public readonly dependable: ITerraformDependable;

  /** Installs the controller. */
  public constructor(scope: Construct, id: string, props: ArgoRolloutsProps) {
    super(scope, id);
    if (installed.has(props.cluster)) {
      throw new ValidationError(this, 'cluster', props.cluster.node.path, `already has Argo Rollouts (${installed.get(props.cluster)!.node.path}); install it once per cluster and share it (ArgoRollouts.forCluster)`);
    }
    installed.set(props.cluster, this);
    this.namespace = validateDns1123Label(this, 'namespace', props.namespace ?? 'argo-rollouts');
    const replicas = validateInteger(this, 'replicas', props.replicas ?? 2, 1, 5);
    let namespaceRef = this.namespace;
    const metrics = props.metrics;
    if (props.createNamespace ?? true) {
      // Egress: the controller calls the Kubernetes API and, for the analysis checks, Prometheus.
      namespaceRef = new PlatformNamespace(this, 'namespace', {
        name: this.namespace,
        egress: {
          publicHttps: false,
          kubernetesApiClients: [{}],
          additionalEgress: metrics ? [{ name: 'prometheus', to: [{ namespace: metrics.namespace, podLabels: { ...(metrics.prometheusPodLabels ?? DEFAULT_PROMETHEUS_POD_LABELS) } }], ports: [{ port: 9090 }] }] : [],
        },
      }).name;
      if (metrics) {
        // The namespace denies ingress by default; the controller takes no webhook calls, only scrapes.
        new NetworkPolicyV1(this, 'allow-prometheus', {
          metadata: { name: 'argo-rollouts-allow-prometheus', namespace: namespaceRef },
          spec: {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'argo-rollouts' } },
            policyTypes: ['Ingress'],
            ingress: [{
              from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': metrics.namespace } }, podSelector: { matchLabels: { ...(metrics.prometheusPodLabels ?? DEFAULT_PROMETHEUS_POD_LABELS) } } }],
              ports: [{ port: String(METRICS_PORT), protocol: 'TCP' }],
            }],
          },
        });
      }
    }
    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.argoRollouts,
      releaseName: 'argo-rollouts',
      namespace: namespaceRef,
      chartVersion: props.chartVersion,
      wait: true,
      dependsOn: metrics ? [...metrics.crdDependencies] : [],
      values: {
        installCRDs: true,
        // `helm uninstall` keeps the CRDs (and so every Rollout): removing them would delete the serving pods.
        keepCRDs: true,
        controller: {
          replicas,
          nodeSelector: props.cluster.systemNodeSelector ?? {},
          // SECURITY.md: memory limit, no CPU limit.
          resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
          pdb: { enabled: replicas > 1, minAvailable: 1 },
          metrics: metrics
            ? {
              enabled: true,
              serviceMonitor: {
                enabled: true,
                additionalLabels: { ...metrics.monitorLabels },
                // The controller labels its series with the Rollout's namespace; Prometheus renames
                // it to exported_namespace (the target's namespace wins). Put it back so the alerts
                // select the serving namespace.
                metricRelabelings: [
                  { sourceLabels: ['exported_namespace'], regex: '(.+)', targetLabel: 'namespace', replacement: '$1', action: 'replace' },
                  { regex: 'exported_namespace', action: 'labeldrop' },
                ],
              },
            }
            : { enabled: false },
        },
        podSecurityContext: { runAsNonRoot: true, runAsUser: CONTROLLER_UID, runAsGroup: CONTROLLER_UID, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        dashboard: { enabled: false },
        notifications: { secret: { create: false } },
      },
      extraValues: props.extraValues,
    });
    this.dependable = this.chart.release;
  }

  /** @inheritdoc */
  public renderedWorkloads(): RenderedWorkload[] {
    const v = this.chart.renderedValues() as { [k: string]: JsonObject };
    const c = v.controller ?? {};
    return [{
      kind: 'HelmValues',
      name: 'argo-rollouts',
      namespace: this.namespace,
      source: 'chart',
      replicas: (c.replicas as number | undefined) ?? 2,
      podSpec: {
        serviceAccountName: 'argo-rollouts',
        nodeSelector: c.nodeSelector ?? {},
        securityContext: v.podSecurityContext ?? {},
        containers: [{
          name: 'argo-rollouts',
          // The chart's image tag defaults to its appVersion.
          image: `quay.io/argoproj/argo-rollouts:${CHARTS.argoRollouts.appVersion}`,
          securityContext: v.containerSecurityContext ?? {},
          resources: c.resources ?? {},
          livenessProbe: { httpGet: { path: '/healthz' } },
          readinessProbe: { httpGet: { path: '/metrics' } },
        }],
      },
    }];
  }
}
