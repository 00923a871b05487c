// The router (the production-stack chart's router): its values, its ingress, and its workload as
// the policy Aspect sees it.
import { Construct } from 'constructs';
import { Annotations, Token } from 'cdktf';
import { validateCidr } from '../core/cidr';
import { ValidationError } from '../core/errors';
import { Duration } from '../core/units';
import { validateInteger, validatePattern } from '../core/validate';
import { IIngressController } from '../ingress/aws-load-balancer-controller';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { JsonObject } from '../k8s/values';
import { RenderedWorkload } from '../k8s/workloads';
import { allEnginesSelector, routerSelector } from './engine-manifests';
import { PREVIEW_LABEL } from '../rollout/render';
import { ImageSpec } from './images';
import { ServingIngressOptions } from './stack-options';
import { RouterRoutingLogic } from './types';

/** Port of the router Service and container. */
export const ROUTER_PORT = 8000;
const CERT_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** Validates the ingress options (internal ALB). */
export function validateIngress(scope: Construct, ingress: ServingIngressOptions): void {
  validatePattern(scope, 'ingress.host', ingress.host, HOST, 'be a lowercase DNS name such as "llm.internal.example.com"');
  if (!Token.isUnresolved(ingress.certificateArn)) validatePattern(scope, 'ingress.certificateArn', ingress.certificateArn, CERT_ARN, 'be an ACM certificate ARN such as "arn:aws:acm:us-west-2:123456789012:certificate/…"');
  if (!ingress.clientCidrs || ingress.clientCidrs.length === 0) throw new ValidationError(scope, 'ingress.clientCidrs', ingress.clientCidrs, 'must list the CIDRs allowed to reach the ALB (office/VPN/VPC ranges)');
  ingress.clientCidrs.forEach((c, i) => validateCidr(scope, `ingress.clientCidrs[${i}]`, c));
  if (ingress.clientCidrs.some((c) => c.endsWith('/0'))) throw new ValidationError(scope, 'ingress.clientCidrs', ingress.clientCidrs, 'must not contain 0.0.0.0/0: list the networks that may reach the endpoint');
  if (!ingress.loadBalancerSourceCidrs || ingress.loadBalancerSourceCidrs.length === 0) {
    throw new ValidationError(scope, 'ingress.loadBalancerSourceCidrs', ingress.loadBalancerSourceCidrs, 'must list the CIDRs of the subnets the internal ALB runs in (e.g. the VPC CIDR)');
  }
  ingress.loadBalancerSourceCidrs.forEach((c, i) => validateCidr(scope, `ingress.loadBalancerSourceCidrs[${i}]`, c, 8));
  if (ingress.subnetIds !== undefined) {
    if (ingress.subnetIds.length < 2) throw new ValidationError(scope, 'ingress.subnetIds', ingress.subnetIds, 'must list at least two subnets in different zones (an ALB needs two)');
    ingress.subnetIds.forEach((id, i) => { if (!Token.isUnresolved(id)) validatePattern(scope, `ingress.subnetIds[${i}]`, id, /^subnet-[0-9a-f]{8,17}$/, 'be a subnet id such as "subnet-0abc1234"'); });
  } else {
    Annotations.of(scope).addWarning(
      `ingress.loadBalancerSourceCidrs (${ingress.loadBalancerSourceCidrs.join(', ')}) are admitted to the router pods; with the VPC CNI every pod in those ranges can then bypass clientNamespaces. Give ingress.subnetIds (dedicated ALB subnets without pods) and only their CIDRs (docs/serving.md, "Network policies").`,
    );
  }
  if (ingress.sslPolicy !== undefined) validatePattern(scope, 'ingress.sslPolicy', ingress.sslPolicy, /^ELBSecurityPolicy-[A-Za-z0-9-]+$/, 'be an ELB security policy name such as "ELBSecurityPolicy-TLS13-1-2-2021-06"');
  if (ingress.idleTimeout) validateInteger(scope, 'ingress.idleTimeout', ingress.idleTimeout.toSeconds(), 1, 4000);
}

/** Inputs of {@link routerValues}. */
export interface RouterInputs {
  /** Exclude blue/green preview pods from discovery (a model rolls out blue/green). */
  readonly excludePreviewPods?: boolean;
  readonly release: string;
  readonly replicas: number;
  readonly retries: number;
  readonly nodes: Record<string, string>;
  readonly image: ImageSpec;
  readonly routing: RouterRoutingLogic;
  readonly apiKeySecret: { readonly name: string; readonly key: string };
  readonly ingress?: ServingIngressOptions;
  readonly controller?: IIngressController;
}

