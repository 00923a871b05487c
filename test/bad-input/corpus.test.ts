// Bad-input corpus: wrong configurations across every construct, each of which must fail at
// construction (not at apply) with an error naming the prop and the bad value. All go through
// AiPlatform, the way users meet them.
import { Testing } from 'cdktf';
import {
  AiPlatform, ValidationError, GpuCapacityMode, CapacityPreference, Duration, Size, AutoscalerKind,
} from '../../lib';
import { base, cluster, Edit, MODEL, model, observability, pool, POOL, registry, serving } from '../harness/bad-props';


// [name, edit, prop as it must appear, bad value as it must appear]
const CASES: [string, Edit, string, string][] = [
  // platform
  ['bad region', (p) => ({ ...p, region: 'us-west' }), 'region', '"us-west"'],
  ['no cluster at all', (p) => ({ ...p, cluster: undefined }), 'cluster', '"neither cluster nor existingCluster"'],
  ['serving on an unknown pool', (p) => ({ ...p, serving: [{ id: 'chat', gpuPool: 'tpu', models: [MODEL] }] }), 'serving[chat].gpuPool', '"tpu"'],
  ['two pools with one name', (p) => ({ ...p, gpuPools: [POOL, POOL] }), 'gpuPools[gpu]', '"gpu"'],
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
  ['log retention CloudWatch rejects', cluster({ logRetention: Duration.days(45) }), 'logRetention', '"45 days"'],
  ['admin given as a session ARN', cluster({ adminPrincipalArns: ['arn:aws:sts::111122223333:assumed-role/admin/me'] }), 'adminPrincipalArns[0]', '"arn:aws:sts::111122223333:assumed-role/admin/me"'],
  ['KMS deletion window', cluster({ kmsKeyDeletionWindow: Duration.days(60) }), 'kmsKeyDeletionWindow', '"60 days"'],
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
  ['backups shorter than 7 days', registry({ database: { backupRetention: Duration.days(3) } }), 'database.backupRetention', '"3 days"'],
  ['bucket name S3 rejects', registry({ artifacts: { bucketName: 'My_Bucket' } }), 'artifacts.bucketName', '"My_Bucket"'],
  ['empty bucket name', registry({ artifacts: { bucketName: '' } }), 'artifacts.bucketName', '""'],
  ['instance class that is not RDS', registry({ database: { instanceClass: 'm5.large' } }), 'database.instanceClass', '"m5.large"'],
  ['database identifier AWS rejects', registry({ database: { identifier: '1-mlflow' } }), 'database.identifier', '"1-mlflow"'],
  // observability
  ['Prometheus retention of zero', observability({ retention: Duration.seconds(0) }), 'retention', '"0 seconds"'],
  ['Prometheus storage too small', observability({ storageSize: Size.mebibytes(10) }), 'storageSize', '"10 MiB"'],
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

// ---------------------------------------------------------------------------------------------------
// Mistakes that live between props (issue 19): two facts that disagree, or a name that nothing
// creates. Each case names the construct path, the prop, the bad value and a phrase of what is valid.

const BYO = {
  clusterName: 'shared-eks',
  endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com',
  certificateAuthorityData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
  oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
  oidcIssuerUrl: 'https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
  vpcId: 'vpc-0abc1234def567890',
  privateSubnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'],
  clusterSecurityGroupId: 'sg-0123456789abcdef0',
  nodeRoleArn: 'arn:aws:iam::111122223333:role/shared-eks-node',
  region: 'us-west-2',
};
const byo = (o: object): Edit => (p) => ({ ...p, cluster: undefined, existingCluster: { ...BYO, ...o } });
const INGRESS = { host: 'llm.internal.example.com', certificateArn: 'arn:aws:acm:us-west-2:111122223333:certificate/abc', clientCidrs: ['10.20.0.0/16'], loadBalancerSourceCidrs: ['10.0.0.0/16'] };
const DRIFT = { id: 'drift', namespace: 'ml-jobs', schedule: '0 2 * * *', reference: { url: 's3://acme-data/ref/features.csv' }, current: { url: 's3://acme-data/traffic/{{date}}/' } };
const drift = (o: object): Edit => (p) => ({ ...p, driftMonitors: [{ ...DRIFT, ...o }] });
const EVAL = { id: 'eval', serving: 'chat', model: 'llama', schedule: '30 3 * * *', datasetUrl: 's3://acme-data/evals/golden.jsonl' };
const evaluation = (o: object): Edit => (p) => ({ ...p, evaluations: [{ ...EVAL, ...o }] });
const SECOND = { id: 'embed', gpuPool: 'gpu', models: [{ ...MODEL, name: 'embed' }] };

// [name, edit, construct path, prop, bad value as it must appear, a phrase of what is valid]
const BETWEEN: [string, Edit, string, string, string, string][] = [
  // 1. regions
  ['region that is no region', (p) => ({ ...p, region: 'us-west2' }), 'ai', 'region', '"us-west2"', 'did you mean "us-west-2"'],
  ['zone name of another region', cluster({ availabilityZones: ['us-east-1a', 'us-west-2b'] }), 'ai', 'cluster.availabilityZones[0]', '"us-east-1a"', 'zone of the platform\'s region us-west-2'],
  ['zone id of another region', cluster({ availabilityZones: ['usw2-az1', 'use1-az2'] }), 'ai', 'cluster.availabilityZones[1]', '"use1-az2"', 'zone of the platform\'s region us-west-2'],
  ['existing cluster in another region', byo({ region: 'eu-west-1' }), 'ai', 'existingCluster.region', '"eu-west-1"', 'must be the platform\'s region us-west-2'],
  ['endpoint of a cluster in another region', byo({ endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com' }), 'ai', 'existingCluster.endpoint', '"https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"', 'cluster in eu-west-1, not in us-west-2'],
  ['OIDC issuer of another region', byo({ oidcIssuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' }), 'ai', 'existingCluster.oidcIssuerUrl', '"https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"', 'issuer of the cluster named by clusterName'],
  ['ingress certificate of another region', serving({ ingress: { ...INGRESS, certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc' } }), 'ai', 'serving[chat].ingress.certificateArn', '"arn:aws:acm:us-east-1:111122223333:certificate/abc"', 'an ACM certificate in the platform\'s region us-west-2'],
  ['registry credentials in another region', registry({ adminCredentialsSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:mlflow-admin-AbCdEf' }), 'ai', 'registry.adminCredentialsSecretArn', '"arn:aws:secretsmanager:eu-west-1:111122223333:secret:mlflow-admin-AbCdEf"', 'a Secrets Manager secret in the platform\'s region us-west-2'],
  ['drift S3 region that is no region', drift({ s3Region: 'us-west' }), 'ai', 'driftMonitors[drift].s3Region', '"us-west"', 'must be an AWS region'],
  ['node role in a China partition ARN', byo({ nodeRoleArn: 'arn:aws-cn:iam::111122223333:role/shared-eks-node' }), 'ai', 'existingCluster.nodeRoleArn', '"arn:aws-cn:iam::111122223333:role/shared-eks-node"', 'partition "aws"'],
  // 5. bring-your-own-cluster shapes
  ['cluster ARN given as the name', byo({ clusterName: 'arn:aws:eks:us-west-2:111122223333:cluster/shared-eks' }), 'ai', 'existingCluster.clusterName', '"arn:aws:eks:us-west-2:111122223333:cluster/shared-eks"', 'the cluster name, not its ARN (here "shared-eks")'],
  ['issuer URL given as the provider ARN', byo({ oidcProviderArn: 'https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' }), 'ai', 'existingCluster.oidcProviderArn', '"https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"', 'this is the issuer URL'],
  ['provider ARN of another cluster', byo({ oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/FFFF456789ABCDEF0123456789ABCDEF' }), 'ai', 'existingCluster.oidcProviderArn', '"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/FFFF456789ABCDEF0123456789ABCDEF"', 'must be the provider of oidcIssuerUrl'],
  ['issuer without a scheme', byo({ oidcIssuerUrl: 'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' }), 'ai', 'existingCluster.oidcIssuerUrl', '"oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"', 'add the "https://" scheme'],
  ['CA data that does not decode to a certificate', byo({ certificateAuthorityData: 'bm90IGEgY2VydA==' }), 'ai', 'existingCluster.certificateAuthorityData', '"bm90IGEgY2VydA=="', 'decode to a PEM'],
  ['VPC given by name', byo({ vpcId: 'shared-vpc' }), 'ai', 'existingCluster.vpcId', '"shared-vpc"', 'a VPC id such as "vpc-0abc1234def567890"'],
  ['subnet given by name', byo({ privateSubnetIds: ['subnet-0aaa1111bbbb2222c', 'private-b'] }), 'ai', 'existingCluster.privateSubnetIds[1]', '"private-b"', 'a subnet id'],
  ['node role name that disagrees with the ARN', byo({ nodeRoleName: 'other-node-role' }), 'ai', 'existingCluster.nodeRoleName', '"other-node-role"', 'the name of nodeRoleArn ("shared-eks-node")'],
  ['node role of another account', byo({ nodeRoleArn: 'arn:aws:iam::999999999999:role/shared-eks-node' }), 'ai', 'existingCluster.nodeRoleArn', '"arn:aws:iam::999999999999:role/shared-eks-node"', 'in the cluster\'s account 111122223333'],
  // 1. CIDRs the traffic really comes from
  ['load balancer CIDRs missing private subnets', serving({ ingress: { ...INGRESS, loadBalancerSourceCidrs: ['10.0.0.0/18'] } }), 'ai', 'serving[chat].ingress.loadBalancerSourceCidrs', '["10.0.0.0/18"]', 'must cover the private subnets'],
  ['load balancer CIDR outside the VPC', serving({ ingress: { ...INGRESS, loadBalancerSourceCidrs: ['10.0.0.0/16', '192.168.0.0/16'] } }), 'ai', 'serving[chat].ingress.loadBalancerSourceCidrs', '["10.0.0.0/16","192.168.0.0/16"]', 'list the VPC CIDR 10.0.0.0/16'],
  // 1. capacity arithmetic
  ['autoscaler maximum beyond the pool', (p) => ({ ...pool({ maxGpus: 4 })(p), serving: [{ id: 'chat', gpuPool: 'gpu', models: [{ ...MODEL, replicas: { min: 1, max: 8 } }] }] }), 'ai', 'serving[chat].models', '[{"name":"llama","replicas":{"min":1,"max":8}}]', 'raise the pool\'s maxGpus to at least 8'],
  ['minimum replicas of two stacks beyond the pool', (p) => ({ ...pool({ maxGpus: 4 })(p), serving: [{ id: 'chat', gpuPool: 'gpu', models: [{ ...MODEL, replicas: { min: 3, max: 3 } }] }, { ...SECOND, models: [{ ...MODEL, name: 'embed', replicas: { min: 2, max: 2 } }] }] }), 'ai', 'serving[embed].models', '[{"name":"embed","replicas":{"min":2,"max":2}}]', 'lower replicas.min or raise the pool\'s limit'],
  // 1. time windows
  ['maintenance window over the backup window', registry({ database: { backupWindow: '03:00-04:00', maintenanceWindow: 'sun:03:30-sun:04:30' } }), 'ai/ai-platform/registry', 'database.maintenanceWindow', '"sun:03:30-sun:04:30"', 'must not overlap the daily backup window 03:00-04:00'],
  ['backup window shorter than 30 minutes', registry({ database: { backupWindow: '03:00-03:15' } }), 'ai/ai-platform/registry', 'database.backupWindow', '"03:00-03:15"', 'at least 30 minutes'],
  ['freeze windows that overlap', pool({ disruptionFreeze: { schedule: '0 8 * * *', duration: Duration.hours(25) } }), 'ai/ai-platform/gpu-pool-gpu', 'disruptionFreeze.duration', '"25 hours"', 'shorter than the shortest gap'],
  ['freeze that never starts', pool({ disruptionFreeze: { schedule: '0 8 30 2 *', duration: Duration.hours(2) } }), 'ai/ai-platform/gpu-pool-gpu', 'disruptionFreeze.schedule', '"0 8 30 2 *"', 'never fires'],
  ['freeze hour out of range (the cron parser, not a pattern)', pool({ disruptionFreeze: { schedule: '0 25 * * *', duration: Duration.hours(2) } }), 'ai/ai-platform/gpu-pool-gpu', 'disruptionFreeze.schedule', '"0 25 * * *"', '5-field cron expression'],
  // 1. names two constructs create
  ['jobs namespace that is a serving namespace', (p) => ({ ...drift({})(p), jobsNamespace: 'chat' }), 'ai', 'jobsNamespace', '"chat"', 'give each its own namespace'],
  ['serving namespace that is the monitoring namespace', serving({ namespace: 'monitoring' }), 'ai', 'serving[chat].namespace', '"monitoring"', 'give each its own namespace'],
  ['two stacks with one release in one namespace', (p) => ({ ...p, serving: [{ id: 'chat', gpuPool: 'gpu', models: [MODEL] }, { ...SECOND, namespace: 'chat', createNamespace: false, releaseName: 'chat' }] }), 'ai', 'serving[embed].releaseName', '"chat"', 'one release per name and namespace'],
  ['existing namespace the platform creates', (p) => ({ ...p, existing: { namespaces: ['chat'] } }), 'ai', 'existing.namespaces[0]', '"chat"', 'remove it from existing.namespaces'],
  // 2. things that must exist
  ['drift monitor in a namespace nobody creates', drift({ namespace: 'ml-job' }), 'ai', 'driftMonitors[drift].namespace', '"ml-job"', 'use jobsNamespace ("ml-jobs")'],
  ['serving namespace neither created nor existing', serving({ namespace: 'llm', createNamespace: false }), 'ai', 'serving[chat].namespace', '"llm"', 'list it in existing.namespaces'],
  ['client namespace nobody creates', serving({ clientNamespaces: ['chat', 'aps'] }), 'ai', 'serving[chat].clientNamespaces[1]', '"aps"', 'fix the name or list it in existing.namespaces'],
  ['evaluation the serving NetworkPolicy drops', (p) => ({ ...evaluation({ namespace: 'ml-jobs' })(p), driftMonitors: [DRIFT] }), 'ai', 'evaluations[eval].namespace', '"ml-jobs"', 'add "ml-jobs" to serving[chat].clientNamespaces'],
  ['Hugging Face token Secret not declared', serving({ huggingFaceToken: { secretName: 'hf-token' } }), 'ai', 'serving[chat].huggingFaceToken.secretName', '"hf-token"', 'declare it in existing.secrets ("chat/hf-token")'],
  ['alert webhook Secret not declared', observability({ alertReceiver: { kind: 'WEBHOOK', secretName: 'alert-webhook', secretKey: 'url' } }), 'ai', 'observability.alertReceiver.secretName', '"alert-webhook"', 'declare it in existing.secrets ("monitoring/alert-webhook")'],
  ['existing Secret without its namespace', (p) => ({ ...p, existing: { secrets: ['hf-token'] } }), 'ai', 'existing.secrets[0]', '"hf-token"', '"namespace/name"'],
  ['drift monitor of a model nobody serves', drift({ model: 'llama-70b' }), 'ai', 'driftMonitors[drift].model', '"llama-70b"', 'must name a model the platform serves'],
  ['serving signals of a namespace without serving', drift({ servingSignals: { models: ['llama'], servingNamespace: 'chats' } }), 'ai', 'driftMonitors[drift].servingSignals.servingNamespace', '"chats"', 'namespace of one of the platform\'s serving stacks'],
  // 3. catalogs, not patterns
  ['Graviton system nodes on the x86 AMI', cluster({ systemNodeGroup: { instanceTypes: ['m7g.large'] } }), 'ai/ai-cluster/cluster', 'systemNodeGroup.instanceTypes[0]', '"m7g.large"', 'is an arm64 instance type, but the system node group runs the AL2023_x86_64_STANDARD AMI'],
  ['system node size the family does not have', cluster({ systemNodeGroup: { instanceTypes: ['m7i.medium'] } }), 'ai/ai-cluster/cluster', 'systemNodeGroup.instanceTypes[0]', '"m7i.medium"', 'not a size of the m7i family'],
  ['kube-proxy newer than the control plane', cluster({ kubernetesVersion: '1.34', addonVersions: { kubeProxy: 'v1.35.3-eksbuild.13' } }), 'ai/ai-cluster/cluster', 'addonVersions.kubeProxy', '"v1.35.3-eksbuild.13"', 'never newer than the API server'],
  ['add-on version that is not one', cluster({ addonVersions: { vpcCni: 'latest' } }), 'ai/ai-cluster/cluster', 'addonVersions.vpcCni', '"latest"', 'an EKS add-on version such as "v1.19.5-eksbuild.3"'],
  // 3. enum values from plain JavaScript
  ['capacity written in lower case', pool({ capacity: 'spot' }), 'ai/ai-platform/gpu-pool-gpu', 'capacity', '"spot"', 'must be one of'],
  ['precision that is not one', model({ precision: 'bf16' }), 'ai/ai-platform/chat', 'models[0].precision', '"bf16"', 'ModelPrecision.BF16 ("BF16")'],
  // 4. no useless jobs, no data loss
  ['drift reference and current data are the same', drift({ current: { url: 's3://acme-data/ref/features.csv' } }), 'ai/ai-platform/drift', 'current.url', '"s3://acme-data/ref/features.csv"', 'point current.url at the recent window'],
  ['drift report written into its input directory', drift({ current: { url: 's3://acme-data/traffic/' }, reportUrl: 's3://acme-data/traffic/drift-report.json' }), 'ai/ai-platform/drift', 'reportUrl', '"s3://acme-data/traffic/drift-report.json"', 'write it outside s3://acme-data/traffic/'],
  ['eval report over its dataset', evaluation({ reportUrl: 's3://acme-data/evals/golden.jsonl' }), 'ai/ai-platform/eval', 'reportUrl', '"s3://acme-data/evals/golden.jsonl"', 'write under a prefix no input is under'],
  ['eval report whose write access covers the dataset', evaluation({ reportUrl: 's3://acme-data/evals/{{date}}.json' }), 'ai/ai-platform/eval', 'reportUrl', '"s3://acme-data/evals/{{date}}.json"', 'covers its input datasetUrl'],
];

test('the between-props corpus is large enough', () => expect(BETWEEN.length).toBeGreaterThanOrEqual(30));

test.each(BETWEEN)('%s', (_name, edit, path, prop, value, valid) => {
  let error: unknown;
  try {
    new AiPlatform(Testing.app({ stackTraces: false }), 'ai', edit(base()));
  } catch (e) {
    error = e;
  }
  if (!(error instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  expect(error.constructPath).toBe(path);
  expect(error.prop).toBe(prop);
  expect(error.message).toContain(`${prop} (${value}) is invalid: `);
  expect(error.message).toContain(valid);
});
