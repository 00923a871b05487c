// Bad-input corpus: wrong configurations across every construct, each of which must fail at
// construction (not at apply) with an error naming the prop and the bad value. All go through
// AiPlatform, the way users meet them.
import { Testing } from 'cdktf';
import {
  AiPlatform, AiPlatformProps, ValidationError, GpuCapacityMode, CapacityPreference, Duration, Size, AutoscalerKind,
} from '../../lib';

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];
const POOL = { poolName: 'gpu', instanceTypes: ['g6e.xlarge', 'g6e.2xlarge', 'g6.2xlarge', 'g6.4xlarge', 'g5.2xlarge'] };
const MODEL = { name: 'llama', model: 'meta-llama/Llama-3.1-8B-Instruct', maxModelLen: 8192 };

function base(): AiPlatformProps {
  return { region: 'us-west-2', cluster: { clusterName: 'demo', availabilityZones: AZS }, gpuPools: [POOL], serving: [{ id: 'chat', gpuPool: 'gpu', models: [MODEL] }], registry: {} };
}
type Edit = (p: AiPlatformProps) => AiPlatformProps;
const cluster = (c: object): Edit => (p) => ({ ...p, cluster: { ...p.cluster!, ...c } });
const pool = (o: object): Edit => (p) => ({ ...p, gpuPools: [{ ...POOL, ...o }] });
const model = (o: object): Edit => (p) => ({ ...p, serving: [{ id: 'chat', gpuPool: 'gpu', models: [{ ...MODEL, ...o }] }] });
const serving = (o: object): Edit => (p) => ({ ...p, serving: [{ id: 'chat', gpuPool: 'gpu', models: [MODEL], ...o }] });
const registry = (o: object): Edit => (p) => ({ ...p, registry: o });
const observability = (o: object): Edit => (p) => ({ ...p, observability: o });

