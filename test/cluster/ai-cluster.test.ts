import { Testing } from 'cdktf';
import { AiCluster, NatGatewayMode, ValidationError, EKS_VERSIONS, DEFAULT_KUBERNETES_VERSION, EksSupportType, Duration } from '../../lib';
import { CHARTS } from '../../lib/k8s/charts';
import { COMPONENT_KUBERNETES_SUPPORT, EKS_RELEASE_CALENDAR, EksSupportPhase, eksCalendarEntry, eksSupportPhase } from '../../lib/cluster/versions';
import { AiClusterProps } from '../../lib/cluster/ai-cluster';
import { awsStack, synth, resources, onlyResource, Synth, warnings } from '../harness/synth';
import { itWithTerraform, terraformCheck, describeDiagnostics } from '../harness/terraform';
import { awsDefaultTags } from '../../lib/core/tags';

const AZS = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

function build(props: Partial<AiClusterProps> = {}) {
  const stack = awsStack();
  const cluster = new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: AZS, ...props });
  return { stack, cluster, s: synth(stack) };
}

type Doc = { statement: { effect?: string; actions?: string[]; principals?: { type: string; identifiers: string[] }[]; condition?: { test: string; variable: string; values: string[] }[] }[] };

// The default cluster is synthesized once and shared by the read-only assertions.
let base: Synth;
beforeAll(() => {
  base = build({ tags: { team: 'ml-platform', env: 'test' }, adminPrincipalArns: ['arn:aws:iam::123456789012:role/platform-admin'] }).s;
});

describe('network', () => {
  test('three private and three public subnets, each in its own AZ, with discovery tags', () => {
    const subnets = Object.values(resources(base, 'aws_subnet')) as { availability_zone: string; cidr_block: string; map_public_ip_on_launch: boolean; tags: Record<string, string> }[];
    const priv = subnets.filter((s) => s.tags['kubernetes.io/role/internal-elb'] === '1');
    const pub = subnets.filter((s) => s.tags['kubernetes.io/role/elb'] === '1');
    expect(priv.map((s) => s.availability_zone).sort()).toEqual(AZS);
    expect(pub.map((s) => s.availability_zone).sort()).toEqual(AZS);
    expect(priv.every((s) => s.tags['karpenter.sh/discovery'] === 'demo')).toBe(true);
    expect(pub.some((s) => s.tags['karpenter.sh/discovery'])).toBe(false);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    expect(priv.map((s) => s.cidr_block).sort()).toEqual(['10.0.0.0/18', '10.0.128.0/18', '10.0.64.0/18']);
    // No two subnets overlap: each public subnet sits in the last quarter.
    expect(pub.every((s) => s.cidr_block.startsWith('10.0.19') || s.cidr_block.startsWith('10.0.20') || s.cidr_block.startsWith('10.0.21'))).toBe(true);
  });

  test('one NAT gateway per AZ by default, each private route table using its own', () => {
    expect(Object.keys(resources(base, 'aws_nat_gateway'))).toHaveLength(3);
    const routes = Object.values(resources(base, 'aws_route')).filter((r) => r.nat_gateway_id) as { nat_gateway_id: string }[];
    expect(new Set(routes.map((r) => r.nat_gateway_id)).size).toBe(3);
  });

  test('a single NAT gateway when asked', () => {
    const { s } = build({ natGateways: NatGatewayMode.SINGLE });
    expect(Object.keys(resources(s, 'aws_nat_gateway'))).toHaveLength(1);
    const routes = Object.values(resources(s, 'aws_route')).filter((r) => r.nat_gateway_id) as { nat_gateway_id: string }[];
    expect(routes).toHaveLength(3);
    expect(new Set(routes.map((r) => r.nat_gateway_id)).size).toBe(1);
  });

  test('VPC flow logs capture all traffic; the default security group allows nothing', () => {
    const flow = onlyResource(base, 'aws_flow_log');
    expect(flow.traffic_type).toBe('ALL');
    expect(flow.log_destination_type).toBe('cloud-watch-logs');
    const sg = onlyResource(base, 'aws_default_security_group');
    expect(sg.ingress).toEqual([]);
    expect(sg.egress).toEqual([]);
  });
});

