/**
 * The browser host's protocol on one WebSocket: the page sends `{id, method, args}` and gets `{id, result}` with
 * the router's IpcResult; events arrive as `{event, payload}`. A frame that cannot be answered closes the socket.
 */
import { WebSocket, type RawData } from 'ws';
import type { ErrorCode, IpcHandler, IpcResult } from '../../src-shared/contract/result';

/** WebSocket close codes (RFC 6455, section 7.4.1). */
const UNSUPPORTED_DATA = 1003;
const INVALID_PAYLOAD = 1007;

type CallId = string | number;

interface CallFrame {
  id: CallId;
  method: unknown;
  args: unknown;
}

const isCallId = (id: unknown): id is CallId =>
  (typeof id === 'string' && id.length > 0 && id.length <= 100) || Number.isSafeInteger(id);

/** The call a text frame carries, or null when it carries none that could be answered (no JSON, no id). */
function parseCall(text: string): CallFrame | null {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return null;
  const { id, method, args } = frame as Record<string, unknown>;
  return isCallId(id) ? { id, method, args } : null;
}

const failure = (code: ErrorCode, message: string): IpcResult => ({ ok: false, error: { code, message } });

async function answer(handle: IpcHandler, { method, args }: CallFrame): Promise<IpcResult> {
  if (typeof method !== 'string') return failure('VALIDATION_ERROR', 'The method name must be a string.');
  try {
    return await handle(method, args);
  } catch (error) {
    console.error(`browser host: ${method} failed`, error);
    return failure('INTERNAL_ERROR', 'Something went wrong inside the app; the details are in its log.');
  }
}

/** Answers the calls arriving on `socket` with `handle`. The method and arguments are the router's to check. */
export function serveSocket(socket: WebSocket, handle: IpcHandler): void {
  // A frame over maxPayload, or a protocol error, is reported here; ws then closes the socket itself.
  socket.on('error', (error) => console.warn('browser host: closing a WebSocket:', error.message));
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return socket.close(UNSUPPORTED_DATA, 'Frames are JSON text');
    const call = parseCall(data.toString());
    if (!call) return socket.close(INVALID_PAYLOAD, 'A frame is {id, method, args}');
    void answer(handle, call).then((result) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ id: call.id, result }));
    });
  });
}
