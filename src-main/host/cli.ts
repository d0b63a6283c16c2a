/**
 * `npm run start:browser [-- --profile DIR --port N]`: the app in a browser, for machines where Electron cannot
 * run. Serves the built renderer (npm's script builds it first) until Ctrl-C, then closes the profile cleanly.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openSecretStore } from '../services/secrets';
import { startHost } from './server';

const USAGE = 'usage: npm run start:browser -- [--profile DIR] [--port N]';

/** Where the browser host keeps its profile unless told: the XDG data directory (Linux). */
function defaultProfileDir(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'agent-talk-desktop', 'profile');
}

function parseOptions(): { profileDir: string; port: number } {
  const { values } = parseArgs({ options: { profile: { type: 'string' }, port: { type: 'string' } } });
  const port = values.port ?? '0';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535) throw new TypeError(`--port takes a port number, not "${port}"`);
  return { profileDir: resolve(values.profile ?? defaultProfileDir()), port: Number(port) };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const secrets = await openSecretStore();
  const host = await startHost({ ...options, rendererDir: resolve(import.meta.dirname, '../../out/renderer'), secrets, agentApi: {} });
  console.log(`Agent Talk is running at ${host.url} (profile ${options.profileDir}; Ctrl-C stops it)`);
  if (!secrets.persistent) console.log(`Keychain: ${secrets.reason}`);
  const agents = host.core.agentApi?.view();
  if (agents?.address) console.log(`Agent API: ${agents.address} (Settings → Agent API)`);
  else if (agents?.problem) console.log(`Agent API: ${agents.problem}`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    host.close().then(
      () => {
        console.log('Stopped; the profile is closed.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('Closing the profile failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
