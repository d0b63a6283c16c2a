/**
 * The agent API: the service's memo API and OpenAI's speech endpoint on 127.0.0.1, for agents on this computer,
 * with keys made in the app, within the plan's exact limits, every memo landing in the Library. An edge beside the
 * browser host: it imports services (and serve/ for audio with Range), nothing of ipc/, host/ or app/.
 *
 * Safe by default: it binds 127.0.0.1 only; answers only requests addressed to its own address in exactly one Host
 * header (DNS rebinding); sends no CORS headers (a web page cannot read its answers, and cannot send a key without
 * a preflight it never passes); caps header and body sizes; never logs a key; answers every refusal with the
 * error envelope, never a stack or a path.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AgentApiView } from '../../src-shared/contract';
import type { ApiKey } from '../../src-shared/schema';
import { TIER_LIMITS } from '../../src-shared/tiers';
import { sendResponse } from '../serve/node-response';
import { APP_ORIGIN } from '../serve/origin';
import { ensureAudioWith } from '../serve/serve';
import { AUDIO_PATH_PREFIX, serveAudioRequest } from '../serve/serve-audio';
import { ServiceError, type Services } from '../services';
import { nextUtcMidnight, type Clock } from '../services/time';
import { createCompletions } from './completion';
import { ApiFailure, envelopeOf, failureOf } from './failure';
import { authenticate, checkHost, MAX_HEADER_BYTES } from './http';
import { createLine } from './line';
import { createMemo, getMemo, health, listMemos, listVoices } from './memo-routes';
import { createSpeech, openAiErrorOf } from './openai-speech';
import type { SpeakDeps } from './speak';

const LOOPBACK = '127.0.0.1';

export interface AgentApiOptions {
  services: Services;
  clock?: Clock;
  /** Overrides the saved port (tests pass 0 for a free one). */
  port?: number;
  /** How long a request waits for its memo's audio before answering 504 (default 60 s). */
  timeoutMs?: number;
  /** Requests in flight per unit of the plan's concurrency before 429 RATE_LIMIT_EXCEEDED (default 100). */
  waitingPerSlot?: number;
}

export interface AgentApi {
  view(): AgentApiView;
  /** Starts, stops or moves the server to match the saved settings. */
  apply(): Promise<AgentApiView>;
  close(): Promise<void>;
}

/** What a route answers: JSON, or bytes of a type. */
type Reply = { status: number; json: unknown; headers?: Record<string, string> } | { status: number; body: Uint8Array; type: string; headers?: Record<string, string> };

const json = (value: unknown, status = 200): Reply => ({ status, json: value });

const noAudio = () => new ApiFailure(404, 'NOT_FOUND', 'There is no audio by that name.');

function methodNotAllowed(allowed: string): never {
  throw new ApiFailure(405, 'METHOD_NOT_ALLOWED', `This path answers ${allowed} only.`, undefined, { Allow: allowed });
}

