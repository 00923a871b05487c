export * from './aws-load-balancer-controller';
// ./alb-controller-policy: internal only (awsPartition, awsLoadBalancerControllerStatements).
