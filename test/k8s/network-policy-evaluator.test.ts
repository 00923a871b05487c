// The NetworkPolicy evaluator of the test harness (used by the reachability tests) against the
// semantics of networking.k8s.io/v1, case by case.
import { canConnect, egressAllowed, ingressAllowed, NetworkPolicy, Pod, selects } from '../harness/network-policy';

const pol = (namespace: string, spec: NetworkPolicy['spec'], name = 'p'): NetworkPolicy => ({ metadata: { name, namespace }, spec });
const server: Pod = { namespace: 'srv', labels: { app: 'api' }, namedPorts: { http: 8080 } };
const client: Pod = { namespace: 'cli', namespaceLabels: { team: 'a' }, labels: { app: 'job' }, ip: '10.1.2.3' };

test('a pod no policy selects is not isolated', () => {
  expect(canConnect([pol('srv', { podSelector: { matchLabels: { app: 'other' } }, ingress: [] })], client, server, 80)).toBe(true);
});

test('a selecting policy without rules denies; policies add up', () => {
  const deny = pol('srv', { podSelector: {}, policyTypes: ['Ingress'] }, 'deny');
  expect(ingressAllowed([deny], client, server, 80)).toBe(false);
  const allow = pol('srv', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] }] }, 'allow');
  expect(ingressAllowed([deny, allow], client, server, 80)).toBe(true);
});

test('namespaceSelector and podSelector in one peer are ANDed; in two peers ORed', () => {
  const and = pol('srv', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'other' } } }] }] });
  expect(ingressAllowed([and], client, server, 80)).toBe(false);
  const or = pol('srv', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }, { podSelector: { matchLabels: { app: 'other' } } }] }] });
  expect(ingressAllowed([or], client, server, 80)).toBe(true);
});

test('a podSelector-only peer means the policy\'s own namespace', () => {
  const p = pol('srv', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'job' } } }] }] });
  expect(ingressAllowed([p], client, server, 80)).toBe(false);
  expect(ingressAllowed([p], { ...client, namespace: 'srv' }, server, 80)).toBe(true);
});

test('ports: number, name, range, protocol; empty from admits everyone', () => {
  const p = pol('srv', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }, { port: 9000, endPort: 9010 }, { port: '53', protocol: 'UDP' }] }] });
  expect(ingressAllowed([p], client, server, 8080)).toBe(true);
  expect(ingressAllowed([p], client, server, 9005)).toBe(true);
  expect(ingressAllowed([p], client, server, 9011)).toBe(false);
  expect(ingressAllowed([p], client, server, 53)).toBe(false);
  expect(ingressAllowed([p], client, server, 53, 'UDP')).toBe(true);
});

test('egress: ipBlock with except, and the connection needs both sides', () => {
  const eg = pol('cli', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.9.0.0/16'] } }] }] });
  expect(egressAllowed([eg], client, { ...server, ip: '10.2.0.1' }, 80)).toBe(true);
  expect(egressAllowed([eg], client, { ...server, ip: '10.9.0.1' }, 80)).toBe(false);
  const deny = pol('srv', { podSelector: {}, policyTypes: ['Ingress'] });
  expect(canConnect([eg, deny], client, { ...server, ip: '10.2.0.1' }, 80)).toBe(false);
});

test('match expressions', () => {
  expect(selects({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }, { app: 'api' })).toBe(false);
  expect(selects({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }, {})).toBe(true);
  expect(selects({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, {})).toBe(false);
  expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, { tier: 'web' })).toBe(true);
});

test('an address outside the cluster matches only ipBlock peers, never a namespace or pod selector', () => {
  const client: Pod = { namespace: 'a', labels: { app: 'c' } };
  const internet: Pod = { namespace: '(outside)', labels: {}, ip: '18.1.2.3', external: true };
  const anyNamespace: NetworkPolicy = { metadata: { name: 'e', namespace: 'a' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] } };
  expect(egressAllowed([anyNamespace], client, internet, 80)).toBe(false);
  expect(egressAllowed([anyNamespace], client, { ...internet, external: false }, 80)).toBe(true);
  const block: NetworkPolicy = { metadata: { name: 'b', namespace: 'a' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } };
  expect(egressAllowed([block], client, internet, 80)).toBe(true);
});
