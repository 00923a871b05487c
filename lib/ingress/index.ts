export * from './aws-load-balancer-controller';
// ./alb-controller-policy: internal only (awsPartition, awsLoadBalancerControllerStatements).
export type { InternalAlbIngressOptions } from './internal-alb';
