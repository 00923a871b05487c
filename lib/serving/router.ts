// The router (the production-stack chart's router): its values, its ingress, and its workload as
// the policy Aspect sees it.
import { Construct } from 'constructs';
import { IIngressController } from '../ingress/aws-load-balancer-controller';
import { internalAlbIngressValues, validateInternalAlbIngress } from '../ingress/internal-alb';
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
/** Validates the ingress options (internal ALB). */
export function validateIngress(scope: Construct, ingress: ServingIngressOptions): void {
  validateInternalAlbIngress(scope, ingress, {
    exampleHost: 'llm.internal.example.com',
    endpoint: 'the endpoint',
    noSubnetsWarning: (cidrs) =>
      `ingress.loadBalancerSourceCidrs (${cidrs.join(', ')}) are admitted to the router pods; with the VPC CNI every pod in those ranges can then bypass clientNamespaces. Give ingress.subnetIds (dedicated ALB subnets without pods) and only their CIDRs (docs/serving.md, "Network policies").`,
  });
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
  if (ingress && controller) values.ingress = internalAlbIngressValues(ingress, controller, '/health', { tls: [] });
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
