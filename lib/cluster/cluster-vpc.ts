import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { cidrSubnet } from '../core/cidr';
import { servicePrincipalTrust } from './iam';
import { truncateName } from '../core/names';
import { validateEnum } from '../core/enums';
import { Duration } from '../core/units';
import { validateDurationOneOf } from '../core/validate';
import { LOG_RETENTION_DAYS } from './versions';

/** How many NAT gateways the VPC gets. */
export enum NatGatewayMode {
  /** One NAT gateway per availability zone: no cross-AZ dependency (production). */
  PER_AZ = 'PER_AZ',
  /** One NAT gateway for the VPC: cheaper, but its AZ failing cuts egress for every node. */
  SINGLE = 'SINGLE',
}

/** Props of {@link ClusterVpc}. */
export interface ClusterVpcProps {
  /** Name prefix (the cluster name). */
  readonly name: string;
  /** VPC CIDR, validated by the caller. */
  readonly cidr: string;
  /**
   * Availability zones.
   * @default - the first `azCount` available zones, read at plan time
   */
  readonly availabilityZones?: string[];
  /** Number of AZs when `availabilityZones` is not given. */
  readonly azCount: number;
  /** NAT gateway mode. */
  readonly natGateways: NatGatewayMode;
  /** Flow log retention (whole days CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, ...). */
  readonly flowLogRetention: Duration;
}

/**
 * The cluster's network: private subnets for nodes and pods (a /18 each in a /16), public subnets
 * for internet-facing load balancers, NAT for egress, tags for load balancer and Karpenter
 * discovery, VPC flow logs to CloudWatch, and a default security group with no rules.
 */
export class ClusterVpc extends Construct {
  /** The VPC. */
  public readonly vpc: Vpc;
  /** Private subnets (nodes, pods, internal load balancers). */
  public readonly privateSubnets: Subnet[] = [];
  /** Public subnets (internet-facing load balancers, NAT gateways). */
  public readonly publicSubnets: Subnet[] = [];
  /** NAT gateways. */
  public readonly natGateways: NatGateway[] = [];
  /** The flow log. */
  public readonly flowLog: FlowLog;

  /** Creates the network. */
  public constructor(scope: Construct, id: string, props: ClusterVpcProps) {
    super(scope, id);
    validateEnum(this, 'natGateways', props.natGateways, NatGatewayMode, 'NatGatewayMode');
    const count = props.availabilityZones?.length ?? props.azCount;
    const azs = props.availabilityZones
      ? props.availabilityZones
      : (() => {
          const data = new DataAwsAvailabilityZones(this, 'azs', { state: 'available', filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] });
          return Array.from({ length: count }, (_, i) => Fn.element(data.names, i) as string);
        })();

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.name },
    });
    // CKV2_AWS_12: the default security group must not allow traffic.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: this.vpc.id, ingress: [], egress: [], tags: { Name: `${props.name}-default-deny` } });

    // Private subnets take 3/4 of the VPC (pods get VPC IPs with the VPC CNI), public the rest.
    // With up to 3 AZs: four quarters, three private and one split into public subnets.
    const privateBits = count <= 3 ? 2 : 3;
    const publicBlock = cidrSubnet(props.cidr, privateBits, 2 ** privateBits - 1);
    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: props.name } });
    const publicRt = new RouteTable(this, 'public-rt', { vpcId: this.vpc.id, tags: { Name: `${props.name}-public` } });
    new Route(this, 'public-default', { routeTableId: publicRt.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });

    for (let i = 0; i < count; i++) {
      const priv = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock: cidrSubnet(props.cidr, privateBits, i),
        availabilityZone: azs[i],
        mapPublicIpOnLaunch: false,
        tags: {
          Name: `${props.name}-private-${i}`,
          'kubernetes.io/role/internal-elb': '1',
          'karpenter.sh/discovery': props.name,
        },
      });
      const pub = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        cidrBlock: cidrSubnet(publicBlock, 3, i),
        availabilityZone: azs[i],
        // Nothing launched here needs a public IP: NAT gateways use EIPs, load balancers their own.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-public-${i}`, 'kubernetes.io/role/elb': '1' },
      });
      new RouteTableAssociation(this, `public-rta-${i}`, { subnetId: pub.id, routeTableId: publicRt.id });
      this.privateSubnets.push(priv);
      this.publicSubnets.push(pub);
    }

    const natCount = props.natGateways === NatGatewayMode.PER_AZ ? count : 1;
    for (let i = 0; i < natCount; i++) {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: 'vpc', tags: { Name: `${props.name}-nat-${i}` }, dependsOn: [igw] });
      this.natGateways.push(new NatGateway(this, `nat-${i}`, { allocationId: eip.id, subnetId: this.publicSubnets[i].id, tags: { Name: `${props.name}-${i}` }, dependsOn: [igw] }));
    }
    this.privateSubnets.forEach((subnet, i) => {
      const rt = new RouteTable(this, `private-rt-${i}`, { vpcId: this.vpc.id, tags: { Name: `${props.name}-private-${i}` } });
      new Route(this, `private-default-${i}`, { routeTableId: rt.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: this.natGateways[Math.min(i, natCount - 1)].id });
      new RouteTableAssociation(this, `private-rta-${i}`, { subnetId: subnet.id, routeTableId: rt.id });
    });

    // VPC flow logs (SECURITY.md: network). CloudWatch keeps them queryable with Logs Insights.
    const logGroup = new CloudwatchLogGroup(this, 'flow-logs', { name: `/aws/vpc/${props.name}/flow-logs`, retentionInDays: validateDurationOneOf(this, 'flowLogRetention', props.flowLogRetention, 'day', LOG_RETENTION_DAYS, 'CloudWatch retention_in_days') });
    const role = new IamRole(this, 'flow-logs-role', {
      name: truncateName(`${props.name}-vpc-flow-logs`, 64),
      assumeRolePolicy: servicePrincipalTrust(this, 'flow-logs-trust', 'vpc-flow-logs.amazonaws.com'),
    });
    const policy = new DataAwsIamPolicyDocument(this, 'flow-logs-policy', {
      statement: [
        {
          effect: 'Allow',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, 'flow-logs-role-policy', { role: role.id, name: 'write-flow-logs', policy: policy.json });
    this.flowLog = new FlowLog(this, 'flow-log', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${props.name}-flow-log` },
    });
  }
}