describe('EKS control plane', () => {
  test('secrets are encrypted with a rotating KMS key with a deletion window', () => {
    const eks = onlyResource(base, 'aws_eks_cluster') as { encryption_config: { resources: string[]; provider: { key_arn: string } } };
    expect(eks.encryption_config.resources).toEqual(['secrets']);
    expect(eks.encryption_config.provider.key_arn).toMatch(/^\$\{aws_kms_key\..+\.arn\}$/);
    const key = onlyResource(base, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(key.deletion_window_in_days).toBe(30);
  });

  test('control-plane logs api, audit and authenticator are on, with a retention', () => {
    const eks = onlyResource(base, 'aws_eks_cluster') as { enabled_cluster_log_types: string[] };
    expect(eks.enabled_cluster_log_types).toEqual(expect.arrayContaining(['api', 'audit', 'authenticator']));
    const groups = Object.values(resources(base, 'aws_cloudwatch_log_group'));
    expect(groups.find((g) => g.name === '/aws/eks/demo/cluster')?.retention_in_days).toBe(90);
  });

  test('private endpoint only by default', () => {
    const eks = onlyResource(base, 'aws_eks_cluster') as { vpc_config: { endpoint_private_access: boolean; endpoint_public_access: boolean; public_access_cidrs?: string[] } };
    expect(eks.vpc_config.endpoint_private_access).toBe(true);
    expect(eks.vpc_config.endpoint_public_access).toBe(false);
    expect(eks.vpc_config.public_access_cidrs).toBeUndefined();
  });

  test('public endpoint limited to the listed CIDRs', () => {
    const { s } = build({ publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'] });
    const eks = onlyResource(s, 'aws_eks_cluster') as { vpc_config: { endpoint_public_access: boolean; public_access_cidrs: string[] } };
    expect(eks.vpc_config.endpoint_public_access).toBe(true);
    expect(eks.vpc_config.public_access_cidrs).toEqual(['203.0.113.0/24']);
  });

  test('0.0.0.0/0 on the public endpoint is rejected unless acknowledged, and then warned about', () => {
    expect(() => build({ publicEndpoint: true, publicAccessCidrs: ['0.0.0.0/0'] })).toThrow(/publicAccessCidrs \(\["0.0.0.0\/0"\]\) is invalid: must not contain 0.0.0.0\/0/);
    const stack = awsStack();
    new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: AZS, publicEndpoint: true, publicAccessCidrs: ['0.0.0.0/0'], acknowledgeOpenPublicEndpoint: true });
    expect(warnings(stack).join('\n')).toMatch(/whole internet/);
    expect(warnings(build().stack)).toEqual([]);
  });

  test('API authentication mode with access entries for the admin principals', () => {
    const eks = onlyResource(base, 'aws_eks_cluster') as { access_config: { authentication_mode: string; bootstrap_cluster_creator_admin_permissions: boolean } };
    expect(eks.access_config.authentication_mode).toBe('API');
    const entry = onlyResource(base, 'aws_eks_access_entry');
    expect(entry.principal_arn).toBe('arn:aws:iam::123456789012:role/platform-admin');
    const assoc = onlyResource(base, 'aws_eks_access_policy_association') as { policy_arn: string; access_scope: { type: string } };
    expect(assoc.policy_arn).toMatch(/cluster-access-policy\/AmazonEKSClusterAdminPolicy$/);
    expect(assoc.access_scope.type).toBe('cluster');
  });

  test('the cluster security group carries the Karpenter discovery tag', () => {
    const tag = onlyResource(base, 'aws_ec2_tag');
    expect(tag).toMatchObject({ key: 'karpenter.sh/discovery', value: 'demo' });
    expect(tag.resource_id).toMatch(/vpc_config\[0\]\.cluster_security_group_id/);
  });
});

describe('IRSA', () => {
  test('the OIDC provider trusts the STS audience', () => {
    expect(onlyResource(base, 'aws_iam_openid_connect_provider').client_id_list).toEqual(['sts.amazonaws.com']);
  });

  test('addServiceAccountRole pins :sub to the service account and :aud to sts.amazonaws.com', () => {
    const { stack, cluster } = build();
    cluster.addServiceAccountRole('mlflow', 'mlflow-server', { statements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] }] });
    const s = synth(stack);
    const trust = Object.entries(s.data?.aws_iam_policy_document ?? {}).find(([k]) => k.includes('irsa-mlflow-mlflow-server') && k.includes('trust'));
    expect(trust).toBeDefined();
    const conditions = (trust![1] as Doc).statement[0].condition!;
    const sub = conditions.find((c) => c.variable.endsWith(':sub'))!;
    const aud = conditions.find((c) => c.variable.endsWith(':aud'))!;
    expect(sub).toMatchObject({ test: 'StringEquals', values: ['system:serviceaccount:mlflow:mlflow-server'] });
    expect(aud).toMatchObject({ test: 'StringEquals', values: ['sts.amazonaws.com'] });
    expect(sub.variable).toMatch(/replace\(aws_eks_cluster\..+identity\[0\]\.oidc\[0\]\.issuer, "https:\/\/", ""\)\}:sub$/);
    expect((trust![1] as Doc).statement[0].actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
  });

  test('vpc-cni and the EBS CSI driver get IRSA roles; the node role does not carry the CNI policy', () => {
    const addons = resources(base, 'aws_eks_addon') as Record<string, { addon_name: string; service_account_role_arn?: string }>;
    const byName = Object.fromEntries(Object.values(addons).map((a) => [a.addon_name, a]));
    expect(byName['vpc-cni'].service_account_role_arn).toMatch(/aws_iam_role\..*irsa-kube-system-aws-node.*\.arn/);
    expect(byName['aws-ebs-csi-driver'].service_account_role_arn).toMatch(/aws_iam_role\..*irsa-kube-system-ebs-csi-controller-sa.*\.arn/);
    const attachments = Object.entries(resources(base, 'aws_iam_role_policy_attachment')) as [string, { role: string; policy_arn: string }][];
    const cni = attachments.filter(([, a]) => a.policy_arn.endsWith('AmazonEKS_CNI_Policy'));
    expect(cni).toHaveLength(1);
    expect(cni[0][1].role).toMatch(/irsa-kube-system-aws-node/);
  });

  test('rejects a second role for the same service account and "*" on "*"', () => {
    const { cluster } = build();
    cluster.addServiceAccountRole('jobs', 'eval', { statements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }] });
    expect(() => cluster.addServiceAccountRole('jobs', 'eval', { statements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }] })).toThrow(/serviceAccount \("jobs\/eval"\) is invalid: already has an IRSA role/);
    expect(() => cluster.addServiceAccountRole('jobs', 'admin', { statements: [{ actions: ['*'], resources: ['*'] }] })).toThrow(/policy\.statements\[0\].*must not allow every action/);
    expect(() => cluster.addServiceAccountRole('Jobs', 'x', { statements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }] })).toThrow(/namespace \("Jobs"\) is invalid: must be a Kubernetes DNS-1123 label/);
  });
});

