import { MlshipError } from '../../core/index.js';

// One JSON POST to a webhook, with a timeout and a few retries; it reports, never throws, so a
// webhook that is down never stops the monitor.

/**
 * Options of {@link postWebhook}.
 *
 * @example
 * ```ts
 * const options: WebhookOptions = { timeoutMs: 2000, retries: 1, headers: { authorization: 'Bearer <token>' } };
 * ```
 */
export interface WebhookOptions {
  /** The longest one attempt may take, in ms. @default 5000 */
  timeoutMs?: number;
  /** Attempts after the first one when the request fails, times out or gets a 5xx or 429. @default 2 */
  retries?: number;
  /** The wait before the first retry, in ms; it doubles for each further one. @default 500 */
  retryDelayMs?: number;
  /** Extra request headers (e.g. an authorization token). @default {} */
  headers?: Record<string, string>;
}

/**
 * What {@link postWebhook} did.
 *
 * @example
 * ```ts
 * const r: WebhookResult = await postWebhook(url, payload); // { ok: false, status: null, attempts: 3, error: 'ECONNREFUSED' }
 * ```
 */
export interface WebhookResult {
  /** True when the webhook answered 2xx. */
  ok: boolean;
  /** The last HTTP status, or `null` when no answer came (refused, timed out). */
  status: number | null;
  attempts: number;
  /** Why it failed (the last attempt's error or status), when it did. */
  error?: string;
}

/**
 * Checks a webhook URL: http or https, with a host.
 *
 * @throws MlshipError INVALID_ARGUMENT naming the value.
 * @example
 * ```ts
 * import { checkWebhookUrl } from 'mlship/monitor';
 * checkWebhookUrl('http://127.0.0.1:9000/alerts'); // returns the URL
 * ```
 */
export function checkWebhookUrl(url: string, field = 'webhook'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be an http(s) URL such as http://127.0.0.1:9000/alerts, got ${JSON.stringify(url)}`, { field, value: url });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be an http(s) URL such as http://127.0.0.1:9000/alerts, got ${JSON.stringify(url)} (scheme ${parsed.protocol})`, { field, value: url });
  }
  return url;
}

/**
 * POSTs `payload` as JSON to `url`: a timeout per attempt and retries with a doubling delay on a
 * network error, a timeout, a 5xx or a 429 (a 4xx is final). Never throws: the result says what
 * happened.
 *
 * @example
 * ```ts
 * import { postWebhook } from 'mlship/monitor';
 * const r = await postWebhook('http://127.0.0.1:9000/alerts', { event: 'firing', model: 'spam' }, { timeoutMs: 2000, retries: 1 });
 * if (!r.ok) console.error(`webhook failed after ${r.attempts} attempts: ${r.error}`);
 * ```
 */
export async function postWebhook(url: string, payload: unknown, options: WebhookOptions = {}): Promise<WebhookResult> {
  const { timeoutMs = 5000, retries = 2, retryDelayMs = 500, headers = {} } = options;
  let body: string;
  try {
    body = JSON.stringify(payload);
  } catch (err) {
    return { ok: false, status: null, attempts: 0, error: `the payload is not JSON-serialisable: ${(err as Error).message}` };
  }
  let status: number | null = null;
  let error = '';
  let attempts = 0;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
    attempts++;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'mlship-monitor', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, status, attempts };
      error = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      status = null;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    }
  }
  return { ok: false, status, attempts, error };
}
