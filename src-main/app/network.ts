/** Electron glue for online.ts: `net.isOnline()` polled, and powerMonitor's `resume`. Call after the app is ready. */
import { net, powerMonitor } from 'electron';
import { watchOnline } from './online';

/** Calls `reconnected` when the network comes back or the machine wakes online; answers the function that stops. */
export function watchNetwork(reconnected: () => void): () => void {
  const watch = watchOnline({ isOnline: () => net.isOnline(), reconnected });
  powerMonitor.on('resume', watch.resumed);
  return () => {
    powerMonitor.off('resume', watch.resumed);
    watch.stop();
  };
}
