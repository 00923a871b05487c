import { IConstruct } from 'constructs';
import { TerraformStack, Token } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ValidationError } from '../core/errors';
import { formatIpv4Cidr, Ipv4Cidr, parseIpv4Cidr } from '../core/cidr';
import { checkArnRegion, regionOfAvailabilityZone, validateRegion } from '../core/regions';
import { validateDns1123Label } from '../core/names';
import { checkClusterReference } from '../cluster/reference-checks';
import { AiCluster } from '../cluster/ai-cluster';
import { PlatformNamespace } from '../k8s/platform-namespace';
import { GpuCapacityMode, CapacityPreference, IGpuNodePool } from '../gpu/types';
import { VllmServingStack } from '../serving/vllm-serving-stack';
import { MlflowRegistry } from '../registry/mlflow-registry';
import type { AiPlatformProps } from './ai-platform';

// Whole-platform consistency: facts that are each valid alone but disagree with another prop or
// with the platform (docs/operations.md#platform-consistency). Checked in two passes: the props
// before anything is created (regions, names, what must exist), and the constructs once built
// (what the serving stacks may ask of their pools, the CIDRs traffic really comes from, duplicate
// Helm releases and Secrets under every default). Values that are Terraform references are known
// only at apply time and pass.

/** Namespaces and Secrets the platform uses but does not create (bring-your-own resources). */
export interface PlatformExistingResources {
  /**
   * Namespaces that exist before `cdktf deploy` (created by another team or stack). Drift
   * monitors, evaluations, serving stacks with `createNamespace: false` and `clientNamespaces` may
   * name them; naming a namespace that is neither created by the platform nor listed here fails synth.
   * @default - none (kube-system, kube-public, kube-node-lease and default always exist)
   */
  readonly namespaces?: string[];
  /**
   * Secrets, as `"namespace/name"`, that exist before `cdktf deploy` (Hugging Face token, alert
   * webhook, API keys of `apiKey.existingSecretName` or `apiKeySecret`): a Secret a prop names must be
   * created by the platform or listed here.
   * @default - none
   */
  readonly secrets?: string[];
}

const BUILT_IN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Who creates a namespace: the prop that names it. */
type Owners = Map<string, string>;

/** The namespaces the platform creates from `props`, each with the prop that names it. */
function createdNamespaces(scope: IConstruct, props: AiPlatformProps): Owners {
  const owners: Owners = new Map();
  const add = (ns: string | undefined, prop: string) => {
    if (ns === undefined || Token.isUnresolved(ns)) return;
    const first = owners.get(ns);
    if (first !== undefined) {
      throw new ValidationError(scope, prop, ns, `is also the namespace ${first} creates: two constructs would create (and later delete) the same namespace; give each its own namespace, or set createNamespace: false where it is shared`);
    }
    owners.set(ns, prop);
  };
  add(props.observability?.namespace ?? 'monitoring', 'observability.namespace');
  if ((props.gpuPools ?? []).length > 0) add(props.gpuOperator?.namespace ?? 'gpu-operator', 'gpuOperator.namespace');
  if (props.registry) {
    add('external-secrets', 'registry (the External Secrets Operator)');
    if (props.registry.createNamespace ?? true) add(props.registry.namespace ?? 'mlflow', 'registry.namespace');
  }
  for (const s of props.serving ?? []) {
    if (s.createNamespace ?? true) add(s.namespace ?? s.releaseName ?? s.id, `serving[${s.id}].namespace`);
  }
  if ((props.driftMonitors ?? []).length > 0) add(props.jobsNamespace ?? 'ml-jobs', 'jobsNamespace');
  return owners;
}

/** The namespace a serving stack's objects go to. */
function servingNamespace(s: NonNullable<AiPlatformProps['serving']>[number]): string {
  return s.namespace ?? s.releaseName ?? s.id;
}

/**
 * Checks the props of the platform against each other, before any construct is created.
 * @param scope the platform construct
 * @param props its props
 */
