// The Kubernetes OpenAPI oracle must catch what the API server would reject or silently drop, or the
// tests built on it (test/k8s/rendered-objects.test.ts) prove nothing.
import {
  kubernetesObjectErrors, expectValidKubernetesObject, isKubernetesBuiltinKind, kubernetesBuiltinKinds, structuralToJsonSchema, kubernetesOpenApiTimingsText,
} from '../harness/kubernetes-openapi';

const cronJob = () => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'eval', namespace: 'ml-jobs', labels: { app: 'eval' } },
  spec: {
    schedule: '30 3 * * *',
    concurrencyPolicy: 'Forbid',
    jobTemplate: {
      spec: {
        backoffLimit: 2,
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{
              name: 'eval', image: 'python:3.12-slim', args: ['run'],
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: 1073741824 } },
              ports: [{ containerPort: 9090, protocol: 'TCP' }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    },
  },
});

type Mutable = { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Kubernetes OpenAPI oracle (1.35)', () => {
  test('accepts a valid CronJob', () => {
    expect(kubernetesObjectErrors(cronJob())).toEqual([]);
  });

  test('rejects a field the schema does not declare (the API server would prune it), with its path', () => {
    const bad: Mutable = cronJob();
    bad.spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(kubernetesObjectErrors(bad)).toEqual([
      { path: '.spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicyy', message: expect.stringMatching(/not declared/) },
    ]);
  });

  test('rejects a wrong type, with its path', () => {
    const bad: Mutable = cronJob();
    bad.spec.jobTemplate.spec.backoffLimit = 'two';
    expect(kubernetesObjectErrors(bad)).toEqual([{ path: '.spec.jobTemplate.spec.backoffLimit', message: expect.stringMatching(/must be integer/) }]);
  });

  test('rejects a missing required field, with its path', () => {
    const bad: Mutable = cronJob();
    delete bad.spec.jobTemplate.spec.template.spec.containers[0].name;
    expect(kubernetesObjectErrors(bad)).toEqual([{ path: '.spec.jobTemplate.spec.template.spec.containers[0].name', message: 'required field is missing' }]);
  });

  test('resolves $refs across group-version documents (batch → core PodSpec → meta ObjectMeta)', () => {
    const bad: Mutable = cronJob();
    bad.spec.jobTemplate.metadata = { labelz: {} };
    expect(kubernetesObjectErrors(bad).map((e) => e.path)).toEqual(['.spec.jobTemplate.metadata.labelz']);
  });

  test('int-or-string accepts both and nothing else; quantities follow the quantity grammar', () => {
    const pdb = (maxUnavailable: unknown) => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { maxUnavailable, selector: { matchLabels: { app: 'x' } } } });
    expect(kubernetesObjectErrors(pdb(1))).toEqual([]);
    expect(kubernetesObjectErrors(pdb('25%'))).toEqual([]);
    expect(kubernetesObjectErrors(pdb(true)).map((e) => e.path)).toContain('.spec.maxUnavailable');
    const bad: Mutable = cronJob();
    bad.spec.jobTemplate.spec.template.spec.containers[0].resources.requests.memory = '512 MB';
    expect(kubernetesObjectErrors(bad)).toEqual([
      { path: '.spec.jobTemplate.spec.template.spec.containers[0].resources.requests.memory', message: expect.stringMatching(/^must match pattern .*, or must be number \(got "512 MB"\)$/) },
    ]);
  });

  test('a pod-condition pattern without status is rejected (API servers without kubernetes/kubernetes#131525 reject such CronJobs)', () => {
    const bad: Mutable = cronJob();
    delete bad.spec.jobTemplate.spec.podFailurePolicy.rules[0].onPodConditions[0].status;
    expect(kubernetesObjectErrors(bad)).toEqual([{ path: '.spec.jobTemplate.spec.podFailurePolicy.rules[0].onPodConditions[0].status', message: 'required field is missing' }]);
  });

  test('int32 range, base64 Secret data and list-map keys are checked', () => {
    const bad: Mutable = cronJob();
    bad.spec.jobTemplate.spec.backoffLimit = 2 ** 31;
    expect(kubernetesObjectErrors(bad).map((e) => e.path)).toEqual(['.spec.jobTemplate.spec.backoffLimit']);
    expect(kubernetesObjectErrors({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { key: 'not base64!' } }).map((e) => e.path)).toEqual(['.data.key']);
    expect(kubernetesObjectErrors({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { key: Buffer.from('v').toString('base64') } })).toEqual([]);
    const dup: Mutable = cronJob();
    const c = dup.spec.jobTemplate.spec.template.spec.containers;
    c.push({ ...c[0] });
    expect(kubernetesObjectErrors(dup).map((e) => `${e.path} ${e.message}`).join('\n')).toMatch(/containers .*same map key/);
  });

  test('a Terraform interpolation stands for a value of any type; an unknown field stays an error beside it', () => {
    const o: Mutable = cronJob();
    o.metadata.namespace = '${kubernetes_namespace_v1.jobs.metadata[0].name}';
    o.spec.jobTemplate.spec.backoffLimit = '${var.limit}';
    expect(kubernetesObjectErrors(o)).toEqual([]);
    o.spec.jobTemplate.spec.retries = '${var.limit}';
    expect(kubernetesObjectErrors(o).map((e) => e.path)).toEqual(['.spec.jobTemplate.spec.retries']);
  });

  test('an object needs a name to be applied; unknown kinds are an error, not a pass', () => {
    const o: Mutable = cronJob();
    delete o.metadata.name;
    expect(kubernetesObjectErrors(o).map((e) => e.path)).toEqual(['.metadata.name']);
    expect(kubernetesObjectErrors({ apiVersion: 'batch/v2', kind: 'CronJob', metadata: { name: 'x' } })[0].message).toMatch(/not defined/);
    expect(isKubernetesBuiltinKind({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool' })).toBe(false);
    expect(() => expectValidKubernetesObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 1 } })).toThrow(/ConfigMap c is invalid:\n {2}\.data\.a: must be string/);
  });

  test('knows the kinds of every group the platform renders', () => {
    const kinds = kubernetesBuiltinKinds();
    for (const k of ['v1/Namespace', 'v1/Secret', 'v1/ConfigMap', 'v1/Service', 'v1/ServiceAccount', 'v1/PersistentVolumeClaim', 'apps/v1/Deployment', 'batch/v1/CronJob', 'batch/v1/Job',
      'networking.k8s.io/v1/NetworkPolicy', 'networking.k8s.io/v1/Ingress', 'policy/v1/PodDisruptionBudget', 'autoscaling/v2/HorizontalPodAutoscaler', 'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/RoleBinding', 'storage.k8s.io/v1/StorageClass', 'scheduling.k8s.io/v1/PriorityClass']) expect(kinds).toContain(k);
    // Meta types tagged with every group are not kinds one applies.
    expect(kinds).not.toContain('batch/v1/DeleteOptions');
  });

  test('structural extensions the built-in documents do not use are translated faithfully', () => {
    const s = (x: unknown) => structuralToJsonSchema(x as never) as Mutable;
    expect(s({ type: 'object', properties: { a: { type: 'string' } } }).additionalProperties).toBe(false);
    expect(s({ type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true }).additionalProperties).toBeUndefined();
    expect(s({ 'x-kubernetes-int-or-string': true }).anyOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
    const embedded = s({ type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true });
    expect(embedded.required).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(embedded.properties.metadata.$ref).toMatch(/ObjectMeta$/);
    expect(s({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' }).uniqueItems).toBe(true);
  });

  afterAll(() => {
    // Measured cost of the oracle in this worker (reading the documents, compiling the validators used).
    process.stdout.write(`${kubernetesOpenApiTimingsText()}\n`);
  });
});
