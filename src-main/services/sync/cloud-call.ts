/**
 * One call to the service's session routes, its answer checked with zod, its failure sorted into what sync does
 * about it:
 * - `offline`: no answer (network, timeout), a 5xx other than 501, a 429, or an answer outside the contract: stop
 *   this run and back off (honouring `retryAfterMs`);
 * - `sign-in`: 401 on a session route (EXPIRED_TOKEN, UNAUTHORIZED): pause until the user signs in again;
 * - `not-offered`: 501, or a 404 from a route that is not there (the hosted service today): say so, do not retry;
 * - `gone`: a 404 NOT_FOUND from a route that is there, about one resource (a key deleted on the service);
 * - `refused`: any other 4xx: this change cannot be made; tell the user and go on.
 * Each call is one attempt: sync itself retries, by running again after its backoff.
 */
import type { z } from 'zod';

export type CloudCallFailure = 'offline' | 'sign-in' | 'not-offered' | 'gone' | 'refused';

export class CloudCallError extends Error {
  override readonly name = 'CloudCallError';
  constructor(
    readonly kind: CloudCallFailure,
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
    /** How long the service asked us to wait (Retry-After), when it did. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export interface CloudRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** The session token, sent as `Authorization: Bearer`; absent on public routes. */
  token?: string | null;
  body?: unknown;
  query?: Record<string, string>;
  /** A 401 here means wrong credentials (sign-in itself), not an expired session. */
  credentials?: boolean;
  /** The path names one resource (`/api/keys/:id`): its NOT_FOUND means that resource is gone. */
  resource?: boolean;
}

export interface CloudCaller {
  call<S extends z.ZodType>(request: CloudRequest, schema: S): Promise<z.output<S>>;
}

export interface CloudCallOptions {
  baseUrl: () => string | null;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** For Retry-After given as an HTTP date. */
  now?: () => number;
}

const ErrorBody = (body: unknown): { code: string | null; message: string | null } => {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return { code: typeof error?.code === 'string' ? error.code : null, message: typeof error?.message === 'string' ? error.message : null };
};

/** Retry-After in milliseconds: delta seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function createCloudCaller({ baseUrl, fetch: fetchImpl = fetch, timeoutMs = 15_000, now = Date.now }: CloudCallOptions): CloudCaller {
  return {
    async call(request, schema) {
      const base = baseUrl();
      if (!base) throw new CloudCallError('offline', 'Set the Agent Talk cloud URL in Settings first.');
      const url = new URL(base + request.path);
      for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
      let response: Response;
      let body: unknown;
      try {
        response = await fetchImpl(url, {
          method: request.method,
          headers: {
            Accept: 'application/json',
            ...(request.body !== undefined && { 'Content-Type': 'application/json' }),
            ...(request.token && { Authorization: `Bearer ${request.token}` }),
          },
          ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        try {
          body = text === '' ? null : JSON.parse(text);
        } catch {
          body = text;
        }
      } catch {
        throw new CloudCallError('offline', `The Agent Talk cloud at ${base} did not answer.`);
      }
      const { status } = response;
      const { code, message } = ErrorBody(body);
      const said = message ?? `HTTP ${status}`;
      if (status === 501) throw new CloudCallError('not-offered', `The service does not offer this yet (${said}).`, status, code);
      if (status === 404) {
        // A route that is there answers its own NOT_FOUND error body; a missing route answers a bare 404.
        if (request.resource && code === 'NOT_FOUND') throw new CloudCallError('gone', said, status, code);
        throw new CloudCallError('not-offered', 'The service does not offer this yet (it answered 404 Not Found).', status, code);
      }
      if (status === 401 && !request.credentials) throw new CloudCallError('sign-in', code === 'EXPIRED_TOKEN' ? 'Your session with the service has expired.' : 'The service did not accept your session.', status, code);
      if (status === 429 || status >= 500) {
        throw new CloudCallError('offline', `The service is ${status === 429 ? 'busy' : 'failing'} (${said}).`, status, code, retryAfterMs(response.headers.get('retry-after'), now()));
      }
      if (status >= 400) throw new CloudCallError('refused', said, status, code);
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw new CloudCallError('offline', `The service answered ${request.method} ${request.path} outside its contract.`, status);
      return parsed.data;
    },
  };
}
