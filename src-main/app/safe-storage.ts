/**
 * Electron's safeStorage as the keychain's fallback (services/secrets): it encrypts with a key the OS keeps. On
 * Linux its backend may be `basic_text` (no keyring), which encrypts with a fixed password: the secrets service
 * then keeps secrets for the session only and says so. Call once the app is ready.
 */
import { safeStorage } from 'electron';
import type { SecretCipher } from '../services/secrets';

export function safeStorageCipher(): SecretCipher | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  return {
    // getSelectedStorageBackend exists on Linux only; elsewhere the OS's own store (DPAPI, the macOS Keychain) is used.
    backend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : process.platform,
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (encrypted) => safeStorage.decryptString(Buffer.from(encrypted)),
  };
}
