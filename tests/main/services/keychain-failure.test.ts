/**
 * A keychain that stops answering in the middle of key operations, against a real gnome-keyring: each operation
 * either completes with what it says or changes nothing, and where a step cannot be undone the answer says so.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../../src-main/services';
import { KEYCHAIN_COPY_LEFT } from '../../../src-main/services/keys';
import { openSecretStore } from '../../../src-main/services/secrets';
import { requireTools } from '../../support/require-tool';
import { lookupSecret, SECRET_SERVICE_TOOLS, startSecretService, type SecretService } from '../../support/secret-service';
import { openAgentTalk, tempDir } from '../db/helpers';

const service = 'agent-talk-desktop-keys-test';
const haveKeyring = requireTools(SECRET_SERVICE_TOOLS, 'keychain failure suite');

describe.runIf(haveKeyring)('API keys when the keychain stops answering', () => {
  let session: SecretService;

  beforeAll(async () => {
    session = await startSecretService();
    // The process's D-Bus library reads the address once, at its first call: one session for the whole file.
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', session.env.DBUS_SESSION_BUS_ADDRESS);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    session?.stop();
  });

  const account = (keyId: string) => `api-key:${keyId}`;

  // One test, in order: the keychain answers, then it stops (which ends the session for this file).
  it('creates no key whose secret nobody holds, revokes with a notice of what it left, and cleans up at the next start', async () => {
    const profileDir = tempDir();
    const secrets = await openSecretStore({ service });
    expect(secrets.persistent).toBe(true);
    const s = createServices({ store: await openAgentTalk(profileDir), secrets, profileDir });
    const userId = (await s.accounts.createProfile('ada@example.com')).id;

    // A revocation that committed while the keychain was away leaves its copy behind: the next start removes it.
    const kept = await s.keys.create(userId, { name: 'Kept' });
    const left = await s.keys.create(userId, { name: 'Left behind' });
    expect(lookupSecret(session, service, account(left.key.id))).toBe(left.fullKey);
    await s.store.update('api_keys', left.key.id, { is_active: false });
    await s.keys.removeRevokedSecrets();
    expect(lookupSecret(session, service, account(left.key.id))).toBeNull();
    expect(lookupSecret(session, service, account(kept.key.id))).toBe(kept.fullKey);

    const before = { keys: s.store.count('api_keys', {}), logs: s.usage.list(userId, {}).length };
    session.stop();

    await expect(s.keys.create(userId, { name: 'Never seen' })).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(s.store.count('api_keys', {})).toBe(before.keys);
    expect(s.usage.list(userId, {}).length).toBe(before.logs);
    expect(await s.keys.overview(userId)).toMatchObject({ active: 1, limit: 2 });

    // The revocation is what protects the user: it commits, and the answer says what was left undone.
    const revoked = await s.keys.revoke(userId, kept.key.id);
    expect(revoked).toMatchObject({ id: kept.key.id, isActive: false, notice: KEYCHAIN_COPY_LEFT });
    expect(() => s.keys.authenticate(kept.fullKey)).toThrow(expect.objectContaining({ code: 'REVOKED_KEY' }));
  });
});
