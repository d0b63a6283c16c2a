import { useEffect, useState, type FormEvent } from 'react';
import type { AgentApiView } from '../../../src-shared/contract';
import { call, errorMessage } from '../../api';
import { curlExample, KEY_PLACEHOLDER } from './curl';
import './agent-api.css';

/**
 * Settings → Agent API: whether agents on this computer can make memos with the app's keys, at which address, on
 * which port (and why it is not running when the port is taken), cloud voices spoken offline, and a curl example.
 */
export function AgentApiSettings() {
  const [view, setView] = useState<AgentApiView | null>(null);
  const [portDraft, setPortDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  useEffect(() => {
    call('agentApi.get').then(setView, (failure: unknown) => setError(errorMessage(failure)));
  }, []);

  async function save(changes: Partial<Pick<AgentApiView, 'enabled' | 'port' | 'nearestOfflineVoice'>>) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const next = await call('agentApi.update', changes);
      setView(next);
      setPortDraft(null);
      setStatus(next.address ? `Running at ${next.address}.` : next.enabled ? '' : 'Turned off: agents can’t reach the app.');
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  function submitPort(event: FormEvent) {
    event.preventDefault();
    const port = Number(portDraft ?? view?.port);
    if (!Number.isInteger(port) || port < 1024 || port > 65_535) return setError('Pick a port from 1024 to 65535.');
    void save({ port });
  }

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setStatus(`Copied: paste your key where it says ${KEY_PLACEHOLDER}.`);
    } catch {
      setStatus('Copying failed: select the example and copy it by hand.');
    }
  }

  if (!view) return error ? <p className="error" role="alert">{error}</p> : null;
  const example = curlExample(view.address ?? `http://127.0.0.1:${view.port}`);
  return (
    <section className="card" aria-labelledby="agent-api-title">
      <h3 id="agent-api-title">Agent API</h3>
      <p className="settings-help">
        Programs and AI agents on this computer make memos with your keys, offline, within your plan’s limits; their
        memos appear in the Library. It speaks Agent Talk’s memo API and OpenAI’s speech API.
      </p>
      <label>
        <input type="checkbox" checked={view.enabled} disabled={busy} onChange={(event) => void save({ enabled: event.target.checked })} /> Let agents on
        this computer use the app
      </label>
      {view.address && (
        <p>
          Address: <code className="settings-path" data-testid="agent-api-address">{view.address}</code>
        </p>
      )}
      {view.problem && (
        <p className="warning" role="alert">
          {view.problem}
        </p>
      )}
      <form onSubmit={submitPort} noValidate className="agent-api-port">
        <label htmlFor="agent-api-port">Port</label>
        <input
          id="agent-api-port"
          type="number"
          inputMode="numeric"
          min={1024}
          max={65535}
          value={portDraft ?? String(view.port)}
          onChange={(event) => setPortDraft(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          Save port
        </button>
      </form>
      <label>
        <input type="checkbox" checked={view.nearestOfflineVoice} disabled={busy} onChange={(event) => void save({ nearestOfflineVoice: event.target.checked })} /> Speak cloud
        voices with the nearest offline voice when offline
      </label>
      <p className="settings-help">Otherwise a cloud voice asked for while the cloud can’t be reached is refused (503), and the agent may try again later.</p>
      <h4>Try it</h4>
      <pre className="agent-api-example" aria-label="curl example" tabIndex={0}>
        {example}
      </pre>
      <button type="button" onClick={() => void copy(example)}>
        Copy example
      </button>
      <p className="settings-help">
        For the OpenAI SDK, use the base URL <code>{(view.address ?? `http://127.0.0.1:${view.port}`) + '/v1'}</code> and one of your keys.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p role="status">{status}</p>
    </section>
  );
}
