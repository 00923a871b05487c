import { GUARDRAIL_RULES } from './catalog';
import { mdCell } from './internal/markdown';
import { GuardrailRule } from './types';

/** A suppression the library's own constructs are expected to apply, with its reason. */
export interface ExpectedSuppression {
  /** The construct that applies it. */
  readonly construct: string;
  /** Rule ids it suppresses. */
  readonly ruleIds: string[];
  /** Subjects it is narrowed to (`appliesTo`), in words. */
  readonly appliesTo: string;
  /** The reason the construct passes to `PlatformGuardrails.suppress`. */
  readonly reason: string;
}

/**
 * The library's necessary exceptions to the baseline. Each construct applies its suppressions with
 * `PlatformGuardrails.suppress(this, ruleId, reason, { appliesTo })` and only for rules that its
 * rendered objects actually break (an unused suppression is reported as AIP-000).
 */
export const EXPECTED_LIBRARY_SUPPRESSIONS: readonly ExpectedSuppression[] = [
  {
    construct: 'AiCluster',
    ruleIds: [],
    appliesTo: '-',
    reason: 'None: the default cluster passes every AWS rule (tested in test/policy).',
  },
  {
    construct: 'GpuOperator (its PlatformNamespace)',
    ruleIds: ['AIP-190'],
    appliesTo: 'the operator namespace',
    reason: 'GPU operator operands (device plugin, DCGM exporter, validators, MIG manager) need host access, so the operator namespace enforces Pod Security privileged; nothing else runs there.',
  },
  {
    construct: 'GpuOperator',
    ruleIds: ['CKV_K8S_16', 'CKV_K8S_17', 'CKV_K8S_19', 'AIP-180', 'CKV_K8S_20', 'CKV_K8S_23', 'CKV_K8S_22', 'CKV_K8S_37'],
    appliesTo: 'DaemonSet/<operator namespace>/* (the operands it renders through IWorkloadSource)',
    reason: 'GPU operator operands talk to the NVIDIA driver and the kubelet device-plugin socket on the host: they run privileged, as root, with hostPath mounts (NVIDIA/gpu-operator); only the rules their rendered settings break.',
  },
  {
    construct: 'Karpenter (controller IAM policy)',
    ruleIds: ['CKV_AWS_355'],
    appliesTo: 'the ServiceAccountRole of the controller (its policy document)',
    reason: 'Karpenter launches and terminates instances it cannot name in advance; unconditioned writes on "*" are limited to what the upstream controller policy needs. Statements scoped by tag conditions pass without a suppression.',
  },
  {
    construct: 'AwsLoadBalancerController (controller IAM policy)',
    ruleIds: ['CKV_AWS_355'],
    appliesTo: 'the ServiceAccountRole of the controller (its policy document)',
    reason: 'The AWS Load Balancer Controller creates and changes load balancers, listeners, target groups and security groups it cannot name in advance; the policy is the one the project publishes (kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json).',
  },
  {
    construct: 'Controllers: Karpenter, GpuOperator, KEDA, ExternalSecretsOperator, kube-prometheus-stack operator and kube-state-metrics, cluster-autoscaler',
    ruleIds: ['CKV_K8S_38'],
    appliesTo: 'the controller workload',
    reason: 'The controller reads and writes Kubernetes objects through the API server, so it needs its service account token.',
  },
  {
    construct: 'Observability (kube-prometheus-stack node-exporter), when enabled',
    ruleIds: ['CKV_K8S_17', 'CKV_K8S_19', 'AIP-180', 'AIP-190'],
    appliesTo: 'DaemonSet/<monitoring namespace>/*node-exporter* and its namespace',
    reason: 'node-exporter reads the host /proc and /sys in the host network and PID namespaces to report node metrics.',
  },
];

/** What the guardrails cannot see in the synthesized output, and why. */
export const GUARDRAIL_BLIND_SPOTS: readonly string[] = [
  'Values known only at apply time (resource references, data sources, variables, cross-stack outputs): the check is undecided and listed under `undecided` in the report, not annotated. Example: the subnets of an imported cluster.',
  'Objects created at runtime by operators and controllers (GPU operator operands from the ClusterPolicy, nodes Karpenter launches, load balancers and their security groups): they are not in the synthesized output. Constructs render what they can through `IWorkloadSource`.',
  'Third-party chart defaults: only the values the library sets and the pod settings a construct renders (`source: chart`) are checked; a missing field there is undecided, because the chart may set it.',
  'Account-level defaults: EBS encryption by default, the account S3 public access block, EKS-generated launch templates (a node group without a launch template fails AIP-110 for that reason).',
  'IAM semantics: which actions support resource-level permissions (CKV_AWS_355 approximates it by the action verb), the content of AWS managed policies, `jsonencode()` policies and merged policy documents (`source_policy_documents`).',
  'Workloads declared with the kubernetes provider’s workload resources (`kubernetes_deployment_v1`, …): the library renders workloads as local-chart manifests, which are checked; provider namespaces, NetworkPolicies and PodDisruptionBudgets are checked.',
  'Helm values given as YAML strings (no YAML parser in the library at runtime): secrets in them are found only by their format (AKIA…, private keys, tokens); the library itself writes JSON values.',
  'Enforcement at runtime: that Pod Security admission and NetworkPolicies are enforced (the VPC CNI network policy agent), that the KMS key policy allows what is needed.',
  '"Egress scoped where practical" (security groups) and "multi_az" / "IAM auth" for RDS are judgement calls: no rule, or an info-level rule.',
  'Whether a subnet is private is decided only for subnets created in the same stack (no internet-gateway route, no public IPs on launch).',
];

