import { EvalChatMessage, EVAL_DEFAULTS, EvalScorer } from '../config';
import { errorMessage } from '../runtime/errors';
import { EvalRow } from './dataset';
import { JsonSchema, jsonEqual, validateJson } from './json-schema';
import { ChatClient, ChatResult } from './openai';

/** The verdict of one scorer on one row. */
export interface ScoreResult {
  /** Scorer name. */
  readonly scorer: EvalScorer;
  /** Whether it passed. */
  readonly passed: boolean;
  /** Why, in a few words (shown in the report for failures). */
  readonly detail?: string;
  /** Judge score normalized to 0–1. */
  readonly score?: number;
  /** The scorer itself could not run (judge unreachable): counted as an error. */
  readonly error?: boolean;
}

/** Removes one surrounding Markdown code fence (```json … ```), which chat models add around JSON. */
export function stripCodeFence(s: string): string {
  const m = /^\s*```[\w-]*\s*\n([\s\S]*?)\n?\s*```\s*$/.exec(s);
  return m ? m[1] : s;
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;

/** The number an output states: the whole trimmed text when it is one, else its first number. */
export function extractNumber(s: string): number | undefined {
  const t = s.trim().replace(/,(?=\d{3}\b)/g, '');
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  const m = NUMBER.exec(t);
  return m ? Number(m[0]) : undefined;
}

/**
 * A judge's score normalized to [0, 1], or undefined when the reply states none. Tried in order: a JSON
 * object with `score` (fenced or embedded in prose), `score: 7/10` or `score: 7`, a bare `7/10`, a reply
 * that is only a number. Scores without a denominator are on the 0–10 scale the prompt asks for.
 */
export function parseJudgeScore(reply: string): number | undefined {
  const norm = (v: number, den = 10): number | undefined => (Number.isFinite(v) && den > 0 && v >= 0 && v <= den ? v / den : undefined);
  const fromValue = (v: unknown): number | undefined => {
    if (typeof v === 'number') return norm(v);
    if (typeof v === 'string') {
      const f = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?))?\s*$/.exec(v);
      if (f) return norm(Number(f[1]), f[2] ? Number(f[2]) : 10);
    }
    return undefined;
  };
  const text = stripCodeFence(reply);
  for (const m of text.match(/\{[^{}]*\}/g) ?? []) {
    try {
      const o = JSON.parse(m) as { score?: unknown };
      const v = fromValue(o.score);
      if (v !== undefined) return v;
    } catch {
      // Not JSON: try the textual forms.
    }
  }
  const labelled = /score\W{0,3}\s*(\d+(?:\.\d+)?)\s*(?:(?:\/|out of)\s*(\d+(?:\.\d+)?))?/i.exec(text);
  if (labelled) return norm(Number(labelled[1]), labelled[2] ? Number(labelled[2]) : 10);
  const ratio = /\b(\d+(?:\.\d+)?)\s*(?:\/|out of)\s*(\d+(?:\.\d+)?)\b/i.exec(text);
  if (ratio) return norm(Number(ratio[1]), Number(ratio[2]));
  const bare = /^\s*(\d+(?:\.\d+)?)\s*\.?\s*$/.exec(text);
  if (bare) return norm(Number(bare[1]));
  return undefined;
}

/** Rubric used when neither the row nor the config gives one. */
export const DEFAULT_RUBRIC = 'Score how correct, complete and relevant the ANSWER is for the QUESTION. If a REFERENCE ANSWER is given, the ANSWER must agree with it in substance; wording may differ. 10 = fully correct, 0 = wrong or off-topic.';

/** The judge prompt: the reply format is fixed so {@link parseJudgeScore} has little to guess. */
export function judgeMessages(question: string, answer: string, expected: unknown, rubric: string): EvalChatMessage[] {
  const reference = expected === undefined ? '(none)' : typeof expected === 'string' ? expected : JSON.stringify(expected);
  return [
    { role: 'system', content: 'You are a strict evaluator. Grade the ANSWER using the RUBRIC. Reply with only a JSON object: {"score": <integer 0-10>, "reason": "<one sentence>"}.' },
    { role: 'user', content: `RUBRIC:\n${rubric}\n\nQUESTION:\n${question}\n\nREFERENCE ANSWER:\n${reference}\n\nANSWER:\n${answer}` },
  ];
}

/** The judge endpoint and its defaults. */
export interface Judge {
  /** Client of the judge endpoint. */
  readonly client: ChatClient;
  /** Config rubric. */
  readonly rubric?: string;
  /** Config pass score. */
  readonly passScore?: number;
}

