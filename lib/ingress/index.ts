export * from './aws-load-balancer-controller';
export * from './alb-controller-policy';
