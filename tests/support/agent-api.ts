/** A core running the agent API on a free port, with a profile and a key, and raw HTTP clients for it. */
import { request } from 'node:http';
import { connect } from 'node:net';
import { createCore, type CoreOptions } from '../../src-main/core';
import { sessionSecretStore } from '../../src-main/services/secrets';
import type { Tier } from '../../src-shared/tiers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Profiles that outlive one test (a suite's shared core, a restart), removed when the file's tests end. */
const profiles: string[] = [];
afterAll(() => profiles.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

export function profileDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-talk-api-'));
  profiles.push(dir);
  return dir;
}

export async function agentCore({ tier = 'hobby', profileDir: dir = profileDir(), agentApi = {} }: { tier?: Tier; profileDir?: string; agentApi?: CoreOptions['agentApi'] } = {}) {
  const core = await createCore({ profileDir: dir, secrets: sessionSecretStore('test'), agentApi: { port: 0, ...agentApi } });
  const existing = core.services.accounts.current();
  const user = existing ?? (await core.services.accounts.createProfile('ada@example.com'));
  if (!existing && tier !== 'hobby') await core.services.subscriptions.set(user.id, { tier, status: 'active' });
  const view = core.agentApi!.view();
  if (!view.address) throw new Error(`agent API not running: ${view.problem}`);
  const port = Number(new URL(view.address).port);
  return { core, user, port, base: view.address, profileDir: dir, newKey: async (name = 'Agent') => (await core.services.keys.create(user.id, { name })).fullKey };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- bodies are checked by assertions
}

/** One HTTP/1.1 request with exactly the headers given (Host included unless `host: null`). */
export function call(port: number, { method = 'GET', path = '/', headers = {}, body, host }: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; host?: string | null } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, setHost: false, agent: false, headers: { ...(host !== null && { host: host ?? `127.0.0.1:${port}` }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON: audio */
        }
        resolve({ status: res.statusCode!, headers: res.headers, bytes, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Bytes written straight on a socket (for requests an HTTP client will not send); answers what came back. */
export function rawCall(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.end(bytes);
  });
}

export const postJson = (port: number, path: string, value: unknown, key?: string, extra: Record<string, string> = {}) =>
  call(port, { method: 'POST', path, body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }), ...extra } });
