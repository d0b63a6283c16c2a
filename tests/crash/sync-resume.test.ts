import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openAgentTalkStore } from '../../src-main/db';
import { createServices } from '../../src-main/services';
import { secretAccount } from '../../src-main/services/keys';
import { start } from '../cloud/server';
import { tempDir } from '../main/db/helpers';
import { fileSecretStore } from '../support/file-secrets';

describe('the app killed mid-sync', () => {
  it('resumes the outbox where it was at the next start: every queued key made once, no live orphan', async () => {
    const server = await start();
    try {
      const { user } = server.session.addUser('ada@example.com', 'correct horse battery', 'pro');
      const profileDir = tempDir();
      const secretsFile = join(profileDir, 'keychain-stand-in.json');
      // The service makes the first key, then holds its answer: the app dies before it knows the key.
      server.inject({ method: 'POST', path: '/api/keys', holdAfterApply: true });
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/sync-worker.ts', profileDir, server.url, secretsFile], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      for (let i = 0; i < 3000 && !server.requests.some((r) => r.status === 'held'); i++) await sleep(10);
      expect(server.requests.some((r) => r.status === 'held')).toBe(true);
      child.kill('SIGKILL');
      await exited;
      // Made (with the name its request was sent with, before it is given "Alpha"), its answer lost.
      const lost = server.session.keysOf(user.id).filter((k) => k.name !== 'Default Key');
      expect(lost).toHaveLength(1);

      const store = await openAgentTalkStore({ profileDir });
      const secrets = fileSecretStore(secretsFile);
      const services = createServices({ store, secrets, profileDir });
      expect(store.count('cloud_outbox', { status: 'pending' })).toBe(3);
      await services.sync.syncNow();

      const remote = server.session.keysOf(user.id);
      for (const name of ['Alpha', 'Beta', 'Gamma']) {
        const live = remote.filter((k) => k.name === name && k.isActive);
        expect(live, name).toHaveLength(1);
        const row = store.query('api_keys', { cloud_id: live[0]!.id })[0]!;
        expect(await secrets.get(secretAccount(row.id))).toBe(live[0]!.key);
      }
      // The key whose answer was lost is revoked: nobody holds its secret.
      expect(server.session.key(lost[0]!.id)).toMatchObject({ isActive: false });
      expect(remote.filter((k) => !k.isActive)).toHaveLength(1);
      expect(store.count('cloud_outbox', { status: 'pending' })).toBe(0);
      await store.close();
    } finally {
      await server.close();
    }
  }, 120_000);
});
