/**
 * `startup-worker.ts PROFILE`: the Electron entry's start, in plain Node (the Electron binary is not here), in a
 * process of its own so that a suite can run it as another user: opens a session on the profile and prints one JSON
 * line, `{"opened":true}`, or what the start-up dialog would show (`{reason, actions}`).
 */
import { openSession } from '../../src-main/session';
import { sessionSecretStore } from '../../src-main/services/secrets';
import { describeStartupFailure } from '../../src-main/startup-failure';

const profileDir = process.argv[2]!;
try {
  const session = await openSession({ profileDir, secrets: sessionSecretStore('test') });
  await session.close();
  console.log(JSON.stringify({ opened: true }));
} catch (error) {
  const { reason, actions } = describeStartupFailure(error, profileDir);
  console.log(JSON.stringify({ reason, actions }));
}
