import type { AgentApiView } from '../../../src-shared/contract';
import type { Services } from '../../services';
import type { EdgeDeps, HandlersOf } from '.';

/** The running agent API as the edge that started it exposes it (src-main/api/ is an edge: ipc/ cannot import it). */
export interface AgentApiControl {
  view(): AgentApiView;
  /** Starts, stops or moves the server to match the saved settings; answers how it runs then. */
  apply(): Promise<AgentApiView>;
}

export function agentApiHandlers(s: Services, { agentApi }: EdgeDeps): HandlersOf<'agentApi.get' | 'agentApi.update'> {
  const notHere = (): AgentApiView => ({ ...s.settings.agentApi(), address: null, problem: 'This window’s app does not run the agent API.' });
  return {
    'agentApi.get': () => agentApi?.view() ?? notHere(),
    'agentApi.update': async (changes) => {
      await s.settings.updateAgentApi(changes);
      return agentApi ? agentApi.apply() : notHere();
    },
  };
}
