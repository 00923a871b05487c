import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from './errors';

// Enum-valued props checked against the enum itself, not a pattern: TypeScript callers cannot pass a
// wrong value, but plain JavaScript, JSON-driven configuration and `as` casts can, and a wrong string
// would otherwise reach Helm values or Karpenter objects (or NaN into the sizing arithmetic).

/** A TypeScript string enum object (`{ KEY: 'value' }`). */
export type StringEnum = { readonly [key: string]: string };

/** `EnumName.KEY ("value")` for each member, for error messages. */
export function describeEnum(enumObject: StringEnum, enumName: string): string {
  return Object.entries(enumObject).map(([k, v]) => `${enumName}.${k} (${JSON.stringify(v)})`).join(', ');
}

/**
 * Checks that `value` is a member of `enumObject`; undefined passes (the default applies).
 * @param scope the construct (or helper function name) that received the prop
 * @param prop the prop, dotted for nested props
 * @param value the value received
 * @param enumObject the enum
 * @param enumName the enum's exported name, for the message
 */
export function validateEnum<T extends string>(scope: IConstruct | string, prop: string, value: T | undefined, enumObject: StringEnum, enumName: string): T | undefined {
  if (value === undefined) return value;
  if (typeof value === 'string' && Token.isUnresolved(value)) return value;
  if (!(Object.values(enumObject) as unknown[]).includes(value)) {
    throw new ValidationError(scope, prop, value, `must be one of ${describeEnum(enumObject, enumName)}`);
  }
  return value;
}

/** {@link validateEnum} for each element of a list (props such as `numericMethods`). */
export function validateEnumList<T extends string>(scope: IConstruct | string, prop: string, values: readonly T[] | undefined, enumObject: StringEnum, enumName: string): void {
  if (values === undefined) return;
  if (!Array.isArray(values)) throw new ValidationError(scope, prop, values, `must be a list of ${enumName} values`);
  values.forEach((v, i) => validateEnum(scope, `${prop}[${i}]`, v, enumObject, enumName));
}
