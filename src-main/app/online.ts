/**
 * When the network comes back, as the Electron edge learns it. Electron's main process has no `online` event: it
 * offers `net.isOnline()` (false is a strong sign of no network; true is not proof of reaching the service) and
 * powerMonitor's `resume` (the machine woke; its network may have changed while it slept). This decides from
 * those when to tell sync "reconnected": on a reading of online after one of offline, and on a wake while online.
 * A false "online" costs one sync run that finds the service unreachable (sync's own backoff then applies).
 * Nothing here imports electron at run time: it is tested in plain Node; network.ts is the Electron glue.
 */

export interface OnlineWatchOptions {
  /** Whether the computer has a network now (Electron: `net.isOnline()`). */
  isOnline: () => boolean;
  /** The network came back: sync now. */
  reconnected: () => void;
  /** How often `isOnline` is read (default 5 s); `0` reads it only when `check` is called. */
  pollMs?: number;
}

export interface OnlineWatch {
  /** Reads `isOnline` now (the poll calls this). */
  check(): void;
  /** The machine woke from sleep. */
  resumed(): void;
  stop(): void;
}

export function watchOnline({ isOnline, reconnected, pollMs = 5_000 }: OnlineWatchOptions): OnlineWatch {
  const read = (): boolean | null => {
    try {
      return isOnline();
    } catch {
      return null; // no reading: decide nothing
    }
  };
  let online = read();
  const check = () => {
    const now = read();
    if (now === null) return;
    if (now && online === false) reconnected();
    online = now;
  };
  const timer = pollMs > 0 ? setInterval(check, pollMs) : null;
  timer?.unref();
  return {
    check,
    resumed() {
      const now = read();
      if (now === null) return;
      online = now;
      if (now) reconnected();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
