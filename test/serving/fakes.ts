// Small stand-ins for the real GpuNodePool and Observability (written concurrently elsewhere):
// they implement the contracts VllmServingStack depends on, nothing more.
import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { GPU_INSTANCE_TYPES, GpuInstanceType } from '../../lib/gpu/catalog';
import { CapacityPreference, GpuCapacityMode, GpuSharing, GPU_POOL_LABEL, IGpuNodePool } from '../../lib/gpu/types';
import { gpuToleration } from '../../lib/k8s/pod-security';
import { JsonObject } from '../../lib/k8s/values';
import { IMetricsBackbone } from '../../lib/observability/types';

export interface FakePoolOptions {
  readonly name?: string;
  readonly instanceTypes?: string[];
  readonly mode?: GpuCapacityMode;
  readonly capacity?: CapacityPreference;
  readonly sharing?: GpuSharing;
}

export class FakeGpuPool extends Construct implements IGpuNodePool {
  public readonly poolName: string;
  public readonly mode: GpuCapacityMode;
  public readonly capacity: CapacityPreference;
  public readonly instanceTypes: GpuInstanceType[];
  public readonly nodeSelector: Record<string, string>;
  public readonly tolerations: JsonObject[];
  public readonly sharing?: GpuSharing;

  public constructor(scope: Construct, id: string, o: FakePoolOptions = {}) {
    super(scope, id);
    this.poolName = o.name ?? 'gpu';
    this.mode = o.mode ?? GpuCapacityMode.KARPENTER;
    this.capacity = o.capacity ?? CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK;
    this.instanceTypes = (o.instanceTypes ?? ['g6e.xlarge', 'g6e.2xlarge']).map((t) => {
      const found = GPU_INSTANCE_TYPES[t];
      if (!found) throw new Error(`fake pool: unknown instance type ${t}`);
      return found;
    });
    this.nodeSelector = { [GPU_POOL_LABEL]: this.poolName };
    this.tolerations = [gpuToleration()];
    this.sharing = o.sharing;
  }
}

export class FakeMetrics extends Construct implements IMetricsBackbone {
  public readonly namespace = 'monitoring';
  public readonly monitorLabels = { release: 'kube-prometheus-stack' };
  public readonly ruleLabels = { release: 'kube-prometheus-stack', role: 'alert-rules' };
  public readonly dashboardLabels = { grafana_dashboard: '1' };
  public readonly crdDependencies: ITerraformDependable[];
  public readonly prometheusUrl = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';
  public readonly operator: Release;

  /** Push grants received (namespace, pod labels). */
  public readonly pushGrants: { namespace: string; podLabels: Record<string, string> }[] = [];

  public allowPushes(namespace: string, podLabels: Record<string, string>): void {
    this.pushGrants.push({ namespace, podLabels: { ...podLabels } });
  }

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    this.operator = new Release(this, 'operator', { name: 'kube-prometheus-stack', chart: 'kube-prometheus-stack', namespace: 'monitoring' });
    this.crdDependencies = [this.operator];
  }
}

export { fakeCluster } from '../harness/fakes';
