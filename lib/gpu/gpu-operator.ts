import { Construct, IConstruct } from 'constructs';
import { validateEnum } from '../core/enums';
import { Annotations, ITerraformDependable, Lazy, TerraformStack } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ICluster } from '../cluster/cluster-reference';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { validateInteger } from '../core/validate';
import { CHARTS } from '../k8s/charts';
import { HelmChart } from '../k8s/helm-chart';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { EgressRule } from '../k8s/egress';
import { gpuToleration, PodSecurityLevel } from '../k8s/pod-security';
import { JsonObject, JsonValue, mergeValues } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { IMetricsBackbone } from '../observability/types';
import { PlatformGuardrails } from '../policy/platform-guardrails';
import { DEVICE_PLUGIN_CONFIG_LABEL, IGpuNodePool, MIG_CONFIG_LABEL, OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL } from './types';
import { GPU_INSTANCE_TYPES } from './catalog';
import { Duration } from '../core/units';

/**
 * How the GPU operator's device plugin advertises MIG devices (`mig.strategy` of the chart).
 */
export enum MigStrategy {
  /** Every GPU of a node has the same MIG profile; slices are advertised as `nvidia.com/gpu`. */
  SINGLE = 'single',
  /** GPUs may mix profiles; slices are advertised per profile (`nvidia.com/mig-1g.10gb`). */
  MIXED = 'mixed',
}

/** GPU operator settings, without the cluster, pools and metrics it serves (see {@link GpuOperatorProps}). */
export interface GpuOperatorOptions {
  /**
   * Whether the nodes' AMI ships the NVIDIA driver and container toolkit. True for the EKS GPU
   * AMIs (AL2023 NVIDIA, Bottlerocket NVIDIA): the operator must then not install them
   * (`driver.enabled=false`, `toolkit.enabled=false`), or it breaks the nodes. Set false only for
   * custom AMIs without a driver; the operator then installs both.
   * @default true
   */
  readonly driverPreinstalled?: boolean;
  /**
   * Set when the standalone nvidia-device-plugin (chart or EKS add-on) already runs in the
   * cluster: the operator's device plugin is then turned off, so there is never a second one
   * advertising the same GPUs. Time-slicing pools are refused in that case (their config lives in
   * the operator's device plugin).
   * @default false
   */
  readonly standaloneDevicePlugin?: boolean;
  /**
   * MIG strategy when a pool uses MIG. `SINGLE` fits profiles that cut every GPU the same way
   * (`all-1g.10gb`); mixed profiles (`all-balanced`) need `MIXED`.
   * @default MigStrategy.SINGLE
   */
  readonly migStrategy?: MigStrategy;
  /**
   * Namespace of the operator and its operands. It is labelled Pod Security `privileged` (the
   * operands need host access): nothing else may run there.
   * @default 'gpu-operator'
   */
  readonly namespace?: string;
  /**
   * Chart version override.
   * @default CHARTS.gpuOperator.version
   */
  readonly chartVersion?: string;
  /**
   * More egress for the pods of the namespace (created here): the namespace denies egress by default
   * and allows DNS, its own pods and the Kubernetes API; public HTTPS stays closed (the EKS GPU AMI brings the driver: nothing is downloaded). See docs/network-policies.md.
   * @default - none
   */
  readonly additionalEgress?: EgressRule[];
  /**
   * Values merged over the library's (escape hatch, not validated; the device-plugin guard still
   * checks the result).
   * @default - none
   */
  readonly extraValues?: JsonObject;
}

/** Props of {@link GpuOperator}. */
export interface GpuOperatorProps extends GpuOperatorOptions {
  /** The cluster to install into. */
  readonly cluster: ICluster;
  /**
   * GPU pools whose sharing (time-slicing, MIG) and taints the operator must serve. More can be
   * added with `addPool()`; the chart values and the device-plugin ConfigMap are rendered at synth.
   * @default - none
   */
  readonly pools?: IGpuNodePool[];
  /**
   * The metrics backbone: DCGM exporter's ServiceMonitor carries its `monitorLabels`, the release
   * waits for its CRDs and its namespace may scrape the exporter through the default-deny policy.
   * @default - no ServiceMonitor (the exporter still runs; scrape it yourself)
   */
  readonly metrics?: IMetricsBackbone;
}

