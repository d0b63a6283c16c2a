/**
 * Who may open the browser host's WebSocket: only the host's own page, holding this run's token. The Origin check
 * stops other sites' pages (cross-site WebSocket hijacking), the Host check stops a rebound DNS name (DNS
 * rebinding), and the token stops other local users and programs that cannot read the printed URL.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SOCKET_PATH = '/ws';

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

/** A request names this host (not a rebound name) and asks for a path, not a proxy's absolute URL. */
export const addressedToHost = (request: IncomingMessage, { host }: HostIdentity) =>
  request.headers.host === host && request.url?.startsWith('/') === true;

/** The upgrade is the host's own page asking for the socket with this run's token. */
export function mayOpenSocket(request: IncomingMessage, identity: HostIdentity): boolean {
  if (!addressedToHost(request, identity) || request.headers.origin !== identity.origin) return false;
  const url = new URL(request.url ?? '/', identity.origin);
  return url.pathname === SOCKET_PATH && tokenMatches(identity.token, url.searchParams.get('token'));
}
