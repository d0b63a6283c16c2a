/**
 * The typed contract client over any AgentTalkBridge: calls typed from the contract that throw an ApiError on a
 * refusal, events, and the link's return after it was lost. The stores are given one (`createXStore(client)`): the
 * app gives them the real bridge's (api.ts); tests give them one over an in-process core.
 */
import type { ArgsOf, ErrorCode, EventName, EventPayloads, IpcError, MethodName, ResultOf } from '../src-shared/contract';
import type { AgentTalkBridge } from '../src-shared/contract/bridge';
import { formatDateTime, formatTimeUntil } from './format';

/** A refusal from the core; `message` is written for the user and is what the screens show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor({ code, message, details }: IpcError) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/**
 * What a screen shows for a failure: the core's own message, or a plain sentence for anything else. A limit's
 * reset time (UTC, in the core's words) is told in the user's own time, and how far off it is.
 */
export function errorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  const resetAt = error.details?.resetAt;
  if (typeof resetAt !== 'string' || !error.message.includes(resetAt)) return error.message;
  return error.message.replace(resetAt, `${formatDateTime(resetAt)} your time (${formatTimeUntil(resetAt)})`);
}

/** A method that takes no arguments may be called without them. */
export type ArgsParam<M extends MethodName> = undefined extends ArgsOf<M> ? [args?: ArgsOf<M>] : [args: ArgsOf<M>];

/** Calls one contract method: its result, or an ApiError thrown with the core's refusal. */
export type Call = <M extends MethodName>(method: M, ...args: ArgsParam<M>) => Promise<ResultOf<M>>;

/** Listens to one event; returns the function that stops listening. */
export type On = <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) => () => void;

export interface Client {
  call: Call;
  on: On;
  /**
   * Runs `reload` each time the link comes back after it was lost: what changed meanwhile came with no event, so each
   * store loads again what it shows. Returns the function that stops it.
   */
  onReconnect(reload: () => void): () => void;
}

/** The client over `bridge`, asked for at each use (the app's is made on first use). */
export function clientOf(bridge: () => AgentTalkBridge): Client {
  return {
    async call(method, ...[args]) {
      const result = await bridge().call(method, args);
      if (!result.ok) throw new ApiError(result.error);
      return result.value as ResultOf<typeof method>;
    },
    on: (event, listener) => bridge().on(event, (payload) => listener(payload as EventPayloads[typeof event])),
    onReconnect(reload) {
      let wasLost = false;
      return (
        bridge().connection?.watch((state) => {
          if (state === 'reconnecting') wasLost = true;
          if (state === 'open' && wasLost) {
            wasLost = false;
            reload();
          }
        }) ?? (() => undefined)
      );
    },
  };
}
