import { DriftColumnKind, DriftDataFormat, DriftJobConfig, DriftMethod } from '../config';
import { JobError } from '../runtime/errors';
import { COMMON_KEYS, ConfigObject, checkCommon } from '../runtime/validate';
import { METHODS_BY_KIND } from './analyze';

const METHODS = Object.values(DriftMethod);
const THRESHOLD_KEYS = ['psi', 'ksPValue', 'chiSquarePValue', 'jensenShannon'] as const;

function checkThresholds(t: ConfigObject | undefined): void {
  if (!t) return;
  t.num('psi', { min: 0, exclusiveMin: true });
  t.num('ksPValue', { min: 0, max: 1, exclusiveMin: true });
  t.num('chiSquarePValue', { min: 0, max: 1, exclusiveMin: true });
  t.num('jensenShannon', { min: 0, max: 1, exclusiveMin: true });
}

function checkInput(c: ConfigObject, key: string): void {
  const i = c.obj(key, ['url', 'format', 'delimiter'], true) as ConfigObject;
  i.str('url', { required: true });
  i.oneOf('format', Object.values(DriftDataFormat));
  const d = i.str('delimiter');
  if (d !== undefined && (d.length !== 1 || d === '"' || d === '\n' || d === '\r')) throw new JobError(`${i.path}.delimiter must be one character other than a quote or a line break (got ${JSON.stringify(d)})`);
}

/** Checks a raw drift config and returns it typed; every message names the field. */
export function validateDriftConfig(raw: unknown): DriftJobConfig {
  const c = new ConfigObject(raw, 'JOB_CONFIG', [
    ...COMMON_KEYS, 'reference', 'current', 'columns', 'onlyDeclaredColumns', 'ignoreColumns', 'thresholds', 'numericMethods',
    'categoricalMethods', 'bins', 'psiEpsilon', 'datasetDriftShare', 'missingValues', 'allowEmptyCurrent', 'failOnDrift',
  ]);
  checkCommon(c);
  checkInput(c, 'reference');
  checkInput(c, 'current');
  checkThresholds(c.obj('thresholds', THRESHOLD_KEYS));
  const numeric = c.strList('numericMethods', { values: METHODS, nonEmptyList: true });
  for (const m of numeric ?? []) {
    if (!METHODS_BY_KIND[DriftColumnKind.NUMERIC].includes(m as DriftMethod)) throw new JobError(`JOB_CONFIG.numericMethods: ${m} does not apply to numeric columns (use ${METHODS_BY_KIND[DriftColumnKind.NUMERIC].join(', ')})`);
  }
  const categorical = c.strList('categoricalMethods', { values: METHODS, nonEmptyList: true });
  for (const m of categorical ?? []) {
    if (!METHODS_BY_KIND[DriftColumnKind.CATEGORICAL].includes(m as DriftMethod)) throw new JobError(`JOB_CONFIG.categoricalMethods: ${m} does not apply to categorical columns (use ${METHODS_BY_KIND[DriftColumnKind.CATEGORICAL].join(', ')})`);
  }
  c.num('bins', { min: 2, max: 100, integer: true });
  c.num('psiEpsilon', { min: 0, max: 0.1, exclusiveMin: true });
  c.num('datasetDriftShare', { min: 0, max: 1, exclusiveMin: true });
  c.strList('missingValues', { allowEmpty: true });
  c.strList('ignoreColumns');
  c.bool('onlyDeclaredColumns');
  c.bool('allowEmptyCurrent');
  c.bool('failOnDrift');
  const seen = new Set<string>();
  for (const col of c.objList('columns', ['name', 'kind', 'methods', 'thresholds', 'bins']) ?? []) {
    const name = col.str('name', { required: true }) as string;
    if (seen.has(name)) throw new JobError(`${col.path}.name: column "${name}" is listed twice`);
    seen.add(name);
    const kind = col.oneOf('kind', Object.values(DriftColumnKind));
    const methods = col.strList('methods', { values: METHODS, nonEmptyList: true });
    if (kind && methods) {
      for (const m of methods) {
        if (!METHODS_BY_KIND[kind].includes(m as DriftMethod)) throw new JobError(`${col.path}.methods: ${m} does not apply to a ${kind} column (use ${METHODS_BY_KIND[kind].join(', ')})`);
      }
    }
    checkThresholds(col.obj('thresholds', THRESHOLD_KEYS));
    col.num('bins', { min: 2, max: 100, integer: true });
  }
  if (c.bool('onlyDeclaredColumns') && seen.size === 0) throw new JobError('JOB_CONFIG.onlyDeclaredColumns is set but no columns are declared');
  return c.value as unknown as DriftJobConfig;
}
