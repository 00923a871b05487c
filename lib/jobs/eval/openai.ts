import { EvalChatMessage, EVAL_DEFAULTS, EvalModelEndpoint } from '../config';
import { JobError, errorMessage } from '../runtime/errors';
import { HttpError, RetryPolicy, displayUrl, expectOk, httpRequest, withRetries } from '../runtime/http';

/** A successful completion. */
export interface ChatResult {
  /** `choices[0].message.content` (array content parts joined). */
  readonly content: string;
  /** Time of the successful attempt, request sent to body received, in ms. */
  readonly latencyMs: number;
  /** `usage.completion_tokens`, when the server reports it. */
  readonly completionTokens?: number;
  /** Attempts made (1 = no retry). */
  readonly attempts: number;
}

/** `/v1/chat/completions` under the base URL, whether or not the base already ends with `/v1`. */
export function chatCompletionsUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
}

interface RawCompletion {
  choices?: { message?: { content?: unknown } }[];
  usage?: { completion_tokens?: unknown };
  error?: { message?: unknown };
}

function contentText(c: unknown): string | undefined {
  if (typeof c === 'string') return c;
  if (c === null) return '';
  // Some servers return content as parts: [{type: 'text', text: '...'}].
  if (Array.isArray(c)) return c.map((p) => (typeof p === 'object' && p !== null && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return undefined;
}

/** Client of one OpenAI-compatible endpoint, with per-request timeout and retries with backoff. */
export class ChatClient {
  /** The chat completions URL. */
  public readonly url: string;
  private readonly headers: { [name: string]: string };
  private readonly retry: RetryPolicy;

  /**
   * @param config endpoint settings
   * @param env process environment (the API key is read from the env var the config names)
   * @param what `model` or `judge`, for messages
   * @param maxResponseBytes cap of one response body (an endless or huge reply fails the request, unretried)
   */
  public constructor(private readonly config: EvalModelEndpoint, env: NodeJS.ProcessEnv, private readonly what: string, private readonly maxResponseBytes?: number) {
    this.url = chatCompletionsUrl(config.baseUrl);
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (config.apiKeyEnv) {
      const key = env[config.apiKeyEnv];
      if (!key) throw new JobError(`${what}.apiKeyEnv names the env var ${config.apiKeyEnv}, which is not set (mount it from a Kubernetes Secret)`);
      this.headers.authorization = `Bearer ${key}`;
    }
    this.retry = {
      maxRetries: config.maxRetries ?? EVAL_DEFAULTS.maxRetries,
      baseDelayMs: config.retryBaseDelayMs ?? EVAL_DEFAULTS.retryBaseDelayMs,
      maxDelayMs: config.retryMaxDelayMs ?? EVAL_DEFAULTS.retryMaxDelayMs,
    };
  }

  /** Sends the messages (plus `extraBody` fields such as `response_format`); throws an Error (one line) when every attempt failed. */
  public async complete(messages: readonly EvalChatMessage[], temperatureOverride?: number, extraBody?: { readonly [k: string]: unknown }): Promise<ChatResult> {
    const body = JSON.stringify({
      ...extraBody,
      model: this.config.model,
      messages,
      temperature: temperatureOverride ?? this.config.temperature ?? EVAL_DEFAULTS.temperature,
      ...(this.config.maxTokens !== undefined ? { max_tokens: this.config.maxTokens } : {}),
      stream: false,
    });
    const timeoutMs = this.config.timeoutMs ?? EVAL_DEFAULTS.timeoutMs;
    let attempts = 0;
    try {
      return await withRetries(this.retry, async () => {
        attempts++;
        const t0 = performance.now();
        const res = await httpRequest(this.url, { method: 'POST', headers: this.headers, body, timeoutMs, maxResponseBytes: this.maxResponseBytes });
        const latencyMs = performance.now() - t0;
        expectOk(res, `${this.what} POST ${displayUrl(this.url)}`);
        let json: RawCompletion;
        try {
          json = JSON.parse(res.body.toString('utf8')) as RawCompletion;
        } catch {
          throw new HttpError(`${this.what} ${displayUrl(this.url)}: the response is not JSON`, res.status, false);
        }
        const content = contentText(json.choices?.[0]?.message?.content);
        if (content === undefined) throw new HttpError(`${this.what} ${displayUrl(this.url)}: the response has no choices[0].message.content`, res.status, false);
        const tokens = json.usage?.completion_tokens;
        return { content, latencyMs, completionTokens: typeof tokens === 'number' ? tokens : undefined, attempts };
      });
    } catch (e) {
      const msg = errorMessage(e);
      throw new Error(`${msg.startsWith(this.what) ? '' : `${this.what} `}${msg}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`);
    }
  }
}

/** Runs `fn` over the items with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
