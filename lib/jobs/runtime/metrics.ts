import { expectOk, httpRequest, withRetries } from './http';

/** One sample of a gauge. */
export interface MetricSample {
  /** Label names to values. */
  readonly labels: { readonly [name: string]: string };
  /** Sample value (NaN and ±Inf are rendered as Prometheus spells them). */
  readonly value: number;
}

/** A metric family: HELP, TYPE and its samples. All job metrics are gauges (values set per run). */
export interface MetricFamily {
  /** Metric name. */
  readonly name: string;
  /** HELP text. */
  readonly help: string;
  /** Samples. */
  readonly samples: MetricSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Collects gauges in the order they are first set, so the pushed text is stable and diffable. */
export class MetricRegistry {
  private readonly families = new Map<string, { help: string; samples: Map<string, MetricSample> }>();

  /** Sets a gauge sample; a later sample with the same labels (in any order) replaces the earlier one. */
  public gauge(name: string, help: string, labels: { readonly [name: string]: string }, value: number): void {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of Object.keys(labels)) if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new Error(`invalid label name ${l}`);
    let f = this.families.get(name);
    if (!f) {
      f = { help, samples: new Map() };
      this.families.set(name, f);
    }
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    const earlier = f.samples.get(key);
    // Keep the first label order so a replaced sample renders where and as it was first set.
    f.samples.set(key, { labels: earlier ? earlier.labels : labels, value });
  }

  /** The families collected so far. */
  public toFamilies(): MetricFamily[] {
    return [...this.families.entries()].map(([name, f]) => ({ name, help: f.help, samples: [...f.samples.values()] }));
  }
}

/** Label value escaping of the text format: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP escaping of the text format: backslash and line feed only. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the text format spells it. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders families in the Prometheus text exposition format 0.0.4 (no timestamps: the Pushgateway rejects them). */
export function renderExposition(families: readonly MetricFamily[]): string {
  let out = '';
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} gauge\n`;
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
      out += `${f.name}${labels ? `{${labels}}` : ''} ${formatSampleValue(s.value)}\n`;
    }
  }
  return out;
}

/**
 * The grouping-key URL `/metrics/job/<job>/<label>/<value>…`. Values with a `/` (or empty) use the
 * Pushgateway's `@base64` form (URL-safe alphabet), the others are percent-encoded.
 */
export function pushgatewayUrl(base: string, grouping: ReadonlyArray<readonly [string, string]>): string {
  const parts = grouping.map(([k, v]) => {
    if (v === '' || v.includes('/')) return `${k}@base64/${Buffer.from(v, 'utf8').toString('base64url') || '='}`;
    return `${k}/${encodeURIComponent(v)}`;
  });
  return `${base.replace(/\/+$/, '')}/metrics/${parts.join('/')}`;
}

/**
 * Pushes to the Pushgateway. PUT replaces the whole group (a successful run: columns that disappeared
 * must not linger); POST replaces only the families pushed (a failed run: keep the last good values and
 * `..._last_success_timestamp_seconds`, which alerts compare with the current time).
 */
export async function pushMetrics(url: string, families: readonly MetricFamily[], method: 'PUT' | 'POST', timeoutMs: number): Promise<void> {
  const body = renderExposition(families);
  await withRetries({ maxRetries: 2, baseDelayMs: 200, maxDelayMs: 2000 }, async () => {
    const res = await httpRequest(url, { method, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body, timeoutMs });
    expectOk(res, `Pushgateway ${method}`);
  });
}
