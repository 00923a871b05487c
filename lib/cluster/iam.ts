import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { ValidationError } from '../core/errors';
import { validateDns1123Label, validateDns1123Subdomain, truncateName } from '../core/names';

/** A condition of an IAM policy statement. */
export interface PolicyCondition {
  /** Condition operator, e.g. `StringEquals`. */
  readonly test: string;
  /** Condition key, e.g. `aws:SecureTransport`. */
  readonly variable: string;
  /** Values compared with the key. */
  readonly values: string[];
}

/** One statement of an IAM policy. */
export interface PolicyStatement {
  /**
   * Statement id.
   * @default - none
   */
  readonly sid?: string;
  /**
   * `Allow` or `Deny`.
   * @default 'Allow'
   */
  readonly effect?: string;
  /** Actions, e.g. `s3:GetObject`. */
  readonly actions: string[];
  /** Resource ARNs. */
  readonly resources: string[];
  /**
   * Conditions.
   * @default - none
   */
  readonly conditions?: PolicyCondition[];
}

/** The permissions of a role for a Kubernetes service account. */
export interface ServiceAccountPolicy {
  /**
   * Inline policy statements (preferred: scoped to the resources the workload uses).
   * @default - none
   */
  readonly statements?: PolicyStatement[];
  /**
   * AWS managed policy ARNs, only where AWS documents one for the workload (e.g. the EBS CSI driver).
   * @default - none
   */
  readonly managedPolicyArns?: string[];
}

/** Throws when a statement allows every action on every resource (SECURITY.md: IAM). */
export function validateStatements(scope: Construct, prop: string, statements: readonly PolicyStatement[]): void {
  statements.forEach((s, i) => {
    if ((s.effect ?? 'Allow') !== 'Allow' && s.effect !== 'Deny') {
      throw new ValidationError(scope, `${prop}[${i}].effect`, s.effect, 'must be "Allow" or "Deny"');
    }
    if (s.actions.length === 0) throw new ValidationError(scope, `${prop}[${i}].actions`, s.actions, 'must list at least one action');
    if (s.resources.length === 0) throw new ValidationError(scope, `${prop}[${i}].resources`, s.resources, 'must list at least one resource ARN');
    const allActions = s.actions.some((a) => a === '*' || a === '*:*');
    const allResources = s.resources.some((r) => r === '*');
    if ((s.effect ?? 'Allow') === 'Allow' && allActions && allResources) {
      throw new ValidationError(scope, `${prop}[${i}]`, { actions: s.actions, resources: s.resources }, 'must not allow every action ("*") on every resource ("*"); list the actions and resources the workload needs');
    }
  });
}

/** Renders statements for an aws_iam_policy_document. */
export function toPolicyDocumentStatements(statements: readonly PolicyStatement[]): DataAwsIamPolicyDocumentStatement[] {
  return statements.map((s) => ({
    sid: s.sid,
    effect: s.effect ?? 'Allow',
    actions: s.actions,
    resources: s.resources,
    condition: s.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: c.values })),
  }));
}

/** Inputs of {@link ServiceAccountRole}. */
export interface ServiceAccountRoleProps {
  /** ARN of the cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** Issuer URL of the cluster (with or without `https://`). */
  readonly oidcIssuerUrl: string;
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Name of the service account. */
  readonly serviceAccount: string;
  /** Permissions. */
  readonly policy: ServiceAccountPolicy;
  /** Role name (made unique per cluster by the caller). */
  readonly roleName: string;
}

/**
 * An IAM role assumable only by one Kubernetes service account through IRSA. The trust policy pins
 * both `:sub` (namespace and service account) and `:aud` (sts.amazonaws.com): pinning only `:aud`
 * would let any pod in the cluster assume the role.
 */
export class ServiceAccountRole extends Construct {
  /** The role. */
  public readonly role: IamRole;
  /** The role ARN, for the service account annotation `eks.amazonaws.com/role-arn`. */
  public readonly roleArn: string;
  /** Namespace of the service account. */
  public readonly namespace: string;
  /** Name of the service account. */
  public readonly serviceAccount: string;

  /** Creates the role. */
  public constructor(scope: Construct, id: string, props: ServiceAccountRoleProps) {
    super(scope, id);
    validateDns1123Label(this, 'namespace', props.namespace);
    validateDns1123Subdomain(this, 'serviceAccount', props.serviceAccount);
    const statements = props.policy.statements ?? [];
    validateStatements(this, 'policy.statements', statements);
    if (statements.length === 0 && (props.policy.managedPolicyArns ?? []).length === 0) {
      throw new ValidationError(this, 'policy', props.policy, 'must grant something: give statements or managedPolicyArns');
    }
    this.namespace = props.namespace;
    this.serviceAccount = props.serviceAccount;
    const issuer = Token.isUnresolved(props.oidcIssuerUrl) ? Fn.replace(props.oidcIssuerUrl, 'https://', '') : props.oidcIssuerUrl.replace(/^https:\/\//, '');
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [
        {
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [props.oidcProviderArn] }],
          condition: [
            { test: 'StringEquals', variable: `${issuer}:sub`, values: [`system:serviceaccount:${props.namespace}:${props.serviceAccount}`] },
            { test: 'StringEquals', variable: `${issuer}:aud`, values: ['sts.amazonaws.com'] },
          ],
        },
      ],
    });
    this.role = new IamRole(this, 'role', {
      name: truncateName(props.roleName, 64),
      assumeRolePolicy: trust.json,
      description: `IRSA role for ${props.namespace}/${props.serviceAccount}`,
      maxSessionDuration: 3600,
    });
    this.roleArn = this.role.arn;
    if (statements.length > 0) {
      const doc = new DataAwsIamPolicyDocument(this, 'policy', { statement: toPolicyDocumentStatements(statements) });
      new IamRolePolicy(this, 'inline', { name: 'permissions', role: this.role.id, policy: doc.json });
    }
    (props.policy.managedPolicyArns ?? []).forEach((arn, i) => {
      new IamRolePolicyAttachment(this, `managed-${i}`, { role: this.role.name, policyArn: arn });
    });
  }
}

/** Trust policy JSON for an AWS service principal (EKS, EC2, VPC flow logs). */
export function servicePrincipalTrust(scope: Construct, id: string, service: string): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [service] }] }],
  }).json;
}
