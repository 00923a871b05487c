import * as fs from 'fs';
import { validateEnum } from '../core/enums';
import { Construct, IConstruct } from 'constructs';
import { Annotations, ITerraformDependable, Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { arnPartition } from '../core/regions';
import { byCodeUnit, validateDns1123Label, validateDns1123Subdomain } from '../core/names';
import { Duration, Size, formatBytes } from '../core/units';
import { validateDuration, validateInteger, validateNumber, validatePattern, validateSize } from '../core/validate';
import { ICluster } from '../cluster/cluster-reference';
import { PolicyStatement, ServiceAccountRole } from '../cluster/iam';
import { JOB_NODE_IMAGE, JOB_NODE_USER_ID } from '../jobs/images';
import { jobBundlePath } from '../jobs/bundle';
import { JobExitCode, JobLimits } from '../jobs/config';
import { ManifestChart } from '../k8s/manifest-chart';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { JsonObject, JsonValue, KubernetesObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { CronIntervals, CronScheduleError, cronIntervals, isIanaTimeZone, parseCronSchedule } from './cron';
import { JobLocation, parseJobLocation } from './locations';

/** The Kubernetes limit on a ConfigMap (data and binaryData together), in bytes. */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

/** Where the job's ConfigMap (bundle and config) is mounted in the container. */
export const JOB_MOUNT_PATH = '/jobs';

/** File name of the job config in the ConfigMap (read through `JOB_CONFIG_FILE`). */
export const JOB_CONFIG_FILE_NAME = 'config.json';

/** Name of the job container (the pod failure policy refers to it). */
export const JOB_CONTAINER_NAME = 'job';

/** Which job a {@link ScheduledJob} runs. */
export enum ScheduledJobKind {
  /** The drift job (`assets/jobs/drift.js`). */
  DRIFT = 'drift',
  /** The eval job (`assets/jobs/eval.js`). */
  EVAL = 'eval',
  /** The GPU cost report job (`assets/jobs/cost.js`). */
  COST = 'cost',
  /** The spot price job (`assets/jobs/spot-prices.js`). */
  SPOT_PRICES = 'spot-prices',
}

/** When and how a job's CronJob runs: the options DriftMonitor and EvalCronJob share. */
export interface ScheduledJobOptions {
  /**
   * Cron schedule: five fields (`minute hour day-of-month month day-of-week`, with lists, ranges,
   * steps and `JAN`/`MON` names) or `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`,
   * `@yearly`, `@annually`. Checked at synth.
   */
  readonly schedule: string;
  /**
   * IANA time zone of the schedule (`Europe/Paris`), CronJob `spec.timeZone`.
   * @default - the kube-controller-manager's time zone (UTC on EKS)
   */
  readonly timeZone?: string;
  /**
   * Create the CronJob suspended (no runs until resumed).
   * @default false
   */
  readonly suspend?: boolean;
  /**
   * Image to run instead of the bundled job in `JOB_NODE_IMAGE` (pinned by tag or digest). It gets
   * the same config file (`JOB_CONFIG_FILE`), environment and exit-code contract (0 ok, 1 job error,
   * 2 negative verdict).
   * @default - `JOB_NODE_IMAGE` running the bundled job from the ConfigMap: no image to build
   */
  readonly image?: string;
  /**
   * Command of the container; only with `image`.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments of the container; only with `image`.
   * @default - the image's cmd
   */
  readonly args?: string[];
  /**
   * Numeric UID the container runs as (`runAsNonRoot` needs a number).
   * @default JOB_NODE_USER_ID (1000, the `node` user of the Node.js image)
   */
  readonly runAsUser?: number;
  /**
   * CPU request, in vCPU. No CPU limit is set (throttling; SECURITY.md).
   * @default - 0.5 for drift (statistics over large windows), 0.25 for eval (waits on the model), 0.1 for the cost report
   */
  readonly cpu?: number;
  /**
   * Memory request.
   * @default - 1 GiB for drift (both windows are held in memory), 256 MiB for eval and the cost report
   */
  readonly memory?: Size;
  /**
   * Memory limit (at least `memory`). Node's heap is capped at 75% of it.
   * @default - `memory` (a batch job should fail at a known size, not be killed by node pressure)
   */
  readonly memoryLimit?: Size;
  /**
   * Largest input the job reads from one location (a drift window, the eval dataset; all its objects,
   * counted after gunzip). Past it the run fails with exit 1 and one line, before it runs out of memory.
   * Checked against the memory limit: the job holds about 16 bytes of heap per input byte (measured).
   * @default - what the memory limit holds: (75% of memoryLimit − 32 MiB − responses) / (16 × inputs),
   * e.g. 22 MiB per window for drift at 1 GiB, 9 MiB for eval at 256 MiB (concurrency 4, no judge)
   */
  readonly maxInputSize?: Size;
  /**
   * Largest HTTP response body the job accepts (a model or judge reply, MLflow, S3 listings). An endless
   * or huge reply fails that request at the cap instead of growing the heap.
   * @default Size.mebibytes(1)
   */
  readonly maxResponseSize?: Size;
  /**
   * How long a run may take before Kubernetes stops it (`activeDeadlineSeconds`). The job itself stops
   * earlier, at `activeDeadlineSeconds` minus a reserve (10%, between 30 s and 5 min), and records the
   * failure (exit 1, `aiplatform_job_failed 1`) before the kill: see `ScheduledJob.runDeadlineSeconds`.
   * @default - the shortest gap between two scheduled runs, at most 1 hour
   */
  readonly activeDeadline?: Duration;
  /**
   * How late a run may start after its scheduled time before it is skipped (`startingDeadlineSeconds`).
   * @default - half the shortest gap between two runs, between 1 minute and 1 hour
   */
  readonly startingDeadline?: Duration;
  /**
   * Retries of a failed run (`backoffLimit`). A negative verdict (exit 2) is never retried and an
   * evicted pod (node drain, spot interruption) does not count: see the pod failure policy.
   * @default 1 (one retry for transient errors such as an unreachable endpoint)
   */
  readonly backoffLimit?: number;
  /**
   * How long a finished Job (and its pod logs) is kept (`ttlSecondsAfterFinished`). The history
   * limits bound how many are kept; this bounds how long.
   * @default Duration.days(3) (a failure on Friday night can still be read on Monday)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Successful Jobs kept (`successfulJobsHistoryLimit`).
   * @default 1
   */
  readonly successfulJobsHistoryLimit?: number;
  /**
   * Failed Jobs kept (`failedJobsHistoryLimit`).
   * @default 3
   */
  readonly failedJobsHistoryLimit?: number;
  /**
   * Node selector of the job pods.
   * @default - the cluster's `systemNodeSelector` (on-demand nodes: a spot interruption would cut a run short)
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Restrict the pods' egress with a NetworkPolicy: DNS, HTTPS (S3, STS, external APIs), the
   * namespaces of the services the job calls, and the ports of other URLs it reads or writes.
   * @default true
   */
  readonly restrictEgress?: boolean;
  /**
   * More namespaces the job may reach (all ports), for URLs the construct cannot see.
   * @default - none
   */
  readonly allowEgressToNamespaces?: string[];
  /**
   * KMS keys of SSE-KMS buckets the job reads (`kms:Decrypt`) or writes (`kms:GenerateDataKey`).
   * @default - none (SSE-S3 buckets, or keys whose policy already allows the role)
   */
  readonly s3KmsKeyArns?: string[];
  /**
   * Resources the objects wait for (the namespace, for example).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** An environment variable taken from a key of a Kubernetes Secret. */
export interface SecretEnvVar {
  /** Variable name. */
  readonly name: string;
  /** Secret name (in the job's namespace). */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly secretKey: string;
}

/** Props of {@link ScheduledJob}. */
export interface ScheduledJobProps extends ScheduledJobOptions {
  /** The job to run. */
  readonly kind: ScheduledJobKind;
  /** Name of the CronJob, ServiceAccount, ConfigMap and release (DNS-1123 label, at most 46 characters). */
  readonly name: string;
  /** Namespace (a literal name; it must exist: pass its resource in `dependsOn`). */
  readonly namespace: string;
  /** The cluster (IRSA). */
  readonly cluster: ICluster;
  /** The job config document (`DriftJobConfig` / `EvalJobConfig`). */
  readonly config: JsonObject;
  /**
   * Locations the job reads (`s3://` gets IAM, `http(s)://` egress).
   * @default - none
   */
  readonly reads?: string[];
  /**
   * Locations the job writes.
   * @default - none
   */
  readonly writes?: string[];
  /**
   * Secrets exposed as environment variables.
   * @default - none
   */
  readonly secretEnv?: SecretEnvVar[];
  /**
   * Namespaces of in-cluster services the job calls (Pushgateway, MLflow, model router).
   * @default - none
   */
  readonly egressNamespaces?: string[];
  /**
   * Other `http(s)://` URLs the job calls (Pushgateway, MLflow, model endpoints): egress only.
   * @default - none
   */
  readonly egressUrls?: string[];
  /**
   * Labels of the pods (and of every object), e.g. `app.kubernetes.io/name`.
   * @default - the name and instance labels
   */
  readonly labels?: Record<string, string>;
  /**
   * Construct whose props these are: validation errors name its path.
   * @default - this construct
   */
  readonly owner?: IConstruct;
  /**
   * IAM statements of the job's role besides its S3 locations (e.g. a read-only EC2 call).
   * @default - none
   */
  readonly extraStatements?: PolicyStatement[];
  /**
   * Inputs the job holds in memory at once (drift: both windows), for the memory check of `maxInputSize`.
   * @default 1
   */
  readonly inputsInMemory?: number;
  /**
   * HTTP responses the job may buffer at once (eval: `concurrency`, twice with a judge), for the memory
   * check of `maxResponseSize`.
   * @default 1
   */
  readonly responsesInFlight?: number;
}

/** Heap bytes the jobs hold per input byte: measured 13.5 (32 MiB of CSV, 10 columns, 442 MiB peak RSS), rounded up. */
export const JOB_HEAP_BYTES_PER_INPUT_BYTE = 16;
/** Heap bytes per byte of a buffered response (buffer, string, parsed JSON). */
export const JOB_HEAP_BYTES_PER_RESPONSE_BYTE = 3;
/** Heap the job needs besides its inputs and responses (bundle, runtime, report), in MiB. */
export const JOB_BASE_HEAP_MIB = 32;

/** Seconds kept between the job's own deadline and `activeDeadlineSeconds` to record a failure: 10%, 30 s to 5 min. */
export function runDeadlineReserveSeconds(activeDeadlineSeconds: number): number {
  return Math.min(300, Math.max(30, Math.ceil(activeDeadlineSeconds * 0.1)));
}

const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;

/** Checks one Kubernetes or Alertmanager label value (at most 63 letters, digits, "-", "_", "."). */
export function validateKubernetesLabelValue(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(scope, prop, value, 'must be a non-empty label value');
  return validatePattern(scope, prop, value, LABEL_VALUE, 'be a label value: at most 63 letters, digits, "-", "_", ".", starting and ending with a letter or digit');
}

/** Checks Kubernetes labels (keys and values). */
export function validateKubernetesLabels(scope: IConstruct, prop: string, labels: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    validatePattern(scope, `${prop}["${k}"]`, k, LABEL_KEY, 'be a Kubernetes label key (optional DNS prefix and "/", then up to 63 letters, digits, "-", "_", ".")');
    validatePattern(scope, `${prop}["${k}"]`, v, LABEL_VALUE, 'have a Kubernetes label value (at most 63 letters, digits, "-", "_", ".", starting and ending with a letter or digit)');
  }
}

/**
 * The CronJob shared by DriftMonitor and EvalCronJob, with SECURITY.md's CronJob hygiene and secure
 * pod: the job bundle and its config in a ConfigMap run by the pinned Node.js image (or the user's
 * image), `concurrencyPolicy: Forbid`, starting/active deadlines, history limits, TTL, a pod failure
 * policy (exit 2 is a verdict: never retried; evictions do not count), a restricted pod with a
 * read-only root filesystem and an emptyDir at /tmp, no service-account token, one ServiceAccount with
 * an IRSA role scoped to the S3 prefixes it reads and writes, requests and a memory limit, and an
 * egress NetworkPolicy. Every object goes through one {@link ManifestChart}.
 */
export class ScheduledJob extends Construct implements IWorkloadSource {
  /** The release applying the objects; add more objects (alert rules) with `chart.addManifest()`. */
  public readonly chart: ManifestChart;
  /** The CronJob object. */
  public readonly cronJob: KubernetesObject;
  /** The ConfigMap with the bundle and the config. */
  public readonly configMap: KubernetesObject;
  /** The ServiceAccount. */
  public readonly serviceAccount: KubernetesObject;
  /** The egress NetworkPolicy, unless `restrictEgress` is false. */
  public readonly networkPolicy?: KubernetesObject;
  /** The IRSA role, when the job reads or writes S3. */
  public readonly role?: ServiceAccountRole;
  /** The IAM statements of the role. */
  public readonly statements: PolicyStatement[];
  /** CronJob name. */
  public readonly cronJobName: string;
  /** Namespace. */
  public readonly namespace: string;
  /** Labels of the job pods. */
  public readonly podLabels: Record<string, string>;
  /** Shortest and longest gap between scheduled runs. */
  public readonly intervals: CronIntervals;
  /** `activeDeadlineSeconds` of each run. */
  public readonly activeDeadlineSeconds: number;
  /** `startingDeadlineSeconds`. */
  public readonly startingDeadlineSeconds: number;
  /** Size of the rendered ConfigMap object (JSON), in bytes. */
  public get configMapBytes(): number {
    return Buffer.byteLength(JSON.stringify(this.configMap), 'utf8');
  }
  /** The bounds written to the job config (`limits`): input and response caps, the run deadline. */
  public readonly limits: JobLimits;
  /**
   * Seconds after which the job stops itself and records a failure: `activeDeadlineSeconds` minus
   * {@link runDeadlineReserveSeconds}; undefined when the active deadline is too short for a reserve.
   */
  public readonly runDeadlineSeconds?: number;
  /** The config document as written to the ConfigMap. */
  public get configJson(): string {
    return (this.configMap.data as Record<string, string>)[JOB_CONFIG_FILE_NAME];
  }
  /** Who receives the props (errors name it). */
  private readonly owner: IConstruct;

  /** Creates the objects. */
  public constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const owner = props.owner ?? this;
    validateEnum(owner, 'kind', props.kind, ScheduledJobKind, 'ScheduledJobKind');
    const name = validateDns1123Label(owner, 'name', props.name);
    // The CronJob controller appends "-<11 digits>" to Job names, which must stay within 63 characters.
    if (name.length > 46) throw new ValidationError(owner, 'name', name, 'must be at most 46 characters (the CronJob, and its Jobs named "<name>-<time>", must stay within Kubernetes name limits)');
    if (Token.isUnresolved(props.namespace)) throw new ValidationError(owner, 'namespace', props.namespace, 'must be a literal namespace name (the IRSA role and grants are derived from it); pass the namespace resource in dependsOn for ordering');
    const namespace = validateDns1123Label(owner, 'namespace', props.namespace);
    this.cronJobName = name;
    this.namespace = namespace;

    // --- schedule -----------------------------------------------------------------------------
    let intervals: CronIntervals;
    try {
      intervals = cronIntervals(parseCronSchedule(props.schedule)) as CronIntervals;
    } catch (e) {
      if (!(e instanceof CronScheduleError)) throw e;
      throw new ValidationError(owner, 'schedule', props.schedule, `must be a cron schedule the CronJob controller accepts: ${e.message} (five fields "minute hour day-of-month month day-of-week", e.g. "0 3 * * *", or @hourly, @daily, @weekly, @monthly, @yearly)`);
    }
    this.intervals = intervals;
    if (props.timeZone !== undefined && !isIanaTimeZone(props.timeZone)) {
      throw new ValidationError(owner, 'timeZone', props.timeZone, 'must be an IANA time zone name such as "UTC", "Europe/Paris" or "America/New_York" (not an offset, not "Local")');
    }

    // --- run bounds -----------------------------------------------------------------------------
    const minGap = intervals.minSeconds;
    const activeDeadline = props.activeDeadline ?? Duration.seconds(Math.min(3600, minGap));
    this.activeDeadlineSeconds = validateDuration(owner, 'activeDeadline', activeDeadline, { min: Duration.seconds(1), max: Duration.days(7), whole: 'second', field: 'the Job activeDeadlineSeconds' }).toSeconds();
    if (props.activeDeadline && this.activeDeadlineSeconds > minGap) {
      Annotations.of(owner).addWarning(`activeDeadline (${props.activeDeadline}) is longer than the shortest gap between runs of "${props.schedule}" (${Duration.seconds(minGap)}): with concurrencyPolicy Forbid a long run makes the CronJob skip the next ones`);
    }
    const startingDeadline = props.startingDeadline ?? Duration.seconds(Math.max(60, Math.min(3600, Math.floor(minGap / 2))));
    // The controller checks schedules every 10 seconds; a shorter deadline can skip runs.
    this.startingDeadlineSeconds = validateDuration(owner, 'startingDeadline', startingDeadline, { min: Duration.seconds(10), max: Duration.days(1), whole: 'second', field: 'the CronJob startingDeadlineSeconds' }).toSeconds();
    const backoffLimit = validateInteger(owner, 'backoffLimit', props.backoffLimit ?? 1, 0, 10);
    const ttl = validateDuration(owner, 'ttlAfterFinished', props.ttlAfterFinished ?? Duration.days(3), { min: Duration.minutes(1), max: Duration.days(30), whole: 'second', field: 'the Job ttlSecondsAfterFinished' }).toSeconds();
    const successfulHistory = validateInteger(owner, 'successfulJobsHistoryLimit', props.successfulJobsHistoryLimit ?? 1, 0, 10);
    const failedHistory = validateInteger(owner, 'failedJobsHistoryLimit', props.failedJobsHistoryLimit ?? 3, 0, 10);

    // --- container ------------------------------------------------------------------------------
    const custom = props.image !== undefined;
    if (custom) {
      const img = props.image as string;
      if (!Token.isUnresolved(img)) {
        validatePattern(owner, 'image', img, IMAGE_REF, 'be an image reference pinned by tag or digest (registry/repository:tag or @sha256:<digest>)');
        if (/:latest$/.test(img)) throw new ValidationError(owner, 'image', img, 'must not use the "latest" tag: pin a version or a digest');
      }
    } else {
      if (props.command !== undefined) throw new ValidationError(owner, 'command', props.command, 'applies only with image: the bundled job runs as "node /jobs/<job>.js"');
      if (props.args !== undefined) throw new ValidationError(owner, 'args', props.args, 'applies only with image: the bundled job runs as "node /jobs/<job>.js"');
    }
    const uid = validateInteger(owner, 'runAsUser', props.runAsUser ?? JOB_NODE_USER_ID, 1, 2147483647);
    const defaults = props.kind === ScheduledJobKind.DRIFT ? { cpu: 0.5, memory: Size.gibibytes(1) } : props.kind === ScheduledJobKind.COST || props.kind === ScheduledJobKind.SPOT_PRICES ? { cpu: 0.1, memory: Size.mebibytes(256) } : { cpu: 0.25, memory: Size.mebibytes(256) };
    const cpu = validateNumber(owner, 'cpu', props.cpu ?? defaults.cpu, 0.01, 64);
    const memory = props.memory ?? defaults.memory;
    validateSize(owner, 'memory', memory, Size.mebibytes(32), Size.gibibytes(256));
    const memoryLimit = props.memoryLimit ?? memory;
    if (memoryLimit.toBytes() < memory.toBytes()) {
      throw new ValidationError(owner, 'memoryLimit', memoryLimit, `must be at least memory (${memory})`);
    }
    validateKubernetesLabels(owner, 'nodeSelector', props.nodeSelector);

    // --- run limits: sizes against the heap, the run deadline below activeDeadlineSeconds -----------
    const heapMib = Math.max(64, Math.floor(memoryLimit.toMebibytes() * 0.75));
    const inputs = props.inputsInMemory ?? 1;
    const inFlight = props.responsesInFlight ?? 1;
    const maxResponseBytes = Math.floor((props.maxResponseSize ?? Size.mebibytes(1)).toBytes());
    validateSize(owner, 'maxResponseSize', props.maxResponseSize ?? Size.mebibytes(1), Size.mebibytes(1 / 1024), Size.gibibytes(1));
    const responsesMib = (inFlight * maxResponseBytes * JOB_HEAP_BYTES_PER_RESPONSE_BYTE) / 1048576;
    const inputRoomMib = heapMib - JOB_BASE_HEAP_MIB - responsesMib;
    const limitText = `memoryLimit ${memoryLimit} (Node heap capped at ${Size.mebibytes(heapMib)})`;
    if (inputRoomMib < inputs) {
      throw new ValidationError(owner, 'maxResponseSize', props.maxResponseSize ?? Size.mebibytes(1), `leaves no room for inputs in ${limitText}: ${inFlight} response(s) in flight × ${formatBytes(maxResponseBytes)} × ${JOB_HEAP_BYTES_PER_RESPONSE_BYTE} need ${Size.mebibytes(Math.ceil(responsesMib))}; lower maxResponseSize or concurrency, or raise memoryLimit (docs/operations.md#job-limits)`);
    }
    let maxInputBytes: number;
    if (props.maxInputSize) {
      maxInputBytes = Math.floor(props.maxInputSize.toBytes());
      validateSize(owner, 'maxInputSize', props.maxInputSize, Size.mebibytes(1 / 1024), Size.gibibytes(64));
      const needMib = (inputs * maxInputBytes * JOB_HEAP_BYTES_PER_INPUT_BYTE) / 1048576;
      if (needMib > inputRoomMib) {
        const needLimit = Math.ceil((needMib + JOB_BASE_HEAP_MIB + responsesMib) / 0.75);
        throw new ValidationError(owner, 'maxInputSize', props.maxInputSize, `does not fit ${limitText}: ${inputs} input(s) × ${formatBytes(maxInputBytes)} × ${JOB_HEAP_BYTES_PER_INPUT_BYTE} bytes of heap per input byte need ${Size.mebibytes(Math.ceil(needMib))}, ${Size.mebibytes(Math.floor(inputRoomMib))} are free: lower maxInputSize to at most ${Size.mebibytes(Math.floor(inputRoomMib / (inputs * JOB_HEAP_BYTES_PER_INPUT_BYTE)))} or raise memoryLimit to at least ${Size.mebibytes(needLimit)} (docs/operations.md#job-limits)`);
      }
    } else {
      maxInputBytes = Math.max(1, Math.floor(inputRoomMib / (inputs * JOB_HEAP_BYTES_PER_INPUT_BYTE))) * 1048576;
    }
    const reserve = runDeadlineReserveSeconds(this.activeDeadlineSeconds);
    this.runDeadlineSeconds = this.activeDeadlineSeconds - reserve >= 10 ? this.activeDeadlineSeconds - reserve : undefined;
    if (this.runDeadlineSeconds === undefined) {
      Annotations.of(owner).addWarning(`activeDeadline (${this.activeDeadlineSeconds} s) leaves no room for the job's own deadline (${reserve} s are kept to record a failure): a run that is too slow is killed by Kubernetes without recording its failure`);
    }
    this.limits = { maxInputBytes, maxResponseBytes, ...(this.runDeadlineSeconds !== undefined ? { deadlineSeconds: this.runDeadlineSeconds } : {}) };

    const labels = {
      'app.kubernetes.io/name': { [ScheduledJobKind.DRIFT]: 'drift-monitor', [ScheduledJobKind.EVAL]: 'eval-cron-job', [ScheduledJobKind.COST]: 'cost-report', [ScheduledJobKind.SPOT_PRICES]: 'spot-prices' }[props.kind],
      'app.kubernetes.io/instance': name,
      ...props.labels,
      'app.kubernetes.io/component': 'job',
      'app.kubernetes.io/managed-by': 'cdktf-ai-platform',
    };
    validateKubernetesLabels(owner, 'labels', labels);
    this.podLabels = labels;
    const meta = (objName: string) => ({ name: objName, namespace, labels: { ...labels } });

    // --- ConfigMap: bundle + config -------------------------------------------------------------
    this.owner = owner;
    const data: Record<string, string> = { [JOB_CONFIG_FILE_NAME]: JSON.stringify({ ...props.config, limits: this.limits }, null, 2) };
    const bundleFile = `${props.kind}.js`;
    if (!custom) data[bundleFile] = fs.readFileSync(jobBundlePath(props.kind), 'utf8');
    const configMapName = `${name}-job`;
    this.configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(configMapName), data };
    this.checkConfigMapSize();

    // --- locations: IAM and egress ----------------------------------------------------------------
    const reads = (props.reads ?? []).map((u, i) => parseJobLocation(owner, `reads[${i}]`, u));
    const writes = (props.writes ?? []).map((u, i) => parseJobLocation(owner, `writes[${i}]`, u, { output: true }));
    const calls = (props.egressUrls ?? []).map((u, i) => parseJobLocation(owner, `egressUrls[${i}]`, u));
    const kmsKeys = props.s3KmsKeyArns ?? [];
    kmsKeys.forEach((k, i) => {
      if (!Token.isUnresolved(k)) validatePattern(owner, `s3KmsKeyArns[${i}]`, k, KMS_KEY_ARN, 'be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');
    });
    this.statements = [...jobS3Statements(arnPartition(this, props.cluster.region), reads, writes, kmsKeys), ...(props.extraStatements ?? [])];
    const unscoped = [...reads, ...writes].filter((l) => l.s3 && l.s3.staticPrefix === '');
    if (unscoped.length > 0) {
      Annotations.of(owner).addWarning(`${unscoped.map((l) => l.url).join(', ')} ${unscoped.length > 1 ? 'have' : 'has'} no fixed key prefix: the job's role may read or write the whole bucket; put the data under a prefix`);
    }
    const serviceAccountName = name;
    if (this.statements.length > 0) {
      this.role = props.cluster.addServiceAccountRole(namespace, serviceAccountName, { statements: this.statements });
    }
    this.serviceAccount = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: this.role ? { ...meta(serviceAccountName), annotations: { 'eks.amazonaws.com/role-arn': this.role.roleArn } } : meta(serviceAccountName),
      automountServiceAccountToken: false,
    };

    // --- env ----------------------------------------------------------------------------------
    const env: JsonObject[] = [{ name: 'JOB_CONFIG_FILE', value: `${JOB_MOUNT_PATH}/${JOB_CONFIG_FILE_NAME}` }];
    if (!custom) {
      // V8 sizes its heap from the host's memory, not the container's limit: cap it below the limit so a
      // too-large window fails with a clear out-of-memory error instead of an OOM kill.
      env.push({ name: 'NODE_OPTIONS', value: `--max-old-space-size=${Math.max(64, Math.floor(memoryLimit.toMebibytes() * 0.75))}` });
    }
    if (this.role) env.push({ name: 'AWS_REGION', value: props.cluster.region });
    const envNames = new Set(env.map((e) => e.name as string));
    (props.secretEnv ?? []).forEach((s, i) => {
      validatePattern(owner, `secretEnv[${i}].name`, s.name, ENV_NAME, 'be an environment variable name');
      if (envNames.has(s.name)) throw new ValidationError(owner, `secretEnv[${i}].name`, s.name, 'is set twice');
      envNames.add(s.name);
      validateDns1123Subdomain(owner, `secretEnv[${i}].secretName`, s.secretName);
      validatePattern(owner, `secretEnv[${i}].secretKey`, s.secretKey, SECRET_KEY, 'be a Secret key (letters, digits, "-", "_", ".")');
      env.push({ name: s.name, valueFrom: { secretKeyRef: { name: s.secretName, key: s.secretKey } } });
    });

    const container: JsonObject = {
      name: JOB_CONTAINER_NAME,
      image: custom ? (props.image as string) : JOB_NODE_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      ...(custom ? {} : { command: ['node', `${JOB_MOUNT_PATH}/${bundleFile}`] }),
      ...(props.command ? { command: [...props.command] } : {}),
      ...(props.args ? { args: [...props.args] } : {}),
      env,
      resources: {
        requests: { cpu: `${Math.round(cpu * 1000)}m`, memory: memory.toKubernetes() },
        limits: { memory: memoryLimit.toKubernetes() },
      },
      securityContext: { ...restrictedContainerSecurityContext(), runAsUser: uid, runAsGroup: uid },
      volumeMounts: [
        { name: 'job', mountPath: JOB_MOUNT_PATH, readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    };
    const nodeSelector = props.nodeSelector ?? props.cluster.systemNodeSelector;
    const podSpec: JsonObject = {
      serviceAccountName,
      // The job never calls the Kubernetes API. IRSA does not need this token: EKS's pod identity
      // webhook adds its own projected token volume (aws-iam-token) for an annotated service account.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      restartPolicy: 'Never',
      securityContext: restrictedPodSecurityContext(uid),
      ...(nodeSelector && Object.keys(nodeSelector).length > 0 ? { nodeSelector: { ...nodeSelector } } : {}),
      containers: [container],
      volumes: [
        // 0444: the bundle and config are read, never written or executed as files.
        { name: 'job', configMap: { name: configMapName, defaultMode: 0o444 } },
        { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
      ],
    };

    this.cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(name),
      spec: {
        schedule: props.schedule.trim(),
        ...(props.timeZone !== undefined ? { timeZone: props.timeZone } : {}),
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: this.startingDeadlineSeconds,
        successfulJobsHistoryLimit: successfulHistory,
        failedJobsHistoryLimit: failedHistory,
        suspend: props.suspend ?? false,
        jobTemplate: {
          metadata: { labels: { ...labels } },
          spec: {
            backoffLimit,
            activeDeadlineSeconds: this.activeDeadlineSeconds,
            ttlSecondsAfterFinished: ttl,
            podFailurePolicy: {
              rules: [
                // Exit 2 is the job's verdict (gate failed, drift with failOnDrift): running it again gives the same answer.
                { action: 'FailJob', onExitCodes: { containerName: JOB_CONTAINER_NAME, operator: 'In', values: [JobExitCode.CHECK_FAILED] } },
                // Node drains and spot interruptions are not the job's fault: retry without counting them.
                // `status` is written out: the OpenAPI schema makes it optional (default "True"), but
                // API servers before kubernetes/kubernetes#131525 (fix of #131512, 2025-04) do not
                // apply that default inside a CronJob's jobTemplate and reject the CronJob with
                // "onPodConditions[0].status: Required value"; the clusters this library creates
                // (Kubernetes 1.31+) include such versions.
                { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
              ],
            },
            template: { metadata: { labels: { ...labels } }, spec: podSpec },
          },
        },
      },
    };

    // --- egress ---------------------------------------------------------------------------------
    if (props.restrictEgress ?? true) {
      const extra = props.allowEgressToNamespaces ?? [];
      extra.forEach((ns, i) => validateDns1123Label(owner, `allowEgressToNamespaces[${i}]`, ns));
      this.networkPolicy = egressPolicy(meta(`${name}-egress`), labels, namespace, [...(props.egressNamespaces ?? []), ...extra], [...reads, ...writes, ...calls]);
    }

    this.chart = new ManifestChart(this, 'objects', {
      releaseName: name,
      namespace,
      dependsOn: props.dependsOn,
      manifests: [this.configMap, this.serviceAccount, ...(this.networkPolicy ? [this.networkPolicy] : []), this.cronJob],
    });
  }

  /**
   * Replaces the job config (the ConfigMap's config file; `limits` are kept), for a config input
   * known only later, such as the cost report's estimate of pools added after it.
   * @param config the config document (`DriftJobConfig`, `EvalJobConfig`, ...), without `limits`
   */
  public updateConfig(config: JsonObject): void {
    (this.configMap.data as Record<string, string>)[JOB_CONFIG_FILE_NAME] = JSON.stringify({ ...config, limits: this.limits }, null, 2);
    this.checkConfigMapSize();
  }

  private checkConfigMapSize(): void {
    const bytes = this.configMapBytes;
    if (bytes >= CONFIGMAP_LIMIT_BYTES) {
      throw new ValidationError(this.owner, 'config', `${bytes} bytes`, `makes the job ConfigMap larger than the Kubernetes limit of ${CONFIGMAP_LIMIT_BYTES} bytes (1 MiB): shorten the config or run your own image`);
    }
  }

  /** The CronJob as it will run (for the policy Aspect). */
  public renderedWorkloads(): RenderedWorkload[] {
    const spec = this.cronJob.spec as JsonObject;
    const template = ((spec.jobTemplate as JsonObject).spec as JsonObject).template as JsonObject;
    return [{
      kind: 'CronJob',
      name: this.cronJobName,
      namespace: this.namespace,
      podSpec: template.spec as JsonObject,
      podMetadata: template.metadata as JsonObject,
      object: this.cronJob as unknown as JsonObject,
      source: 'manifest',
    }];
  }
}

/** The IAM statements for the S3 locations a job reads and writes. */
export function jobS3Statements(partition: string, reads: JobLocation[], writes: JobLocation[], kmsKeyArns: string[]): PolicyStatement[] {
  const objectArn = (bucket: string, prefix: string) => `arn:${partition}:s3:::${bucket}/${prefix}*`;
  const minimal = (prefixes: string[]) => [...new Set(prefixes)].filter((p, _, all) => !all.some((q) => q !== p && p.startsWith(q))).sort();
  const byBucket = (locs: JobLocation[]) => {
    const m = new Map<string, string[]>();
    for (const l of locs) if (l.s3) m.set(l.s3.bucket, [...(m.get(l.s3.bucket) ?? []), l.s3.staticPrefix]);
    return [...m.entries()].sort(([a], [b]) => byCodeUnit(a, b)).map(([bucket, prefixes]) => ({ bucket, prefixes: minimal(prefixes) }));
  };
  const readBuckets = byBucket(reads);
  const writeBuckets = byBucket(writes);
  const out: PolicyStatement[] = [];
  if (readBuckets.length > 0) {
    out.push({ sid: 'ReadObjects', actions: ['s3:GetObject'], resources: readBuckets.flatMap((b) => b.prefixes.map((p) => objectArn(b.bucket, p))) });
    // A prefix or directory is read with ListObjectsV2; without ListBucket a missing key answers 403, not 404.
    for (const b of readBuckets) {
      const all = b.prefixes.includes('');
      out.push({
        sid: `List${sidPart(b.bucket)}`,
        actions: ['s3:ListBucket'],
        resources: [`arn:${partition}:s3:::${b.bucket}`],
        conditions: all ? undefined : [{ test: 'StringLike', variable: 's3:prefix', values: b.prefixes.map((p) => `${p}*`) }],
      });
    }
  }
  if (writeBuckets.length > 0) {
    out.push({ sid: 'WriteObjects', actions: ['s3:PutObject'], resources: writeBuckets.flatMap((b) => b.prefixes.map((p) => objectArn(b.bucket, p))) });
  }
  if (kmsKeyArns.length > 0 && out.length > 0) {
    const actions = [...(readBuckets.length > 0 ? ['kms:Decrypt'] : []), ...(writeBuckets.length > 0 ? ['kms:GenerateDataKey'] : [])];
    out.push({ sid: 'S3Kms', actions, resources: [...kmsKeyArns] });
  }
  return out;
}

function sidPart(bucket: string): string {
  return bucket.split(/[^A-Za-z0-9]/).filter((p) => p.length > 0).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

function egressPolicy(metadata: KubernetesObject['metadata'], podLabels: Record<string, string>, ownNamespace: string, namespaces: string[], locations: JobLocation[]): KubernetesObject {
  const nsPeer = (ns: string): JsonObject => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
  const targets: string[] = [];
  const addNs = (ns: string) => {
    if (!targets.includes(ns)) targets.push(ns);
  };
  namespaces.forEach(addNs);
  const ports = new Set<number>();
  for (const l of locations) {
    if (!l.http) continue;
    if (l.http.clusterNamespace) addNs(l.http.clusterNamespace);
    else if (l.http.sameNamespace) addNs(ownNamespace);
    else if (l.http.port !== 443) ports.add(l.http.port);
  }
  const rules: JsonValue[] = [
    // DNS (CoreDNS on EKS carries k8s-app=kube-dns).
    {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    },
    // HTTPS: S3, STS (IRSA), external model and judge APIs. Their addresses are not fixed.
    { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] },
  ];
  if (targets.length > 0) {
    // The Service port and the pod port may differ (NetworkPolicy sees the pod's): allow the namespace.
    rules.push({ to: targets.map(nsPeer) });
  }
  if (ports.size > 0) {
    rules.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [...ports].sort((a, b) => a - b).map((p) => ({ port: p, protocol: 'TCP' })) });
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata,
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': podLabels['app.kubernetes.io/name'], 'app.kubernetes.io/instance': podLabels['app.kubernetes.io/instance'] } },
      policyTypes: ['Egress'],
      egress: rules,
    },
  };
}
