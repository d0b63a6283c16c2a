/**
 * Secrets (full API keys, the cloud session token) in the OS keychain through @napi-rs/keyring. Where no keychain
 * answers: in Electron, a file in the profile encrypted by its safeStorage (a `SecretCipher` the edge injects),
 * when its backend really encrypts; else held in memory for this session only, and the store says so and what to
 * do. A secret value is never logged or put in an error message.
 */
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { encryptedFileSecretStore, type SecretCipher } from './encrypted-file';

export type { SecretCipher } from './encrypted-file';

export const SECRET_SERVICE = 'agent-talk-desktop';

/** How to get a keychain that keeps secrets, for the messages below. */
const GET_A_KEYCHAIN = 'To keep them, run and unlock a keychain (GNOME Keyring or KWallet, which provide the Secret Service), then start Agent Talk again.';

export const SESSION_ONLY_REASON = `No keychain answered: full API keys are kept only until Agent Talk stops, and are gone from this computer after that. ${GET_A_KEYCHAIN}`;

/** Electron's safeStorage on Linux without a keyring: its "encryption" is a fixed password, which hides nothing. */
export const PLAIN_TEXT_BACKEND = 'basic_text';

export const PLAIN_TEXT_REASON = `No keychain answered, and Electron's own encryption here is plain text (no keyring), so full API keys are not written to disk: they are kept only until Agent Talk stops. ${GET_A_KEYCHAIN}`;

export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when there was a secret to delete. */
  delete(account: string): Promise<boolean>;
  /** False when secrets live only in this process and are gone when the app quits. */
  readonly persistent: boolean;
  /** Why secrets are not persistent, in words the UI can show; absent for the keychain. */
  readonly reason?: string;
}

export type SecretStoreErrorCode = 'KEYCHAIN_UNAVAILABLE';

export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
  constructor(
    readonly code: SecretStoreErrorCode,
    message: string,
    readonly details: { account: string; operation: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Unset, Linux silently falls back to the kernel keyring, which forgets everything at reboot. */
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

const PROBE_ACCOUNT = 'keychain-probe';

export interface OpenSecretStoreOptions {
  service?: string;
  /** Electron's safeStorage, and the file it encrypts into (in the profile): used where no keychain answers. */
  fallback?: { cipher: SecretCipher; file: string };
}

/**
 * The OS keychain when a round trip through it works; else the fallback's encrypted file when its cipher really
 * encrypts; else a session-only store with its `reason`.
 */
export async function openSecretStore({ service = SECRET_SERVICE, fallback }: OpenSecretStoreOptions = {}): Promise<SecretStore> {
  const keychain = keychainStore(service);
  try {
    // On Linux the library loads without a Secret Service and fails only when called: probe with a real round trip.
    const probe = new Date().toISOString();
    await keychain.set(PROBE_ACCOUNT, probe);
    const answered = (await keychain.get(PROBE_ACCOUNT)) === probe;
    await keychain.delete(PROBE_ACCOUNT);
    if (answered) return keychain;
  } catch {
    // Any failure means no usable keychain: fall through.
  }
  if (!fallback) return sessionSecretStore(SESSION_ONLY_REASON);
  if (fallback.cipher.backend === PLAIN_TEXT_BACKEND) return sessionSecretStore(PLAIN_TEXT_REASON);
  return encryptedFileSecretStore(fallback.file, fallback.cipher);
}

function keychainStore(service: string): SecretStore {
  async function call<T>(operation: string, account: string, run: (entry: AsyncEntry) => Promise<T>): Promise<T> {
    try {
      return await run(new AsyncEntry(service, account, ENTRY_OPTIONS));
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      throw new SecretStoreError(
        'KEYCHAIN_UNAVAILABLE',
        `The keychain could not ${operation} the secret for "${account}": ${cause}`,
        { account, operation },
        { cause: error },
      );
    }
  }
  return {
    persistent: true,
    get: (account) => call('read', account, (entry) => entry.getPassword()),
    set: (account, secret) => call('write', account, (entry) => entry.setPassword(secret)),
    delete: (account) => call('delete', account, (entry) => entry.deleteCredential()),
  };
}

/** Secrets held in this process only (the fallback, and the store the services' tests use). */
export function sessionSecretStore(reason: string): SecretStore {
  const secrets = new Map<string, string>();
  return {
    persistent: false,
    reason,
    get: async (account) => secrets.get(account) ?? null,
    set: async (account, secret) => {
      secrets.set(account, secret);
    },
    delete: async (account) => secrets.delete(account),
  };
}