// [name, edit, prop as it must appear, bad value as it must appear]
const CASES: [string, Edit, string, string][] = [
  // platform
  ['bad region', (p) => ({ ...p, region: 'us-west' }), 'region', '"us-west"'],
  ['no cluster at all', (p) => ({ ...p, cluster: undefined }), 'cluster', '"neither cluster nor existingCluster"'],
  ['serving on an unknown pool', (p) => ({ ...p, serving: [{ id: 'chat', gpuPool: 'tpu', models: [MODEL] }] }), 'serving[chat].gpuPool', '"tpu"'],
  ['two pools with one name', (p) => ({ ...p, gpuPools: [POOL, POOL] }), 'gpuPools[1].poolName', '"gpu"'],
  // cluster
  ['CIDR that does not parse', cluster({ vpcCidr: '10.0.0.0/40' }), 'vpcCidr', '"10.0.0.0/40"'],
  ['CIDR with host bits', cluster({ vpcCidr: '10.1.2.3/16' }), 'vpcCidr', '"10.1.2.3/16"'],
  ['VPC too small', cluster({ vpcCidr: '10.0.0.0/24' }), 'vpcCidr', '"10.0.0.0/24"'],
  ['unknown Kubernetes version', cluster({ kubernetesVersion: '1.20' }), 'kubernetesVersion', '"1.20"'],
  ['cluster name AWS rejects', cluster({ clusterName: 'my cluster' }), 'clusterName', '"my cluster"'],
  ['one availability zone', cluster({ availabilityZones: ['us-west-2a'] }), 'availabilityZones', '["us-west-2a"]'],
  ['repeated availability zone', cluster({ availabilityZones: ['us-west-2a', 'us-west-2a'] }), 'availabilityZones', '["us-west-2a","us-west-2a"]'],
  ['public endpoint open to the internet', cluster({ publicEndpoint: true, publicAccessCidrs: ['0.0.0.0/0'] }), 'publicAccessCidrs', '["0.0.0.0/0"]'],
  ['public CIDR that does not parse', cluster({ publicEndpoint: true, publicAccessCidrs: ['office'] }), 'publicAccessCidrs[0]', '"office"'],
  ['system nodes min > max', cluster({ systemNodeGroup: { minSize: 6, maxSize: 3 } }), 'systemNodeGroup.minSize', '6'],
  ['system node instance type', cluster({ systemNodeGroup: { instanceTypes: ['large'] } }), 'systemNodeGroup.instanceTypes[0]', '"large"'],
  ['audit log off', cluster({ controlPlaneLogTypes: ['api', 'authenticator'] }), 'controlPlaneLogTypes', '["api","authenticator"]'],
  ['log retention CloudWatch rejects', cluster({ logRetentionDays: 45 }), 'logRetentionDays', '45'],
  ['admin given as a session ARN', cluster({ adminPrincipalArns: ['arn:aws:sts::111122223333:assumed-role/admin/me'] }), 'adminPrincipalArns[0]', '"arn:aws:sts::111122223333:assumed-role/admin/me"'],
  ['KMS deletion window', cluster({ kmsKeyDeletionWindowDays: 60 }), 'kmsKeyDeletionWindowDays', '60'],
  // GPU pools
  ['unknown instance type', pool({ instanceTypes: ['g7.xlarge'] }), 'instanceTypes[0]', '"g7.xlarge"'],
  ['CPU instance type in a GPU pool', pool({ instanceTypes: ['c7i.2xlarge'] }), 'instanceTypes[0]', '"c7i.2xlarge"'],
  ['mixed GPU counts', pool({ instanceTypes: ['g6.xlarge', 'g6.12xlarge'] }), 'instanceTypes', '["g6.xlarge","g6.12xlarge"]'],
  ['empty instance list', pool({ instanceTypes: [] }), 'instanceTypes', '[]'],
  ['MIG on a non-MIG type', pool({ sharing: { migProfile: 'all-1g.10gb' } }), 'sharing.migProfile', '"all-1g.10gb"'],
  ['pool name Kubernetes rejects', pool({ poolName: 'GPU' }), 'poolName', '"GPU"'],
  ['managed spot pool with too few types', pool({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, capacity: CapacityPreference.SPOT, instanceTypes: ['g6.xlarge'] }), 'instanceTypes', '["g6.xlarge"]'],
  ['managed min > max', pool({ mode: GpuCapacityMode.MANAGED_NODE_GROUPS, instanceTypes: ['g6.xlarge', 'g6.2xlarge', 'g5.xlarge'], minSize: 4, maxSize: 1 }), 'minSize', '4'],
  ['time-slicing with one replica', pool({ sharing: { timeSlicingReplicas: 1 } }), 'sharing.timeSlicingReplicas', '1'],
  ['AMI version that is not one', pool({ amiVersion: 'newest' }), 'amiVersion', '"newest"'],
  ['disruption budget that is not one', pool({ disruptionBudget: 'some' }), 'disruptionBudget', '"some"'],
  ['freeze window with a bad cron', pool({ disruptionFreeze: { schedule: 'every morning', duration: Duration.hours(8) } }), 'disruptionFreeze.schedule', '"every morning"'],
  // serving
  ['empty model id', model({ model: '' }), 'models[0].model', '""'],
  ['model that does not fit', model({ model: 'meta-llama/Llama-3.1-70B-Instruct', maxModelLen: 8192 }), 'models[0].model', '"meta-llama/Llama-3.1-70B-Instruct"'],
  ['context that does not fit', model({ maxModelLen: 131072 }), 'models[0].maxModelLen', '131072'],
  ['tensor parallel not dividing heads', model({ tensorParallelSize: 3 }), 'models[0].tensorParallelSize', '3'],
  ['tensor parallel larger than a node', model({ tensorParallelSize: 2 }), 'models[0].tensorParallelSize', '2'],
  ['replicas min > max', model({ replicas: { min: 3, max: 1 } }), 'models[0].replicas.min', '3'],
  ['model name Kubernetes rejects', model({ name: 'Llama_8B' }), 'models[0].name', '"Llama_8B"'],
  ['unknown model without architecture', model({ model: 'acme/secret-model' }), 'models[0].model', '"acme/secret-model"'],
  ['GPU memory utilization above 1', model({ gpuMemoryUtilization: 1.2 }), 'models[0].gpuMemoryUtilization', '1.2'],
  ['HPA cannot scale to zero', serving({ autoscaling: { autoscaler: AutoscalerKind.HPA }, models: [{ ...MODEL, replicas: { min: 0, max: 2 } }] }), 'models[0].replicas.min', '0'],
  ['release name Kubernetes rejects', serving({ releaseName: 'Chat' }), 'releaseName', '"Chat"'],
  // registry
  ['unsupported PostgreSQL version', registry({ database: { engineVersion: '12.1' } }), 'database.engineVersion', '"12.1"'],
  ['backups shorter than 7 days', registry({ database: { backupRetentionDays: 3 } }), 'database.backupRetentionDays', '3'],
  ['bucket name S3 rejects', registry({ artifacts: { bucketName: 'My_Bucket' } }), 'artifacts.bucketName', '"My_Bucket"'],
  ['empty bucket name', registry({ artifacts: { bucketName: '' } }), 'artifacts.bucketName', '""'],
  ['instance class that is not RDS', registry({ database: { instanceClass: 'm5.large' } }), 'database.instanceClass', '"m5.large"'],
  ['database identifier AWS rejects', registry({ database: { identifier: '1-mlflow' } }), 'database.identifier', '"1-mlflow"'],
  // observability
  ['Prometheus retention of zero', observability({ retention: Duration.seconds(0) }), 'retention', '"0s"'],
  ['Prometheus storage too small', observability({ storageSize: Size.mebibytes(10) }), 'storageSize', '"10Mi"'],
];

test('the corpus is large enough', () => expect(CASES.length).toBeGreaterThanOrEqual(40));

test.each(CASES)('%s', (_name, edit, prop, value) => {
  let error: unknown;
  try {
    new AiPlatform(Testing.app({ stackTraces: false }), 'ai', edit(base()));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const message = (error as Error).message;
  expect((error as ValidationError).prop).toBe(prop);
  expect(message).toContain(`${prop} (${value}`);
  // ... and says what would be valid.
  expect(message).toMatch(/ is invalid: \S+/);
});