export function checkPlatformProps(scope: IConstruct, props: AiPlatformProps): void {
  const region = validateRegion(scope, 'region', props.region);

  // Zones of the created cluster are zones of the region.
  (props.cluster?.availabilityZones ?? []).forEach((az, i) => {
    if (typeof az !== 'string' || Token.isUnresolved(az) || Token.isUnresolved(region)) return;
    const azRegion = regionOfAvailabilityZone(az);
    if (azRegion !== undefined && azRegion !== region) {
      throw new ValidationError(scope, `cluster.availabilityZones[${i}]`, az, `must be a zone of the platform's region ${region} (e.g. "${region}a" or a zone id of ${region}); "${az}" is in ${azRegion}`);
    }
  });
  if (props.existingCluster) checkClusterReference(scope, 'existingCluster', props.existingCluster, region);

  // Regional ARNs: an ALB takes a certificate of its own region, KMS keys and Secrets Manager
  // secrets are used in their region, S3 regions are real regions.
  for (const s of props.serving ?? []) {
    checkArnRegion(scope, `serving[${s.id}].ingress.certificateArn`, s.ingress?.certificateArn, region, 'an ACM certificate');
  }
  checkArnRegion(scope, 'registry.ingress.certificateArn', props.registry?.ingress?.certificateArn, region, 'an ACM certificate');
  checkArnRegion(scope, 'registry.adminCredentialsSecretArn', props.registry?.adminCredentialsSecretArn, region, 'a Secrets Manager secret');
  checkArnRegion(scope, 'registry.adminCredentialsKmsKeyArn', props.registry?.adminCredentialsKmsKeyArn, region, 'a KMS key');
  for (const [kind, jobs] of [['driftMonitors', props.driftMonitors ?? []], ['evaluations', props.evaluations ?? []]] as const) {
    for (const j of jobs) {
      if (j.s3Region !== undefined) validateRegion(scope, `${kind}[${j.id}].s3Region`, j.s3Region);
    }
  }

  // Declared existing resources.
  const existing = props.existing ?? {};
  (existing.namespaces ?? []).forEach((ns, i) => validateDns1123Label(scope, `existing.namespaces[${i}]`, ns));
  (existing.secrets ?? []).forEach((s, i) => {
    const m = typeof s === 'string' ? /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(s) : null;
    if (!m) throw new ValidationError(scope, `existing.secrets[${i}]`, s, 'must be "namespace/name" of a Secret, e.g. "chat/hf-token"');
  });

  const created = createdNamespaces(scope, props);
  (existing.namespaces ?? []).forEach((ns, i) => {
    const owner = created.get(ns);
    if (owner !== undefined) throw new ValidationError(scope, `existing.namespaces[${i}]`, ns, `is created by the platform (${owner}): Terraform would fail creating a namespace that exists; remove it from existing.namespaces, or set createNamespace: false on ${owner.replace(/\.namespace$/, '')}`);
  });
  const available = new Set([...created.keys(), ...(existing.namespaces ?? []), ...BUILT_IN_NAMESPACES]);
  const mustExist = (prop: string, ns: string | undefined, hint: string) => {
    if (ns === undefined || typeof ns !== 'string' || Token.isUnresolved(ns) || available.has(ns)) return;
    throw new ValidationError(scope, prop, ns, `names a namespace the platform does not create and that is not declared in existing.namespaces (created: ${[...created.keys()].map((n) => JSON.stringify(n)).join(', ')}); ${hint}`);
  };
  const jobsNamespace = props.jobsNamespace ?? 'ml-jobs';
  for (const d of props.driftMonitors ?? []) {
    mustExist(`driftMonitors[${d.id}].namespace`, d.namespace, `use jobsNamespace ("${jobsNamespace}"), or list the namespace in existing.namespaces if it exists`);
  }
  const servingById = new Map((props.serving ?? []).map((s) => [s.id, s]));
  for (const s of props.serving ?? []) {
    if (!(s.createNamespace ?? true)) mustExist(`serving[${s.id}].namespace`, servingNamespace(s), 'createNamespace is false: list it in existing.namespaces, or let the stack create it');
    (s.clientNamespaces ?? []).forEach((ns, i) => mustExist(`serving[${s.id}].clientNamespaces[${i}]`, ns, 'the NetworkPolicy would admit a namespace nobody creates: fix the name or list it in existing.namespaces'));
  }
  if (props.registry && props.registry.createNamespace === false) {
    mustExist('registry.namespace', props.registry.namespace ?? 'mlflow', 'createNamespace is false: list it in existing.namespaces, or let the registry create it');
  }
  for (const e of props.evaluations ?? []) {
    mustExist(`evaluations[${e.id}].namespace`, e.namespace, 'run it in the serving stack\'s namespace (the default) or list it in existing.namespaces');
    const s = servingById.get(e.serving);
    if (s && e.namespace !== undefined && !Token.isUnresolved(e.namespace)) {
      const clients = s.clientNamespaces ?? [servingNamespace(s)];
      if (!clients.includes(e.namespace)) {
        throw new ValidationError(scope, `evaluations[${e.id}].namespace`, e.namespace, `is not admitted by serving stack ${s.id}: its NetworkPolicy admits only clientNamespaces ${JSON.stringify(clients)}, so every request of the evaluation would be dropped; add "${e.namespace}" to serving[${s.id}].clientNamespaces or run the evaluation in "${servingNamespace(s)}"`);
      }
    }
  }
  for (const d of props.driftMonitors ?? []) {
    const sig = d.servingSignals;
    if (!sig || typeof sig.servingNamespace !== 'string' || Token.isUnresolved(sig.servingNamespace)) continue;
    const stacks = (props.serving ?? []).filter((s) => servingNamespace(s) === sig.servingNamespace);
    if ((props.serving ?? []).length > 0 && stacks.length === 0) {
      throw new ValidationError(scope, `driftMonitors[${d.id}].servingSignals.servingNamespace`, sig.servingNamespace, `must be the namespace of one of the platform's serving stacks (${(props.serving ?? []).map((s) => JSON.stringify(servingNamespace(s))).join(', ')}): the rules select vLLM metrics by namespace and would never match`);
    }
  }
}

