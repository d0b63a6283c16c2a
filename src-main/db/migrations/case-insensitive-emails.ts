/**
 * Migration 9: emails compared without regard to case, so `Alice@Example.com` and `alice@example.com` are one
 * account. Accounts that already share an email but for its case cannot both keep it: the migration names them
 * and changes nothing, rather than choosing for the user which account's keys and memos win.
 */
import { caseInsensitiveEmail, seedTables } from '../../../src-shared/schema';
import { StoreError } from '../errors';
import type { Migration, Migrator } from '../migrate';
import { foldCase } from '../rows';

/** Groups of accounts whose emails differ only in case, each as `email (id)`. */
export function caseDuplicateEmails(m: Pick<Migrator, 'list'>): string[][] {
  const byEmail = new Map<unknown, string[]>();
  for (const user of m.list('users', { orderBy: 'created_at' })) {
    const key = foldCase(user.email);
    byEmail.set(key, [...(byEmail.get(key) ?? []), `${String(user.email)} (${String(user.id)})`]);
  }
  return [...byEmail.values()].filter((group) => group.length > 1);
}

export const caseInsensitiveEmails = (version: number): Migration => ({
  version,
  name: 'case-insensitive emails',
  up(m) {
    const duplicates = caseDuplicateEmails(m);
    if (duplicates.length > 0) {
      throw new StoreError(
        'MIGRATION_ERROR',
        `${duplicates.length === 1 ? 'an email belongs' : `${duplicates.length} emails belong`} to more than one account once case is ignored: ` +
          `${duplicates.map((group) => group.join(' and ')).join('; ')}. Keep one account per email (delete or rename the others), then open the profile again`,
        { table: 'users', column: 'email', duplicates },
      );
    }
    m.alterColumns('users', caseInsensitiveEmail);
  },
  down(m) {
    const [seedUsers] = seedTables;
    m.alterColumns('users', { email: seedUsers.columns.email });
  },
});