describe('system node group', () => {
  test('on-demand, private subnets, labelled for controllers', () => {
    const ng = onlyResource(base, 'aws_eks_node_group') as { capacity_type: string; subnet_ids: string[]; labels: Record<string, string>; scaling_config: { min_size: number; max_size: number; desired_size: number }; remote_access?: unknown };
    expect(ng.capacity_type).toBe('ON_DEMAND');
    expect(ng.subnet_ids).toHaveLength(3);
    ng.subnet_ids.forEach((id) => expect(id).toMatch(/aws_subnet\.cluster_network_private-\d/));
    expect(ng.labels).toEqual({ 'ai-platform.cdktf.io/node-role': 'system' });
    expect(ng.scaling_config).toEqual({ min_size: 2, max_size: 4, desired_size: 2 });
    expect(ng.remote_access).toBeUndefined();
  });

  test('launch template: IMDSv2 required, hop limit 1, encrypted gp3, no SSH key', () => {
    const lt = onlyResource(base, 'aws_launch_template') as { metadata_options: Record<string, unknown>; block_device_mappings: { ebs: Record<string, unknown> }[]; key_name?: string };
    expect(lt.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1, http_endpoint: 'enabled' });
    expect(lt.block_device_mappings[0].ebs).toMatchObject({ volume_type: 'gp3', encrypted: 'true' });
    expect(lt.key_name).toBeUndefined();
  });
});

