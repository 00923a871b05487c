import { RuleImpl } from '../internal/rule';
import { COMPUTE_RULES } from './compute';
import { IAM_RULES } from './iam';
import { KUBERNETES_RULES } from './kubernetes';
import { NETWORK_RULES } from './network';
import { SECRET_RULES } from './secrets';
import { STORAGE_RULES } from './storage';

/** Every rule implementation, in catalog order (a rule id may have several: resources and objects). */
export const RULE_IMPLEMENTATIONS: readonly RuleImpl[] = [...COMPUTE_RULES, ...STORAGE_RULES, ...NETWORK_RULES, ...IAM_RULES, ...SECRET_RULES, ...KUBERNETES_RULES];
