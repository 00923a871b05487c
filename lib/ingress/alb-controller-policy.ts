import { PolicyStatement } from '../cluster/iam';

const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';
const requestTagPresent = { test: 'Null', variable: `aws:RequestTag/${CLUSTER_TAG}`, values: ['false'] };
const requestTagAbsent = { test: 'Null', variable: `aws:RequestTag/${CLUSTER_TAG}`, values: ['true'] };
const resourceTagPresent = { test: 'Null', variable: `aws:ResourceTag/${CLUSTER_TAG}`, values: ['false'] };

/**
 * The permissions the AWS Load Balancer Controller documents for its IAM role
 * (`docs/install/iam_policy.json` of kubernetes-sigs/aws-load-balancer-controller, identical for
 * v3.5.0). Mutating calls on security groups, load balancers and target groups are limited to
 * resources carrying the controller's `elbv2.k8s.aws/cluster` tag; reads need `*` (the EC2 and
 * ELB describe APIs have no resource-level permissions).
 */
export function awsLoadBalancerControllerStatements(partition: string = 'aws'): PolicyStatement[] {
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:*:*:${resource}`;
  const securityGroups = arn('ec2', 'security-group/*');
  const balancers = [arn('elasticloadbalancing', 'targetgroup/*/*'), arn('elasticloadbalancing', 'loadbalancer/net/*/*'), arn('elasticloadbalancing', 'loadbalancer/app/*/*')];
  return [
    {
      sid: 'CreateElbServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: ['*'],
      conditions: [{ test: 'StringEquals', variable: 'iam:AWSServiceName', values: ['elasticloadbalancing.amazonaws.com'] }],
    },
    {
      sid: 'Describe',
      actions: [
        'ec2:DescribeAccountAttributes', 'ec2:DescribeAddresses', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs', 'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags', 'ec2:GetCoipPoolUsage', 'ec2:DescribeCoipPools',
        'ec2:GetSecurityGroupsForVpc', 'ec2:DescribeIpamPools', 'ec2:DescribeRouteTables',
        'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerCertificates', 'elasticloadbalancing:DescribeSSLPolicies', 'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTrustStores', 'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeCapacityReservation',
      ],
      resources: ['*'],
    },
    {
      sid: 'CertificatesWafShield',
      actions: [
        'cognito-idp:DescribeUserPoolClient', 'acm:ListCertificates', 'acm:DescribeCertificate', 'iam:ListServerCertificates', 'iam:GetServerCertificate',
        'waf-regional:GetWebACL', 'waf-regional:GetWebACLForResource', 'waf-regional:AssociateWebACL', 'waf-regional:DisassociateWebACL',
        'wafv2:GetWebACL', 'wafv2:GetWebACLForResource', 'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL',
        'shield:GetSubscriptionState', 'shield:DescribeProtection', 'shield:CreateProtection', 'shield:DeleteProtection',
      ],
      resources: ['*'],
    },
    { sid: 'SecurityGroupRules', actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'], resources: ['*'] },
    { sid: 'CreateSecurityGroup', actions: ['ec2:CreateSecurityGroup'], resources: ['*'] },
    {
      sid: 'TagNewSecurityGroup',
      actions: ['ec2:CreateTags'],
      resources: [securityGroups],
      conditions: [{ test: 'StringEquals', variable: 'ec2:CreateAction', values: ['CreateSecurityGroup'] }, requestTagPresent],
    },
    { sid: 'TagOwnSecurityGroups', actions: ['ec2:CreateTags', 'ec2:DeleteTags'], resources: [securityGroups], conditions: [requestTagAbsent, resourceTagPresent] },
    { sid: 'ManageOwnSecurityGroups', actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'], resources: ['*'], conditions: [resourceTagPresent] },
    { sid: 'CreateTaggedBalancers', actions: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'], resources: ['*'], conditions: [requestTagPresent] },
    { sid: 'ListenersAndRules', actions: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule'], resources: ['*'] },
    { sid: 'TagOwnBalancers', actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'], resources: balancers, conditions: [requestTagAbsent, resourceTagPresent] },
    {
      sid: 'TagListeners',
      actions: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      resources: [
        arn('elasticloadbalancing', 'listener/net/*/*/*'), arn('elasticloadbalancing', 'listener/app/*/*/*'),
        arn('elasticloadbalancing', 'listener-rule/net/*/*/*'), arn('elasticloadbalancing', 'listener-rule/app/*/*/*'),
      ],
    },
    {
      sid: 'ManageOwnBalancers',
      actions: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes', 'elasticloadbalancing:SetIpAddressType', 'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets', 'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation', 'elasticloadbalancing:ModifyIpPools',
      ],
      resources: ['*'],
      conditions: [resourceTagPresent],
    },
    {
      sid: 'TagOnCreate',
      actions: ['elasticloadbalancing:AddTags'],
      resources: balancers,
      conditions: [{ test: 'StringEquals', variable: 'elasticloadbalancing:CreateAction', values: ['CreateTargetGroup', 'CreateLoadBalancer'] }, requestTagPresent],
    },
    { sid: 'Targets', actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], resources: [arn('elasticloadbalancing', 'targetgroup/*/*')] },
    {
      sid: 'ListenersCertificatesWaf',
      actions: [
        'elasticloadbalancing:SetWebAcl', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:SetRulePriorities',
      ],
      resources: ['*'],
    },
  ];
}
