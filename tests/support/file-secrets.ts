/**
 * A stand-in for the OS keychain that outlives a killed process: a JSON file (the crash tests kill the app, and
 * the session-only store dies with it). Named as what it is; the real keychain is tested in secrets.test.ts.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SecretStore } from '../../src-main/services/secrets';

export function fileSecretStore(path: string): SecretStore {
  const read = (): Record<string, string> => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {});
  const write = (secrets: Record<string, string>) => {
    writeFileSync(`${path}.tmp`, JSON.stringify(secrets));
    renameSync(`${path}.tmp`, path);
  };
  return {
    persistent: true,
    get: async (account) => read()[account] ?? null,
    set: async (account, secret) => write({ ...read(), [account]: secret }),
    delete: async (account) => {
      const secrets = read();
      const had = account in secrets;
      delete secrets[account];
      write(secrets);
      return had;
    },
  };
}
