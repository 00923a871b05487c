import { EvalJobConfig } from '../config';
import { JobError } from '../runtime/errors';
import { COMMON_KEYS, ConfigObject, checkCommon } from '../runtime/validate';
import { EVAL_METRIC_NAMES, isKnownMetric } from './gates';

const ENDPOINT_KEYS = ['baseUrl', 'model', 'apiKeyEnv', 'timeoutMs', 'maxRetries', 'retryBaseDelayMs', 'retryMaxDelayMs', 'temperature', 'maxTokens', 'systemPrompt'];

function checkEndpoint(e: ConfigObject): void {
  e.str('baseUrl', { required: true, pattern: /^https?:\/\//, patternText: 'an http(s):// URL' });
  e.str('model', { required: true });
  e.str('apiKeyEnv', { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, patternText: 'an env var name' });
  e.num('timeoutMs', { min: 1, integer: true });
  e.num('maxRetries', { min: 0, max: 20, integer: true });
  e.num('retryBaseDelayMs', { min: 0, integer: true });
  e.num('retryMaxDelayMs', { min: 0, integer: true });
  e.num('temperature', { min: 0, max: 2 });
  e.num('maxTokens', { min: 1, integer: true });
  e.str('systemPrompt');
}

function checkMetric(c: ConfigObject, seen: Set<string>): string {
  const metric = c.str('metric', { required: true }) as string;
  if (!isKnownMetric(metric)) throw new JobError(`${c.path}.metric: unknown metric "${metric}" (use ${EVAL_METRIC_NAMES.join(', ')} or pass_rate.<scorer>)`);
  if (seen.has(metric)) throw new JobError(`${c.path}.metric: "${metric}" has two gates of this kind; merge them (min and max fit in one)`);
  seen.add(metric);
  return metric;
}

/** Checks a raw eval config and returns it typed; every message names the field. */
export function validateEvalConfig(raw: unknown): EvalJobConfig {
  const c = new ConfigObject(raw, 'JOB_CONFIG', [...COMMON_KEYS, 'datasetUrl', 'model', 'judge', 'concurrency', 'gates', 'regression']);
  checkCommon(c);
  c.str('datasetUrl', { required: true });
  checkEndpoint(c.obj('model', ENDPOINT_KEYS, true) as ConfigObject);
  const judge = c.obj('judge', [...ENDPOINT_KEYS, 'rubric', 'passScore', 'structuredOutput']);
  if (judge) {
    checkEndpoint(judge);
    judge.str('rubric');
    judge.num('passScore', { min: 0, max: 1 });
    judge.bool('structuredOutput');
  }
  c.num('concurrency', { min: 1, max: 256, integer: true });
  const seen = new Set<string>();
  for (const g of c.objList('gates', ['metric', 'min', 'max']) ?? []) {
    checkMetric(g, seen);
    const min = g.num('min');
    const max = g.num('max');
    if (min === undefined && max === undefined) throw new JobError(`${g.path}: give min, max or both`);
    if (min !== undefined && max !== undefined && min > max) throw new JobError(`${g.path}: min (${min}) is greater than max (${max})`);
  }
  const reg = c.obj('regression', ['gates', 'baselineUrl', 'requireBaseline']);
  if (reg) {
    const seenR = new Set<string>();
    for (const g of reg.objList('gates', ['metric', 'tolerance', 'relativeTolerance']) ?? []) {
      checkMetric(g, seenR);
      g.num('tolerance', { min: 0 });
      g.num('relativeTolerance', { min: 0 });
    }
    const url = reg.str('baselineUrl');
    reg.bool('requireBaseline');
    if (url === undefined && !c.value.mlflow) throw new JobError(`${reg.path}: a regression check needs a baseline: set regression.baselineUrl or mlflow`);
  }
  return c.value as unknown as EvalJobConfig;
}
