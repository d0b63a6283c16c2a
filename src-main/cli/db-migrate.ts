/**
 * npm run db:migrate -- status|up|down [--to N] --profile DIR
 * Shows, applies or undoes the store's migrations. `down` without --to undoes the last one.
 */
import { parseArgs } from 'node:util';
import { openAgentTalkStore, type MigrationStatus } from '../db';

const USAGE = 'usage: npm run db:migrate -- status|up|down [--to N] --profile DIR';

function print(status: MigrationStatus[]): void {
  for (const m of status) {
    console.log(`${String(m.version).padStart(3, '0')}  ${m.appliedAt ? `applied ${m.appliedAt}` : 'pending'.padEnd(32)}  ${m.name}`);
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ allowPositionals: true, options: { profile: { type: 'string' }, to: { type: 'string' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, ...extra] = args.positionals;
  const { profile, to } = args.values;
  const target = to === undefined ? undefined : Number(to);
  if (!profile || extra.length > 0 || !['status', 'up', 'down'].includes(command ?? '') || (target !== undefined && !Number.isSafeInteger(target))) {
    console.error(USAGE);
    return 2;
  }
  const store = await openAgentTalkStore({ profileDir: profile, migrate: false });
  try {
    if (command === 'up') print(await store.migrations.up(target));
    else if (command === 'down') print(await store.migrations.down(target));
    else print(store.migrations.status());
    return 0;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
