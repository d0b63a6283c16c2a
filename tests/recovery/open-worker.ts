/** `open-worker.ts PROFILE`: opens the profile's store as the migration command line does (no profile lock), applies
 * pending migrations, and prints the versions applied. Two of these at once race for the migrations. */
import { openAgentTalkStore } from '../../src-main/db';

const store = await openAgentTalkStore({ profileDir: process.argv[2]! });
console.log(store.migrations.status().map((m) => (m.appliedAt ? m.version : `-${m.version}`)).join(','));
await store.close();
