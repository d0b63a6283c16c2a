/**
 * The app's origin, as both edges serve it (Electron's app:// protocol and the browser host): which URLs are the
 * app's own, the content security policy, which file an app:// URL serves. Pure functions, tested with hostile
 * inputs in plain Node.
 */
import { extname, isAbsolute, relative, resolve } from 'node:path';

export const APP_SCHEME = 'app';
const APP_HOST = 'agent-talk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Chromium hands over canonical URLs: printable ASCII, lower-case scheme and host, at least `/` as the path.
 * Anything else (spaces, control characters, backslashes, non-ASCII) is a string two URL parsers could read
 * differently, so it is refused rather than interpreted.
 */
export const NOT_CANONICAL = /[^\x21-\x7e]|\\/;

/** True only for `app://agent-talk/...`: no other host, port, user info or spelling of it. */
export function isAppUrl(url: unknown): url is string {
  if (typeof url !== 'string' || NOT_CANONICAL.test(url) || !url.startsWith(`${APP_ORIGIN}/`)) return false;
  const parsed = URL.parse(url);
  // The prefix already pins scheme and host; the parser confirms that it reads them the same way.
  return parsed?.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '';
}

const CSP_DIRECTIVES: readonly (readonly [string, string])[] = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  // blob: for the voice previews, which the page makes from the bytes the core answers.
  ['media-src', "'self' blob:"],
  ['connect-src', "'self'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['object-src', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Directives a `<meta>` policy cannot carry (Chromium ignores them there, with a console warning). */
const HEADER_ONLY = new Set(['frame-ancestors']);

const serialize = (directives: readonly (readonly [string, string])[]) =>
  directives.map(([name, value]) => `${name} ${value}`).join('; ');

/** Sent as a header with every app:// response. */
export const contentSecurityPolicy = serialize(CSP_DIRECTIVES);

/** The same policy as `src-renderer/index.html` declares it, so the page carries it wherever it is loaded from. */
export const metaContentSecurityPolicy = serialize(CSP_DIRECTIVES.filter(([name]) => !HEADER_ONLY.has(name)));

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
};

/**
 * One path segment of a built renderer file: no traversal, no hidden file, nothing a file system reads specially
 * (`:` is a drive or an NTFS stream on Windows, `%` would mean the name was encoded twice).
 */
const FILE_SEGMENT = /^[A-Za-z0-9_@+~-][A-Za-z0-9._@+~-]*$/;

export interface AppFile {
  path: string;
  mimeType: string;
}

/** The file inside `rendererDir` that an app:// URL names, or null when the URL names none safely. */
export function resolveAppFile(rendererDir: string, url: unknown): AppFile | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const segments = pathname.slice(1).split('/');
  if (!segments.every((segment) => FILE_SEGMENT.test(segment))) return null;

  const root = resolve(rendererDir);
  const path = resolve(root, ...segments);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
  return { path, mimeType: MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream' };
}
