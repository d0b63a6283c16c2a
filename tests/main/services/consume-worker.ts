/** Child process for the two-process exactness test: `count` concurrent calls on one key, then a JSON tally. */
import { openAgentTalkStore } from '../../../src-main/db';
import { createServices } from '../../../src-main/services';
import { sessionSecretStore } from '../../../src-main/services/secrets';

const [profileDir, keyId, count] = process.argv.slice(2) as [string, string, string];
const store = await openAgentTalkStore({ profileDir });
const { rateLimits } = createServices({ store, profileDir, secrets: sessionSecretStore('test') });
process.send?.('ready');
await new Promise((resolve) => process.once('message', resolve));
const results = await Promise.allSettled(Array.from({ length: Number(count) }, () => rateLimits.consume(keyId, 10)));
await store.close();
console.log(JSON.stringify({ allowed: results.filter((r) => r.status === 'fulfilled').length, refused: results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code) }));