/** Secrets a prop names: the prop, the namespace and the name. */
interface SecretUse { readonly prop: string; readonly namespace: string; readonly name: string }

function secretUses(props: AiPlatformProps, platform: { readonly serving: Record<string, VllmServingStack>; readonly observability: { readonly namespace: string } }): SecretUse[] {
  const uses: SecretUse[] = [];
  const obsNs = props.observability?.namespace ?? 'monitoring';
  void platform.observability;
  if (props.observability?.alertReceiver?.secretName) uses.push({ prop: 'observability.alertReceiver.secretName', namespace: obsNs, name: props.observability.alertReceiver.secretName });
  if (props.observability?.grafanaAdminSecret) uses.push({ prop: 'observability.grafanaAdminSecret', namespace: obsNs, name: props.observability.grafanaAdminSecret });
  for (const s of props.serving ?? []) {
    const ns = platform.serving[s.id]?.namespace ?? servingNamespace(s);
    if (s.huggingFaceToken?.secretName) uses.push({ prop: `serving[${s.id}].huggingFaceToken.secretName`, namespace: ns, name: s.huggingFaceToken.secretName });
    if (s.apiKey?.existingSecretName) uses.push({ prop: `serving[${s.id}].apiKey.existingSecretName`, namespace: ns, name: s.apiKey.existingSecretName });
  }
  for (const e of props.evaluations ?? []) {
    const ns = e.namespace ?? platform.serving[e.serving]?.namespace;
    if (ns === undefined) continue;
    if (e.apiKeySecret?.secretName) uses.push({ prop: `evaluations[${e.id}].apiKeySecret.secretName`, namespace: ns, name: e.apiKeySecret.secretName });
    if (e.judge?.apiKeySecret?.secretName) uses.push({ prop: `evaluations[${e.id}].judge.apiKeySecret.secretName`, namespace: ns, name: e.judge.apiKeySecret.secretName });
  }
  return uses.filter((u) => !Token.isUnresolved(u.name) && !Token.isUnresolved(u.namespace));
}

/** Info and warnings of the whole-platform check, annotated by the platform once, at synth. */
export interface PlatformNotes {
  /** Info annotations. */
  readonly info: string[];
  /** Warning annotations. */
  readonly warnings: string[];
}

