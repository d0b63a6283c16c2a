/**
 * Who may open the browser host's WebSocket: only the host's own page, holding this run's token. The Origin check
 * stops other sites' pages (cross-site WebSocket hijacking), the Host check stops a rebound DNS name (DNS
 * rebinding), and the token stops other local users and programs that cannot read the printed URL.
 *
 * Memo audio is the user's too, but a media element sends no token of its own: the page's first load (with the
 * token in its address) sets it as a strict, HTTP-only cookie scoped to `/audio/`, and audio asks for that cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SOCKET_PATH = '/ws';
/**
 * Answers whether a token is this host's (204) or not (403), so that a page whose socket cannot open tells a host
 * restarted with a new token (open its new address) from a host that is not running (wait for it).
 */
export const TOKEN_CHECK_PATH = '/token-check';

/** A fresh secret for one run of the host. */
export const newToken = () => randomBytes(24).toString('base64url');

/** Compares in constant time; hashing first gives equal lengths whatever was sent. */
export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

export interface HostIdentity {
  /** `127.0.0.1:PORT`: the Host header every request to this host carries. */
  host: string;
  /** `http://127.0.0.1:PORT`: the Origin header of the host's own page. */
  origin: string;
  token: string;
}

/** More than one Host header: a malformed request (RFC 9112 §3.2 says 400), which two parsers could read apart. */
export const hasManyHosts = (request: IncomingMessage) =>
  request.rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'host').length > 1;

/** A request names this host (not a rebound name) and asks for a path, not a proxy's absolute URL. */
export const addressedToHost = (request: IncomingMessage, { host }: HostIdentity) =>
  request.headers.host === host && request.url?.startsWith('/') === true;

/** The upgrade is the host's own page asking for the socket with this run's token. */
export function mayOpenSocket(request: IncomingMessage, identity: HostIdentity): boolean {
  if (!addressedToHost(request, identity) || request.headers.origin !== identity.origin) return false;
  const url = new URL(request.url ?? '/', identity.origin);
  return url.pathname === SOCKET_PATH && tokenMatches(identity.token, url.searchParams.get('token'));
}

/** An upload (`POST /upload?token=...`) comes from the host's own page (no other site's form) with this run's token. */
export function mayUpload(request: IncomingMessage, identity: HostIdentity): boolean {
  if (request.headers.origin !== identity.origin) return false;
  return tokenMatches(identity.token, new URL(request.url ?? '/', identity.origin).searchParams.get('token'));
}

/** The status a token check answers. */
export function tokenCheckStatus(request: IncomingMessage, identity: HostIdentity): 204 | 403 {
  const url = new URL(request.url ?? '/', identity.origin);
  return tokenMatches(identity.token, url.searchParams.get('token')) ? 204 : 403;
}

const AUDIO_COOKIE = 'agent_talk_token';

/** The cookie the page's load with a valid token sets, for the audio its media elements then ask for. */
export function audioCookieFor(request: IncomingMessage, identity: HostIdentity, audioPath: string): string | null {
  const url = new URL(request.url ?? '/', identity.origin);
  if (!tokenMatches(identity.token, url.searchParams.get('token'))) return null;
  return `${AUDIO_COOKIE}=${identity.token}; Path=${audioPath}; HttpOnly; SameSite=Strict`;
}

/** The request carries the audio cookie with this run's token. */
export function mayReadAudio(request: IncomingMessage, identity: HostIdentity): boolean {
  const cookies = (request.headers.cookie ?? '').split(';').map((c) => c.trim());
  const token = cookies.find((c) => c.startsWith(`${AUDIO_COOKIE}=`))?.slice(AUDIO_COOKIE.length + 1) ?? null;
  return tokenMatches(identity.token, token);
}
