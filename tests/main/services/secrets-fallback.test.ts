import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../../src-main/services';
import { openSecretStore, PLAIN_TEXT_REASON, SESSION_ONLY_REASON, type SecretCipher } from '../../../src-main/services/secrets';
import { openAgentTalk, tempDir } from '../db/helpers';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** No Secret Service on the session bus: what a machine without a keychain daemon answers. */
const noSecretService = () => vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', `unix:path=${join(tmpdir(), 'agent-talk-no-such-bus')}`);

/**
 * Stands in for Electron's safeStorage, which cannot run here (no Electron binary): AES-256-GCM with a key held in
 * memory, as safeStorage holds the key the OS keyring gives it. `backend` is what safeStorage would name.
 */
function testCipher(backend = 'gnome_libsecret'): SecretCipher {
  const key = randomBytes(32);
  return {
    backend,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(bytes) {
      const data = Buffer.from(bytes);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

describe('where no keychain answers', () => {
  it('keeps secrets for this session only, and says what is lost and how to keep them', async () => {
    noSecretService();
    const store = await openSecretStore({ service: 'agent-talk-desktop-test' });
    expect(store.persistent).toBe(false);
    expect(store.reason).toBe(SESSION_ONLY_REASON);
    expect(store.reason).toMatch(/gone from this computer.*GNOME Keyring or KWallet/);

    await store.set('key-1', 'at_live_first');
    await store.set('key-1', 'at_live_second');
    expect(await store.get('key-1')).toBe('at_live_second');
    expect(await store.delete('key-1')).toBe(true);
    expect(await store.get('key-1')).toBeNull();
    expect(await store.delete('key-1')).toBe(false);
  });

  it('keeps secrets in an encrypted file of the profile when Electron’s safeStorage really encrypts, across restarts', async () => {
    noSecretService();
    const file = join(tempDir(), 'secrets.enc');
    const cipher = testCipher();
    const first = await openSecretStore({ service: 'agent-talk-desktop-test', fallback: { cipher, file } });
    expect(first.persistent).toBe(true);
    await first.set('api-key:1', 'at_live_SECRETVALUE1');
    await Promise.all([first.set('api-key:2', 'at_live_SECRETVALUE2'), first.set('api-key:3', 'at_live_SECRETVALUE3')]);
    expect(readFileSync(file, 'utf8')).not.toContain('SECRETVALUE');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const restarted = await openSecretStore({ service: 'agent-talk-desktop-test', fallback: { cipher, file } });
    expect(await restarted.get('api-key:1')).toBe('at_live_SECRETVALUE1');
    expect(await restarted.get('api-key:3')).toBe('at_live_SECRETVALUE3');
    expect(await restarted.delete('api-key:2')).toBe(true);
    expect(await restarted.delete('api-key:2')).toBe(false);
    expect(await restarted.get('api-key:2')).toBeNull();
  });

  it('writes nothing to disk when safeStorage’s backend is basic_text (Linux without a keyring), and tells the user', async () => {
    noSecretService();
    const file = join(tempDir(), 'secrets.enc');
    const store = await openSecretStore({ service: 'agent-talk-desktop-test', fallback: { cipher: testCipher('basic_text'), file } });
    expect(store.persistent).toBe(false);
    expect(store.reason).toBe(PLAIN_TEXT_REASON);
    await store.set('api-key:1', 'at_live_x');
    expect(() => statSync(file)).toThrow();
  });

  it('marks a key whose full key was kept for an earlier session only as not on this computer', async () => {
    noSecretService();
    const profileDir = tempDir();
    const store = await openAgentTalk(profileDir);
    const session = createServices({ store, profileDir, secrets: await openSecretStore({ service: 'agent-talk-desktop-test' }) });
    const user = await session.accounts.createProfile('ada@example.com');
    const { key } = await session.keys.create(user.id, { name: 'Laptop' });
    expect((await session.keys.overview(user.id)).keys).toMatchObject([{ id: key.id, secret: 'session' }]);

    // The app starts again on the same profile: the session's secrets are gone, the key is still there.
    const restarted = createServices({ store, profileDir, secrets: await openSecretStore({ service: 'agent-talk-desktop-test' }) });
    expect((await restarted.keys.overview(user.id)).keys).toMatchObject([{ id: key.id, isActive: true, secret: 'missing' }]);

    // With Electron's encrypted file, it is kept.
    const file = join(profileDir, 'secrets.enc');
    const cipher = testCipher();
    const electron = createServices({ store, profileDir, secrets: await openSecretStore({ service: 'agent-talk-desktop-test', fallback: { cipher, file } }) });
    const second = await electron.keys.create(user.id, { name: 'Desk' });
    const again = createServices({ store, profileDir, secrets: await openSecretStore({ service: 'agent-talk-desktop-test', fallback: { cipher, file } }) });
    expect((await again.keys.overview(user.id)).keys.find((k) => k.id === second.key.id)).toMatchObject({ secret: 'here' });
    expect(await again.keys.secretOf(user.id, second.key.id)).toBe(second.fullKey);
  });
});
