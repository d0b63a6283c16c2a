/** The agent-talk store's schema history. Append a migration for every schema change; never edit an old one. */
import { apiKeyCloudDay, apiKeyExtension, apiKeyOriginExtension, cloudMemoExtensions, cloudOutboxTable, cloudOutboxUserIndex, cloudUsage, deviceRemovalExtensions, deviceSyncTables, jobTable, memoErrorCode, memoExtension, memoFilterIndexes, memoIndexesWithRows, seedTables, settings, usageLogExtension } from '../../../src-shared/schema';
import { createTables, extendTables, indexesHoldRows, uniqueLookups, type Migration } from '../migrate';
import { caseInsensitiveEmails } from './case-insensitive-emails';

export const migrations: readonly Migration[] = [
  createTables(1, 'agent-talk tables', seedTables),
  extendTables(2, 'desktop app columns', { api_keys: apiKeyExtension, memos: memoExtension, usage_logs: usageLogExtension }),
  createTables(3, 'app settings', [settings]),
  createTables(4, 'generation jobs', [jobTable]),
  extendTables(5, 'library filter indexes', { memos: memoFilterIndexes }),
  createTables(6, 'device sync', deviceSyncTables),
  extendTables(7, 'memo failure kinds', { memos: memoErrorCode }),
  extendTables(8, 'cloud memos: kept answers, waiting jobs, keys bound to their service', cloudMemoExtensions),
  caseInsensitiveEmails(9),
  extendTables(10, 'cloud keys', { api_keys: apiKeyOriginExtension }),
  createTables(11, 'cloud outbox and cloud usage', [cloudOutboxTable, cloudUsage]),
  extendTables(12, 'cloud key rate limit readings', { api_keys: apiKeyCloudDay }),
  extendTables(13, 'device sync: removed devices, where deletions were written', deviceRemovalExtensions),
  uniqueLookups(14),
  indexesHoldRows(15, 'memos newest first read from their index', { memos: memoIndexesWithRows }),
  extendTables(16, 'cloud outbox entries found by user', { cloud_outbox: cloudOutboxUserIndex }),
];
