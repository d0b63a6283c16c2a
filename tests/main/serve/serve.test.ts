import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../../src-main/serve/origin';
import { serveAppRequest } from '../../../src-main/serve/serve';

describe('serveAppRequest', () => {
  let base: string;
  let rendererDir: string;
  const get = (url: string, method = 'GET') => serveAppRequest(rendererDir, new Request(url, { method }));

  beforeAll(() => {
    // A secret beside the renderer directory: what a traversal would try to read.
    base = mkdtempSync(join(tmpdir(), 'agent-talk-serve-'));
    rendererDir = join(base, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Agent Talk</title>');
    writeFileSync(join(rendererDir, 'assets', 'index.js'), 'console.log(1)');
    writeFileSync(join(base, 'secret.txt'), 'secret');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('serves index.html at the root, with the CSP and nosniff headers', async () => {
    const response = await get('app://agent-talk/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Agent Talk</title>');
  });

  it('serves assets with their MIME type', async () => {
    const response = await get('app://agent-talk/assets/index.js');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe('console.log(1)');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await get('app://agent-talk/index.html', 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe('');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('refuses %s with 405', async (method) => {
    expect((await get('app://agent-talk/index.html', method)).status).toBe(405);
  });

  it.each([
    'app://agent-talk/..%2fsecret.txt',
    'app://agent-talk/assets/..%2f..%2fsecret.txt',
    'app://agent-talk/%2e%2e%2fsecret.txt',
    'app://agent-talk/..%5csecret.txt',
    'app://agent-talk/../secret.txt', // the parser clamps it to /secret.txt, which the renderer does not have
    'app://agent-talk/missing.js',
    'app://agent-talk/assets', // a directory
    'app://agent-talk/assets/index.js/x',
    'app://agent-talk/index.html%00.js',
    'app://evil/index.html',
    'app://agent-talk.evil/index.html',
  ])('answers 404 to %s, and never with the secret', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('secret');
  });
});
