import { JobError } from '../runtime/errors';
import { displayUrl, expectOk, httpRequest, withRetries } from '../runtime/http';

/** One sample of an instant vector. */
export interface PromSample {
  /** The series' labels. */
  readonly labels: { readonly [k: string]: string };
  /** The value. */
  readonly value: number;
}

/** A read-only client of the Prometheus HTTP API (`GET /api/v1/query`). */
export class PrometheusClient {
  public constructor(private readonly baseUrl: string, private readonly timeoutMs: number, private readonly maxResponseBytes: number) {}

  /**
   * Evaluates an instant query at `time` and returns its vector (a scalar result is one sample without
   * labels). Any failure is one line naming the query: unreachable server, HTTP error, `status: error`,
   * a result that is not a vector, a value that is not a number.
   */
  public async query(expr: string, time: Date): Promise<PromSample[]> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/api/v1/query`);
    url.searchParams.set('query', expr);
    url.searchParams.set('time', String(time.getTime() / 1000));
    const what = `Prometheus query at ${displayUrl(`${this.baseUrl.replace(/\/+$/, '')}/api/v1/query`)}`;
    let body: unknown;
    try {
      // Prometheus answers a bad query with 400/422 and a JSON error (not worth retrying); 5xx and 429 are retried.
      const res = await withRetries({ maxRetries: 2, baseDelayMs: 500, maxDelayMs: 4000 }, async () => {
        const r = await httpRequest(url, { timeoutMs: this.timeoutMs, maxResponseBytes: this.maxResponseBytes, headers: { accept: 'application/json' } });
        return r.status === 400 || r.status === 422 ? r : expectOk(r, what);
      });
      body = JSON.parse(res.body.toString('utf8'));
    } catch (e) {
      if (e instanceof SyntaxError) throw new JobError(`${what}: the response is not JSON (${e.message}); is prometheusUrl a Prometheus server? (query: ${expr})`);
      throw new JobError(`${e instanceof Error ? e.message : String(e)} (query: ${expr})`);
    }
    const b = body as { status?: unknown; error?: unknown; errorType?: unknown; data?: { resultType?: unknown; result?: unknown } };
    if (b?.status !== 'success') throw new JobError(`${what} failed: ${String(b?.errorType ?? 'error')}: ${String(b?.error ?? 'no status "success" in the response')} (query: ${expr})`);
    const type = b.data?.resultType;
    const result = b.data?.result;
    if (type === 'scalar' && Array.isArray(result)) return [{ labels: {}, value: number(result[1], expr) }];
    if (type !== 'vector' || !Array.isArray(result)) throw new JobError(`${what}: expected a vector result, got ${JSON.stringify(type)} (query: ${expr})`);
    return result.map((r: { metric?: unknown; value?: unknown }) => {
      if (typeof r !== 'object' || r === null || typeof r.metric !== 'object' || r.metric === null || !Array.isArray(r.value)) throw new JobError(`${what}: malformed sample ${JSON.stringify(r).slice(0, 120)} (query: ${expr})`);
      return { labels: r.metric as { [k: string]: string }, value: number(r.value[1], expr) };
    });
  }
}

function number(v: unknown, expr: string): number {
  // Prometheus encodes sample values as strings ("NaN", "+Inf" included).
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (typeof v !== 'string' || (Number.isNaN(n) && v !== 'NaN')) throw new JobError(`Prometheus returned a sample value that is not a number: ${JSON.stringify(v)} (query: ${expr})`);
  return n;
}
