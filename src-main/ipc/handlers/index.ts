/** What each contract method does, in terms of the services: one file per domain, as the contract is. */
import type { ArgsOf, MethodName, ResultOf } from '../../../src-shared/contract';
import type { Services } from '../../services';
import type { CloudEngine } from '../../services/tts/engines/cloud';
import { agentApiHandlers, type AgentApiControl } from './agent-api';
import { devicesHandlers } from './devices';
import { keysHandlers } from './keys';
import { memosHandlers } from './memos';
import { profileHandlers } from './profile';
import { settingsHandlers } from './settings';
import { syncHandlers } from './sync';
import { usageHandlers } from './usage';
import { voicesHandlers } from './voices';

/** The handlers of the methods `M`; arguments arrive already validated by the router. */
export type HandlersOf<M extends MethodName> = { [N in M]: (args: NonNullable<ArgsOf<N>>) => ResultOf<N> | Promise<ResultOf<N>> };
/** The `store.*` methods: the profile session's (src-main/session.ts), which answers them with or without a core. */
export type StoreMethod = Extract<MethodName, `store.${string}`>;
export type StoreHandlers = HandlersOf<StoreMethod>;
/** What a core answers: every other method. */
export type CoreMethod = Exclude<MethodName, StoreMethod>;
export type Handlers = HandlersOf<CoreMethod>;

/** What the edge running the core (Electron, the browser host, a test) adds to it. */
export interface EdgeDeps {
  profileDir: string;
  /** Asks the user where to save a file (Electron's save dialog); answers the path, or null when they cancel.
   * Absent where the app cannot show one (the browser host: the page downloads instead). */
  saveFile?: (suggestedName: string) => Promise<string | null>;
  /** The cloud engine, whose last rate-limit headers the usage screen shows. */
  cloud?: CloudEngine;
  /** The agent API the edge runs, which Settings shows and changes. */
  agentApi?: AgentApiControl;
}

export function createHandlers(s: Services, edge: EdgeDeps): Handlers {
  return {
    ...profileHandlers(s, edge),
    ...keysHandlers(s),
    ...usageHandlers(s, edge),
    ...memosHandlers(s, edge),
    ...voicesHandlers(s),
    ...settingsHandlers(s, edge),
    ...syncHandlers(s),
    ...agentApiHandlers(s, edge),
    ...devicesHandlers(s),
  };
}
