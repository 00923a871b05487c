// The internal ALB in front of a chart's Service (AWS Load Balancer Controller): options, their
// validation and the Ingress values, shared by the serving router and MLflow.
import { Construct } from 'constructs';
import { Annotations, Token } from 'cdktf';
import { validateCidr } from '../core/cidr';
import { ValidationError } from '../core/errors';
import { Duration } from '../core/units';
import { validateDuration, validatePattern } from '../core/validate';
import { JsonObject } from '../k8s/values';
import { IIngressController } from './aws-load-balancer-controller';

/** An internal ALB in front of a workload (AWS Load Balancer Controller). */
export interface InternalAlbIngressOptions {
  /** Host name clients use (the DNS record pointing at the ALB is yours to create). */
  readonly host: string;
  /** ACM certificate ARN for the HTTPS listener (HTTP redirects to HTTPS). */
  readonly certificateArn: string;
  /** CIDRs allowed to reach the ALB (its security group). `0.0.0.0/0` is rejected. */
  readonly clientCidrs: string[];
  /**
   * CIDRs of the subnets the internal ALB runs in: with `target-type: ip` the ALB connects to the
   * pods directly, so the workload's NetworkPolicy admits these ranges. With the VPC CNI, pods
   * take their IPs from the node subnets, so a range that covers them (such as the VPC CIDR) admits
   * every pod: give the ALB its own subnets (`subnetIds`) and list only their CIDRs here.
   */
  readonly loadBalancerSourceCidrs: string[];
  /**
   * Subnets the internal ALB is placed in (`alb.ingress.kubernetes.io/subnets`): dedicated ingress
   * subnets without pods, whose CIDRs are `loadBalancerSourceCidrs`.
   * @default - the controller's discovery (subnets tagged `kubernetes.io/role/internal-elb`)
   */
  readonly subnetIds?: string[];
  /**
   * TLS policy of the HTTPS listener.
   * @default 'ELBSecurityPolicy-TLS13-1-2-2021-06'
   */
  readonly sslPolicy?: string;
  /**
   * ALB idle timeout: long streamed responses must not be cut.
   * @default Duration.seconds(600)
   */
  readonly idleTimeout?: Duration;
  /**
   * The ingress controller.
   * @default - AwsLoadBalancerController.forCluster(): the cluster's controller, created once if missing
   */
  readonly controller?: IIngressController;
}

const CERT_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** How {@link validateInternalAlbIngress} words its messages for one workload. */
export interface InternalAlbWording {
  /** An example host, e.g. "llm.internal.example.com". */
  readonly exampleHost: string;
  /** What clients reach, e.g. "the endpoint". */
  readonly endpoint: string;
  /** The warning when `subnetIds` is not given, or undefined for none. */
  readonly noSubnetsWarning?: (sourceCidrs: string[]) => string;
}

/** Validates the options of an internal ALB (prop paths under `ingress.`). */
export function validateInternalAlbIngress(scope: Construct, ingress: InternalAlbIngressOptions, wording: InternalAlbWording): void {
  validatePattern(scope, 'ingress.host', ingress.host, HOST, `be a lowercase DNS name such as "${wording.exampleHost}"`);
  if (!Token.isUnresolved(ingress.certificateArn)) validatePattern(scope, 'ingress.certificateArn', ingress.certificateArn, CERT_ARN, 'be an ACM certificate ARN such as "arn:aws:acm:us-west-2:123456789012:certificate/…"');
  if (!ingress.clientCidrs || ingress.clientCidrs.length === 0) throw new ValidationError(scope, 'ingress.clientCidrs', ingress.clientCidrs, 'must list the CIDRs allowed to reach the ALB (office/VPN/VPC ranges)');
  ingress.clientCidrs.forEach((c, i) => validateCidr(scope, `ingress.clientCidrs[${i}]`, c));
  if (ingress.clientCidrs.some((c) => c.endsWith('/0'))) throw new ValidationError(scope, 'ingress.clientCidrs', ingress.clientCidrs, `must not contain 0.0.0.0/0: list the networks that may reach ${wording.endpoint}`);
  if (!ingress.loadBalancerSourceCidrs || ingress.loadBalancerSourceCidrs.length === 0) {
    throw new ValidationError(scope, 'ingress.loadBalancerSourceCidrs', ingress.loadBalancerSourceCidrs, 'must list the CIDRs of the subnets the internal ALB runs in (e.g. the VPC CIDR)');
  }
  ingress.loadBalancerSourceCidrs.forEach((c, i) => validateCidr(scope, `ingress.loadBalancerSourceCidrs[${i}]`, c, 8));
  if (ingress.subnetIds !== undefined) {
    if (ingress.subnetIds.length < 2) throw new ValidationError(scope, 'ingress.subnetIds', ingress.subnetIds, 'must list at least two subnets in different zones (an ALB needs two)');
    ingress.subnetIds.forEach((id, i) => { if (!Token.isUnresolved(id)) validatePattern(scope, `ingress.subnetIds[${i}]`, id, /^subnet-[0-9a-f]{8,17}$/, 'be a subnet id such as "subnet-0abc1234"'); });
  } else if (wording.noSubnetsWarning) {
    Annotations.of(scope).addWarning(wording.noSubnetsWarning(ingress.loadBalancerSourceCidrs));
  }
  if (ingress.sslPolicy !== undefined) validatePattern(scope, 'ingress.sslPolicy', ingress.sslPolicy, /^ELBSecurityPolicy-[A-Za-z0-9-]+$/, 'be an ELB security policy name such as "ELBSecurityPolicy-TLS13-1-2-2021-06"');
  if (ingress.idleTimeout) validateDuration(scope, 'ingress.idleTimeout', ingress.idleTimeout, { min: Duration.seconds(1), max: Duration.seconds(4000), whole: 'second', field: 'the ALB idle_timeout.timeout_seconds' });
}

/**
 * The chart `ingress` values of an internal ALB: HTTPS with HTTP redirected to it, TLS terminated
 * at the ALB, pod targets, the health check, client CIDRs, idle timeout and invalid headers dropped.
 */
export function internalAlbIngressValues(ingress: InternalAlbIngressOptions, controller: IIngressController, healthCheckPath: string, extra: JsonObject = {}): JsonObject {
  return {
    enabled: true,
    className: controller.ingressClassName,
    annotations: {
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/certificate-arn': ingress.certificateArn,
      'alb.ingress.kubernetes.io/ssl-policy': ingress.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTP',
      'alb.ingress.kubernetes.io/healthcheck-path': healthCheckPath,
      'alb.ingress.kubernetes.io/inbound-cidrs': ingress.clientCidrs.join(','),
      'alb.ingress.kubernetes.io/load-balancer-attributes': `idle_timeout.timeout_seconds=${(ingress.idleTimeout ?? Duration.seconds(600)).toSeconds()},routing.http.drop_invalid_header_fields.enabled=true`,
      'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
      ...(ingress.subnetIds ? { 'alb.ingress.kubernetes.io/subnets': ingress.subnetIds.join(',') } : {}),
    },
    hosts: [{ host: ingress.host, paths: [{ path: '/', pathType: 'Prefix' }] }],
    ...extra,
  };
}
