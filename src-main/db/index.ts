/** The embedded LMDB table engine: given table definitions as data, it knows no table by name. */
export { openStore } from './store';
export type { Store, Transaction, TypedReader, OpenStoreOptions, WhereOf, OptionsOf } from './store';
export { StoreError, type StoreErrorCode, type StoreErrorDetails } from './errors';
export type { StoreHealth, HealthListener } from './health';
export { createTables, extendTables, type Migration, type Migrator, type MigrationStatus } from './migrate';
export type { ChangeEntry, ChangeListener } from './changes';
export type { Plan, QueryOptions, Where } from './query';
export type { DeleteResult } from './writer';
export type { Row } from './rows';
export { openAgentTalkStore, storePath, type AgentTalkStore } from './agent-talk';
