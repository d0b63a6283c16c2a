/**
 * One HTTP exchange with the cloud, over node:http on a connection of its own, saying how far it got when it fails.
 *
 * Why not fetch: undici (and Node's own parser, even the lenient one) refuses a response that carries
 * `Content-Length` twice, and the service's `/audio/:file` does (the same value twice, which RFC 9112 §6.3 allows a
 * client to accept). The response head is therefore passed through a small filter that drops a duplicate
 * Content-Length equal to the first (differing values are left for the parser to refuse). And a request that
 * changes something must know whether it was sent whole before the connection broke: node:http tells ('finish').
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

export interface Exchange {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/**
 * Where an exchange broke: `connect` (no connection: nothing was sent), `send` (connected, the request not sent
 * whole: the service cannot have acted on it), `answer` (sent whole, no complete answer: it may have acted on it).
 */
export type TransportStage = 'connect' | 'send' | 'answer';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly stage: TransportStage,
    readonly timedOut: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** Raised when the answer is larger than the caller accepts; no retry will change that. */
export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
}

export interface ExchangeOptions {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** The whole exchange's time limit: connecting, sending, the answer and its body. */
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

export function exchange(url: URL, options: ExchangeOptions): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) return reject(abortError());
    let connected = false;
    let sent = false;
    let timedOut = false;
    let settled = false;
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, ''); // an IPv6 literal without its brackets

    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (error: unknown) =>
      settle(() => {
        if (signal?.aborted) return reject(abortError());
        if (error instanceof TooLargeError) return reject(error);
        const stage: TransportStage = !connected ? 'connect' : !sent ? 'send' : 'answer';
        reject(new TransportError(stage, timedOut, timedOut ? 'it did not answer in time' : describe(error)));
      });

    const req = httpRequest({
      method: options.method,
      path: `${url.pathname}${url.search}`,
      headers: { Host: url.host, ...options.headers, ...(options.body && { 'Content-Length': String(options.body.byteLength) }) },
      createConnection: () => {
        const socket = secure ? tlsConnect({ host, port, servername: isIp(host) ? undefined : host, ALPNProtocols: ['http/1.1'] }) : netConnect({ host, port });
        socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
        return acceptingDuplicateLength(socket);
      },
    });
    req.once('finish', () => (sent = true));
    req.once('error', fail);
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const declared = Number(res.headers['content-length']);
      if (declared > options.maxBytes) return req.destroy(new TooLargeError(`larger than ${options.maxBytes} bytes`));
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) req.destroy(new TooLargeError(`larger than ${options.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.once('error', fail);
      res.once('aborted', () => fail(new Error('the connection closed before the whole answer arrived')));
      res.once('end', () => {
        if (!res.complete) return fail(new Error('the connection closed before the whole answer arrived'));
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        settle(() => resolve({ status: res.statusCode ?? 0, headers, body: new Uint8Array(Buffer.concat(chunks)) }));
      });
    });

    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    }, options.timeoutMs);
    const onAbort = () => req.destroy(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(options.body);
  });
}

/**
 * The socket as a stream whose response head has an identical duplicate Content-Length removed (the only
 * leniency: anything else about the head is left to Node's parser). The connection serves one exchange.
 */
function acceptingDuplicateLength(socket: Duplex): Duplex {
  let head: Buffer | null = Buffer.alloc(0);
  const stream = new Duplex({
    write: (chunk: Buffer, _encoding, callback) => void socket.write(chunk, callback),
    final: (callback) => {
      socket.end();
      callback();
    },
    read: () => void socket.resume(),
    destroy: (error, callback) => {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (head === null) {
      if (!stream.push(chunk)) socket.pause();
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0 && head.length < 64 * 1024) return; // the head is not all here yet
    const cut = end < 0 ? head.length : end;
    const lengths = new Set<string>();
    const lines = head
      .subarray(0, cut)
      .toString('latin1')
      .split('\r\n')
      .filter((line) => {
        const value = /^content-length[ \t]*:[ \t]*(.*?)[ \t]*$/i.exec(line)?.[1];
        if (value === undefined || !lengths.has(value)) {
          if (value !== undefined) lengths.add(value);
          return true;
        }
        return false; // the same value again
      });
    const rest = head.subarray(cut);
    head = null;
    if (!stream.push(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), rest]))) socket.pause();
  });
  let ended = false;
  const end = () => {
    if (!ended) stream.push(null);
    ended = true;
  };
  socket.once('end', end);
  socket.once('close', end); // closed without an end: what came is all there is (the parser says if it is short)
  socket.once('error', (error) => stream.destroy(error));
  return stream;
}

const isIp = (host: string) => /^[\d.]+$/.test(host) || host.includes(':');

export function abortError(): DOMException {
  return new DOMException('The request was cancelled.', 'AbortError');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: string }).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
