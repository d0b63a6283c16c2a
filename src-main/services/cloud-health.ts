/**
 * Whether the cloud voices can be used now: a cloud URL is set and the service's `GET /health` answers ok.
 * The answer is kept for `ttlMs` (the voice picker asks often) and forgotten when the URL changes.
 */
export interface CloudHealth {
  available: boolean;
  /** Why not, in a sentence the voice picker shows; null when available. */
  reason: string | null;
}

export interface CloudHealthOptions {
  cloudUrl: () => string | null;
  fetch?: typeof fetch;
  timeoutMs?: number;
  ttlMs?: number;
  now?: () => number;
}

export function createCloudHealth({ cloudUrl, fetch: fetchFn = fetch, timeoutMs = 3_000, ttlMs = 30_000, now = Date.now }: CloudHealthOptions) {
  let cached: { url: string; at: number; health: Promise<CloudHealth> } | undefined;
  const availableListeners = new Set<() => void>();
  let lastAvailable: boolean | null = null;

  /** Tells the listeners when the service answers again after failing. */
  function observe(health: CloudHealth): CloudHealth {
    if (health.available && lastAvailable === false) for (const listener of availableListeners) listener();
    lastAvailable = health.available;
    return health;
  }

  async function probe(url: string): Promise<CloudHealth> {
    const unreachable = `The Agent Talk cloud at ${url} can't be reached, so its voices are unavailable; the offline voices work without it.`;
    try {
      const response = await fetchFn(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.json().catch(() => null)) as { status?: unknown } | null;
      if (response.ok && body?.status === 'ok') return { available: true, reason: null };
      return { available: false, reason: unreachable };
    } catch {
      return { available: false, reason: unreachable };
    }
  }

  return {
    check(): Promise<CloudHealth> {
      const url = cloudUrl();
      if (url === null) return Promise.resolve({ available: false, reason: 'Set the Agent Talk cloud URL in Settings to use the cloud voices.' });
      if (!cached || cached.url !== url || now() - cached.at > ttlMs) cached = { url, at: now(), health: probe(url).then(observe) };
      return cached.health;
    },
    /** Calls `listener` each time a probe succeeds after one failed (a reconnect); returns the unsubscribe function. */
    onAvailable(listener: () => void): () => void {
      availableListeners.add(listener);
      return () => availableListeners.delete(listener);
    },
    /** Forgets the last answer (a memo just failed to reach the cloud, or the user asked to check again). */
    forget(): void {
      cached = undefined;
    },
  };
}