/** Why the operator's namespace is Pod Security privileged (policy suppression reason). */
const PRIVILEGED_REASON = 'GPU operator operands (driver validation, device plugin, DCGM exporter, MIG manager, NFD worker) need host access, so the operator namespace enforces Pod Security privileged; nothing else runs there.';

/** Port of the DCGM exporter's metrics endpoint (operator default). */
const DCGM_EXPORTER_PORT = 9400;

/** Charts that would run a second device plugin or DCGM exporter next to the operator's. */
const STANDALONE_DEVICE_PLUGIN_CHARTS = ['nvidia-device-plugin', 'k8s-device-plugin'];
const STANDALONE_DCGM_EXPORTER_CHARTS = ['dcgm-exporter'];

/**
 * The NVIDIA GPU operator with EKS-correct defaults: driver and toolkit left to the EKS GPU AMI,
 * one device plugin (the operator's), operands tolerating the GPU taint, node-feature-discovery,
 * the DCGM exporter with a ServiceMonitor Prometheus selects, and the device-plugin config for the
 * time-sliced pools plus the MIG manager for MIG pools. Install one per cluster.
 */
export class GpuOperator extends Construct implements IWorkloadSource {
  /** Helm release name. */
  public static readonly RELEASE_NAME = 'gpu-operator';
  /** Name of the device-plugin ConfigMap (one entry per time-sliced pool, keyed by pool name). */
  public static readonly DEVICE_PLUGIN_CONFIG_MAP = 'device-plugin-config';
  /** Key of the device-plugin config that nodes without a pool config use. */
  public static readonly DEFAULT_DEVICE_PLUGIN_CONFIG = 'default';

  /** The Helm release wrapper (values for tests and policy). */
  public readonly chart: HelmChart;
  /** The underlying helm_release: GPU workloads may depend on it. */
  public readonly release: Release;
  /** Namespace of the operator (a reference to the namespace resource). */
  public readonly namespace: string;
  /** The privileged namespace. */
  public readonly platformNamespace: PlatformNamespace;
  /** The device-plugin ConfigMap, unless the standalone device plugin is used. */
  public readonly devicePluginConfig?: ConfigMapV1;
  /** Whether the AMI ships the driver and toolkit (the operator does not install them). */
  public readonly driverPreinstalled: boolean;
  /** Whether the operator runs the device plugin (false when the standalone one is installed). */
  public readonly operatorDevicePlugin: boolean;
  /** MIG strategy used when a pool has a MIG profile. */
  public readonly migStrategy: MigStrategy;
  private readonly poolList: IGpuNodePool[] = [];
  private readonly metrics?: IMetricsBackbone;

