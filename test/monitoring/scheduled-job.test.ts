import * as fs from 'fs';
import { TerraformStack } from 'cdktf';
import { Duration, Size } from '../../lib/core/units';
import { JOB_NODE_IMAGE } from '../../lib/jobs';
import { JsonObject, KubernetesObject } from '../../lib/k8s/values';
import { CONFIGMAP_LIMIT_BYTES, ScheduledJob, ScheduledJobKind, ScheduledJobProps, jobS3Statements } from '../../lib/monitoring/scheduled-job';
import { parseJobLocation } from '../../lib/monitoring/locations';
import { PlatformGuardrails } from '../../lib/policy';
import { awsStack, synth, warnings } from '../harness/synth';
import { ensureBundles, fakeCluster, only, policyStatements, releaseManifests, terraformUnescape } from './fakes';
import { JOB_NODE_USER_ID } from '../../lib/jobs/images';
import { jobBundlePath } from '../../lib/jobs/bundle';

// Before the stacks below are built (at load time).
ensureBundles();

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function build(o: Partial<ScheduledJobProps> = {}, stack: TerraformStack = awsStack()) {
  const cluster = fakeCluster(stack);
  const job = new ScheduledJob(stack, 'job', {
    kind: ScheduledJobKind.DRIFT,
    name: 'drift-churn',
    namespace: 'ml',
    cluster,
    schedule: '0 3 * * *',
    config: { name: 'churn', reference: { url: 's3://ml-data/churn/train.csv' }, current: { url: 's3://ml-data/churn/traffic/{{date-1d}}/' } },
    reads: ['s3://ml-data/churn/train.csv', 's3://ml-data/churn/traffic/{{date-1d}}/'],
    writes: ['s3://ml-reports/drift/churn/{{date}}.json'],
    ...o,
  });
  return { stack, job };
}

const base = build();
const s = synth(base.stack);
const objects = releaseManifests(s, 'drift-churn');
const cronJob = only(objects, 'CronJob') as Any;
const jobSpec = cronJob.spec.jobTemplate.spec;
const pod = jobSpec.template.spec;
const container = pod.containers[0];

describe('CronJob hygiene (SECURITY.md: CronJobs)', () => {
  test('overlapping runs are forbidden', () => {
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
  });
  test('a missed run is skipped after a starting deadline (half the gap, between 1 minute and 1 hour)', () => {
    expect(cronJob.spec.startingDeadlineSeconds).toBe(3600);
    expect(build({ schedule: '*/10 * * * *' }).job.startingDeadlineSeconds).toBe(300);
    expect(build({ schedule: '* * * * *' }).job.startingDeadlineSeconds).toBe(60);
  });
  test('history limits keep one success and three failures', () => {
    expect(cronJob.spec.successfulJobsHistoryLimit).toBe(1);
    expect(cronJob.spec.failedJobsHistoryLimit).toBe(3);
  });
  test('finished Jobs are deleted after 3 days', () => {
    expect(jobSpec.ttlSecondsAfterFinished).toBe(3 * 86400);
  });
  test('one retry, and a run is bounded by the shortest gap between runs (at most 1 hour)', () => {
    expect(jobSpec.backoffLimit).toBe(1);
    expect(jobSpec.activeDeadlineSeconds).toBe(3600);
    expect(build({ schedule: '*/20 * * * *' }).job.activeDeadlineSeconds).toBe(1200);
  });
  test('a negative verdict (exit 2) fails the Job without retries; evictions do not count', () => {
    expect(jobSpec.podFailurePolicy.rules).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: 'job', operator: 'In', values: [2] } },
      // status spelled out: API servers without kubernetes/kubernetes#131525 reject a CronJob without it.
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    expect(pod.restartPolicy).toBe('Never');
  });
  test('every bound can be set', () => {
    const { job } = build({
      activeDeadline: Duration.minutes(30),
      startingDeadline: Duration.minutes(5),
      backoffLimit: 0,
      ttlAfterFinished: Duration.hours(12),
      successfulJobsHistoryLimit: 2,
      failedJobsHistoryLimit: 5,
      suspend: true,
      timeZone: 'Europe/Paris',
    });
    const spec = job.cronJob.spec as Any;
    expect(spec).toMatchObject({ startingDeadlineSeconds: 300, successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 5, suspend: true, timeZone: 'Europe/Paris' });
    expect(spec.jobTemplate.spec).toMatchObject({ activeDeadlineSeconds: 1800, backoffLimit: 0, ttlSecondsAfterFinished: 43200 });
  });
  test('an activeDeadline longer than the gap between runs is a warning (Forbid would skip runs)', () => {
    const { stack } = build({ schedule: '*/10 * * * *', activeDeadline: Duration.minutes(30) });
    expect(warnings(stack).join('\n')).toMatch(/activeDeadline \(30 minutes\) is longer than the shortest gap between runs of "\*\/10 \* \* \* \*" \(10 minutes\)/);
  });
  test('no time zone unless given (the controller\'s, UTC on EKS)', () => {
    expect(cronJob.spec.timeZone).toBeUndefined();
    expect(cronJob.spec.schedule).toBe('0 3 * * *');
  });
});

