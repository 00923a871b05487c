import { CostReportJobConfig } from '../config';
import { COMMON_KEYS, ConfigObject, checkCommon } from '../runtime/validate';

/** Checks a raw cost report config and returns it typed; every message names the field. */
export function validateCostReportConfig(raw: unknown): CostReportJobConfig {
  const c = new ConfigObject(raw, 'JOB_CONFIG', [...COMMON_KEYS, 'prometheusUrl', 'periodHours', 'markdownUrl', 'estimates', 'priceCatalog']);
  checkCommon(c);
  c.str('prometheusUrl', { required: true, pattern: /^https?:\/\/[^\s]+$/, patternText: 'an http(s):// URL' });
  c.num('periodHours', { min: 1, max: 24 * 93, integer: true });
  c.str('markdownUrl');
  for (const e of c.objList('estimates', ['namespace', 'model', 'gpusPerReplica', 'replicaHourlyLowUsd', 'replicaHourlyHighUsd', 'tokensPerSecondPerReplica']) ?? []) {
    e.str('namespace', { required: true });
    e.str('model', { required: true });
    for (const k of ['gpusPerReplica', 'replicaHourlyLowUsd', 'replicaHourlyHighUsd', 'tokensPerSecondPerReplica']) {
      if (e.value[k] === undefined) e.str(k, { required: true });
      e.num(k, { min: 0, exclusiveMin: true });
    }
  }
  const p = c.obj('priceCatalog', ['source', 'date', 'spotPriceFactor']);
  if (p) {
    p.str('source', { required: true });
    p.str('date', { required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, patternText: 'a date YYYY-MM-DD' });
    if (p.value.spotPriceFactor === undefined) p.str('spotPriceFactor', { required: true });
    p.num('spotPriceFactor', { min: 0, max: 1, exclusiveMin: true });
  }
  return c.value as unknown as CostReportJobConfig;
}
