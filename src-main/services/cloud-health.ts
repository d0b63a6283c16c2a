/**
 * Whether the cloud voices can be used now: a cloud URL is set and the service's `GET /health` answers ok (one
 * try, through the cloud client). The answer is kept for `ttlMs` (the voice picker asks often) and forgotten when
 * the URL changes. Each probe that finds the service up is told to `onAvailable` listeners (memos waiting for the
 * cloud start); one that finds it up after one found it down is also told to `onReconnected` listeners (sync runs).
 */
import { z } from 'zod';
import type { CloudClient } from './cloud/client';

export interface CloudHealth {
  available: boolean;
  /** Why not, in a sentence the voice picker shows; null when available. */
  reason: string | null;
}

export interface CloudHealthOptions {
  client: CloudClient;
  timeoutMs?: number;
  ttlMs?: number;
  now?: () => number;
}

const HealthAnswer = z.object({ status: z.literal('ok') });

export interface CloudHealthMonitor {
  /**
   * Whether the cloud answers: the kept answer while it is younger than `ttlMs`; with `fresh`, a new probe unless
   * one is already on its way (a request about to be sent must not trust an answer up to `ttlMs` old).
   */
  check(options?: { fresh?: boolean }): Promise<CloudHealth>;
  /** Forgets the last answer (a memo just failed to reach the cloud, or the user asked to check again). */
  forget(): void;
  /** Calls `listener` after each probe that found the service up; returns the unsubscribe function. */
  onAvailable(listener: () => void): () => void;
  /** Calls `listener` each time a probe finds the service up after one found it down (a reconnect). */
  onReconnected(listener: () => void): () => void;
}

export function createCloudHealth({ client, timeoutMs = 3_000, ttlMs = 30_000, now = Date.now }: CloudHealthOptions): CloudHealthMonitor {
  let cached: { url: string; at: number; health: Promise<CloudHealth>; settled: boolean } | undefined;
  const listeners = new Set<() => void>();
  const reconnectListeners = new Set<() => void>();
  let lastAvailable: boolean | null = null;

  /** Tells the reconnect listeners when the service answers again after failing. */
  function observe(health: CloudHealth): CloudHealth {
    if (health.available && lastAvailable === false) for (const listener of reconnectListeners) listener();
    lastAvailable = health.available;
    return health;
  }

  async function probe(url: string): Promise<CloudHealth> {
    try {
      const answer = await client.request({ method: 'GET', path: '/health', what: 'the health check', json: HealthAnswer, attempts: 1, timeoutMs });
      if (answer.kind === 'ok') {
        for (const listener of listeners) listener();
        return { available: true, reason: null };
      }
    } catch {
      // said below
    }
    return { available: false, reason: `The Agent Talk cloud at ${url} can't be reached, so its voices are unavailable; the offline voices work without it.` };
  }

  return {
    check({ fresh = false } = {}): Promise<CloudHealth> {
      let url: string | null;
      try {
        url = client.serviceUrl();
      } catch (error) {
        return Promise.resolve({ available: false, reason: (error as Error).message });
      }
      if (url === null) return Promise.resolve({ available: false, reason: 'Set the Agent Talk cloud URL in Settings to use the cloud voices.' });
      if (!cached || cached.url !== url || now() - cached.at > ttlMs || (fresh && cached.settled)) {
        const entry: NonNullable<typeof cached> = { url, at: now(), settled: false, health: probe(url).then(observe) };
        void entry.health.then(() => (entry.settled = true));
        cached = entry;
      }
      return cached.health;
    },
    onReconnected(listener: () => void): () => void {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    forget(): void {
      cached = undefined;
    },
    onAvailable(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
