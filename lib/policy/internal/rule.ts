import { GuardrailRule } from '../types';
import { ElementEntry, Section, StackIndex } from './stack-index';
import { Attrs } from './values';
import { ObjectView, WorkloadView } from './workloads';

/** What a rule found on one target: a violation, or a check it could not decide at synth. */
export interface Outcome {
  /** `fail`: a violation. `unknown`: cannot decide from the synthesized output. */
  readonly status: 'fail' | 'unknown';
  /** What is wrong (or why it cannot be decided). */
  readonly detail: string;
  /** Narrower subject than the target's (rarely needed). */
  readonly subject?: string;
}

/** A violation. */
export function fail(detail: string, subject?: string): Outcome {
  return { status: 'fail', detail, subject };
}

/** A check that cannot be decided from the synthesized output. */
export function undecided(detail: string, subject?: string): Outcome {
  return { status: 'unknown', detail, subject };
}

/** A Terraform element to check. */
export interface ElementTarget {
  /** The element. */
  readonly entry: ElementEntry;
  /** Its synthesized attributes. */
  readonly attrs: Attrs;
  /** The stack it is in. */
  readonly index: StackIndex;
}

/** A workload to check. */
export interface WorkloadTarget {
  /** The workload. */
  readonly workload: WorkloadView;
  /** The stack it is in. */
  readonly index: StackIndex;
}

/** A Kubernetes object to check. */
export interface ObjectTarget {
  /** The object. */
  readonly object: ObjectView;
  /** The stack it is in. */
  readonly index: StackIndex;
}

/** A rule over Terraform elements of some types. */
export interface ElementRule {
  /** Catalog entry. */
  readonly rule: GuardrailRule;
  /** Discriminator. */
  readonly target: 'element';
  /** Block of the JSON. */
  readonly section: Section;
  /** Types it applies to (resource types, `output`, backend names). */
  readonly types: string[];
  /** The pure check. */
  readonly check: (t: ElementTarget) => Outcome[];
}

/** A rule over pod-running workloads. */
export interface WorkloadRule {
  /** Catalog entry. */
  readonly rule: GuardrailRule;
  /** Discriminator. */
  readonly target: 'workload';
  /** Kinds it applies to. */
  readonly kinds: string[];
  /** The pure check. */
  readonly check: (t: WorkloadTarget) => Outcome[];
}

/** A rule over Kubernetes objects of some kinds. */
export interface ObjectRule {
  /** Catalog entry. */
  readonly rule: GuardrailRule;
  /** Discriminator. */
  readonly target: 'object';
  /** Kinds it applies to. */
  readonly kinds: string[];
  /** The pure check. */
  readonly check: (t: ObjectTarget) => Outcome[];
}

/** Any rule. */
export type RuleImpl = ElementRule | WorkloadRule | ObjectRule;

/** A rule may check several kinds of targets (e.g. launch templates and EC2NodeClasses). */
export type RuleSet = RuleImpl[];

/** A rule over the Terraform resources (or data sources, outputs, backends) named in `types`. */
export function onElements(rule: GuardrailRule, check: (t: ElementTarget) => Outcome[], types: string[] = rule.appliesTo, section: Section = 'resource'): ElementRule {
  return { rule, target: 'element', section, types, check };
}

/** A rule over the workloads of `kinds`. */
export function onWorkloads(rule: GuardrailRule, check: (t: WorkloadTarget) => Outcome[], kinds: string[] = rule.appliesTo): WorkloadRule {
  return { rule, target: 'workload', kinds, check };
}

/** A rule over the Kubernetes objects of `kinds`. */
export function onObjects(rule: GuardrailRule, check: (t: ObjectTarget) => Outcome[], kinds: string[]): ObjectRule {
  return { rule, target: 'object', kinds, check };
}