function catalogTable(rules: readonly GuardrailRule[]): string[] {
  return [
    '| id | severity | rule | fix | requirement | checked on | note |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rules.map((r) => `| ${[r.id, r.severity, r.title, r.fix, r.securityRow, r.appliesTo.join(', '), r.note ?? ''].map(mdCell).join(' | ')} |`),
  ];
}

const AREAS = ['EKS', 'nodes', 'KMS', 'S3', 'RDS', 'network', 'IAM', 'outputs', 'state', 'Kubernetes', 'guardrails'];

/**
 * The text of `docs/guardrails.md`, generated from `GUARDRAIL_RULES`,
 * `EXPECTED_LIBRARY_SUPPRESSIONS` and `GUARDRAIL_BLIND_SPOTS` (a test keeps the file in sync).
 */
export function renderGuardrailsDocument(): string {
  const lines: string[] = [
    '# Policy guardrails',
    '',
    '<!-- Generated from lib/policy (GUARDRAIL_RULES, EXPECTED_LIBRARY_SUPPRESSIONS, GUARDRAIL_BLIND_SPOTS) by',
    '     renderGuardrailsDocument(). Do not edit: run `UPDATE_GUARDRAILS_DOC=1 npx jest test/policy/docs` instead. -->',
    '',
    '`PlatformGuardrails` proves the platform\'s security and reliability baseline (the requirement column of the rule catalog below) on every synthesized',
    'platform. It is a cdktf Aspect in the style of cdk-nag v2: pure rules over the synthesized attributes of',
    'every Terraform resource (the JSON `cdktf synth` writes, references as `${...}` expressions) and over the',
    'Kubernetes objects the library renders (`ManifestChart` manifests, `IWorkloadSource.renderedWorkloads()`).',
    '',
    '## Use',
    '',
    '```ts',
    "import { PlatformGuardrails, GuardrailMode } from 'cdktf-ai-platform';",
    '',
    'PlatformGuardrails.applyTo(stack);                              // every construct of the stack',
    'PlatformGuardrails.applyTo(app, { mode: GuardrailMode.WARN });  // every stack of the app, findings as warnings',
    'const report = PlatformGuardrails.check(app);                   // findings now, no annotations',
    '```',
    '',
    '- Each finding is an annotation on the construct, `[<rule id>] <rule>: <detail>. Fix: <fix>`.',
    '- Severity `error` becomes an error annotation: `cdktf synth` fails (the CLI prints the annotations and',
    '  exits non-zero; `app.synth()` throws). `GuardrailMode.WARN` reports errors as warnings instead;',
    '  `severityOverrides` changes single rules. `warning` and `info` never fail synth.',
    '- A check that needs a value known only at apply time is **undecided**: not annotated, listed in',
    '  `report().undecided`.',
    '- cdktf runs Aspects per stack: an Aspect added to the App is never invoked. `applyTo(app)` adds it to',
    '  every stack that exists at that moment.',
    '- `guardrails.report()` / `PlatformGuardrails.check(scope)` return findings, suppressed findings (with',
    '  reasons), every suppression with its use count, unused suppressions and undecided checks;',
    '  `renderGuardrailReport(report)` renders them as Markdown.',
    '',
    '## Suppressions',
    '',
    '```ts',
    "import { PlatformGuardrails } from 'cdktf-ai-platform';",
    '',
    "PlatformGuardrails.suppress(this, 'CKV_K8S_16', 'GPU operator operands need the host driver', {",
    "  appliesTo: ['DaemonSet/gpu-operator/*'],  // optional: Terraform addresses or Kind/namespace/name, * wildcards",
    '});',
    '```',
    '',
    '- A suppression covers the construct and everything below it; the closest suppression wins.',
    '- The reason must have at least 10 characters and the rule id must exist, or `suppress` throws.',
    '- Every suppression is listed in the report; one that silenced nothing is reported as an `AIP-000`',
    '  warning on its construct.',
    '- Subjects: `aws_s3_bucket.<logical id>` for Terraform elements, `Deployment/<namespace>/<name>` for',
    '  Kubernetes objects.',
    '- Findings are reported on the construct that owns the resource. IRSA roles made with',
    '  `ICluster.addServiceAccountRole()` live under the cluster construct: suppress on the returned',
    '  `ServiceAccountRole`, not on the construct that asked for it.',
    '- Library constructs suppress only what their rendered objects actually break, with the reasons listed',
    '  below; users suppress in their own code the same way.',
    '',
    '## Rule catalog',
    '',
    `${GUARDRAIL_RULES.length} rules. Ids are Checkov's where Checkov has the check, otherwise \`AIP-nnn\`.`,
    '',
  ];
  const areas = [...AREAS, ...new Set(GUARDRAIL_RULES.map((r) => r.area).filter((a) => !AREAS.includes(a)))];
  for (const area of areas) {
    const rules = GUARDRAIL_RULES.filter((r) => r.area === area);
    if (rules.length === 0) continue;
    lines.push(`### ${area}`, '', ...catalogTable(rules), '');
  }
  lines.push(
    '## Expected library suppressions',
    '',
    'The library’s own necessary exceptions, applied by the constructs that need them (each only where its',
    'rendered objects actually break the rule, otherwise it would be reported unused):',
    '',
    '| construct | rules | applies to | reason |',
    '| --- | --- | --- | --- |',
    ...EXPECTED_LIBRARY_SUPPRESSIONS.map((s) => `| ${[s.construct, s.ruleIds.join(', ') || '-', s.appliesTo, s.reason].map(mdCell).join(' | ')} |`),
    '',
    '## What cannot be checked from the synthesized output',
    '',
    ...GUARDRAIL_BLIND_SPOTS.map((b) => `- ${b}`),
    '',
  );
  return lines.join('\n');
}
