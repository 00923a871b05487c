// IAM: wildcard permissions, trust policies (IRSA) and the AdministratorAccess managed policy.
import { GuardrailRule, GuardrailSeverity } from '../types';
import { ElementTarget, fail, onElements, Outcome, RuleImpl, undecided } from '../internal/rule';
import { hasWildcardPrincipal, isAllActions, isReadAction, PolicyRead, readPolicy, Statement, statementsOfDocument } from '../internal/iam-policy';
import { blocks, isExpression, strList, UNKNOWN } from '../internal/values';

const E = GuardrailSeverity.ERROR;
const W = GuardrailSeverity.WARNING;

const IDENTITY_POLICY_TYPES = ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_role'];

const ADMIN_DOC: GuardrailRule = {
  id: 'CKV_AWS_1',
  title: 'IAM policy documents do not allow "*" actions on "*" resources',
  severity: E,
  fix: 'list the actions and resource ARNs the workload needs',
  area: 'IAM',
  securityRow: 'no `*` action on `*` resource',
  appliesTo: ['aws_iam_policy_document'],
};
const ADMIN_JSON: GuardrailRule = {
  id: 'CKV_AWS_62',
  title: 'JSON IAM policies do not allow "*" actions on "*" resources',
  severity: E,
  fix: 'list the actions and resource ARNs the workload needs',
  area: 'IAM',
  securityRow: 'no `*` action on `*` resource',
  appliesTo: IDENTITY_POLICY_TYPES,
  note: 'Policies given as a reference to an aws_iam_policy_document are checked on the data source (CKV_AWS_1); jsonencode() policies cannot be read at synth.',
};
const UNSCOPED_WRITE: GuardrailRule = {
  id: 'CKV_AWS_355',
  title: 'IAM policies do not grant non-read actions on "*" without a condition',
  severity: W,
  fix: 'scope the statement to resource ARNs, or constrain it with a Condition (aws:ResourceTag, aws:RequestTag, ec2:Vpc…)',
  area: 'IAM',
  securityRow: 'no `*` action on `*` resource (least privilege)',
  appliesTo: ['aws_iam_policy_document', ...IDENTITY_POLICY_TYPES],
  note: 'Approximates CKV_AWS_355/CKV_AWS_290 without the AWS action table: actions whose verb is Describe/List/Get/… count as reads; a statement with any Condition counts as constrained; statements with a Principal (resource policies) are not identity policies and are skipped.',
};
const TRUST_WILDCARD: GuardrailRule = {
  id: 'CKV_AWS_60',
  title: 'IAM roles cannot be assumed by every principal',
  severity: E,
  fix: 'name the service, account or OIDC provider that may assume the role, or add conditions',
  area: 'IAM',
  securityRow: 'IRSA trust policies pin … (no open trust)',
  appliesTo: ['aws_iam_role'],
};
const IRSA_TRUST: GuardrailRule = {
  id: 'AIP-160',
  title: 'Web-identity (IRSA) trust policies pin both :sub and :aud',
  severity: E,
  fix: 'add StringEquals conditions <issuer>:sub = system:serviceaccount:<namespace>:<service account> and <issuer>:aud = sts.amazonaws.com (ICluster.addServiceAccountRole does both)',
  area: 'IAM',
  securityRow: 'IRSA trust policies pin both `:sub` (namespace + service account) and `:aud` = sts.amazonaws.com',
  appliesTo: ['aws_iam_role'],
  note: 'For EKS issuers the :sub value must be one exact service account (no wildcards); other web-identity providers (GitHub) need :sub and :aud conditions.',
};
const ADMIN_ATTACHMENT: GuardrailRule = {
  id: 'CKV_AWS_274',
  title: 'No role, user or group gets the AdministratorAccess managed policy',
  severity: E,
  fix: 'attach the AWS managed policies documented for the workload, or a scoped inline policy',
  area: 'IAM',
  securityRow: 'managed policies only where AWS documents them',
  appliesTo: ['aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment', 'aws_iam_policy_attachment', 'aws_iam_role'],
  note: 'Only AdministratorAccess is recognised; other managed policies are the reviewer’s call.',
};

const describe = (s: Statement, i: number) => (s.sid ? `statement ${s.sid}` : `statement ${i}`);

function adminStatements(statements: Statement[]): Outcome[] {
  return statements
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.effect === 'Allow' && s.actions.some(isAllActions) && s.resources.includes('*'))
    .map(({ s, i }) => fail(`${describe(s, i)} allows "*" on "*"`));
}

function unscopedWrites(statements: Statement[]): Outcome[] {
  const out: Outcome[] = [];
  statements.forEach((s, i) => {
    if (s.effect !== 'Allow' || s.principals.length > 0 || s.conditions.length > 0 || !s.resources.includes('*')) return;
    if (s.actions.some(isAllActions)) return; // CKV_AWS_1 / CKV_AWS_62
    const writes = s.actions.filter((a) => !isReadAction(a) && !isExpression(a));
    if (writes.length > 0) out.push(fail(`${describe(s, i)} allows ${writes.slice(0, 5).join(', ')}${writes.length > 5 ? ', …' : ''} on "*" without a condition`));
  });
  return out;
}

