/** The agent-talk store of one profile: the engine opened with the agent-talk tables and their migrations. */
import { join } from 'node:path';
import { tables } from '../../src-shared/schema';
import { migrations } from './migrations';
import { openStore, type Store } from './store';

export type AgentTalkStore = Store<typeof tables>;

/** Where a profile keeps its store (the LMDB data file and its lock file). */
export const storePath = (profileDir: string) => join(profileDir, 'store.mdb');

export function openAgentTalkStore(options: { profileDir: string; migrate?: boolean; clock?: () => Date }): Promise<AgentTalkStore> {
  const { profileDir, ...rest } = options;
  return openStore({ path: storePath(profileDir), tables, migrations, ...rest });
}
