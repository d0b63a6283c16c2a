/** Services over a real store in a temp profile, with a clock the test can move and an in-memory keychain. */
import { createServices } from '../../../src-main/services';
import { sessionSecretStore } from '../../../src-main/services/secrets';
import { openAgentTalk, tempDir } from '../db/helpers';

export async function servicesAt(start = '2026-03-10T12:00:00.000Z', profileDir = tempDir(), email = 'ada@example.com') {
  const clock = { now: new Date(start) };
  const store = await openAgentTalk(profileDir, { clock: () => clock.now });
  const secrets = sessionSecretStore('test');
  const services = createServices({ store, secrets, profileDir, clock: () => clock.now });
  const user = await services.accounts.createProfile(email);
  return { ...services, clock, user, profileDir, setTime: (iso: string) => (clock.now = new Date(iso)) };
}