describe('secure pod (SECURITY.md: Kubernetes workloads)', () => {
  test('runs as the Node image\'s non-root user with a restricted security context', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: JOB_NODE_USER_ID, runAsGroup: JOB_NODE_USER_ID, fsGroup: JOB_NODE_USER_ID, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
      runAsUser: JOB_NODE_USER_ID,
      runAsGroup: JOB_NODE_USER_ID,
    });
  });
  test('the read-only root has an emptyDir at /tmp; the ConfigMap is mounted read-only', () => {
    expect(container.volumeMounts).toEqual([{ name: 'job', mountPath: '/jobs', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'job', configMap: { name: 'drift-churn-job', defaultMode: 0o444 } }, { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  });
  test('no service-account token, no host access, its own service account', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('drift-churn');
    for (const k of ['hostNetwork', 'hostPID', 'hostIPC']) expect(pod[k]).toBeUndefined();
    expect(JSON.stringify(pod)).not.toMatch(/hostPath|privileged/);
  });
  test('CPU and memory requests, a memory limit, no CPU limit; Node\'s heap under the limit', () => {
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } });
    expect(container.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=768' });
    const eval_ = build({ kind: ScheduledJobKind.EVAL, name: 'eval-x', config: { name: 'x' }, reads: [], writes: [] }).job;
    expect(((eval_.cronJob.spec as Any).jobTemplate.spec.template.spec.containers[0]).resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '256Mi' } });
    const sized = build({ cpu: 2, memory: Size.gibibytes(2), memoryLimit: Size.gibibytes(4) }).job;
    expect(((sized.cronJob.spec as Any).jobTemplate.spec.template.spec.containers[0]).resources).toEqual({ requests: { cpu: '2000m', memory: '2Gi' }, limits: { memory: '4Gi' } });
  });
  test('runs the bundled job with the pinned Node image and reads its config from the ConfigMap', () => {
    expect(container.image).toBe(JOB_NODE_IMAGE);
    expect(container.image).not.toMatch(/:latest$/);
    expect(container.command).toEqual(['node', '/jobs/drift.js']);
    expect(container.env).toContainEqual({ name: 'JOB_CONFIG_FILE', value: '/jobs/config.json' });
  });
  test('on the system nodes by default (on-demand: a spot interruption would cut a run short)', () => {
    expect(pod.nodeSelector).toEqual({ 'ai-platform.cdktf.io/node-role': 'system' });
    const custom = build({ nodeSelector: { pool: 'batch' } }).job;
    expect((custom.cronJob.spec as Any).jobTemplate.spec.template.spec.nodeSelector).toEqual({ pool: 'batch' });
  });
  test('the policy Aspect finds nothing to fix in the job\'s objects and role (and does check them)', () => {
    const findings = (st: TerraformStack) => PlatformGuardrails.check(st).findings.filter((f) => f.ruleId !== 'AIP-173' /* the test stack's local backend */);
    expect(findings(base.stack).map((f) => f.message)).toEqual([]);
    expect(base.job.renderedWorkloads()).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'drift-churn', namespace: 'ml', source: 'manifest' })]);
    // Control: the same job with its hygiene removed is caught, so the empty list above means something.
    const broken = build();
    const spec = broken.job.cronJob.spec as Any;
    delete spec.concurrencyPolicy;
    spec.jobTemplate.spec.template.spec.automountServiceAccountToken = true;
    expect(findings(broken.stack).map((f) => f.ruleId).sort()).toEqual(['AIP-186', 'CKV_K8S_38']);
  });
});

