import { Attrs, blocks, isExpression, obj } from './values';
import { StackIndex } from './stack-index';

/** A principal of a statement (`type` `*` for `"Principal": "*"`). */
export interface Principal {
  /** AWS, Service, Federated, CanonicalUser or `*`. */
  readonly type: string;
  /** Identifiers. */
  readonly identifiers: string[];
}

/** A condition of a statement. */
export interface Condition {
  /** Operator, e.g. StringEquals. */
  readonly test: string;
  /** Key, e.g. aws:SecureTransport. */
  readonly variable: string;
  /** Values. */
  readonly values: string[];
}

/** One IAM policy statement, from either an aws_iam_policy_document or a JSON policy. */
export interface Statement {
  /** Allow or Deny. */
  readonly effect: string;
  /** Action. */
  readonly actions: string[];
  /** NotAction. */
  readonly notActions: string[];
  /** Resource. */
  readonly resources: string[];
  /** NotResource. */
  readonly notResources: string[];
  /** Principal. */
  readonly principals: Principal[];
  /** Condition. */
  readonly conditions: Condition[];
  /** Sid, for messages. */
  readonly sid?: string;
}

/** A policy read from a resource attribute. */
export interface PolicyRead {
  /** The statements that could be read. */
  readonly statements: Statement[];
  /** Where they come from: a data source (checked on its own) or a JSON string. */
  readonly origin: 'document' | 'json';
  /** Set when (part of) the policy cannot be read at synth (`jsonencode(...)`, merged documents). */
  readonly unknown?: string;
  /** The data source the statements come from. */
  readonly documentAddress?: string;
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Statements of a synthesized `aws_iam_policy_document` data source. */
export function statementsOfDocument(attrs: Attrs): Statement[] {
  return blocks(attrs.statement).map((s) => ({
    sid: typeof s.sid === 'string' ? s.sid : undefined,
    effect: typeof s.effect === 'string' ? s.effect : 'Allow',
    actions: list(s.actions),
    notActions: list(s.not_actions),
    resources: list(s.resources),
    notResources: list(s.not_resources),
    principals: blocks(s.principals).map((p) => ({ type: String(p.type), identifiers: list(p.identifiers) })),
    conditions: blocks(s.condition).map((c) => ({ test: String(c.test), variable: String(c.variable), values: list(c.values) })),
  }));
}

/** Statements of a JSON policy; undefined when the text is not a JSON policy. */
export function statementsOfJson(text: string): Statement[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const root = obj(doc);
  if (!root) return undefined;
  const raw = Array.isArray(root.Statement) ? root.Statement : root.Statement !== undefined ? [root.Statement] : [];
  return raw.map((x) => {
    const s = obj(x) ?? {};
    const principals: Principal[] = [];
    if (s.Principal === '*') principals.push({ type: '*', identifiers: ['*'] });
    else for (const [type, ids] of Object.entries(obj(s.Principal) ?? {})) principals.push({ type, identifiers: list(ids) });
    const conditions: Condition[] = [];
    for (const [test, kv] of Object.entries(obj(s.Condition) ?? {})) {
      for (const [variable, values] of Object.entries(obj(kv) ?? {})) conditions.push({ test, variable, values: list(values) });
    }
    return {
      sid: typeof s.Sid === 'string' ? s.Sid : undefined,
      effect: typeof s.Effect === 'string' ? s.Effect : 'Allow',
      actions: list(s.Action),
      notActions: list(s.NotAction),
      resources: list(s.Resource),
      notResources: list(s.NotResource),
      principals,
      conditions,
    };
  });
}

/**
 * Reads a policy attribute (`policy`, `assume_role_policy`): a reference to an
 * `aws_iam_policy_document` is followed, a JSON string parsed. Undefined when the attribute is unset.
 */
export function readPolicy(value: unknown, index: StackIndex): PolicyRead | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return { statements: [], origin: 'json', unknown: 'the policy is not a string' };
  const doc = index.referenced(value, ['aws_iam_policy_document'], 'data');
  if (doc && /^\$\{data\.aws_iam_policy_document\.[^}]+\.json\}$/.test(value.trim())) {
    const attrs = doc.attrs();
    if (!attrs) return { statements: [], origin: 'document', unknown: `${doc.address} cannot be rendered`, documentAddress: doc.address };
    const merged = ['source_policy_documents', 'override_policy_documents', 'source_json', 'override_json'].filter((k) => attrs[k] !== undefined);
    return {
      statements: statementsOfDocument(attrs),
      origin: 'document',
      documentAddress: doc.address,
      unknown: merged.length > 0 ? `${doc.address} merges other documents (${merged.join(', ')})` : undefined,
    };
  }
  const parsed = statementsOfJson(value);
  if (parsed) return { statements: parsed, origin: 'json' };
  return { statements: [], origin: 'json', unknown: isExpression(value) ? `the policy is computed at apply time (${value.length > 80 ? `${value.slice(0, 77)}...` : value})` : 'the policy is not valid JSON' };
}

/** True for `*` or `*:*` (every action). */
export function isAllActions(a: string): boolean {
  return a === '*' || a === '*:*';
}

const READ_VERBS = /^(Describe|List|Get|BatchGet|Search|Lookup|View|Head|Check|Validate|Preview|Estimate)/;

/** True for an action that only reads (by its verb), e.g. `ec2:DescribeInstances`, `s3:GetObject`. */
export function isReadAction(a: string): boolean {
  const i = a.indexOf(':');
  if (i < 0) return false;
  const verb = a.slice(i + 1);
  return verb.length > 0 && !verb.startsWith('*') && READ_VERBS.test(verb);
}

/** True when a principal list includes everyone (`*` or AWS `*`). */
export function hasWildcardPrincipal(s: Statement): boolean {
  return s.principals.some((p) => (p.type === '*' || p.type === 'AWS') && p.identifiers.includes('*'));
}
