/** The renderer's only door into the app: what is exposed here is all `window.agentTalk` offers. */
import { contextBridge, ipcRenderer } from 'electron';
import { version } from '../../package.json';
import { BRIDGE_NAME, type AgentTalkBridge } from '../../src-shared/contract/bridge';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type IpcResult } from '../../src-shared/contract/result';
import { createEventHub } from './events';

const events = createEventHub();
// The IpcRendererEvent (and its `sender`, the ipcRenderer itself) stays here: the page gets the payload only.
ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => events.emit(name, payload));

const bridge: AgentTalkBridge = {
  version,
  call: (method, args) => ipcRenderer.invoke(IPC_CALL_CHANNEL, method, args) as Promise<IpcResult>,
  on: (event, listener) => events.on(event, listener),
};

contextBridge.exposeInMainWorld(BRIDGE_NAME, bridge);