describe('add-ons', () => {
  test('the five add-ons are pinned to the versions of the Kubernetes version', () => {
    const addons = Object.values(resources(base, 'aws_eks_addon')) as { addon_name: string; addon_version: string }[];
    const pins = EKS_VERSIONS[DEFAULT_KUBERNETES_VERSION];
    expect(Object.fromEntries(addons.map((a) => [a.addon_name, a.addon_version]))).toEqual({
      'vpc-cni': pins.vpcCni,
      coredns: pins.coredns,
      'kube-proxy': pins.kubeProxy,
      'aws-ebs-csi-driver': pins.ebsCsiDriver,
      'eks-pod-identity-agent': pins.podIdentityAgent,
    });
  });

  test('CoreDNS and the EBS CSI driver wait for nodes; the CNI comes before them', () => {
    const addons = resources(base, 'aws_eks_addon') as Record<string, { addon_name: string; depends_on?: string[] }>;
    const byName = Object.fromEntries(Object.values(addons).map((a) => [a.addon_name, a]));
    expect(byName.coredns.depends_on?.some((d) => d.startsWith('aws_eks_node_group.'))).toBe(true);
    expect(byName['aws-ebs-csi-driver'].depends_on?.some((d) => d.startsWith('aws_eks_node_group.'))).toBe(true);
    const ng = onlyResource(base, 'aws_eks_node_group') as { depends_on: string[] };
    expect(ng.depends_on.some((d) => d.includes('addon-vpc-cni'))).toBe(true);
  });
});

describe('outputs and tags', () => {
  test('endpoint, CA, name, OIDC and node role are outputs', () => {
    const outputs = Object.keys(base.output ?? {});
    for (const o of ['endpoint', 'certificate-authority-data', 'cluster-name', 'oidc-issuer-url', 'oidc-provider-arn', 'node-role-arn']) {
      expect(outputs.some((k) => k.includes(o.replace(/-/g, '')) || k.includes(o))).toBe(true);
    }
  });

  test('the tags prop reaches every taggable AWS resource', () => {
    let tagged = 0;
    for (const [type, rs] of Object.entries(base.resource ?? {})) {
      for (const [id, r] of Object.entries(rs)) {
        if (!('tags' in r) && !['aws_vpc', 'aws_subnet', 'aws_eks_cluster', 'aws_kms_key', 'aws_iam_role', 'aws_eks_node_group', 'aws_launch_template', 'aws_cloudwatch_log_group', 'aws_eks_addon', 'aws_nat_gateway', 'aws_eip', 'aws_flow_log'].includes(type)) continue;
        expect({ type, id, tags: (r as { tags?: Record<string, string> }).tags }).toMatchObject({ tags: { team: 'ml-platform', env: 'test' } });
        tagged++;
      }
    }
    expect(tagged).toBeGreaterThan(30);
    // Instances launched from the template carry them as well.
    const lt = onlyResource(base, 'aws_launch_template') as { tag_specifications: { resource_type: string; tags: Record<string, string> }[] };
    expect(lt.tag_specifications.find((t) => t.resource_type === 'instance')?.tags).toMatchObject({ team: 'ml-platform' });
    expect(awsDefaultTags({ team: 'x' })).toEqual([{ tags: { team: 'x' } }]);
  });
});