describe('ConfigMap', () => {
  const cm = only(objects, 'ConfigMap') as Any;

  test('holds the real bundle byte for byte (after Terraform\'s template unescaping) and the config', () => {
    const bundle = fs.readFileSync(jobBundlePath('drift'), 'utf8');
    expect(terraformUnescape(cm.data['drift.js'])).toBe(bundle);
    expect(JSON.parse(cm.data['config.json'])).toEqual({ name: 'churn', reference: { url: 's3://ml-data/churn/train.csv' }, current: { url: 's3://ml-data/churn/traffic/{{date-1d}}/' }, limits: { maxInputBytes: 45 * 1048576, maxResponseBytes: 1048576, deadlineSeconds: 3300 } });
  });

  test('stays under the 1 MiB Kubernetes limit, measured on the rendered object', () => {
    const bytes = Buffer.byteLength(JSON.stringify(base.job.configMap));
    expect(base.job.configMapBytes).toBe(bytes);
    expect(bytes).toBeGreaterThan(fs.statSync(jobBundlePath('drift')).size);
    expect(bytes).toBeLessThan(CONFIGMAP_LIMIT_BYTES);
    const evalJob = build({ kind: ScheduledJobKind.EVAL, name: 'eval-x', config: { name: 'x' }, reads: [], writes: [] }).job;
    expect(evalJob.configMapBytes).toBeLessThan(CONFIGMAP_LIMIT_BYTES);
    expect(Object.keys(evalJob.configMap.data as JsonObject)).toEqual(['config.json', 'eval.js']);
  });

  test('a config that would overflow the limit fails at synth', () => {
    expect(() => build({ config: { name: 'x', huge: 'x'.repeat(CONFIGMAP_LIMIT_BYTES) } })).toThrow(/test\/job: config \("\d+ bytes"\) is invalid: makes the job ConfigMap larger than the Kubernetes limit of 1048576 bytes/);
  });

  test('with the user\'s own image: no bundle, their command and args, same config file', () => {
    const { job } = build({ image: 'registry.example.com/drift:1.4.2', command: ['python', '-m', 'drift'], args: ['--verbose'], runAsUser: 10001 });
    expect(Object.keys(job.configMap.data as JsonObject)).toEqual(['config.json']);
    const c = (job.cronJob.spec as Any).jobTemplate.spec.template.spec.containers[0];
    expect(c).toMatchObject({ image: 'registry.example.com/drift:1.4.2', command: ['python', '-m', 'drift'], args: ['--verbose'] });
    expect(c.env.map((e: Any) => e.name)).not.toContain('NODE_OPTIONS');
    expect(c.securityContext.runAsUser).toBe(10001);
  });
});