function questionText(row: EvalRow): string {
  return typeof row.input === 'string' ? row.input : row.input.map((m) => `${m.role}: ${m.content}`).join('\n');
}

function shorten(s: string, n = 80): string {
  const one = s.replace(/\s+/g, ' ');
  return JSON.stringify(one.length > n ? `${one.slice(0, n - 3)}...` : one);
}

function parseOutputJson(row: EvalRow, output: string): { ok: true; value: unknown } | { ok: false; detail: string } {
  const text = row.options.stripFences === false ? output : stripCodeFence(output);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, detail: `output is not JSON: ${(e as Error).message}` };
  }
}

/** Applies one scorer to a successful completion. */
export async function score(row: EvalRow, scorer: EvalScorer, result: ChatResult, judge: Judge | undefined): Promise<ScoreResult> {
  const out = result.content;
  const o = row.options;
  switch (scorer) {
    case EvalScorer.EXACT: {
      const trim = o.trim ?? true;
      const norm = (s: string): string => {
        const t = trim ? s.trim() : s;
        return o.ignoreCase ? t.toLowerCase() : t;
      };
      const passed = norm(out) === norm(String(row.expected));
      return { scorer, passed, detail: passed ? undefined : `got ${shorten(out)}, expected ${shorten(String(row.expected))}` };
    }
    case EvalScorer.CONTAINS: {
      const needles = Array.isArray(row.expected) ? (row.expected as string[]) : [row.expected as string];
      const hay = o.ignoreCase ? out.toLowerCase() : out;
      const missing = needles.filter((n) => !hay.includes(o.ignoreCase ? n.toLowerCase() : n));
      return { scorer, passed: missing.length === 0, detail: missing.length ? `missing ${missing.map((m) => shorten(m, 40)).join(', ')}` : undefined };
    }
    case EvalScorer.REGEX: {
      const passed = (row.regex as RegExp).test(out);
      return { scorer, passed, detail: passed ? undefined : `${shorten(out)} does not match /${(row.regex as RegExp).source}/${(row.regex as RegExp).flags}` };
    }
    case EvalScorer.JSON: {
      const parsed = parseOutputJson(row, out);
      if (!parsed.ok) return { scorer, passed: false, detail: parsed.detail };
      if (row.expected !== undefined && !jsonEqual(parsed.value, row.expected)) return { scorer, passed: false, detail: 'JSON differs from expected' };
      return { scorer, passed: true };
    }
    case EvalScorer.JSON_SCHEMA: {
      const parsed = parseOutputJson(row, out);
      if (!parsed.ok) return { scorer, passed: false, detail: parsed.detail };
      const errors = validateJson((o.schema ?? row.expected) as JsonSchema, parsed.value);
      return { scorer, passed: errors.length === 0, detail: errors.length ? errors.join('; ') : undefined };
    }
    case EvalScorer.NUMERIC: {
      const expected = Number(row.expected);
      const got = extractNumber(out);
      if (got === undefined) return { scorer, passed: false, detail: `no number in ${shorten(out)}` };
      // Neither tolerance given: an exact match up to floating-point noise.
      const allowed = o.abs === undefined && o.rel === undefined ? 1e-9 : Math.max(o.abs ?? 0, (o.rel ?? 0) * Math.abs(expected));
      const diff = Math.abs(got - expected);
      return { scorer, passed: diff <= allowed, detail: diff <= allowed ? undefined : `got ${got}, expected ${expected} ± ${allowed}` };
    }
    case EvalScorer.LATENCY: {
      const max = (o.maxMs ?? row.expected) as number;
      const passed = result.latencyMs <= max;
      return { scorer, passed, detail: passed ? undefined : `${Math.round(result.latencyMs)} ms > ${max} ms` };
    }
    case EvalScorer.JUDGE: {
      if (!judge) return { scorer, passed: false, detail: 'no judge configured', error: true };
      const passScore = o.passScore ?? judge.passScore ?? EVAL_DEFAULTS.judgePassScore;
      let reply: ChatResult;
      try {
        reply = await judge.client.complete(judgeMessages(questionText(row), out, row.expected, o.rubric ?? judge.rubric ?? DEFAULT_RUBRIC));
      } catch (e) {
        return { scorer, passed: false, detail: `judge failed: ${errorMessage(e)}`, error: true };
      }
      const s = parseJudgeScore(reply.content);
      if (s === undefined) return { scorer, passed: false, detail: `judge reply has no score: ${shorten(reply.content)}`, error: true };
      return { scorer, passed: s >= passScore, score: s, detail: s >= passScore ? undefined : `judge score ${s.toFixed(2)} < ${passScore}` };
    }
  }
}
