/**
 * Child process for the generation crash test: opens the profile given as argv[2] with a short job lease, creates
 * the profile's account and a key, asks for one long offline memo, and prints one JSON line
 * `{"memoId", "userId", "keyId", "pid"}` once the memo is `processing` and Flite is busy speaking it. The parent
 * kills it with SIGKILL then; it never exits by itself before the memo would be complete.
 */
import { openAgentTalkStore } from '../../src-main/db';
import { createServices } from '../../src-main/services';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { createOfflineEngine } from '../../src-main/services/tts/engines/offline';

const profileDir = process.argv[2]!;
const leaseMs = Number(process.argv[3] ?? 1_500);

/** About 4,500 characters of varied sentences (the hobby plan allows 5,000): a few seconds of Flite's work. */
function longText(): string {
  const sentences = [
    'The quarterly review starts at nine, so please bring the numbers from the last three months.',
    'Sales in the northern region grew by twelve percent, mostly thanks to the new distributor.',
    'Did anyone check whether the shipping delays in February were caused by the weather?',
    'Short answer: yes.',
    'The support team closed 1,284 tickets, and the average response time fell to four hours.',
    'We still need a decision on the office move before the lease runs out on June 30.',
    'Remember to thank Priya for the migration; it went live without a single minute of downtime!',
    'Next week, the design review moves to Thursday afternoon, right after the all-hands meeting.',
  ];
  let text = '';
  for (let i = 0; text.length < 4_500; i++) text += sentences[i % sentences.length] + (i % 9 === 8 ? '\n\n' : ' ');
  return text.trim();
}

const store = await openAgentTalkStore({ profileDir });
const engine = createOfflineEngine();
await engine.prepare(); // compiled before the memo is asked for, so the kill lands mid-synthesis, not mid-compile
const services = createServices({ store, secrets: sessionSecretStore('crash test'), profileDir, engines: [engine], jobs: { leaseMs } });
const user = await services.accounts.createProfile('crash@example.com');
const { key } = await services.keys.create(user.id, { name: 'crash test' });
await services.generation.start();
const memo = await services.generation.generate(user.id, { text: longText(), voice: 'flite:slt', keyId: key.id });

for (;;) {
  const status = store.get('memos', memo.id)?.status;
  if (status === 'processing' && engine.stats().busy > 0) break;
  if (status !== 'queued' && status !== 'processing') throw new Error(`the memo became ${status} before the kill`);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(`${JSON.stringify({ memoId: memo.id, userId: user.id, keyId: key.id, pid: process.pid })}\n`);
setInterval(() => {}, 60_000); // keeps working until killed, whatever else the event loop holds