/**
 * The chart's `routerSpec`. The router discovers engines by watching pods with the engine labels
 * (any engine), reads each ready pod's `/v1/models` on ENGINE_PORT with the API key as a bearer
 * token (VLLM_API_KEY in its environment, from `vllmApiKey`) and routes by the model names found.
 */
export function routerValues(r: RouterInputs): JsonObject {
  const { release, replicas, retries, nodes, image, routing, ingress, controller } = r;
  const affinity: JsonObject = {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: routerSelector(release) } } },
        { weight: 50, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: routerSelector(release) } } },
      ],
    },
  };
  const keys = Object.keys(nodes);
  if (keys.length > 0) {
    affinity.nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: keys.map((k) => ({ key: k, operator: 'In', values: [nodes[k]] })) }] },
    };
  }
  // Blue/green preview pods (rollouts) carry a label until promotion; the router must not send them live traffic.
  const selector = [...Object.entries(allEnginesSelector(release)).map(([k, v]) => `${k}=${v}`), ...(r.excludePreviewPods ? [`${PREVIEW_LABEL}!=true`] : [])].join(',');
  const values: JsonObject = {
    enableRouter: true,
    repository: image.repository,
    tag: image.tag,
    imagePullPolicy: 'IfNotPresent',
    replicaCount: replicas,
    serviceType: 'ClusterIP',
    serviceDiscovery: 'k8s',
    k8sServiceDiscoveryType: 'pod-ip',
    routingLogic: routing,
    // The chart passes the engine label selector only for its own engines, and the router does
    // not retry on another engine unless told (default 0 attempts).
    extraArgs: ['--k8s-label-selector', selector, '--max-instance-failover-reroute-attempts', String(retries)],
    vllmApiKey: { secretName: r.apiKeySecret.name, secretKey: r.apiKeySecret.key },
    securityContext: restrictedPodSecurityContext(),
    containerSecurityContext: restrictedContainerSecurityContext(),
    env: [{ name: 'HOME', value: '/tmp' }],
    extraVolumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
    extraVolumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
    pdb: replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
    affinity,
    serviceMonitor: { enabled: false },
  };
  if (ingress && controller) {
    const listen = JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]);
    values.ingress = {
      enabled: true,
      className: controller.ingressClassName,
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internal',
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/listen-ports': listen,
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
        'alb.ingress.kubernetes.io/certificate-arn': ingress.certificateArn,
        'alb.ingress.kubernetes.io/ssl-policy': ingress.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        'alb.ingress.kubernetes.io/backend-protocol': 'HTTP',
        'alb.ingress.kubernetes.io/healthcheck-path': '/health',
        'alb.ingress.kubernetes.io/inbound-cidrs': ingress.clientCidrs.join(','),
        'alb.ingress.kubernetes.io/load-balancer-attributes': `idle_timeout.timeout_seconds=${(ingress.idleTimeout ?? Duration.seconds(600)).toSeconds()},routing.http.drop_invalid_header_fields.enabled=true`,
        'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
        ...(ingress.subnetIds ? { 'alb.ingress.kubernetes.io/subnets': ingress.subnetIds.join(',') } : {}),
      },
      hosts: [{ host: ingress.host, paths: [{ path: '/', pathType: 'Prefix' }] }],
      tls: [],
    };
  }
  return values;
}


/** The router as a rendered workload (the chart renders it; this mirrors what the policy Aspect checks). */
export function routerWorkload(release: string, namespace: string, routerValues: JsonObject): RenderedWorkload {
  return {
    kind: 'HelmValues',
    name: `${release}-deployment-router`,
    namespace,
    source: 'chart',
    replicas: routerValues.replicaCount as number,
    podMetadata: { labels: routerSelector(release) },
    podSpec: {
      // The chart creates this service account; its token stays mounted because the router
      // watches the engine pods through the Kubernetes API.
      serviceAccountName: `${release}-router-service-account`,
      securityContext: routerValues.securityContext ?? {},
      affinity: routerValues.affinity ?? {},
      containers: [
        {
          name: 'router-container',
          image: `${routerValues.repository as string}:${routerValues.tag as string}`,
          securityContext: routerValues.containerSecurityContext ?? {},
          resources: routerValues.resources ?? {},
          // The chart's router probes (its defaults): startup, readiness and liveness on /health.
          startupProbe: { httpGet: { path: '/health', port: 'router-port' } },
          readinessProbe: { httpGet: { path: '/health', port: 'router-port' } },
          livenessProbe: { httpGet: { path: '/health', port: 'router-port' } },
        },
      ],
    },
  };
}
