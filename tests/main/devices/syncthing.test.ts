/**
 * Two real Syncthing instances (Debian's `syncthing`) on 127.0.0.1 only (no discovery, relays, NAT traversal or
 * usage reporting), each carrying one computer's sync folder to the other: a memo made on one plays on the
 * other, and a deletion on the other removes it on the first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireTools } from '../../support/require-tool';
import { tempDir } from '../db/helpers';
import { computer, makeMemo, type Computer } from './helpers';

const haveSyncthing = requireTools(['syncthing'], 'Syncthing device sync suite');
const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((child) => child.kill('SIGKILL')));

/** A port free now on 127.0.0.1 (Syncthing takes addresses, not port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface Instance {
  home: string;
  id: string;
  port: number;
  gui: number;
}

async function generate(): Promise<Instance> {
  const home = tempDir();
  const out = spawnSync('syncthing', ['generate', '--home', home, '--no-default-folder'], { encoding: 'utf8', env: { ...process.env, HOME: home } });
  const id = /Device ID: ([A-Z0-9-]+)/.exec(`${out.stdout}${out.stderr}`)?.[1];
  if (!id) throw new Error(`syncthing generate gave no device id: ${out.stderr}`);
  return { home, id, port: await freePort(), gui: await freePort() };
}

const device = (peer: Instance, name: string) =>
  `<device id="${peer.id}" name="${name}" compression="never" introducer="false"><address>tcp://127.0.0.1:${peer.port}</address><autoAcceptFolders>false</autoAcceptFolders></device>`;

/** The whole config: loopback only, everything that reaches outside this machine off, the folder watched. */
function writeConfig(self: Instance, peer: Instance, folder: string): void {
  writeFileSync(
    join(self.home, 'config.xml'),
    `<configuration version="36">
  <folder id="agent-talk" label="Agent Talk" path="${folder}" type="sendreceive" rescanIntervalS="2" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false">
    <device id="${self.id}"></device><device id="${peer.id}"></device>
  </folder>
  ${device(self, 'self')}
  ${device(peer, 'peer')}
  <gui enabled="true" tls="false"><address>127.0.0.1:${self.gui}</address><apikey>agent-talk-test</apikey></gui>
  <options>
    <listenAddress>tcp://127.0.0.1:${self.port}</listenAddress>
    <globalAnnounceEnabled>false</globalAnnounceEnabled>
    <localAnnounceEnabled>false</localAnnounceEnabled>
    <relaysEnabled>false</relaysEnabled>
    <natEnabled>false</natEnabled>
    <urAccepted>-1</urAccepted>
    <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
    <crashReportingEnabled>false</crashReportingEnabled>
    <startBrowser>false</startBrowser>
  </options>
</configuration>
`,
  );
}

function start(instance: Instance): void {
  const child = spawn('syncthing', ['serve', '--home', instance.home, '--no-browser', '--no-restart', '--no-upgrade', '--no-default-folder'], {
    env: { ...process.env, HOME: instance.home, STNOUPGRADE: '1', STNORESTART: '1' },
    stdio: 'ignore',
  });
  children.push(child);
}

/** Rounds on both computers until `done` holds (Syncthing carries files within seconds on loopback). */
async function until(computers: Computer[], done: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Syncthing did not carry ${what} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const c of computers) await c.devices.run();
  }
}

describe.skipIf(!haveSyncthing)('two computers carried by two real Syncthing instances', () => {
  it('a memo made on one plays on the other; a deletion on the other removes it on the first', async () => {
    const [a, b] = [await generate(), await generate()];
    const [folderA, folderB] = [join(tempDir(), 'Sync'), join(tempDir(), 'Sync')];
    mkdirSync(folderA);
    mkdirSync(folderB);
    writeConfig(a, b, folderA);
    writeConfig(b, a, folderB);
    start(a);
    start(b);

    const home = await computer();
    const office = await computer('2026-12-02T11:00:00.000Z');
    await home.devices.configure({ folder: folderA, name: 'Home' });
    await office.devices.configure({ folder: folderB, name: 'Office', audio: 'all' });
    const audio = new TextEncoder().encode('RIFF… a memo’s audio');
    const memo = await makeMemo(home, { title: 'Über Syncthing', audio });

    await until([home, office], () => office.store.get('memos', memo.id)?.title === 'Über Syncthing', 'the memo');
    await until([home, office], () => {
      try {
        return readFileSync(join(office.audio.dir, `${memo.id}.wav`)).equals(Buffer.from(audio));
      } catch {
        return false;
      }
    }, 'its audio');
    expect(office.store.get('memos', memo.id)).toMatchObject({ status: 'completed', audio_url: `/audio/${memo.id}.wav` });

    await office.memos.delete(office.user.id, memo.id);
    await until([office, home], () => home.store.get('memos', memo.id) === undefined, 'the deletion');
    expect(home.devices.status().devices.map((d) => d.name).sort()).toEqual(['Home', 'Office']);
  }, 240_000);
});
