import { EvalChatMessage, EvalScorer, EvalRowOptions } from '../config';
import { JobError } from '../runtime/errors';
import { forEachLine } from '../runtime/lines';
import { StoredObject } from '../runtime/storage';
import { checkSchema } from './json-schema';
import { LinearRegex, compileLinearRegex } from './regex';

const SCORERS = Object.values(EvalScorer) as string[];
const OPTION_KEYS = ['trim', 'ignoreCase', 'pattern', 'flags', 'schema', 'abs', 'rel', 'maxMs', 'rubric', 'passScore', 'stripFences'];
const ROW_KEYS = ['id', 'input', 'expected', 'scorer', 'options', 'metadata'];

/** A row checked and ready to run. */
export interface EvalRow {
  /** Id for the report. */
  readonly id: string;
  /** `<object>:<line>` for messages. */
  readonly where: string;
  /** Input as chat messages (without the config's system prompt). */
  readonly input: string | readonly EvalChatMessage[];
  /** Expected value. */
  readonly expected?: unknown;
  /** Scorers to apply. */
  readonly scorers: readonly EvalScorer[];
  /** Options. */
  readonly options: EvalRowOptions;
  /** Compiled regex of the regex scorer (linear-time matching). */
  readonly regex?: LinearRegex;
  /** Metadata. */
  readonly metadata?: unknown;
}

function isObj(v: unknown): v is { [k: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkRow(v: unknown, where: string): EvalRow {
  const bad = (msg: string): JobError => new JobError(`dataset ${where}: ${msg}`);
  if (!isObj(v)) throw bad('expected a JSON object per line');
  for (const k of Object.keys(v)) if (!ROW_KEYS.includes(k)) throw bad(`unknown field "${k}" (allowed: ${ROW_KEYS.join(', ')})`);
  const input = v.input;
  if (typeof input === 'string') {
    if (input === '') throw bad('"input" is empty');
  } else if (Array.isArray(input)) {
    if (input.length === 0) throw bad('"input" is an empty list of messages');
    input.forEach((m, i) => {
      if (!isObj(m) || typeof m.role !== 'string' || typeof m.content !== 'string') throw bad(`input[${i}] must be {"role": string, "content": string}`);
    });
  } else {
    throw bad('"input" must be a string or a list of {"role", "content"} messages');
  }
  const rawScorers = Array.isArray(v.scorer) ? v.scorer : [v.scorer];
  if (v.scorer === undefined || rawScorers.length === 0) throw bad(`"scorer" is required (one of ${SCORERS.join(', ')}, or a list of them)`);
  for (const s of rawScorers) if (typeof s !== 'string' || !SCORERS.includes(s)) throw bad(`unknown scorer ${JSON.stringify(s)} (use ${SCORERS.join(', ')})`);
  const scorers = [...new Set(rawScorers as EvalScorer[])];
  const options = (v.options ?? {}) as EvalRowOptions;
  if (!isObj(v.options ?? {})) throw bad('"options" must be an object');
  for (const k of Object.keys(options)) if (!OPTION_KEYS.includes(k)) throw bad(`unknown option "${k}" (allowed: ${OPTION_KEYS.join(', ')})`);
  const expected = v.expected;
  let regex: LinearRegex | undefined;
  for (const s of scorers) {
    switch (s) {
      case EvalScorer.EXACT:
        if (!['string', 'number', 'boolean'].includes(typeof expected)) throw bad('scorer exact needs "expected" (a string, number or boolean)');
        break;
      case EvalScorer.CONTAINS:
        if (!(typeof expected === 'string' || (Array.isArray(expected) && expected.length > 0 && expected.every((x) => typeof x === 'string')))) throw bad('scorer contains needs "expected" (a string or a list of strings)');
        break;
      case EvalScorer.REGEX: {
        const pattern = options.pattern ?? expected;
        if (typeof pattern !== 'string') throw bad('scorer regex needs options.pattern or a string "expected"');
        const flags = (options.flags ?? '') + (options.ignoreCase && !(options.flags ?? '').includes('i') ? 'i' : '');
        if (!/^[imsu]*$/.test(flags)) throw bad(`options.flags ${JSON.stringify(options.flags)} may only contain i, m, s, u`);
        try {
          regex = compileLinearRegex(pattern, flags);
        } catch (e) {
          throw bad(`invalid regex ${JSON.stringify(pattern)}: ${(e as Error).message}`);
        }
        break;
      }
      case EvalScorer.JSON_SCHEMA: {
        const schema = options.schema ?? expected;
        if (!(isObj(schema) || typeof schema === 'boolean')) throw bad('scorer json_schema needs options.schema or an object "expected"');
        try {
          checkSchema(schema);
        } catch (e) {
          throw bad((e as Error).message);
        }
        break;
      }
      case EvalScorer.NUMERIC:
        if (!(typeof expected === 'number' || (typeof expected === 'string' && expected.trim() !== '' && Number.isFinite(Number(expected))))) throw bad('scorer numeric needs a number "expected"');
        for (const k of ['abs', 'rel'] as const) {
          const t = options[k];
          if (t !== undefined && !(typeof t === 'number' && t >= 0)) throw bad(`options.${k} must be a number >= 0`);
        }
        break;
      case EvalScorer.LATENCY: {
        const max = options.maxMs ?? expected;
        if (!(typeof max === 'number' && max > 0)) throw bad('scorer latency needs options.maxMs (or a number "expected") > 0');
        break;
      }
      case EvalScorer.JUDGE:
        if (options.passScore !== undefined && !(typeof options.passScore === 'number' && options.passScore >= 0 && options.passScore <= 1)) throw bad('options.passScore must be between 0 and 1');
        if (options.rubric !== undefined && typeof options.rubric !== 'string') throw bad('options.rubric must be a string');
        break;
      case EvalScorer.JSON:
        break;
    }
  }
  const id = v.id;
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') throw bad('"id" must be a string or a number');
  return { id: id === undefined ? where : String(id), where, input: input as string | EvalChatMessage[], expected, scorers, options, regex, metadata: v.metadata };
}

/** Parses JSON Lines dataset objects; the first malformed row fails the job with its object and line. */
export function parseDataset(objects: readonly StoredObject[]): EvalRow[] {
  const rows: EvalRow[] = [];
  const ids = new Map<string, string>();
  for (const obj of objects) {
    const base = obj.name.replace(/^.*\//, '');
    forEachLine(obj.body, (raw, lineNumber) => {
      const line = raw.trim();
      if (line === '') return;
      const where = `${base}:${lineNumber}`;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        throw new JobError(`dataset ${where}: not valid JSON (${(e as Error).message})`);
      }
      const row = checkRow(v, where);
      const first = ids.get(row.id);
      if (first) throw new JobError(`dataset ${where}: id ${JSON.stringify(row.id)} is already used at ${first}`);
      ids.set(row.id, where);
      rows.push(row);
    });
  }
  return rows;
}
