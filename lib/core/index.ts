export { ValidationError } from './errors';
// ./validate: internal only (validateInteger, validateNumber, validateFraction, validateMinMax, validateOneOf, validateNonEmpty, validateNonEmptyList, validatePattern).
export type { AwsNameKind } from './names';
export type { Ipv4Cidr } from './cidr';
export { AwsTagger } from './tags';
export type { TagMap } from './tags';
export { Size, Duration } from './units';
// ./units also holds the message formatters (formatBytes, formatGibibytes, formatSeconds, formatPercent): internal.
