/**
 * The browser host: the core of one profile served to a browser on 127.0.0.1 only. One HTTP server serves the
 * built renderer and the memo audio (the same responses as app://, from the same code) and the WebSocket
 * transport at /ws.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { sendResponse } from '../serve/node-response';
import { APP_ORIGIN } from '../serve/origin';
import { ensureAudioWith, routeAppRequest, type AppDirs } from '../serve/serve';
import { AUDIO_PATH_PREFIX } from '../serve/serve-audio';
import { UPLOAD_PATH } from '../serve/upload';
import type { Core, CoreOptions } from '../core';
import { openSession, type Session } from '../session';
import { audioDirOf } from '../services/audio-files';
import { uploadDirOf } from '../services/legacy-import';
import type { SecretStore } from '../services/secrets';
import { addressedToHost, audioCookieFor, hasManyHosts, mayOpenSocket, mayReadAudio, mayUpload, newToken, TOKEN_CHECK_PATH, tokenCheckStatus, type HostIdentity } from './guard';
import { serveSocket } from './socket';

const LOOPBACK = '127.0.0.1';
/** The largest frame a page may send (a memo's text, up to 1 MB, is the largest call; files go through /upload);
 * ws closes the socket (1009) on a larger one. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export interface HostOptions {
  profileDir: string;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The keychain to use; by default the OS keychain, or a session-only store where none answers. */
  secrets?: SecretStore;
  /** The page's token; by default a new one. The same one again lets a page left open reconnect to a restarted host. */
  token?: string;
  /** Runs the agent API beside the page (the command line does; see CoreOptions). */
  agentApi?: CoreOptions['agentApi'];
}

export interface Host {
  /** The page's address, with this run's token: whoever has it can use the profile. */
  url: string;
  /** The profile's core, as the page reaches it (tests seed and inspect through it); throws while the store is
   * damaged or missing. */
  readonly core: Core;
  session: Session;
  /** Closes the sockets, the server and the core. */
  close(): Promise<void>;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}

/** The request headers the app:// responses read: the byte range a media element asks for, an upload's length. */
const FORWARDED_HEADERS = ['range', 'if-range', 'content-length'] as const;

/** Answers a plain HTTP request with the file its path names, as app://agent-talk would. */
async function serveFile(dirs: AppDirs, identity: HostIdentity, req: IncomingMessage, res: ServerResponse) {
  if (hasManyHosts(req)) return plain(res, 400, 'Bad Request');
  if (!addressedToHost(req, identity)) return plain(res, 421, `Open the address the app printed: ${identity.origin}/`);
  let request: Request;
  try {
    const headers = new Headers();
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    // An upload's body streams through as it arrives (`duplex: 'half'`: Node's fetch wants it said for a stream).
    const body: RequestInit = req.method === 'POST' ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {};
    request = new Request(`${APP_ORIGIN}${req.url}`, { method: req.method, headers, ...body });
  } catch {
    return plain(res, 400, 'Bad Request'); // a method, path or header value the Fetch API refuses
  }
  const { pathname } = new URL(request.url);
  if (pathname === TOKEN_CHECK_PATH) return void res.writeHead(tokenCheckStatus(req, identity), { 'Cache-Control': 'no-store' }).end();
  if (pathname.startsWith(AUDIO_PATH_PREFIX) && !mayReadAudio(req, identity)) return plain(res, 403, 'Open the address the app printed first.');
  if (pathname === UPLOAD_PATH && !mayUpload(req, identity)) return plain(res, 403, 'Uploads come only from the app’s own page.');
  const response = await routeAppRequest(dirs, request);
  const cookie = pathname === '/' && audioCookieFor(req, identity, AUDIO_PATH_PREFIX);
  if (cookie) res.setHeader('Set-Cookie', cookie);
  await sendResponse(res, response);
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startHost({ profileDir, rendererDir, port = 0, secrets, agentApi, token = newToken() }: HostOptions): Promise<Host> {
  const session = await openSession({ profileDir, ...(secrets && { secrets }), ...(agentApi && { agentApi }) });
  const server = createServer();
  let identity: HostIdentity;
  try {
    const actualPort = await listen(server, port);
    identity = { host: `${LOOPBACK}:${actualPort}`, origin: `http://${LOOPBACK}:${actualPort}`, token };
  } catch (error) {
    await session.close();
    throw error;
  }

  const dirs: AppDirs = { rendererDir, audioDir: audioDirOf(profileDir), uploadDir: uploadDirOf(profileDir), ensureAudio: ensureAudioWith(() => session.core?.services) };
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('request', (req, res) => {
    serveFile(dirs, identity, req, res).catch((error: unknown) => {
      console.error('browser host: serving a file failed', error);
      if (!res.headersSent) plain(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    // Until ws takes the socket over, a client resetting the connection is no error of the host's.
    const dropSocket = () => socket.destroy();
    socket.on('error', dropSocket);
    if (hasManyHosts(req)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!mayOpenSocket(req, identity)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.off('error', dropSocket);
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, session.handle));
  });

  const unsubscribe = session.subscribe((event, payload) => {
    const frame = JSON.stringify({ event, payload });
    for (const client of sockets.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
  });

  return {
    url: `${identity.origin}/?token=${identity.token}`,
    session,
    get core() {
      if (!session.core) throw new Error(`the store is ${session.status().state}`);
      return session.core;
    },
    async close() {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await session.close();
    },
  };
}