/** What {@link checkPlatformResult} needs of the platform. */
export interface BuiltPlatform extends IConstruct {
  /** The platform stack. */
  readonly platformStack: TerraformStack;
  /** The created cluster, if any. */
  readonly aiCluster?: AiCluster;
  /** GPU pools by name. */
  readonly gpuPools: Record<string, IGpuNodePool>;
  /** Serving stacks by id. */
  readonly serving: Record<string, VllmServingStack>;
  /** The registry. */
  readonly registry?: MlflowRegistry;
  /** The metrics backbone. */
  readonly observability: { readonly namespace: string };
}

/**
 * Checks the built platform: duplicate namespaces, Helm releases and Secrets under every default;
 * what serving stacks may ask of their pools; the CIDRs the load balancers' traffic comes from;
 * that every Secret a prop names exists. Returns the notes (an info listing what the platform
 * creates and what must exist before `cdktf deploy`; capacity warnings) for the platform to annotate.
 */
export function checkPlatformResult(p: BuiltPlatform, props: AiPlatformProps): PlatformNotes {
  const notes: PlatformNotes = { info: [], warnings: [] };
  const scope: IConstruct = p;
  const all = p.platformStack.node.findAll();

  // Namespaces created twice (also those created implicitly, such as KEDA's).
  const nsOwners = new Map<string, string>();
  for (const c of all) {
    if (!(c instanceof PlatformNamespace)) continue;
    const name = c.namespace.metadataInput?.name;
    if (name === undefined || Token.isUnresolved(name)) continue;
    const path = c.node.path;
    const first = nsOwners.get(name);
    if (first !== undefined) throw new ValidationError(scope, propOfPath(p, path, 'namespace'), name, `is created twice (${first} and ${path}): give each construct its own namespace or set createNamespace: false on one`);
    nsOwners.set(name, path);
  }
  // Helm releases: a release name is unique within its namespace. Releases take their namespace
  // as a reference to the namespace resource (for ordering): map it back to the name.
  const nsByToken = new Map<string, string>();
  for (const c of all) {
    if (c instanceof PlatformNamespace && c.namespace.metadataInput?.name !== undefined) nsByToken.set(c.name, c.namespace.metadataInput.name);
  }
  const releases = new Map<string, string>();
  for (const c of all) {
    if (!(c instanceof Release)) continue;
    const ns = c.namespaceInput === undefined ? 'default' : nsByToken.get(c.namespaceInput) ?? c.namespaceInput;
    const key = `${ns}/${c.nameInput}`;
    if (c.nameInput === undefined || Token.isUnresolved(key)) continue;
    const first = releases.get(key);
    if (first !== undefined) throw new ValidationError(scope, propOfPath(p, c.node.path, 'releaseName'), c.nameInput, `is a Helm release that ${first} also installs in namespace ${ns}: Helm keeps one release per name and namespace; give one of them another releaseName or namespace`);
    releases.set(key, c.node.path);
  }
  // Secrets created by the platform.
  const createdSecrets = new Map<string, string>();
  for (const c of all) {
    if (!(c instanceof SecretV1)) continue;
    const md = c.metadataInput;
    if (!md?.name || Token.isUnresolved(md.name) || Token.isUnresolved(md.namespace ?? '')) continue;
    const key = `${md.namespace ?? 'default'}/${md.name}`;
    const first = createdSecrets.get(key);
    if (first !== undefined) throw new ValidationError(scope, propOfPath(p, c.node.path, 'secret'), key, `is a Secret ${first} also creates: rename one of them`);
    createdSecrets.set(key, c.node.path);
  }
  for (const s of Object.values(p.serving)) createdSecrets.set(`${s.namespace}/${s.apiKeySecretName}`, s.node.path);

  // Secrets the props name must exist.
  const declared = new Set(props.existing?.secrets ?? []);
  const uses = secretUses(props, p);
  for (const u of uses) {
    const key = `${u.namespace}/${u.name}`;
    if (createdSecrets.has(key) || declared.has(key)) continue;
    throw new ValidationError(scope, u.prop, u.name, `names Secret "${key}", which the platform does not create: create it before \`cdktf deploy\` and declare it in existing.secrets ("${key}"), so the pods do not wait forever on a missing Secret`);
  }

  // A drift monitor's model names a served model of the platform (when it serves any): the alerts'
  // model label routes with every other alert of that model.
  const stacks = Object.values(p.serving);
  for (const d of props.driftMonitors ?? []) {
    if (d.model === undefined || typeof d.model !== 'string' || Token.isUnresolved(d.model) || stacks.length === 0) continue;
    if (!stacks.some((s) => s.servedModelNames[d.model!] !== undefined)) {
      const names = [...new Set(stacks.flatMap((s) => Object.keys(s.servedModelNames)))];
      throw new ValidationError(scope, `driftMonitors[${d.id}].model`, d.model, `must name a model the platform serves (${names.map((n) => JSON.stringify(n)).join(', ')}): the alerts' model label would match no serving alert`);
    }
  }

  checkCapacity(p, props, notes);
  checkLoadBalancerCidrs(p, props);

  // Say at synth what the platform creates and what must exist before apply.
  const mustExist = [...(props.existing?.namespaces ?? []).map((n) => `namespace ${n}`), ...uses.filter((u) => declared.has(`${u.namespace}/${u.name}`)).map((u) => `Secret ${u.namespace}/${u.name} (${u.prop})`)];
  notes.info.push(`namespaces created by the platform: ${[...nsOwners.keys()].sort().join(', ') || 'none'}; must exist before cdktf deploy: ${mustExist.join(', ') || 'nothing'}`);
  return notes;
}

