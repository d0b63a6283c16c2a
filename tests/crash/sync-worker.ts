/**
 * Child process for the sync crash test: opens the profile argv[2] (keychain stand-in argv[4]), links it to the
 * contract server at argv[3], queues three cloud key creates, prints `queued`, and syncs. The parent kills it with
 * SIGKILL while the service holds the first create's answer; it never exits by itself.
 */
import { openAgentTalkStore } from '../../src-main/db';
import { createServices } from '../../src-main/services';
import { fileSecretStore } from '../support/file-secrets';

const [profileDir, serverUrl, secretsFile] = process.argv.slice(2) as [string, string, string];
const store = await openAgentTalkStore({ profileDir });
const services = createServices({ store, secrets: fileSecretStore(secretsFile), profileDir });
const user = await services.accounts.createProfile('ada@example.com');
await services.settings.update({ cloudUrl: serverUrl });
await services.sync.link.signIn('ada@example.com', 'correct horse battery');
await services.sync.syncNow(); // the account's plan (pro) first: it allows the three keys
for (const name of ['Alpha', 'Beta', 'Gamma']) await services.sync.keys.create(user.id, { name });
process.stdout.write('queued\n');
void services.sync.syncNow();
setInterval(() => {}, 60_000); // keeps running until killed