/** The bytes of a refusal written straight on a socket whose request Node could not parse (431, 400, 408). */
function rawRefusal(status: number): string {
  const body = JSON.stringify(envelopeOf(new ApiFailure(status, 'INVALID_INPUT', status === 431 ? `Request headers are limited to ${MAX_HEADER_BYTES} bytes.` : 'The request could not be read as HTTP/1.1.')));
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function problemOf(error: NodeJS.ErrnoException, port: number): string {
  if (error.code === 'EADDRINUSE') return `Port ${port} is in use by another program, so the agent API is not running. Pick another port here (or quit the program using it).`;
  if (error.code === 'EACCES') return `This computer does not let the app listen on port ${port}, so the agent API is not running. Pick a port from 1024 to 65535.`;
  return `The agent API could not start on port ${port} (${error.code ?? error.message}). Pick another port here.`;
}

export function createAgentApi({ services, clock = () => new Date(), port: portOverride, timeoutMs = 60_000, waitingPerSlot = 100 }: AgentApiOptions): AgentApi {
  const completions = createCompletions(services.store);
  const deps: SpeakDeps = { services, completions, line: createLine(waitingPerSlot), timeoutMs, nearestOffline: () => services.settings.agentApi().nearestOfflineVoice };
  const ensureAudio = ensureAudioWith(() => services);
  let running: { server: Server; port: number; asked: number } | null = null;
  let problem: string | null = null;

  /** X-RateLimit-* for the key that called, or for the profile's plan when no key was given or known. */
  function rateHeaders(key: ApiKey | null): Record<string, string> {
    const userId = key?.user_id ?? services.accounts.current()?.id;
    const standing = userId
      ? services.rateLimits.standing(key?.id ?? null, userId)
      : { limit: TIER_LIMITS.hobby.callsPerDay, remaining: TIER_LIMITS.hobby.callsPerDay, resetAt: nextUtcMidnight(clock()).toISOString() };
    return {
      'X-RateLimit-Limit': String(standing.limit ?? 'unlimited'),
      'X-RateLimit-Remaining': String(standing.remaining ?? 'unlimited'),
      'X-RateLimit-Reset': String(Math.floor(Date.parse(standing.resetAt) / 1000)),
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, origin: string, authed: (key: ApiKey) => void): Promise<Reply | null> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const caller = () => {
      const key = authenticate(services, req);
      authed(key);
      return key;
    };
    if (path === '/health') return method === 'GET' ? json(health(services, clock())) : methodNotAllowed('GET');
    if (path === '/api/v1/voices') return method === 'GET' ? json(await listVoices(services, deps.nearestOffline())) : methodNotAllowed('GET');
    if (path === '/api/v1/memo') return method === 'POST' ? json(await createMemo(deps, caller(), req, origin), 201) : methodNotAllowed('POST');
    if (path === '/api/v1/memos') return method === 'GET' ? json(listMemos(services, caller(), url.searchParams, origin)) : methodNotAllowed('GET');
    const memoId = /^\/api\/v1\/memo\/([^/]{1,100})$/.exec(path)?.[1];
    if (memoId !== undefined) return method === 'GET' ? json(await getMemo(services, caller(), decodeURIComponent(memoId), origin)) : methodNotAllowed('GET');
    if (path === '/v1/audio/speech') {
      if (method !== 'POST') methodNotAllowed('POST');
      const { body, type, headers } = await createSpeech(deps, caller(), req);
      return { status: 200, body, type, headers };
    }
    if (path.startsWith(AUDIO_PATH_PREFIX)) {
      if (method !== 'GET' && method !== 'HEAD') methodNotAllowed('GET, HEAD');
      const headers = new Headers();
      for (const name of ['range', 'if-range'] as const) if (typeof req.headers[name] === 'string') headers.set(name, req.headers[name]);
      // Audio not on this computer yet (another computer's memo, an imported one) is brought first.
      const response = await serveAudioRequest(services.audio.dir, new Request(`${APP_ORIGIN}${path}`, { method, headers }), ensureAudio).catch((error: unknown) => {
        throw error instanceof ServiceError && error.code === 'NOT_FOUND' ? noAudio() : error;
      });
      if (response.status === 404) throw noAudio();
      await sendResponse(res, response);
      return null; // answered
    }
    throw new ApiFailure(404, 'NOT_FOUND', 'No such route; see GET /api/v1/voices, POST /api/v1/memo, GET /api/v1/memos, POST /v1/audio/speech.');
  }

  async function answer(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    let key: ApiKey | null = null;
    const openAi = req.url?.startsWith('/v1/') === true;
    let reply: Reply | null;
    try {
      checkHost(req, port);
      const url = new URL(`http://${LOOPBACK}:${port}${req.url}`);
      // The audio route streams its own answer: it carries these from the start (a key's own limits replace them).
      for (const [name, value] of Object.entries({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...rateHeaders(null) })) res.setHeader(name, value);
      reply = await route(req, res, url, `http://${req.headers.host}`, (k) => void (key = k));
      if (reply === null) return;
    } catch (error) {
      const failure = failureOf(error, clock());
      if (!(error instanceof ApiFailure) && failure.code === 'INTERNAL_ERROR') console.error('agent API: a request failed:', (error as Error)?.stack ?? String(error));
      reply = { status: failure.status, json: openAi ? openAiErrorOf(failure) : envelopeOf(failure), headers: failure.headers };
    }
    if (res.headersSent) return void res.end();
    res.statusCode = reply.status;
    for (const [name, value] of Object.entries({ ...rateHeaders(key), ...reply.headers })) res.setHeader(name, value);
    if ('json' in reply) {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(reply.json));
    } else {
      res.setHeader('Content-Type', reply.type);
      res.setHeader('Content-Length', String(reply.body.byteLength));
      res.end(reply.body);
    }
  }

  function listen(port: number): Promise<Server> {
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: 10_000, requestTimeout: 30_000 });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, () => {
        server.off('error', reject);
        const actual = (server.address() as AddressInfo).port;
        server.on('request', (req, res) => {
          answer(req, res, actual).catch(() => res.destroy());
        });
        server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
          const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
          if (socket.writable) socket.end(rawRefusal(status));
          else socket.destroy();
        });
        resolve(server);
      });
    });
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const { server } = running;
    running = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  function view(): AgentApiView {
    const settings = services.settings.agentApi();
    return { ...settings, ...(running && { port: running.port }), address: running ? `http://${LOOPBACK}:${running.port}` : null, problem };
  }

  return {
    view,
    async apply() {
      const settings = services.settings.agentApi();
      const asked = portOverride ?? settings.port;
      if (!settings.enabled) {
        await stop();
        problem = null;
      } else if (running?.asked !== asked) {
        await stop();
        try {
          const server = await listen(asked);
          running = { server, port: (server.address() as AddressInfo).port, asked };
          problem = null;
        } catch (error) {
          problem = problemOf(error as NodeJS.ErrnoException, asked);
        }
      }
      return view();
    },
    async close() {
      await stop();
      completions.close();
    },
  };
}