/** The platform prop behind a construct path (for errors found on the built tree). */
function propOfPath(p: BuiltPlatform, path: string, leaf: string): string {
  const rel = path.slice(p.platformStack.node.path.length + 1).split('/');
  const top = rel[0];
  if (p.serving[top]) return `serving[${top}].${leaf}`;
  if (top === 'registry') return `registry.${leaf}`;
  if (top === 'observability') return `observability.${leaf}`;
  if (top === 'gpu-operator') return `gpuOperator.${leaf}`;
  if (top === 'jobs-namespace') return 'jobsNamespace';
  return `${top}.${leaf}`;
}

/** GPUs a pool may hold at once (nvidia.com/gpu units: time-slicing multiplies them), undefined for MIG. */
function poolGpuLimit(pool: IGpuNodePool, props: AiPlatformProps): number | undefined {
  const o = (props.gpuPools ?? []).find((x) => x.poolName === pool.poolName);
  if (!o || pool.sharing?.migProfile) return undefined;
  const perNode = Math.min(...pool.instanceTypes.map((t) => t.gpuCount));
  const maxGpus = o.maxGpus ?? 16;
  let gpus: number;
  if (pool.mode === GpuCapacityMode.KARPENTER) {
    gpus = maxGpus;
  } else {
    const groups = pool.capacity === CapacityPreference.SPOT_WITH_ON_DEMAND_FALLBACK ? 2 : 1;
    gpus = groups * (o.maxSize ?? Math.max(1, Math.floor(maxGpus / perNode))) * perNode;
  }
  return gpus * (pool.sharing?.timeSlicingReplicas ?? 1);
}

/**
 * What the serving stacks and their autoscalers may ask of each pool, against the pool's limit: the
 * minimum replicas of all stacks must fit (else some never schedule), and each stack's maximum must
 * fit (else its autoscaler asks for capacity the pool can never give and pods stay pending).
 * Several stacks whose maxima only fit one at a time share the pool: a warning.
 */