/** JSON identity policies of a resource (role inline policies included). */
function identityPolicies(t: ElementTarget): PolicyRead[] {
  const values = t.entry.type === 'aws_iam_role' ? blocks(t.attrs.inline_policy).map((p) => p.policy) : [t.attrs.policy];
  return values.map((v) => readPolicy(v, t.index)).filter((p): p is PolicyRead => p !== undefined);
}

function jsonPolicyCheck(t: ElementTarget, check: (s: Statement[]) => Outcome[]): Outcome[] {
  const out: Outcome[] = [];
  for (const p of identityPolicies(t)) {
    if (p.origin !== 'json') continue;
    if (p.unknown) out.push(undecided(p.unknown));
    out.push(...check(p.statements));
  }
  return out;
}

const EKS_ISSUER = /oidc\.eks\.|aws_eks_cluster\.|oidc-provider\/oidc\.eks|aws_iam_openid_connect_provider\./;
const SERVICE_ACCOUNT_SUB = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function webIdentityCheck(s: Statement, label: string): Outcome[] {
  const federated = s.principals.filter((p) => p.type === 'Federated').flatMap((p) => p.identifiers);
  const subs = s.conditions.filter((c) => c.variable.endsWith(':sub'));
  const auds = s.conditions.filter((c) => c.variable.endsWith(':aud'));
  const eks = [...federated, ...s.conditions.map((c) => c.variable)].some((x) => EKS_ISSUER.test(x));
  const out: Outcome[] = [];
  if (subs.length === 0) out.push(fail(`${label} has no :sub condition: any identity of the provider (every service account of the cluster) can assume the role`));
  if (auds.length === 0) out.push(fail(`${label} has no :aud condition`));
  for (const c of subs) {
    const values = c.values;
    if (values.some(isExpression)) {
      out.push(undecided(`${label} :sub values are computed`));
      continue;
    }
    if (eks) {
      if (c.test !== 'StringEquals') out.push(fail(`${label} matches :sub with ${c.test}; use StringEquals`));
      const bad = values.filter((v) => !SERVICE_ACCOUNT_SUB.test(v));
      if (bad.length > 0) out.push(fail(`${label} :sub ${bad.map((v) => JSON.stringify(v)).join(', ')} is not one service account (system:serviceaccount:<namespace>:<name>)`));
    } else if (values.some((v) => v === '*')) {
      out.push(fail(`${label} :sub is "*"`));
    }
  }
  for (const c of auds) {
    if (c.values.some(isExpression)) out.push(undecided(`${label} :aud values are computed`));
    else if (eks && (c.values.length !== 1 || c.values[0] !== 'sts.amazonaws.com')) out.push(fail(`${label} :aud is ${JSON.stringify(c.values)}, expected ["sts.amazonaws.com"]`));
  }
  return out;
}

function trustStatements(t: ElementTarget): { statements: Statement[]; unknown?: string } {
  const read = readPolicy(t.attrs.assume_role_policy, t.index);
  return read ? { statements: read.statements, unknown: read.unknown } : { statements: [] };
}

/** IAM rules. */
export const IAM_RULES: RuleImpl[] = [
  onElements(ADMIN_DOC, ({ attrs }) => adminStatements(statementsOfDocument(attrs)), ['aws_iam_policy_document'], 'data'),
  onElements(ADMIN_JSON, (t) => jsonPolicyCheck(t, adminStatements)),
  onElements(UNSCOPED_WRITE, ({ attrs }) => unscopedWrites(statementsOfDocument(attrs)), ['aws_iam_policy_document'], 'data'),
  onElements(UNSCOPED_WRITE, (t) => jsonPolicyCheck(t, unscopedWrites), IDENTITY_POLICY_TYPES),
  onElements(TRUST_WILDCARD, (t) => {
    const { statements, unknown } = trustStatements(t);
    const out: Outcome[] = unknown ? [undecided(unknown)] : [];
    statements.forEach((s, i) => {
      if (s.effect === 'Allow' && hasWildcardPrincipal(s) && s.conditions.length === 0) out.push(fail(`${describe(s, i)} lets any principal assume the role`));
    });
    return out;
  }),
  onElements(IRSA_TRUST, (t) => {
    const { statements, unknown } = trustStatements(t);
    const out: Outcome[] = unknown ? [undecided(unknown)] : [];
    statements.forEach((s, i) => {
      const web = s.actions.some((a) => a === 'sts:AssumeRoleWithWebIdentity' || a === 'sts:*' || a === '*') || s.principals.some((p) => p.type === 'Federated');
      if (s.effect === 'Allow' && web) out.push(...webIdentityCheck(s, describe(s, i)));
    });
    return out;
  }),
  onElements(ADMIN_ATTACHMENT, ({ entry, attrs }) => {
    const admin = (v: unknown) => typeof v === 'string' && /:policy\/AdministratorAccess$/.test(v);
    if (entry.type === 'aws_iam_role') {
      const arns = strList(attrs.managed_policy_arns);
      if (arns === UNKNOWN) return [undecided('managed_policy_arns is computed')];
      return (arns ?? []).some(admin) ? [fail('managed_policy_arns includes AdministratorAccess')] : [];
    }
    return admin(attrs.policy_arn) ? [fail(`policy_arn is ${String(attrs.policy_arn)}`)] : [];
  }),
];

