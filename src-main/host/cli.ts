/**
 * `npm run start:browser [-- --profile DIR --port N]`: the app in a browser, for machines where Electron cannot
 * run. Serves the built renderer (npm's script builds it first) until Ctrl-C, then closes the profile cleanly.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeStartupFailure } from '../startup-failure';
import { openSecretStore } from '../services/secrets';
import { newToken } from './guard';
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

/**
 * The address the host had the last time it served this profile (`<profile>/browser-host.json`, readable by the
 * user only): started again, it takes the same port (when free, and no --port is given) and the same token, so a
 * page left open reconnects by itself instead of asking for a new address.
 */
const lastRun = z.object({ port: z.int().min(1).max(65_535), token: z.string().min(16).max(200) });

function readLastRun(profileDir: string): z.infer<typeof lastRun> | null {
  try {
    return lastRun.parse(JSON.parse(readFileSync(join(profileDir, 'browser-host.json'), 'utf8')));
  } catch {
    return null; // none yet, or unreadable: a new address
  }
}

function writeLastRun(profileDir: string, run: z.infer<typeof lastRun>): void {
  mkdirSync(profileDir, { recursive: true });
  writeFileSync(join(profileDir, 'browser-host.json'), JSON.stringify(run), { mode: 0o600 });
}

/** Starts on the last run's port and token where it can; on a free port when that one is taken. */
async function start(options: { profileDir: string; port: number }, secrets: Awaited<ReturnType<typeof openSecretStore>>) {
  const last = readLastRun(options.profileDir);
  const token = last?.token ?? newToken();
  const rendererDir = resolve(import.meta.dirname, '../../out/renderer');
  const port = options.port || last?.port || 0;
  try {
    return await startHost({ ...options, port, token, rendererDir, secrets, agentApi: {} });
  } catch (error) {
    if (options.port || port === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startHost({ ...options, port: 0, token, rendererDir, secrets, agentApi: {} });
  }
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
  let host: Awaited<ReturnType<typeof startHost>>;
  try {
    host = await start(options, secrets);
  } catch (error) {
    console.error(describeStartupFailure(error, options.profileDir).line);
    process.exit(1);
  }
  const { port, searchParams } = new URL(host.url);
  writeLastRun(options.profileDir, { port: Number(port), token: searchParams.get('token')! });
  console.log(`Agent Talk is running at ${host.url} (profile ${options.profileDir}; Ctrl-C stops it)`);
  const { state, problem } = host.session.status();
  if (state !== 'open') console.log(`The store is ${state}: ${problem} The page offers the ways back.`);
  if (!secrets.persistent) console.log(`Keychain: ${secrets.reason}`);
  const agents = host.session.core?.agentApi?.view();
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
