/**
 * Secrets in one file of the profile, each encrypted by a cipher the edge provides (Electron's safeStorage, which
 * asks the OS: DPAPI, the macOS Keychain's key, or a Linux keyring). Used only where no keychain answers and the
 * cipher really encrypts. The file holds `{ account: base64 }`, is readable by the user only, and is replaced
 * whole on each change (a crash leaves the old file or the new one).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { SecretStore } from '.';

/** What Electron's safeStorage offers, in its own terms; `backend` is its selected storage backend (Linux) or the OS's name. */
export interface SecretCipher {
  readonly backend: string;
  encrypt(plain: string): Uint8Array;
  decrypt(encrypted: Uint8Array): string;
}

const fileSchema = z.record(z.string(), z.base64());

export function encryptedFileSecretStore(path: string, cipher: SecretCipher): SecretStore {
  /** Writes one after another, each on the file as the one before left it. */
  let queue: Promise<unknown> = Promise.resolve();

  async function read(): Promise<Record<string, string>> {
    try {
      return fileSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`The secrets file ${path} cannot be read: ${(error as Error).message}`);
    }
  }

  function change(apply: (secrets: Record<string, string>) => boolean): Promise<boolean> {
    const run = queue.then(async () => {
      const secrets = await read();
      const changed = apply(secrets);
      if (changed) {
        await writeFile(`${path}.tmp`, JSON.stringify(secrets), { mode: 0o600 });
        await rename(`${path}.tmp`, path);
      }
      return changed;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    persistent: true,
    async get(account) {
      const encrypted = (await read())[account];
      return encrypted === undefined ? null : cipher.decrypt(Buffer.from(encrypted, 'base64'));
    },
    async set(account, secret) {
      const encrypted = Buffer.from(cipher.encrypt(secret)).toString('base64');
      await change((secrets) => {
        secrets[account] = encrypted;
        return true;
      });
    },
    delete: (account) =>
      change((secrets) => {
        if (!(account in secrets)) return false;
        delete secrets[account];
        return true;
      }),
  };
}
