import { JobError } from './errors';

const TOKEN = /\{\{\s*([a-z]+)\s*(?:([+-])\s*(\d+)\s*([dh]))?\s*\}\}/g;
const HOUR_MS = 3600_000;

/** Tokens a URL template may use, relative to the run time in UTC. */
export const TEMPLATE_TOKENS: { readonly [token: string]: (d: Date) => string } = {
  date: (d) => d.toISOString().slice(0, 10),
  yyyy: (d) => String(d.getUTCFullYear()).padStart(4, '0'),
  mm: (d) => String(d.getUTCMonth() + 1).padStart(2, '0'),
  dd: (d) => String(d.getUTCDate()).padStart(2, '0'),
  hh: (d) => String(d.getUTCHours()).padStart(2, '0'),
  datetime: (d) => d.toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z',
  timestamp: (d) => String(Math.floor(d.getTime() / 1000)),
};

/**
 * Expands `{{token}}` and `{{token±N(d|h)}}` (e.g. `{{date-1d}}`, `{{yyyy-1d}}/{{mm-1d}}/{{dd-1d}}`) in UTC.
 * Offsets are applied to the instant before formatting, so `{{dd-1d}}` on the 1st gives the last day of
 * the previous month. Unknown tokens fail: a typo must not silently read or overwrite another path.
 */
export function expandTemplate(template: string, now: Date): string {
  const out = template.replace(TOKEN, (match, token: string, sign?: string, amount?: string, unit?: string) => {
    const fmt = TEMPLATE_TOKENS[token];
    if (!fmt) {
      throw new JobError(`unknown template ${match} in "${template}": known tokens are ${Object.keys(TEMPLATE_TOKENS).join(', ')}, with an optional offset like {{date-1d}} or {{hh-6h}}`);
    }
    let t = now.getTime();
    if (sign && amount && unit) t += (sign === '-' ? -1 : 1) * Number(amount) * (unit === 'd' ? 24 : 1) * HOUR_MS;
    return fmt(new Date(t));
  });
  if (out.includes('{{') || out.includes('}}')) {
    throw new JobError(`malformed template in "${template}": use {{token}} or {{token-1d}} with tokens ${Object.keys(TEMPLATE_TOKENS).join(', ')}`);
  }
  return out;
}

/**
 * The instant templates are relative to: JOB_NOW (ISO 8601; for tests and backfills) or the current time.
 * Request signing always uses the real clock; only paths move with JOB_NOW.
 */
export function runTime(env: NodeJS.ProcessEnv): Date {
  const fixed = env.JOB_NOW;
  if (fixed === undefined || fixed === '') return new Date();
  const d = new Date(fixed);
  if (Number.isNaN(d.getTime())) throw new JobError(`JOB_NOW (${JSON.stringify(fixed)}) is not an ISO 8601 date-time such as 2024-05-02T03:00:00Z`);
  return d;
}
