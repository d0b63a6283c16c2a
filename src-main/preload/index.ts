/** The renderer's only door into the app: what is exposed here is all `window.agentTalk` offers. */
import { contextBridge } from 'electron';
import { version } from '../../package.json';

contextBridge.exposeInMainWorld('agentTalk', { version });