  /** Installs the operator. */
  public constructor(scope: Construct, id: string, props: GpuOperatorProps) {
    super(scope, id);
    const other = TerraformStack.of(this).node.findAll().find((c) => c !== this && c instanceof GpuOperator);
    if (other) {
      throw new ValidationError(this, 'id', id, `is a second GpuOperator in the stack (${other.node.path} exists): install the operator once per cluster and add pools to it with addPool()`);
    }
    const namespace = validateDns1123Label(this, 'namespace', props.namespace ?? 'gpu-operator');
    this.driverPreinstalled = props.driverPreinstalled ?? true;
    this.operatorDevicePlugin = !(props.standaloneDevicePlugin ?? false);
    this.migStrategy = validateEnum(this, 'migStrategy', props.migStrategy, MigStrategy, 'MigStrategy') ?? MigStrategy.SINGLE;
    this.metrics = props.metrics;

    if (!this.driverPreinstalled) {
      Annotations.of(this).addWarning('driverPreinstalled is false: the operator installs the NVIDIA driver and container toolkit on every GPU node. Only for custom AMIs without a driver; on EKS GPU AMIs (AL2023/Bottlerocket NVIDIA) this breaks the nodes.');
    }

    // The operands mount host paths and run privileged: the only namespace the library labels so.
    this.platformNamespace = new PlatformNamespace(this, 'namespace', { name: namespace, podSecurity: PodSecurityLevel.PRIVILEGED, egress: { publicHttps: false, kubernetesApiClients: [{}], additionalEgress: props.additionalEgress } });
    PlatformGuardrails.suppress(this.platformNamespace, 'AIP-190', PRIVILEGED_REASON);
    this.namespace = this.platformNamespace.name;

    const dependsOn: ITerraformDependable[] = [];
    if (this.platformNamespace.defaultDeny) dependsOn.push(this.platformNamespace.defaultDeny);
    if (props.metrics) {
      // Default-deny ingress is on: only the metrics namespace may reach the exporter's port.
      dependsOn.push(new NetworkPolicyV1(this, 'allow-dcgm-scrape', {
        metadata: { name: 'allow-dcgm-exporter-scrape', namespace: this.namespace },
        spec: {
          podSelector: { matchLabels: { app: 'nvidia-dcgm-exporter' } },
          policyTypes: ['Ingress'],
          ingress: [{
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.metrics.namespace } } }],
            ports: [{ port: String(DCGM_EXPORTER_PORT), protocol: 'TCP' }],
          }],
        },
      }));
      // The operator creates the DCGM ServiceMonitor only when the CRD exists when it reconciles.
      dependsOn.push(...props.metrics.crdDependencies);
    }
    if (this.operatorDevicePlugin) {
      // Created before the release: the device plugin mounts it at start.
      this.devicePluginConfig = new ConfigMapV1(this, 'device-plugin-config', {
        metadata: { name: GpuOperator.DEVICE_PLUGIN_CONFIG_MAP, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'cdktf-ai-platform' } },
        data: Lazy.anyValue({ produce: () => this.devicePluginConfigData() }) as unknown as Record<string, string>,
      });
      dependsOn.push(this.devicePluginConfig);
    }

    this.chart = new HelmChart(this, 'chart', {
      chart: CHARTS.gpuOperator,
      releaseName: GpuOperator.RELEASE_NAME,
      namespace: this.namespace,
      values: mergeValues(this.baseValues(props.cluster), this.poolValues()),
      extraValues: props.extraValues,
      chartVersion: props.chartVersion,
      wait: true,
      timeout: Duration.minutes(15),
      dependsOn,
    });
    this.release = this.chart.release;

    for (const pool of props.pools ?? []) this.addPool(pool);
    this.node.addValidation({ validate: () => this.validateSinglePlugins() });
  }

  /** The pools the operator serves. */
  public get pools(): IGpuNodePool[] {
    return [...this.poolList];
  }

  /**
   * Serves a GPU pool: its taints are tolerated by every operand, a time-sliced pool gets its
   * entry in the device-plugin ConfigMap and a MIG pool turns the MIG manager on.
   */
  public addPool(pool: IGpuNodePool): void {
    const name = pool.poolName;
    validateDns1123Label(this, 'pool.poolName', name);
    if (name === GpuOperator.DEFAULT_DEVICE_PLUGIN_CONFIG) {
      throw new ValidationError(this, 'pool.poolName', name, `must not be "${GpuOperator.DEFAULT_DEVICE_PLUGIN_CONFIG}": that key of the device-plugin ConfigMap is the config of nodes outside any pool`);
    }
    if (this.poolList.some((p) => p.poolName === name)) {
      throw new ValidationError(this, 'pool.poolName', name, 'is added twice: pool names key the device-plugin config and must be unique');
    }
    const sharing = pool.sharing;
    const slicing = sharing?.timeSlicingReplicas;
    const mig = sharing?.migProfile;
    if (slicing !== undefined && mig !== undefined) {
      throw new ValidationError(this, `pool ${name}: sharing`, sharing, 'set at most one of timeSlicingReplicas and migProfile');
    }
    if (pool.nodeDevicePlugin && mig !== undefined) {
      throw new ValidationError(this, `pool ${name}: sharing.migProfile`, mig, 'is not supported on a pool whose nodes run their own device plugin (Bottlerocket NVIDIA): the MIG manager the operator runs does not govern those nodes; use an AL2023 pool for MIG (docs/gpu-node-pools.md)');
    }
    if (slicing !== undefined && pool.nodeDevicePlugin) {
      validateInteger(this, `pool ${name}: sharing.timeSlicingReplicas`, slicing, 2, 48);
      Annotations.of(this).addWarning(`pool ${name}: time-slicing with ${slicing} replicas per GPU shares GPU memory with no isolation — one pod can exhaust the memory of the others or crash them. Its nodes run Bottlerocket's own device plugin (the operator's is kept off them by ${OPERATOR_DEVICE_PLUGIN_DEPLOY_LABEL}=false); the pool configures the slicing in Bottlerocket's settings, not in the operator's ${GpuOperator.DEVICE_PLUGIN_CONFIG_MAP}.`);
    } else if (slicing !== undefined) {
      validateInteger(this, `pool ${name}: sharing.timeSlicingReplicas`, slicing, 2, 48);
      if (!this.operatorDevicePlugin) {
        throw new ValidationError(this, `pool ${name}: sharing.timeSlicingReplicas`, slicing, 'needs the operator\'s device plugin (standaloneDevicePlugin is set): configure time-slicing in the standalone plugin and drop it from the pool, or remove the standalone plugin');
      }
      Annotations.of(this).addWarning(`pool ${name}: time-slicing with ${slicing} replicas per GPU shares GPU memory with no isolation — one pod can exhaust the memory of the others or crash them; use MIG where isolation matters. Nodes pick the config with the ${DEVICE_PLUGIN_CONFIG_LABEL}=${name} label.`);
    }
    if (mig !== undefined) {
      if (typeof mig !== 'string' || !/^all-[a-z0-9.]+$/.test(mig)) {
        throw new ValidationError(this, `pool ${name}: sharing.migProfile`, mig, 'must be a MIG manager profile name such as "all-1g.10gb", "all-3g.40gb" or "all-balanced"');
      }
      const notMig = pool.instanceTypes.filter((t) => !t.migCapable).map((t) => t.name);
      if (notMig.length > 0) {
        throw new ValidationError(this, `pool ${name}: sharing.migProfile`, mig, `needs MIG-capable GPUs (${[...new Set(Object.values(GPU_INSTANCE_TYPES).filter((t) => t.migCapable).map((t) => t.gpuModel))].join(', ')}); not MIG-capable: ${notMig.join(', ')}`);
      }
      if (mig === 'all-balanced' && this.migStrategy === MigStrategy.SINGLE) {
        throw new ValidationError(this, `pool ${name}: sharing.migProfile`, mig, 'mixes MIG slice sizes on a GPU, which needs migStrategy: MigStrategy.MIXED');
      }
      if (!this.operatorDevicePlugin) {
        Annotations.of(this).addWarning(`pool ${name}: MIG with the standalone device plugin: set its migStrategy to "${this.migStrategy}" yourself.`);
      }
      Annotations.of(this).addWarning(`pool ${name}: MIG profile ${mig} is applied by the MIG manager from the ${MIG_CONFIG_LABEL} node label. Changing that label (or the profile) on a node reconfigures its GPUs — GPU pods running there lose their devices — and may reboot the node: never change it on a node that serves traffic; roll new nodes instead.`);
    }
    this.poolList.push(pool);
    this.chart.addValues(this.poolValues());
  }

  /** Entries of the device-plugin ConfigMap: `default` plus one per time-sliced pool, each a device-plugin config (JSON, which is YAML). */
  public devicePluginConfigData(): Record<string, string> {
    const migStrategy = this.poolList.some((p) => p.sharing?.migProfile !== undefined) ? this.migStrategy : 'none';
    const flags = { migStrategy };
    const data: Record<string, string> = { [GpuOperator.DEFAULT_DEVICE_PLUGIN_CONFIG]: JSON.stringify({ version: 'v1', flags }) };
    for (const pool of this.poolList) {
      const replicas = pool.sharing?.timeSlicingReplicas;
      // Nodes with their own device plugin (Bottlerocket) never read this ConfigMap.
      if (replicas === undefined || pool.nodeDevicePlugin) continue;
      data[pool.poolName] = JSON.stringify({
        version: 'v1',
        flags,
        sharing: { timeSlicing: { resources: [{ name: 'nvidia.com/gpu', replicas }] } },
      });
    }
    return data;
  }

  /** The operator controller's pod settings (the operands are created by the operator at runtime). */
  public renderedWorkloads(): RenderedWorkload[] {
    const v = this.chart.renderedValues();
    const operator = (v.operator ?? {}) as JsonObject;
    return [{
      kind: 'HelmValues',
      name: 'gpu-operator',
      namespace: this.namespace,
      source: 'chart',
      replicas: 1,
      podSpec: {
        nodeSelector: operator.nodeSelector ?? {},
        containers: [{ name: 'gpu-operator', resources: withoutNulls(operator.resources ?? {}) }],
      },
    }];
  }

  private baseValues(cluster: ICluster): JsonObject {
    const system = cluster.systemNodeSelector;
    const onSystem: JsonObject = system ? { nodeSelector: { ...system } } : {};
    const metrics = this.metrics;
    return {
      operator: {
        ...onSystem,
        // SECURITY.md: no CPU limits (throttling); `null` removes the chart's default limit.
        resources: { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: null, memory: '512Mi' } },
      },
      // One prop decides both: the EKS GPU AMIs ship the driver and the toolkit.
      driver: { enabled: !this.driverPreinstalled },
      toolkit: { enabled: !this.driverPreinstalled },
      devicePlugin: this.operatorDevicePlugin
        ? { enabled: true, config: { create: false, name: GpuOperator.DEVICE_PLUGIN_CONFIG_MAP, default: GpuOperator.DEFAULT_DEVICE_PLUGIN_CONFIG } }
        : { enabled: false },
      gfd: { enabled: true },
      nfd: { enabled: true },
      'node-feature-discovery': { master: { ...onSystem }, gc: { ...onSystem } },
      dcgmExporter: {
        enabled: true,
        serviceMonitor: metrics
          ? {
            enabled: true,
            additionalLabels: { ...metrics.monitorLabels },
            // The exporter labels each GPU with the pod using it (`pod`, `namespace`); keep those
            // instead of renaming them `exported_pod`.
            honorLabels: true,
            // `node` lets alerts join exporter targets with kube-state-metrics' GPU nodes.
            relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }],
          }
          : { enabled: false },
      },
    };
  }

  private poolValues(): JsonObject {
    const tolerations = this.operandTolerations();
    return {
      daemonsets: { tolerations },
      'node-feature-discovery': { worker: { tolerations } },
      mig: { strategy: this.migStrategy },
      // The MIG manager reconfigures MIG-capable GPUs: only run it when a pool asks for MIG.
      migManager: { enabled: this.poolList.some((p) => p.sharing?.migProfile !== undefined) },
    };
  }

  /** The GPU taint plus every taint a pool's nodes carry, each once. */
  private operandTolerations(): JsonValue[] {
    const seen = new Map<string, JsonObject>();
    for (const t of [gpuToleration(), ...this.poolList.flatMap((p) => p.tolerations)]) seen.set(JSON.stringify(t), t);
    return [...seen.values()];
  }

  private validateSinglePlugins(): string[] {
    const errors: string[] = [];
    const v = this.chart.renderedValues();
    const dp = ((v.devicePlugin ?? {}) as JsonObject).enabled !== false;
    const dcgm = ((v.dcgmExporter ?? {}) as JsonObject).enabled !== false;
    if (!this.operatorDevicePlugin && dp) {
      errors.push(`${this.node.path}: devicePlugin.enabled is on (extraValues) while standaloneDevicePlugin is set: two device plugins would advertise the same GPUs`);
    }
    for (const r of otherReleases(this)) {
      const chart = chartName(r.chartInput);
      if (dp && STANDALONE_DEVICE_PLUGIN_CHARTS.includes(chart)) {
        errors.push(`${this.node.path}: ${r.node.path} installs the standalone ${chart} while the operator's device plugin is on: never run two device plugins — set standaloneDevicePlugin: true or remove that release`);
      }
      if (dcgm && STANDALONE_DCGM_EXPORTER_CHARTS.includes(chart)) {
        errors.push(`${this.node.path}: ${r.node.path} installs the standalone ${chart} while the operator's DCGM exporter is on: every GPU metric would be scraped twice — remove that release or set dcgmExporter.enabled: false in extraValues`);
      }
    }
    return errors;
  }
}

function otherReleases(self: GpuOperator): Release[] {
  return TerraformStack.of(self).node.findAll().filter((c: IConstruct): c is Release => c instanceof Release && c !== self.release);
}

/** Chart name of a release's `chart` attribute (`repo/name`, `oci://…/name`, a path or a name). */
function chartName(chart: string | undefined): string {
  if (typeof chart !== 'string') return '';
  const parts = chart.replace(/\/+$/, '').split('/');
  return parts[parts.length - 1];
}

function withoutNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  return v;
}
