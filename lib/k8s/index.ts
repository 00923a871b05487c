export * from './charts';
export * from './values';
export * from './helm-chart';
export * from './manifest-chart';
export * from './pod-security';
export * from './platform-namespace';
export * from './workloads';
export { NetworkProtocol, EgressPort, EgressPeer, EgressRule, NamespaceEgressOptions } from './egress';