describe('bad input throws at construction, naming prop and value', () => {
  const cases: [string, Partial<AiClusterProps>, RegExp][] = [
    ['bad CIDR', { vpcCidr: '10.0.0.0/33' }, /vpcCidr \("10.0.0.0\/33"\) is invalid: must be an IPv4 CIDR/],
    ['host bits set', { vpcCidr: '10.0.0.1/16' }, /vpcCidr \("10.0.0.1\/16"\)/],
    ['VPC too small', { vpcCidr: '10.0.0.0/24' }, /vpcCidr \("10.0.0.0\/24"\) is invalid: must have a prefix length between \/16 and \/20/],
    ['unknown Kubernetes version', { kubernetesVersion: '1.19' }, /kubernetesVersion \("1.19"\) is invalid: must be one of "1.33", "1.34", "1.35", "1.36"/],
    ['1.31 (past the end of extended support)', { kubernetesVersion: '1.31' }, /kubernetesVersion \("1.31"\) is invalid: must be one of "1.33"/],
    ['min > max', { systemNodeGroup: { minSize: 5, maxSize: 2 } }, /systemNodeGroup.minSize \(5\) is invalid: systemNodeGroup.minSize \(5\) cannot be greater than systemNodeGroup.maxSize \(2\)/],
    ['cluster name AWS rejects', { clusterName: '-bad name' }, /clusterName \("-bad name"\) is invalid/],
    ['cluster name too long', { clusterName: 'a'.repeat(101) }, /clusterName .*\(1-100 characters\)/],
    ['one AZ', { availabilityZones: ['us-west-2a'] }, /availabilityZones \(\["us-west-2a"\]\) is invalid: must list 2 to 6/],
    ['bad AZ', { availabilityZones: ['us-west-2a', 'west'] }, /availabilityZones\[1\] \("west"\)/],
    ['bad public CIDR', { publicEndpoint: true, publicAccessCidrs: ['1.2.3.4'] }, /publicAccessCidrs\[0\] \("1.2.3.4"\)/],
    ['public endpoint without CIDRs', { publicEndpoint: true }, /publicAccessCidrs \(\[\]\) is invalid/],
    ['audit log off', { controlPlaneLogTypes: ['api', 'authenticator'] }, /controlPlaneLogTypes .* must include "audit"/],
    ['bad retention', { logRetention: Duration.days(10) }, /logRetention \("10 days"\) is invalid: must be one of 1 day, 3 days, 5 days, 7 days, 14 days, 30 days/],
    ['bad admin ARN', { adminPrincipalArns: ['arn:aws:sts::123456789012:assumed-role/x/y'] }, /adminPrincipalArns\[0\] \("arn:aws:sts::123456789012:assumed-role\/x\/y"\)/],
    ['no admin at all', { bootstrapCreatorAdmin: false }, /adminPrincipalArns \(\[\]\) is invalid/],
    ['KMS window', { kmsKeyDeletionWindow: Duration.days(3) }, /kmsKeyDeletionWindow \("3 days"\) is invalid: must be between 7 days and 30 days, a whole number of days \(KMS deletion_window_in_days counts days\)/],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    let error: unknown;
    try {
      build(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^test\/cluster: /);
    expect((error as Error).message).toMatch(message);
  });
});

const TODAY = '2026-12-07';
const msYear = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86400000;

