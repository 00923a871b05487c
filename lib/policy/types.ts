/** How serious a guardrail finding is. */
export enum GuardrailSeverity {
  /** Breaks the security baseline: an error annotation, which fails `cdktf synth` (in `GuardrailMode.ERROR`). */
  ERROR = 'error',
  /** Risky but sometimes legitimate: a warning annotation. */
  WARNING = 'warning',
  /** Informational (opt-in hardening, state hygiene): an info annotation. */
  INFO = 'info',
}

/** How the guardrails report error-severity findings. */
export enum GuardrailMode {
  /** Error-severity findings are error annotations: `cdktf synth` fails. */
  ERROR = 'ERROR',
  /** Every finding is at most a warning: synth succeeds (for migrating an existing platform). */
  WARN = 'WARN',
}

/** One rule of the guardrail catalog (`GUARDRAIL_RULES`). */
export interface GuardrailRule {
  /** Rule id: the Checkov id where one exists (`CKV_AWS_58`, `CKV_K8S_20`), otherwise `AIP-nnn`. */
  readonly id: string;
  /** What the rule requires, one line. */
  readonly title: string;
  /** Severity of a finding. */
  readonly severity: GuardrailSeverity;
  /** How to fix a finding, one line. */
  readonly fix: string;
  /** Area of SECURITY.md: `EKS`, `nodes`, `KMS`, `S3`, `RDS`, `network`, `IAM`, `outputs`, `state`, `Kubernetes`, `guardrails`. */
  readonly area: string;
  /** The SECURITY.md requirement the rule proves. */
  readonly securityRow: string;
  /** What the rule is evaluated on: Terraform types (`aws_s3_bucket`) or Kubernetes kinds (`Deployment`). */
  readonly appliesTo: string[];
  /**
   * Where the rule differs from the Checkov check of the same id, or what it cannot see.
   * @default - none
   */
  readonly note?: string;
}

/** A rule violation (or an undecidable check) found on the construct tree. */
export interface GuardrailFinding {
  /** Rule id. */
  readonly ruleId: string;
  /** Severity of the rule (before `mode` is applied). */
  readonly severity: GuardrailSeverity;
  /** Path of the construct the finding is reported on. */
  readonly constructPath: string;
  /**
   * What exactly is affected: a Terraform address (`aws_s3_bucket.artifacts_1A2B`) or a Kubernetes
   * object (`Deployment/serving/vllm`). Suppressions can be narrowed to subjects (`appliesTo`).
   */
  readonly subject: string;
  /** What is wrong. */
  readonly detail: string;
  /** The annotation text: `[<rule id>] <title>: <detail>. Fix: <fix>`. */
  readonly message: string;
}

/** Options of {@link PlatformGuardrails.suppress}. */
export interface GuardrailSuppressionOptions {
  /**
   * Only suppress findings on these subjects (exact, or with `*` wildcards), e.g.
   * `['DaemonSet/gpu-operator/*']`.
   * @default - every subject under the construct
   */
  readonly appliesTo?: string[];
}

/** A suppression registered with {@link PlatformGuardrails.suppress}, as listed in a report. */
export interface GuardrailSuppressionRecord {
  /** The suppressed rule. */
  readonly ruleId: string;
  /** Path of the construct the suppression was added to (it covers its children too). */
  readonly constructPath: string;
  /** Why the finding is acceptable. */
  readonly reason: string;
  /**
   * Subjects the suppression is narrowed to.
   * @default - every subject
   */
  readonly appliesTo?: string[];
  /** How many findings it suppressed in the last check. */
  readonly used: number;
}

/** A finding that a suppression silenced. */
export interface GuardrailSuppressedFinding {
  /** The finding. */
  readonly finding: GuardrailFinding;
  /** Reason of the suppression that silenced it. */
  readonly reason: string;
  /** Construct path of that suppression. */
  readonly suppressedAt: string;
}

/** Result of a guardrails check. */
export interface GuardrailReport {
  /** Findings that were not suppressed. */
  readonly findings: GuardrailFinding[];
  /** Findings silenced by a suppression, with the reason. */
  readonly suppressed: GuardrailSuppressedFinding[];
  /** Every suppression registered in the checked scope, with how often it was used. */
  readonly suppressions: GuardrailSuppressionRecord[];
  /** Suppressions that silenced nothing (they are reported as `AIP-000` warnings). */
  readonly unusedSuppressions: GuardrailSuppressionRecord[];
  /**
   * Checks that could not be decided from the synthesized output (a value known only at apply
   * time, a chart default the library does not render). Not annotated; listed for reviewers.
   */
  readonly undecided: GuardrailFinding[];
}
