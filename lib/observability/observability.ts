import { Construct } from 'constructs';
import { validateEnum } from '../core/enums';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ICluster } from '../cluster/cluster-reference';
import { ValidationError } from '../core/errors';
import { isDns1123Subdomain, validateDns1123Label, validateDns1123Subdomain } from '../core/names';
import { Duration, Size } from '../core/units';
import { validateInteger, validateNumber, validateOneOf, validatePattern, validateSize } from '../core/validate';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { ManifestChart } from '../k8s/manifest-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { EgressRule, PRIVATE_RANGES } from '../k8s/egress';
import { restrictedContainerSecurityContext } from '../k8s/pod-security';
import { JsonObject, JsonValue, KubernetesObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { costMetricLabelsAllowlist } from '../cost/cost-rules';
import { GPU_INHIBIT_RULES, gpuAlertRuleGroups, gpuDashboard } from './gpu-monitoring';
import {
  grafanaDashboardConfigMap,
  MonitoringObjectError,
  podMonitor,
  PodMonitorProps,
  prometheusRule,
  PrometheusRuleProps,
  serviceMonitor,
  ServiceMonitorProps,
} from './monitoring-objects';
import { IMetricsBackbone } from './types';

/** Where Alertmanager sends alerts. */
export enum AlertReceiverKind {
  /** An HTTP webhook (Alertmanager `webhook_configs`). */
  WEBHOOK = 'WEBHOOK',
  /** A Slack incoming webhook (Alertmanager `slack_configs`). */
  SLACK = 'SLACK',
}

/**
 * The receiver of every alert. Its URL (it carries a token) is read from a Kubernetes Secret in the
 * monitoring namespace, mounted into Alertmanager, so it is never in Helm values or Terraform state.
 * Create the Secret outside Terraform (e.g. an ExternalSecret from AWS Secrets Manager).
 */
export interface AlertReceiver {
  /** Receiver type. */
  readonly kind: AlertReceiverKind;
  /** Name of the Secret in the monitoring namespace that holds the URL. */
  readonly secretName: string;
  /** Key of the Secret whose value is the webhook URL. */
  readonly secretKey: string;
  /**
   * Slack channel (`#alerts`), for `SLACK` receivers whose webhook is not bound to one.
   * @default - the webhook's channel
   */
  readonly slackChannel?: string;
  /**
   * Also notify when an alert resolves.
   * @default true
   */
  readonly sendResolved?: boolean;
}

/** Options of the Prometheus Pushgateway (metrics of batch jobs: drift and evaluation runs). */
export interface PushgatewayOptions {
  /**
   * Install the Pushgateway.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Keep pushed metrics across restarts on a PersistentVolumeClaim (`--persistence.file`, written
   * every minute). Off, a restart loses the last push of every job until it runs again: the verdict
   * alerts (drift, failed gate) go quiet until then.
   * @default true
   */
  readonly persistence?: boolean;
  /**
   * Size of the volume when `persistence` is on.
   * @default Size.gibibytes(2)
   */
  readonly storageSize?: Size;
  /**
   * StorageClass of the volume when `persistence` is on.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Values merged over the library's (escape hatch, not validated).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

/** What the metrics backbone is made of, without the cluster (see {@link ObservabilityProps}). */
export interface ObservabilityOptions {
  /**
   * Namespace of Prometheus, Alertmanager, Grafana and the Pushgateway (Pod Security `restricted`,
   * default-deny ingress with explicit allows).
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * Release name of kube-prometheus-stack; also the prefix of its objects and the value of the
   * `release` label that ServiceMonitors, PodMonitors and PrometheusRules must carry. At most 26
   * characters (the chart cuts longer names).
   * @default 'kube-prometheus-stack'
   */
  readonly releaseName?: string;
  /**
   * How long Prometheus keeps samples (whole hours, at least 2h).
   * @default Duration.days(15)
   */
  readonly retention?: Duration;
  /**
   * Size of each Prometheus replica's volume (a PVC from `volumeClaimTemplate`). Prometheus also
   * stops at 85% of it (`retentionSize`) so a busy cluster cannot fill the disk and crash-loop.
   * @default Size.gibibytes(50)
   */
  readonly storageSize?: Size;
  /**
   * StorageClass of the Prometheus volumes (e.g. an encrypted gp3 class).
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Replicas of Prometheus and of Alertmanager. With 2 or more they get a PodDisruptionBudget
   * and spread across zones; each Prometheus replica scrapes everything (double the load).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Memory limit of each Prometheus replica (the request is half). Prometheus needs roughly
   * 2-4 KiB per active series.
   * @default Size.gibibytes(4)
   */
  readonly prometheusMemory?: Size;
  /**
   * Receiver of all alerts.
   * @default - none: alerts are visible in Alertmanager and Grafana only
   */
  readonly alertReceiver?: AlertReceiver;
  /**
   * Existing Secret in the monitoring namespace with keys `admin-user` and `admin-password` for
   * Grafana's admin account.
   * @default - the chart generates a random password into a Secret (never in values or state)
   */
  readonly grafanaAdminSecret?: string;
  /**
   * The Pushgateway.
   * @default - installed, with persistence
   */
  readonly pushgateway?: PushgatewayOptions;
  /**
   * Provision the GPU dashboard and the GPU alert rules (DCGM exporter metrics).
   * @default true
   */
  readonly gpuMonitoring?: boolean;
  /**
   * Temperature above which `GpuHighTemperature` fires (after 5 minutes), °C.
   * @default 85
   */
  readonly gpuTemperatureThresholdCelsius?: number;
  /**
   * kube-prometheus-stack chart version override.
   * @default CHARTS.kubePrometheusStack.version
   */
  readonly chartVersion?: string;
  /**
   * More egress for the pods of the namespace (created here): the namespace denies egress by default
   * and allows DNS, its own pods, public HTTPS (Alertmanager receivers), the Kubernetes API and, for scraping, every port in the cluster and the VPC. See docs/network-policies.md.
   * @default - none
   */
  readonly additionalEgress?: EgressRule[];
  /**
   * Values merged over the library's kube-prometheus-stack values (escape hatch, not validated).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

/** Props of {@link Observability}. */
export interface ObservabilityProps extends ObservabilityOptions {
  /** The cluster to install into. */
  readonly cluster: ICluster;
}

/** Ports other namespaces may reach in the monitoring namespace. */
const PROMETHEUS_PORT = 9090;
/**
 * Prometheus scrapes pods in every namespace and the nodes (kubelet, node exporter and host-network
 * exporters on node IPs): every port inside the cluster and the private ranges. Non-HTTPS internet
 * stays closed.
 */
const MONITORING_SCRAPE_EGRESS: EgressRule[] = [{ name: 'scrape-cluster', to: [{ namespaceLabels: {} }, ...PRIVATE_RANGES.map((cidr) => ({ cidr }))] }];
const PUSHGATEWAY_PORT = 9091;
const ALERTMANAGER_PORT = 9093;
/** Alertmanager's cluster (gossip) port between replicas. */
const ALERTMANAGER_MESH_PORT = 9094;
/** `app.kubernetes.io/name` of the Alertmanager and Pushgateway pods. */
const ALERTMANAGER_POD_NAME = 'alertmanager';
const PUSHGATEWAY_POD_NAME = 'prometheus-pushgateway';
/**
 * Series the Pushgateway's scrape keeps: the jobs' `aiplatform_*` metrics, the Pushgateway's own
 * push times, and its process metrics. With `honorLabels` a pushed series keeps the labels it was
 * pushed with, so without this list a push could impersonate any exporter (kube-state-metrics,
 * DCGM, vLLM) and satisfy or silence the alerts built on them.
 */
export const PUSHGATEWAY_KEPT_SERIES = 'aiplatform_.+|push_time_seconds|push_failure_time_seconds|pushgateway_.+|go_.+|process_.+|promhttp_.+';
/** The Prometheus operator's admission webhook (chart `prometheusOperator.tls.internalPort`). */
const OPERATOR_WEBHOOK_PORT = 10250;

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * The platform's metrics backbone: kube-prometheus-stack (Prometheus operator and its CRDs,
 * Prometheus, Alertmanager, Grafana, kube-state-metrics) and the Pushgateway, on the system nodes,
 * with selectors that pick up every ServiceMonitor/PodMonitor/PrometheusRule carrying
 * `monitorLabels`/`ruleLabels` in any namespace and Grafana dashboards labelled `dashboardLabels`.
 * Ships the GPU dashboard and GPU alerts. Install one per cluster.
 */
export class Observability extends Construct implements IMetricsBackbone, IWorkloadSource {
  /** kube-prometheus-stack (CRDs, operator, Prometheus, Alertmanager, Grafana). */
  public readonly chart: HelmChart;
  /** The kube-prometheus-stack helm_release. */
  public readonly release: Release;
  /** The Pushgateway release, when installed. */
  public readonly pushgatewayChart?: HelmChart;
  /** Dashboards, rules and monitors added to the backbone (one local-chart release). */
  public readonly objects: ManifestChart;
  /** The monitoring namespace. */
  public readonly platformNamespace: PlatformNamespace;
  /** @inheritdoc */
  public readonly namespace: string;
  /** @inheritdoc */
  public readonly monitorLabels: Record<string, string>;
  /** @inheritdoc */
  public readonly ruleLabels: Record<string, string>;
  /** @inheritdoc */
  public readonly dashboardLabels: Record<string, string>;
  /** @inheritdoc */
  public readonly crdDependencies: ITerraformDependable[];
  /** @inheritdoc */
  public readonly prometheusUrl: string;
  /** @inheritdoc */
  public readonly pushgatewayUrl?: string;
  /** In-cluster Alertmanager URL. */
  public readonly alertmanagerUrl: string;
  /** Release name of kube-prometheus-stack (also the `release` label value). */
  public readonly releaseName: string;
  /** The Pushgateway's base NetworkPolicy (Prometheus scrapes), when the Pushgateway is installed. */
  public readonly pushgatewayPolicy?: NetworkPolicyV1;
  private readonly pushGrants = new Set<string>();

  /** Installs the backbone. */
  public constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const other = TerraformStack.of(this).node.findAll().find((c) => c !== this && c instanceof Observability);
    if (other) {
      throw new ValidationError(this, 'id', id, `is a second Observability in the stack (${other.node.path} exists): one Prometheus operator per cluster — pass the existing one (IMetricsBackbone) to the constructs that need it`);
    }
    const namespace = validateDns1123Label(this, 'namespace', props.namespace ?? 'monitoring');
    const releaseName = validateDns1123Label(this, 'releaseName', props.releaseName ?? 'kube-prometheus-stack');
    if (releaseName.length > 26) {
      throw new ValidationError(this, 'releaseName', releaseName, 'must be at most 26 characters: kube-prometheus-stack cuts object names to 26, which would break the Service names the backbone exposes');
    }
    const replicas = validateInteger(this, 'replicas', props.replicas ?? 1, 1, 5);
    const retention = props.retention ?? Duration.days(15);
    const retentionHours = retention.toSeconds() / 3600;
    if (!Number.isInteger(retentionHours) || retentionHours < 2 || retentionHours > 10 * 365 * 24) {
      throw new ValidationError(this, 'retention', retention, `must be between ${Duration.hours(2)} and 10 years (${Duration.days(3650)}), a whole number of hours`);
    }
    const storage = props.storageSize ?? Size.gibibytes(50);
    if (!(storage.toGibibytes() >= 1 && storage.toGibibytes() <= 16384)) throw new ValidationError(this, 'storageSize', storage, `must be between ${Size.gibibytes(1)} and ${Size.tebibytes(16)}`);
    if (props.storageClass !== undefined) validateDns1123Subdomain(this, 'storageClass', props.storageClass);
    const memory = props.prometheusMemory ?? Size.gibibytes(4);
    validateSize(this, 'prometheusMemory', memory, Size.mebibytes(512), Size.gibibytes(512));
    if (props.grafanaAdminSecret !== undefined) validateDns1123Subdomain(this, 'grafanaAdminSecret', props.grafanaAdminSecret);
    const receiver = props.alertReceiver;
    if (receiver) {
      validateEnum(this, 'alertReceiver.kind', receiver.kind, AlertReceiverKind, 'AlertReceiverKind');
      validateDns1123Subdomain(this, 'alertReceiver.secretName', receiver.secretName);
      validatePattern(this, 'alertReceiver.secretKey', receiver.secretKey, SECRET_KEY, 'be a Secret key (letters, digits, "-", "_" and ".")');
      if (receiver.slackChannel !== undefined && receiver.kind !== AlertReceiverKind.SLACK) {
        throw new ValidationError(this, 'alertReceiver.slackChannel', receiver.slackChannel, 'applies to SLACK receivers only');
      }
    }
    const gpuTemperature = validateNumber(this, 'gpuTemperatureThresholdCelsius', props.gpuTemperatureThresholdCelsius ?? 85, 40, 110);

    this.releaseName = releaseName;
    this.monitorLabels = { release: releaseName };
    this.ruleLabels = { release: releaseName };
    this.dashboardLabels = { grafana_dashboard: '1' };

    this.platformNamespace = new PlatformNamespace(this, 'namespace', { name: namespace, egress: { kubernetesApiClients: [{}], additionalEgress: [...MONITORING_SCRAPE_EGRESS, ...(props.additionalEgress ?? [])] } });
    this.namespace = this.platformNamespace.name;
    // Default-deny ingress is on; these are the explicit allows the backbone needs. Policies add up
    // (a pod is reachable from the union of the peers of every policy selecting it), so the
    // Pushgateway and Alertmanager are left out of the namespace-wide allow and get their own.
    const tcp = (port: number) => ({ port: String(port), protocol: 'TCP' });
    const pods = (labels: Record<string, string>) => ({ podSelector: { matchLabels: { ...labels } } });
    const prometheusPods = pods(this.podLabels('prometheus'));
    const allow = new NetworkPolicyV1(this, 'allow-monitoring', {
      metadata: { name: 'allow-monitoring', namespace: this.namespace },
      spec: {
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: [ALERTMANAGER_POD_NAME, PUSHGATEWAY_POD_NAME] }] },
        policyTypes: ['Ingress'],
        ingress: [
          // Prometheus ↔ Grafana ↔ operator ↔ kube-state-metrics, and scrapes inside the namespace.
          { from: [{ podSelector: {} }] },
          // Queries (KEDA, alert links, dashboards) from workloads in any namespace.
          { from: [{ namespaceSelector: {} }], ports: [tcp(PROMETHEUS_PORT)] },
          // The API server calls the operator's admission webhook from outside the pod network.
          { ports: [tcp(OPERATOR_WEBHOOK_PORT)] },
        ],
      },
    });
    // Alertmanager: alerts from Prometheus (and its scrapes of Alertmanager and its reloader), the
    // Grafana data source, and the gossip of Alertmanager replicas. Nobody else can add silences.
    const allowAlertmanager = new NetworkPolicyV1(this, 'allow-alertmanager', {
      metadata: { name: 'allow-alertmanager', namespace: this.namespace },
      spec: {
        podSelector: { matchLabels: this.podLabels('alertmanager') },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [prometheusPods] },
          { from: [pods(this.podLabels('grafana'))], ports: [tcp(ALERTMANAGER_PORT)] },
          { from: [pods(this.podLabels('alertmanager'))], ports: [tcp(ALERTMANAGER_MESH_PORT), { port: String(ALERTMANAGER_MESH_PORT), protocol: 'UDP' }] },
        ],
      },
    });

    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.kubePrometheusStack,
      releaseName,
      namespace: this.namespace,
      values: this.stackValues(props.cluster, { replicas, retention, storage, storageClass: props.storageClass, memory, receiver, grafanaAdminSecret: props.grafanaAdminSecret }),
      extraValues: props.extraValues,
      chartVersion: props.chartVersion,
      // Its CRDs must exist (and its webhook answer) before any ServiceMonitor or PrometheusRule.
      wait: true,
      timeout: Duration.minutes(15),
      dependsOn: [...(this.platformNamespace.defaultDeny ? [this.platformNamespace.defaultDeny] : []), allow, allowAlertmanager],
    });
    this.release = this.chart.release;
    this.crdDependencies = [this.release];
    this.prometheusUrl = `http://${releaseName}-prometheus.${this.namespace}.svc:${PROMETHEUS_PORT}`;
    this.alertmanagerUrl = `http://${releaseName}-alertmanager.${this.namespace}.svc:${ALERTMANAGER_PORT}`;

    const pg = props.pushgateway ?? {};
    if (pg.enabled ?? true) {
      // Prometheus scrapes it; pushes only from the job pods granted with allowPushes().
      this.pushgatewayPolicy = new NetworkPolicyV1(this, 'allow-pushgateway', {
        metadata: { name: 'allow-pushgateway', namespace: this.namespace },
        spec: {
          podSelector: { matchLabels: this.podLabels('pushgateway') },
          policyTypes: ['Ingress'],
          ingress: [{ from: [prometheusPods], ports: [tcp(PUSHGATEWAY_PORT)] }],
        },
      });
      this.pushgatewayChart = this.installPushgateway(props.cluster, pg);
      this.pushgatewayUrl = `http://${CHARTS.prometheusPushgateway.chart}.${this.namespace}.svc:${PUSHGATEWAY_PORT}`;
    } else if (pg.persistence !== undefined || pg.storageSize !== undefined || pg.storageClass !== undefined || pg.extraValues !== undefined) {
      throw new ValidationError(this, 'pushgateway', pg, 'sets options while enabled is false');
    }

    this.objects = new ManifestChart(this, 'objects', {
      releaseName: 'monitoring-objects',
      namespace: this.namespace,
      dependsOn: this.crdDependencies,
    });
    if (props.gpuMonitoring ?? true) {
      this.addDashboard('gpu-dcgm', JSON.stringify(gpuDashboard()));
      this.addPrometheusRule({ name: 'gpu-alerts', groups: gpuAlertRuleGroups({ temperatureThresholdCelsius: gpuTemperature }) });
    }
  }

  /**
   * Lets the pods with `podLabels` in `namespace` push to the Pushgateway (port 9091), and no other
   * pod of that namespace: a NetworkPolicy in the monitoring namespace whose peer is the namespace
   * AND the pod labels. DriftMonitor and EvalCronJob call it for their job pods. Calling it twice for
   * the same pods is a no-op.
   * @param namespace namespace of the pods (a literal name)
   * @param podLabels labels that select exactly those pods (at least one)
   */
  public allowPushes(namespace: string, podLabels: Record<string, string>): void {
    if (!this.pushgatewayPolicy) return;
    validateDns1123Label(this, 'allowPushes.namespace', namespace);
    if (Object.keys(podLabels).length === 0) throw new ValidationError(this, 'allowPushes.podLabels', podLabels, 'must list at least one label: an empty selector admits every pod of the namespace');
    const key = `${namespace}/${JSON.stringify(Object.entries(podLabels).sort())}`;
    if (this.pushGrants.has(key)) return;
    this.pushGrants.add(key);
    const instance = podLabels['app.kubernetes.io/instance'] ?? `${this.pushGrants.size}`;
    const name = `allow-push-${namespace}-${instance}`.slice(0, 253);
    new NetworkPolicyV1(this, name, {
      metadata: { name, namespace: this.namespace },
      spec: {
        podSelector: { matchLabels: this.podLabels('pushgateway') },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } }, podSelector: { matchLabels: { ...podLabels } } }],
          ports: [{ port: String(PUSHGATEWAY_PORT), protocol: 'TCP' }],
        }],
      },
    });
  }

  /**
   * Labels that select the pods of one backbone component (what its NetworkPolicies select and admit).
   * Labels are not an identity: any pod that may be created in the monitoring namespace with these
   * labels gets the same access, so keep that namespace to the backbone.
   */
  public podLabels(component: 'prometheus' | 'alertmanager' | 'grafana' | 'pushgateway'): Record<string, string> {
    validateOneOf(this, 'component', component, ['prometheus', 'alertmanager', 'grafana', 'pushgateway']);
    switch (component) {
      // The Prometheus operator labels the pods of a Prometheus / Alertmanager with the object's name.
      case 'prometheus': return { 'app.kubernetes.io/name': 'prometheus', 'operator.prometheus.io/name': `${this.releaseName}-prometheus` };
      case 'alertmanager': return { 'app.kubernetes.io/name': ALERTMANAGER_POD_NAME, 'alertmanager': `${this.releaseName}-alertmanager` };
      case 'grafana': return { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': this.releaseName };
      default: return { 'app.kubernetes.io/name': PUSHGATEWAY_POD_NAME, 'app.kubernetes.io/instance': CHARTS.prometheusPushgateway.chart };
    }
  }

  /**
   * Adds a ServiceMonitor. Its labels get `monitorLabels` (so Prometheus selects it) and its
   * namespace defaults to the monitoring namespace.
   */
  public addServiceMonitor(props: ServiceMonitorProps): KubernetesObject {
    return this.add(() => serviceMonitor({ ...props, namespace: props.namespace ?? this.namespace, labels: { ...props.labels, ...this.monitorLabels } }));
  }

  /** Adds a PodMonitor, labelled with `monitorLabels` (namespace defaults to the monitoring namespace). */
  public addPodMonitor(props: PodMonitorProps): KubernetesObject {
    return this.add(() => podMonitor({ ...props, namespace: props.namespace ?? this.namespace, labels: { ...props.labels, ...this.monitorLabels } }));
  }

  /** Adds a PrometheusRule, labelled with `ruleLabels` (namespace defaults to the monitoring namespace). */
  public addPrometheusRule(props: PrometheusRuleProps): KubernetesObject {
    return this.add(() => prometheusRule({ ...props, namespace: props.namespace ?? this.namespace, labels: { ...props.labels, ...this.ruleLabels } }));
  }

  /**
   * Adds a Grafana dashboard (its JSON model as text) as a ConfigMap Grafana's sidecar loads.
   * Grafana variables such as `${datasource}` are kept literally (escaped for Terraform).
   * @param name ConfigMap name (DNS-1123 subdomain)
   * @param json the dashboard JSON model
   */
  public addDashboard(name: string, json: string): KubernetesObject {
    return this.add(() => grafanaDashboardConfigMap({ name, namespace: this.namespace, labels: this.dashboardLabels, dashboardJson: json }));
  }

  /** Pod settings the library sets in the charts (for the policy Aspect). */
  public renderedWorkloads(): RenderedWorkload[] {
    const v = this.chart.renderedValues() as { [k: string]: JsonObject };
    const obj = (x: JsonValue | undefined): JsonObject => (x && typeof x === 'object' && !Array.isArray(x) ? x : {});
    const spec = obj(obj(v.prometheus).prometheusSpec);
    const am = obj(obj(v.alertmanager).alertmanagerSpec);
    const op = obj(v.prometheusOperator);
    const grafana = obj(v.grafana);
    const ksm = obj(v['kube-state-metrics']);
    const workload = (name: string, replicas: number, podSpec: JsonObject): RenderedWorkload => ({ kind: 'HelmValues', name, namespace: this.namespace, source: 'chart', replicas, podSpec });
    const out = [
      workload(`${this.releaseName}-operator`, 1, { nodeSelector: op.nodeSelector ?? {}, securityContext: op.securityContext ?? {}, containers: [{ name: 'prometheus-operator', securityContext: op.containerSecurityContext ?? {}, resources: op.resources ?? {} }] }),
      workload(`${this.releaseName}-prometheus`, spec.replicas as number, { nodeSelector: spec.nodeSelector ?? {}, securityContext: spec.securityContext ?? {}, containers: [{ name: 'prometheus', resources: spec.resources ?? {} }] }),
      workload(`${this.releaseName}-alertmanager`, am.replicas as number, { nodeSelector: am.nodeSelector ?? {}, securityContext: am.securityContext ?? {}, automountServiceAccountToken: am.automountServiceAccountToken ?? true, containers: [{ name: 'alertmanager', resources: am.resources ?? {} }] }),
      workload(`${this.releaseName}-grafana`, 1, { nodeSelector: grafana.nodeSelector ?? {}, securityContext: grafana.securityContext ?? {}, containers: [{ name: 'grafana', resources: grafana.resources ?? {} }] }),
      workload(`${this.releaseName}-kube-state-metrics`, 1, { nodeSelector: ksm.nodeSelector ?? {}, containers: [{ name: 'kube-state-metrics', resources: ksm.resources ?? {} }] }),
    ];
    if (this.pushgatewayChart) {
      const p = this.pushgatewayChart.renderedValues();
      out.push(workload(CHARTS.prometheusPushgateway.chart, 1, {
        nodeSelector: p.nodeSelector ?? {},
        securityContext: p.securityContext ?? {},
        automountServiceAccountToken: p.automountServiceAccountToken ?? true,
        containers: [{ name: 'pushgateway', securityContext: p.containerSecurityContext ?? {}, resources: p.resources ?? {} }],
      }));
    }
    return out;
  }

  private add(build: () => KubernetesObject): KubernetesObject {
    let object: KubernetesObject;
    try {
      object = build();
    } catch (e) {
      if (e instanceof MonitoringObjectError) throw new ValidationError(this, e.prop, e.value, e.expected);
      throw e;
    }
    this.objects.addManifest(object);
    return object;
  }

  private stackValues(cluster: ICluster, o: { replicas: number; retention: Duration; storage: Size; storageClass?: string; memory: Size; receiver?: AlertReceiver; grafanaAdminSecret?: string }): JsonObject {
    const onSystem: JsonObject = cluster.systemNodeSelector ? { nodeSelector: { ...cluster.systemNodeSelector } } : {};
    const ha = o.replicas > 1;
    const seccomp = { type: 'RuntimeDefault' };
    const retentionDays = o.retention.toSeconds() % 86400 === 0 ? `${o.retention.toSeconds() / 86400}d` : `${o.retention.toSeconds() / 3600}h`;
    // Prometheus units are powers of 1024 ("MB" = MiB); stop at 85% of the volume.
    const retentionSize = `${Math.floor(o.storage.toMebibytes() * 0.85)}MB`;
    const memMi = Math.ceil(o.memory.toMebibytes());
    const spread = (name: string): JsonObject => (ha ? { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': name } } }] } : {});
    const vct: JsonObject = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.storage.toKubernetes() } } };
    if (o.storageClass !== undefined) vct.storageClassName = o.storageClass;

    return {
      // Object names (and the Service URLs the backbone exposes) follow the release name exactly.
      fullnameOverride: this.releaseName,
      crds: { enabled: true },
      // DEVIATION: node-exporter is off. It needs hostNetwork, hostPID and hostPath, which only the
      // GPU operator's namespace may have (SECURITY.md); GPU nodes are covered by DCGM, containers
      // by the kubelet/cAdvisor. Enable it with extraValues in a namespace you label privileged.
      nodeExporter: { enabled: false },
      // EKS runs these on the managed control plane (not scrapable) or binds kube-proxy metrics to
      // localhost: their ServiceMonitors would only raise "down" alerts.
      kubeControllerManager: { enabled: false },
      kubeScheduler: { enabled: false },
      kubeEtcd: { enabled: false },
      kubeProxy: { enabled: false },
      prometheusOperator: {
        ...onSystem,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: seccomp },
        containerSecurityContext: restrictedContainerSecurityContext(),
        admissionWebhooks: { patch: { ...onSystem } },
      },
      prometheus: {
        podDisruptionBudget: { enabled: ha, minAvailable: 1 },
        prometheusSpec: {
          ...onSystem,
          ...spread('prometheus'),
          replicas: o.replicas,
          retention: retentionDays,
          retentionSize,
          storageSpec: { volumeClaimTemplate: { spec: vct } },
          resources: { requests: { cpu: '500m', memory: `${Math.ceil(memMi / 2)}Mi` }, limits: { memory: `${memMi}Mi` } },
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: seccomp },
          // Explicit selectors: every monitor/rule carrying the backbone's labels, in any namespace.
          serviceMonitorSelector: { matchLabels: { ...this.monitorLabels } },
          serviceMonitorNamespaceSelector: {},
          podMonitorSelector: { matchLabels: { ...this.monitorLabels } },
          podMonitorNamespaceSelector: {},
          ruleSelector: { matchLabels: { ...this.ruleLabels } },
          ruleNamespaceSelector: {},
        },
      },
      alertmanager: {
        enabled: true,
        podDisruptionBudget: { enabled: ha, minAvailable: 1 },
        // Alertmanager never calls the Kubernetes API.
        serviceAccount: { automountServiceAccountToken: false },
        config: alertmanagerConfig(o.receiver),
        alertmanagerSpec: {
          ...onSystem,
          ...spread('alertmanager'),
          replicas: o.replicas,
          automountServiceAccountToken: false,
          resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: seccomp },
          ...(o.receiver ? { secrets: [o.receiver.secretName] } : {}),
        },
      },
      grafana: {
        enabled: true,
        ...(o.grafanaAdminSecret ? { admin: { existingSecret: o.grafanaAdminSecret, userKey: 'admin-user', passwordKey: 'admin-password' } } : {}),
        sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' } },
        serviceMonitor: { enabled: true, labels: { ...this.monitorLabels } },
        ...onSystem,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        // Pod-level seccomp covers the sidecars too (the chart sets it per container for Grafana only).
        securityContext: { seccompProfile: seccomp },
      },
      kubeStateMetrics: { enabled: true },
      'kube-state-metrics': {
        ...onSystem,
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        // kube_node_labels / kube_pod_labels carry only these labels (instance type, zone, capacity
        // type; rollout revision and role): the cost rules price nodes and split revisions with them
        // (lib/cost, docs/cost.md). The chart passes the list as --metric-labels-allowlist.
        metricLabelsAllowlist: costMetricLabelsAllowlist(),
      },
    };
  }

  private installPushgateway(cluster: ICluster, o: PushgatewayOptions): HelmChart {
    const persistence = o.persistence ?? true;
    if (!persistence && (o.storageSize !== undefined || o.storageClass !== undefined)) {
      throw new ValidationError(this, 'pushgateway.storageSize', o.storageSize ?? o.storageClass, 'applies only with pushgateway.persistence: true');
    }
    if (o.storageClass !== undefined && !isDns1123Subdomain(o.storageClass)) {
      throw new ValidationError(this, 'pushgateway.storageClass', o.storageClass, 'must be a StorageClass name (DNS-1123 subdomain)');
    }
    const size = o.storageSize ?? Size.gibibytes(2);
    if (!(size.toGibibytes() >= 0.1 && size.toGibibytes() <= 1024)) throw new ValidationError(this, 'pushgateway.storageSize', size, `must be between ${Size.mebibytes(100)} and ${Size.tebibytes(1)}`);
    const name = CHARTS.prometheusPushgateway.chart;
    const pv: JsonObject = { enabled: persistence };
    if (persistence) {
      pv.size = size.toKubernetes();
      if (o.storageClass !== undefined) pv.storageClass = o.storageClass;
    }
    return new HelmChart(this, 'pushgateway', {
      chart: CHARTS.prometheusPushgateway,
      releaseName: name,
      namespace: this.namespace,
      values: {
        fullnameOverride: name,
        ...(cluster.systemNodeSelector ? { nodeSelector: { ...cluster.systemNodeSelector } } : {}),
        // The Pushgateway never calls the Kubernetes API.
        automountServiceAccountToken: false,
        resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '128Mi' } },
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: restrictedContainerSecurityContext(),
        persistentVolume: pv,
        // The chart mounts the volume but the Pushgateway only writes it with this flag.
        extraArgs: persistence ? ['--persistence.file=/data/pushgateway.data', '--persistence.interval=1m'] : [],
        serviceMonitor: {
          enabled: true,
          namespace: this.namespace,
          additionalLabels: { ...this.monitorLabels },
          // Pushed series carry their own job/namespace labels: keep them (false would rename them
          // exported_job/exported_namespace, and alert routing on namespace would see "monitoring").
          // Who may push is the NetworkPolicy's job; what a push may claim is bounded here.
          honorLabels: true,
          metricRelabelings: [{ sourceLabels: ['__name__'], regex: PUSHGATEWAY_KEPT_SERIES, action: 'keep' }],
        },
      },
      extraValues: o.extraValues,
      wait: true,
      // Its ServiceMonitor needs the Prometheus operator's CRDs.
      dependsOn: this.crdDependencies,
    });
  }
}