describe('EKS support calendar (clock pinned)', () => {
  const cluster = (props: Partial<AiClusterProps>) => {
    const stack = awsStack();
    return new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: AZS, ...props });
  };
  const calendarWarnings = (c: AiCluster) => warnings(c).filter((w) => /EKS extended support/.test(w));
  const errorOf = (props: Partial<AiClusterProps>): string => {
    try {
      cluster(props);
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as Error).message;
    }
    throw new Error('expected a ValidationError');
  };

  test('the suite pins the date: the default cluster is 1.36, in standard support on 2026-12-07, with the STANDARD policy and no warning', () => {
    expect(new AiCluster(awsStack(), 'c', { clusterName: 'demo', availabilityZones: AZS }).node.tryGetContext('ai-platform:support-calendar-date')).toBe(TODAY);
    const eks = onlyResource(base, 'aws_eks_cluster') as { version: string; upgrade_policy: { support_type: string } };
    expect(eks.version).toBe('1.36');
    expect(DEFAULT_KUBERNETES_VERSION).toBe('1.36');
    expect(eksSupportPhase(eksCalendarEntry('1.36')!, TODAY)).toBe(EksSupportPhase.STANDARD);
    expect(eks.upgrade_policy.support_type).toBe('STANDARD');
    expect(calendarWarnings(cluster({}))).toEqual([]);
  });

  test('a 1.33 cluster warns about extended support with the dates and the cost difference, and gets the EXTENDED policy', () => {
    const c = cluster({ kubernetesVersion: '1.33' });
    const w = calendarWarnings(c);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/kubernetesVersion 1\.33 is in EKS extended support on 2026-12-07/);
    expect(w[0]).toMatch(/standard support ended 2026-07-29; extended support ends 2027-07-29/);
    expect(w[0]).toMatch(/\$0\.60 instead of \$0\.10 per cluster-hour, about \$365 more per month/);
    expect(w[0]).toMatch(/docs\/operations\.md/);
    expect(c.supportType).toBe(EksSupportType.EXTENDED);
    const eks = onlyResource(synth(c.node.scope as never), 'aws_eks_cluster') as { upgrade_policy: { support_type: string } };
    expect(eks.upgrade_policy.support_type).toBe('EXTENDED');
  });

  test('1.34 left standard support on 2026-12-02: it warns on 2026-12-07 but not on 2026-12-01', () => {
    expect(calendarWarnings(cluster({ kubernetesVersion: '1.34' }))).toHaveLength(1);
    const before = cluster({ kubernetesVersion: '1.34', supportCalendarDate: '2026-12-01' });
    expect(calendarWarnings(before)).toEqual([]);
    expect(before.supportType).toBe(EksSupportType.STANDARD);
  });

  test('STANDARD on a version in extended support contradicts the calendar: an error', () => {
    expect(errorOf({ kubernetesVersion: '1.33', supportType: EksSupportType.STANDARD })).toMatch(/supportType \("STANDARD"\) is invalid: contradicts the calendar: 1\.33 is in EKS extended support on 2026-12-07/);
    // EXTENDED may be chosen while still in standard support (stay on the version, pay later).
    expect(cluster({ supportType: EksSupportType.EXTENDED }).supportType).toBe(EksSupportType.EXTENDED);
  });

  test('a version past the end of extended support is a synth error naming the date', () => {
    expect(errorOf({ kubernetesVersion: '1.33', supportCalendarDate: '2027-07-29' })).toMatch(/kubernetesVersion \("1\.33"\) is invalid: is past the end of EKS extended support \(2027-07-29\) on 2027-07-29/);
    expect(calendarWarnings(cluster({ kubernetesVersion: '1.33', supportCalendarDate: '2027-07-28' }))).toHaveLength(1);
  });

  test('the default itself warns once it leaves standard support, so an old synth never passes silently', () => {
    const later = cluster({ supportCalendarDate: '2027-08-02' });
    expect(calendarWarnings(later)).toHaveLength(1);
    expect(later.supportType).toBe(EksSupportType.EXTENDED);
  });

  test('a version not yet released on the date is an error; a malformed date is an error', () => {
    expect(errorOf({ kubernetesVersion: '1.36', supportCalendarDate: '2026-03-01' })).toMatch(/is not available on EKS on 2026-03-01/);
    expect(errorOf({ supportCalendarDate: '07/12/2026' })).toMatch(/supportCalendarDate \("07\/12\/2026"\) is invalid: must be a date "YYYY-MM-DD"/);
    expect(errorOf({ supportCalendarDate: '2026-02-30' })).toMatch(/supportCalendarDate/);
  });

  test('every offered version is in the calendar; 12 months of extended support follow about 14 of standard', () => {
    for (const v of Object.keys(EKS_VERSIONS)) expect(eksCalendarEntry(v)).toBeDefined();
    for (const e of EKS_RELEASE_CALENDAR) {
      expect(e.endOfExtendedSupport).toBe(`${Number(e.endOfStandardSupport.slice(0, 4)) + 1}${e.endOfStandardSupport.slice(4)}`);
      const standardDays = msYear(e.eksRelease, e.endOfStandardSupport);
      expect(standardDays).toBeGreaterThanOrEqual(420);
      expect(standardDays).toBeLessThanOrEqual(430);
    }
    // On 2026-12-07: 1.31 has ended, 1.32-1.34 are in extended support, 1.35 and 1.36 in standard.
    const phases = Object.fromEntries(EKS_RELEASE_CALENDAR.map((e) => [e.version, eksSupportPhase(e, TODAY)]));
    expect(phases).toMatchObject({ '1.31': 'ENDED', '1.32': 'EXTENDED', '1.33': 'EXTENDED', '1.34': 'EXTENDED', '1.35': 'STANDARD', '1.36': 'STANDARD' });
  });

  test('the default is the newest offered version, and every offered version is supported by every pinned component', () => {
    const minor = (v: string) => Number(v.split('.')[1]);
    const offered = Object.keys(EKS_VERSIONS).map(minor);
    expect(minor(DEFAULT_KUBERNETES_VERSION)).toBe(Math.max(...offered));
    for (const c of COMPONENT_KUBERNETES_SUPPORT) {
      // The range was read for the pinned version: bumping the chart means re-reading it.
      expect({ chart: c.chart, version: (CHARTS as Record<string, { version: string }>)[c.chart].version }).toEqual({ chart: c.chart, version: c.version });
      for (const v of offered) {
        expect({ chart: c.chart, v, ok: v >= minor(c.min) && (c.max === undefined || v <= minor(c.max)) }).toEqual({ chart: c.chart, v, ok: true });
      }
    }
    // No newer version would fit: the GPU operator and Karpenter stop at 1.36.
    expect(Math.min(...COMPONENT_KUBERNETES_SUPPORT.filter((c) => c.max).map((c) => minor(c.max!)))).toBe(Math.max(...offered));
  });
});