function checkCapacity(p: BuiltPlatform, props: AiPlatformProps, notes: PlatformNotes): void {
  for (const pool of Object.values(p.gpuPools)) {
    const limit = poolGpuLimit(pool, props);
    if (limit === undefined) continue;
    const stacks = Object.entries(p.serving).filter(([, s]) => s.gpuPool === pool);
    let minTotal = 0;
    let maxTotal = 0;
    for (const [id, s] of stacks) {
      const min = s.plans.reduce((n, m) => n + m.replicas.min * m.tensorParallelSize, 0);
      const max = s.plans.reduce((n, m) => n + m.replicas.max * m.tensorParallelSize, 0);
      minTotal += min;
      maxTotal += max;
      if (max > limit) {
        const detail = s.plans.map((m) => `${m.name}: ${m.replicas.max} × ${m.tensorParallelSize} GPU`).join(', ');
        throw new ValidationError(p, `serving[${id}].models`, s.plans.map((m) => ({ name: m.name, replicas: m.replicas })), `may ask for ${max} GPUs at maximum replicas (${detail}), more than pool ${pool.poolName} can hold (${limit}); lower replicas.max or raise the pool's ${pool.mode === GpuCapacityMode.KARPENTER ? 'maxGpus' : 'maxSize or maxGpus'} to at least ${max}`);
      }
      if (minTotal > limit) {
        throw new ValidationError(p, `serving[${id}].models`, s.plans.map((m) => ({ name: m.name, replicas: m.replicas })), `brings the minimum replicas on pool ${pool.poolName} to ${minTotal} GPUs, more than the pool can hold (${limit}): some replicas would never be scheduled; lower replicas.min or raise the pool's limit`);
      }
    }
    if (maxTotal > limit) {
      notes.warnings.push(`the serving stacks on pool ${pool.poolName} may ask for ${maxTotal} GPUs together at maximum replicas, the pool holds ${limit}: they cannot all scale out at once`);
    }
  }
}

/**
 * The NetworkPolicy of a serving stack (and the registry) admits its internal ALB by
 * `loadBalancerSourceCidrs`; the ALB connects from addresses of the private subnets. On a created
 * cluster those subnets are known: CIDRs that do not cover them would drop the ALB's traffic, and
 * CIDRs outside the VPC admit nothing the ALB uses. On an existing cluster the subnets' CIDRs are not
 * known at synth (only their ids).
 */
function checkLoadBalancerCidrs(p: BuiltPlatform, props: AiPlatformProps): void {
  if (!p.aiCluster) return;
  const vpcCidr = parseIpv4Cidr(props.cluster?.vpcCidr ?? '10.0.0.0/16');
  const subnets = p.aiCluster.network.privateSubnets.map((s) => s.cidrBlockInput).filter((c): c is string => typeof c === 'string' && !Token.isUnresolved(c));
  const check = (prop: string, cidrs: string[] | undefined) => {
    if (!cidrs || !vpcCidr || cidrs.some((c) => Token.isUnresolved(c))) return;
    const parsed = cidrs.map((c) => parseIpv4Cidr(c)).filter((c): c is Ipv4Cidr => c !== undefined);
    const missing = subnets.filter((sub) => {
      const sc = parseIpv4Cidr(sub);
      return sc !== undefined && !parsed.some((c) => contains(c, sc));
    });
    if (missing.length > 0) {
      throw new ValidationError(p, prop, cidrs, `must cover the private subnets the internal ALB runs in (${subnets.join(', ')}): traffic from ${missing.join(', ')} would be dropped by the NetworkPolicy; use the VPC CIDR ${formatIpv4Cidr(vpcCidr)}`);
    }
    const outside = parsed.filter((c) => !contains(vpcCidr, c) && !contains(c, vpcCidr));
    if (outside.length > 0) {
      throw new ValidationError(p, prop, cidrs, `lists ${outside.map(formatIpv4Cidr).join(', ')}, outside the VPC ${formatIpv4Cidr(vpcCidr)}: the internal ALB never connects from there; list the VPC CIDR ${formatIpv4Cidr(vpcCidr)}`);
    }
  };
  for (const s of props.serving ?? []) check(`serving[${s.id}].ingress.loadBalancerSourceCidrs`, s.ingress?.loadBalancerSourceCidrs);
  check('registry.ingress.loadBalancerSourceCidrs', props.registry?.ingress?.loadBalancerSourceCidrs);
}

function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  if (inner.prefix < outer.prefix) return false;
  const mask = outer.prefix === 0 ? 0 : (0xffffffff << (32 - outer.prefix)) >>> 0;
  return ((inner.address & mask) >>> 0) === outer.address;
}