/**
 * kube-prometheus-stack's default `alertmanager.config.inhibit_rules`. Source:
 * prometheus-community/helm-charts charts/kube-prometheus-stack/values.yaml at the pinned version
 * (reference copy in the shared chart references), checked 2026-12-07; a test compares this copy with
 * the pinned chart's defaults.
 */
const KPS_DEFAULT_INHIBIT_RULES: JsonObject[] = [
  { source_matchers: ['severity = critical'], target_matchers: ['severity =~ warning|info'], equal: ['namespace', 'alertname'] },
  { source_matchers: ['severity = warning'], target_matchers: ['severity = info'], equal: ['namespace', 'alertname'] },
  { source_matchers: ['alertname = InfoInhibitor'], target_matchers: ['severity = info'], equal: ['namespace'] },
  { target_matchers: ['alertname = InfoInhibitor'] },
];

function alertmanagerConfig(receiver: AlertReceiver | undefined): JsonObject {
  // Maps merge with the chart's default config (global, inhibit_rules, route timing); lists replace.
  const receivers: JsonValue[] = [{ name: 'null' }];
  let target = 'null';
  if (receiver) {
    target = receiver.kind === AlertReceiverKind.SLACK ? 'slack' : 'webhook';
    // Alertmanager mounts `alertmanagerSpec.secrets` at /etc/alertmanager/secrets/<name>/.
    const file = `/etc/alertmanager/secrets/${receiver.secretName}/${receiver.secretKey}`;
    const sendResolved = receiver.sendResolved ?? true;
    receivers.push(receiver.kind === AlertReceiverKind.SLACK
      ? { name: target, slack_configs: [{ api_url_file: file, send_resolved: sendResolved, ...(receiver.slackChannel ? { channel: receiver.slackChannel } : {}) }] }
      : { name: target, webhook_configs: [{ url_file: file, send_resolved: sendResolved }] });
  }
  return {
    // Lists replace the chart's: its four default rules are kept, then the GPU rule.
    inhibit_rules: [...KPS_DEFAULT_INHIBIT_RULES, ...GPU_INHIBIT_RULES.map((r) => ({ ...r }))],
    route: {
      receiver: target,
      group_by: ['namespace', 'alertname'],
      // Watchdog fires always (proves the pipeline works); it is not for people.
      routes: [{ receiver: 'null', matchers: ['alertname = "Watchdog"'] }],
    },
    receivers,
  };
}
