export * from './charts';
export type { JsonObject, JsonValue, KubernetesObject } from './values';
export * from './helm-chart';
export * from './manifest-chart';
export { PodSecurityLevel, gpuToleration } from './pod-security';
export * from './platform-namespace';
export type { IWorkloadSource, RenderedWorkload } from './workloads';
export { NetworkProtocol, EgressPort, EgressPeer, EgressRule, NamespaceEgressOptions } from './egress';