describe('terraform oracle', () => {
  itWithTerraform('terraform validate and an offline plan accept the cluster stack', () => {
    const result = terraformCheck(base);
    expect(describeDiagnostics(result)).toBe('');
    expect(result.validate.valid).toBe(true);
    const synthesized = Object.values(base.resource ?? {}).reduce((n, rs) => n + Object.keys(rs).length, 0);
    expect(result.plannedCreates).toHaveLength(synthesized);
    expect(result.plannedCreates.length).toBeGreaterThanOrEqual(55);
  });

  itWithTerraform('the oracle catches what our own assertions would not: an invalid attribute value', () => {
    const broken = JSON.parse(JSON.stringify(base)) as Synth;
    const lt = Object.values(broken.resource!.aws_launch_template)[0] as { metadata_options: Record<string, unknown> };
    lt.metadata_options.http_tokens = 'sometimes';
    const eks = Object.values(broken.resource!.aws_eks_cluster)[0] as Record<string, unknown>;
    eks.enabled_cluster_logs = ['api'];
    const result = terraformCheck(broken, { plan: false });
    expect(result.validate.valid).toBe(false);
    const text = describeDiagnostics(result);
    expect(text).toMatch(/http_tokens/);
    expect(text).toMatch(/enabled_cluster_logs/);
  });
});

test('the stack synthesizes through the real app path too', () => {
  const app = Testing.app({ stackTraces: false });
  const stack = awsStack(app, 'real');
  new AiCluster(stack, 'cluster', { clusterName: 'demo', availabilityZones: AZS });
  expect(() => Testing.fullSynth(stack)).not.toThrow();
});