describe('IRSA scoped to the S3 prefixes', () => {
  test('the service account carries the role; the role reads and lists only the input prefixes and writes only the report prefix', () => {
    const sa = only(objects, 'ServiceAccount') as Any;
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^\$\{aws_iam_role\.cluster_irsa-ml-drift-churn_role_[A-F0-9]+\.arn\}$/);
    expect(policyStatements(s, 'irsa-ml-drift-churn_policy')).toEqual([
      { sid: 'ReadObjects', effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::ml-data/churn/traffic/*', 'arn:aws:s3:::ml-data/churn/train.csv*'] },
      { sid: 'ListMlData', effect: 'Allow', actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::ml-data'], condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['churn/traffic/*', 'churn/train.csv*'] }] },
      { sid: 'WriteObjects', effect: 'Allow', actions: ['s3:PutObject'], resources: ['arn:aws:s3:::ml-reports/drift/churn/*'] },
    ]);
    const trust = policyStatements(s, 'irsa-ml-drift-churn_trust')[0];
    expect(trust.condition).toContainEqual({ test: 'StringEquals', variable: 'oidc.eks.us-west-2.amazonaws.com/id/ABC:sub', values: ['system:serviceaccount:ml:drift-churn'] });
    expect(container.env).toContainEqual({ name: 'AWS_REGION', value: 'us-west-2' });
  });

  test('prefixes covered by another are merged; KMS keys get Decrypt/GenerateDataKey; partitions follow the region', () => {
    const loc = (u: string, output = false) => parseJobLocation(base.job, 'x', u, { output });
    const st = jobS3Statements('aws-cn', [loc('s3://bkt/a/'), loc('s3://bkt/a/b/c.csv'), loc('s3://data-2/x/{{yyyy}}/{{mm}}/')], [loc('s3://bkt/out/r.json', true)], ['arn:aws:kms:us-west-2:123456789012:key/abc']);
    expect(st).toEqual([
      { sid: 'ReadObjects', actions: ['s3:GetObject'], resources: ['arn:aws-cn:s3:::bkt/a/*', 'arn:aws-cn:s3:::data-2/x/*'] },
      { sid: 'ListBkt', actions: ['s3:ListBucket'], resources: ['arn:aws-cn:s3:::bkt'], conditions: [{ test: 'StringLike', variable: 's3:prefix', values: ['a/*'] }] },
      { sid: 'ListData2', actions: ['s3:ListBucket'], resources: ['arn:aws-cn:s3:::data-2'], conditions: [{ test: 'StringLike', variable: 's3:prefix', values: ['x/*'] }] },
      { sid: 'WriteObjects', actions: ['s3:PutObject'], resources: ['arn:aws-cn:s3:::bkt/out/r.json*'] },
      { sid: 'S3Kms', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: ['arn:aws:kms:us-west-2:123456789012:key/abc'] },
    ]);
  });

  test('no S3, no role: the service account has no annotation and no AWS env', () => {
    const { job } = build({ reads: ['http://data.example.com/x.csv'], writes: [] });
    expect(job.role).toBeUndefined();
    expect(job.serviceAccount.metadata.annotations).toBeUndefined();
    expect(JSON.stringify(job.cronJob)).not.toMatch(/AWS_REGION/);
  });

  test('a location without a key prefix is a warning (the whole bucket)', () => {
    const { stack } = build({ reads: ['s3://ml-data/{{date}}/'] });
    expect(warnings(stack).join('\n')).toMatch(/s3:\/\/ml-data\/\{\{date\}\}\/ has no fixed key prefix/);
  });
});

describe('egress NetworkPolicy', () => {
  test('DNS, HTTPS anywhere, the namespaces of the services called, and other ports of URLs', () => {
    const { job } = build({
      reads: ['http://files.data.svc.cluster.local:8080/x.csv', 'http://10.1.2.3:9000/y.csv', 'https://example.com/z.csv', 'http://local-svc/r.csv'],
      writes: [],
      egressNamespaces: ['monitoring'],
      allowEgressToNamespaces: ['extra'],
    });
    const np = job.networkPolicy as Any;
    expect(np.spec.policyTypes).toEqual(['Egress']);
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'drift-monitor', 'app.kubernetes.io/instance': 'drift-churn' } });
    expect(np.spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] },
      { to: ['monitoring', 'extra', 'data', 'ml'].map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })) },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 9000, protocol: 'TCP' }] },
    ]);
  });
  test('can be turned off', () => {
    const { job } = build({ restrictEgress: false });
    expect(job.networkPolicy).toBeUndefined();
    expect(job.chart.manifests.map((m: KubernetesObject) => m.kind)).toEqual(['ConfigMap', 'ServiceAccount', 'CronJob']);
  });
  test('every object goes through one ManifestChart release in the namespace', () => {
    const rel = Object.values(s.resource!.helm_release).find((r) => r.name === 'drift-churn') as Any;
    expect(rel.namespace).toBe('ml');
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap', 'ServiceAccount', 'NetworkPolicy', 'CronJob']);
    for (const o of objects) expect(o.metadata.namespace).toBe('ml');
  });
});

describe('run limits: sizes checked against the memory limit, a deadline below activeDeadlineSeconds', () => {
  test('defaults: the inputs get what the heap holds, 1 MiB responses, the deadline 10% (30 s to 5 min) early', () => {
    expect(base.job.limits).toEqual({ maxInputBytes: 45 * 1048576, maxResponseBytes: 1048576, deadlineSeconds: 3300 });
    expect(build({ schedule: '*/10 * * * *' }).job.limits.deadlineSeconds).toBe(600 - 60);
    expect(build({ schedule: '*/5 * * * *' }).job.limits.deadlineSeconds).toBe(300 - 30);
    expect(build({ activeDeadline: Duration.hours(10), schedule: '0 0 * * 0' }).job.limits.deadlineSeconds).toBe(36000 - 300);
  });

  test('a size that fits is written as given; the deadline is always below activeDeadlineSeconds', () => {
    const j = build({ memoryLimit: Size.gibibytes(2), maxInputSize: Size.mebibytes(40), maxResponseSize: Size.mebibytes(4), inputsInMemory: 2, activeDeadline: Duration.minutes(20) }).job;
    expect(j.limits).toEqual({ maxInputBytes: 40 * 1048576, maxResponseBytes: 4 * 1048576, deadlineSeconds: 1200 - 120 });
    expect(JSON.parse(j.configJson).limits).toEqual(j.limits);
    expect(j.runDeadlineSeconds).toBeLessThan(j.activeDeadlineSeconds);
  });

  test('an active deadline too short for a reserve: no deadline of its own, and a warning says why', () => {
    const { stack, job } = build({ activeDeadline: Duration.seconds(35) });
    expect(job.limits.deadlineSeconds).toBeUndefined();
    expect(warnings(stack).join('\n')).toContain('leaves no room for the job\'s own deadline');
  });
});

describe('bad input fails at synth, naming the prop and the value', () => {
  test.each([
    [{ schedule: '0 25 * * *' }, /test\/job: schedule \("0 25 \* \* \*"\) is invalid: must be a cron schedule the CronJob controller accepts: hour field: 25 is outside 0-23/],
    [{ schedule: 'every day' }, /schedule \("every day"\) is invalid: .*expected 5 fields/],
    [{ schedule: '@every 1h' }, /schedule \("@every 1h"\) is invalid: .*unknown macro/],
    [{ timeZone: 'Mars/Olympus' }, /timeZone \("Mars\/Olympus"\) is invalid: must be an IANA time zone name/],
    [{ timeZone: '+02:00' }, /timeZone \("\+02:00"\) is invalid/],
    [{ name: 'Drift_Churn' }, /name \("Drift_Churn"\) is invalid: must be a Kubernetes DNS-1123 label/],
    [{ name: 'd'.repeat(47) }, /name \("d{47}"\) is invalid: must be at most 46 characters/],
    [{ namespace: 'ML' }, /namespace \("ML"\) is invalid: must be a Kubernetes DNS-1123 label/],
    [{ image: 'drift' }, /image \("drift"\) is invalid: must be an image reference pinned by tag or digest/],
    [{ image: 'repo/drift:latest' }, /image \("repo\/drift:latest"\) is invalid: must not use the "latest" tag/],
    [{ command: ['sh'] }, /command \(\["sh"\]\) is invalid: applies only with image/],
    [{ memory: Size.gibibytes(2), memoryLimit: Size.gibibytes(1) }, /memoryLimit \("1 GiB"\) is invalid: must be at least memory \(2 GiB\)/],
    [{ backoffLimit: -1 }, /backoffLimit \(-1\) is invalid: must be an integer between 0 and 10/],
    [{ startingDeadline: Duration.seconds(5) }, /startingDeadline \("5 seconds"\) is invalid: must be between 10 seconds and 1 day, a whole number of seconds/],
    [{ reads: ['s3://Bad_Bucket/x'] }, /reads\[0\] \("s3:\/\/Bad_Bucket\/x"\) is invalid: must name a valid bucket/],
    [{ reads: ['s3://ok-bucket/{{week}}/'] }, /uses the unknown date template \{\{week\}\}/],
    [{ reads: ['s3://ok-bucket/a/{{date'] }, /has a malformed date template/],
    [{ reads: ['s3://ok-bucket/a*/'] }, /must not contain "\*" or "\?"/],
    [{ reads: ['file:///data/x.csv'] }, /the job pod mounts no data volume/],
    [{ reads: ['ftp://x/y'] }, /must be an s3:\/\/bucket\/key or http\(s\):\/\/ URL/],
    [{ writes: ['s3://ok-bucket/reports/'] }, /writes\[0\] .* needs an object key .*not a prefix/],
    [{ s3KmsKeyArns: ['alias/x'] }, /s3KmsKeyArns\[0\] \("alias\/x"\) is invalid: must be a KMS key ARN/],
    [{ secretEnv: [{ name: '1BAD', secretName: 's', secretKey: 'k' }] }, /secretEnv\[0\]\.name \("1BAD"\) is invalid/],
    [{ nodeSelector: { 'bad key!': 'x' } }, /nodeSelector\["bad key!"\]/],
    [{ maxInputSize: Size.mebibytes(100) }, /maxInputSize \("100 MiB"\) is invalid: does not fit memoryLimit 1 GiB \(Node heap capped at 768 MiB\): 1 input\(s\) × 100 MiB × 16 bytes of heap per input byte need 1600 MiB, 733 MiB are free: lower maxInputSize to at most 45 MiB or raise memoryLimit to at least 2180 MiB \(docs\/operations\.md#job-limits\)/],
    [{ maxInputSize: Size.mebibytes(30), inputsInMemory: 2 }, /maxInputSize \("30 MiB"\) is invalid: does not fit memoryLimit 1 GiB/],
    [{ memory: Size.mebibytes(256), maxResponseSize: Size.mebibytes(64), responsesInFlight: 8 }, /maxResponseSize \("64 MiB"\) is invalid: leaves no room for inputs in memoryLimit 256 MiB \(Node heap capped at 192 MiB\): 8 response\(s\) in flight × 64 MiB × 3 need 1.5 GiB/],
  ] as [Partial<ScheduledJobProps>, RegExp][])('%j', (o, message) => {
    expect(() => build(o)).toThrow(message);
  });
});
