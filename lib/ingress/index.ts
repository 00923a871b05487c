export * from './aws-load-balancer-controller';
// ./alb-controller-policy: internal only (awsLoadBalancerControllerStatements).
export type { InternalAlbIngressOptions } from './internal-alb';
