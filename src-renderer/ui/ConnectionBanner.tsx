import { useEffect, useState } from 'react';
import type { ConnectionState } from '../../src-shared/contract/bridge';
import { connectionState, watchConnection } from '../api';

const MESSAGES: Partial<Record<ConnectionState, string>> = {
  reconnecting: 'Agent Talk is not answering: it may have stopped or be restarting. This page reconnects by itself when it is back; what you type is kept.',
  'no-token': 'This page was opened without its token, so it cannot reach Agent Talk. Open the address Agent Talk printed when it started (it ends in ?token=…).',
  'token-refused': 'Agent Talk was started again with a new address. Open the address it printed in the terminal; this one no longer works.',
};

/** The link to the app, as it is now. */
export function useConnectionState(): ConnectionState {
  const [state, setState] = useState(connectionState);
  useEffect(() => {
    setState(connectionState());
    return watchConnection(setState);
  }, []);
  return state;
}

/** Says, above every screen, when the page cannot reach the app and what happens or must be done about it. */
export function ConnectionBanner({ state }: { state: ConnectionState }) {
  const message = MESSAGES[state];
  if (!message) return null;
  return (
    <p className={state === 'reconnecting' ? 'notice connection-banner' : 'error connection-banner'} role={state === 'reconnecting' ? 'status' : 'alert'}>
      {message}
    </p>
  );
}
