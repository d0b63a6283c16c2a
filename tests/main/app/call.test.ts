import { describe, expect, it, vi } from 'vitest';
import { dispatchCall } from '../../../src-main/app/call';
import { APP_INDEX_URL } from '../../../src-main/serve/origin';
import type { IpcHandler } from '../../../src-shared/contract/result';

const echo: IpcHandler = async (method, args) => ({ ok: true, value: { method, args } });

describe('dispatchCall', () => {
  it('passes a call from the app window to the handler', async () => {
    expect(await dispatchCall(echo, APP_INDEX_URL, 'keys.list', { limit: 5 })).toEqual({
      ok: true,
      value: { method: 'keys.list', args: { limit: 5 } },
    });
  });

  it.each([undefined, '', 'about:blank', 'https://evil.example/', 'app://evil/', 'app://agent-talk@evil/', 'file:///x'])(
    'refuses a call from %j without reaching the handler',
    async (senderUrl) => {
      const handler = vi.fn(echo);
      const result = await dispatchCall(handler, senderUrl, 'keys.list', {});
      expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(handler).not.toHaveBeenCalled();
    },
  );

  it.each([undefined, null, 1, {}, ['keys.list'], { toString: () => 'keys.list' }])(
    'refuses the method name %j',
    async (method) => {
      const handler = vi.fn(echo);
      const result = await dispatchCall(handler, APP_INDEX_URL, method, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
      expect(handler).not.toHaveBeenCalled();
    },
  );

  it('turns a handler that throws into INTERNAL_ERROR, without its message', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await dispatchCall(
      async () => {
        throw new Error('secret path /home/someone/.profiles');
      },
      APP_INDEX_URL,
      'keys.list',
      {},
    );
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL_ERROR', message: 'Internal error' } });
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });

  it('passes the handler’s own errors through unchanged', async () => {
    const refused: IpcHandler = async () => ({ ok: false, error: { code: 'NOT_FOUND', message: 'No such key' } });
    expect(await dispatchCall(refused, APP_INDEX_URL, 'keys.get', { id: 'x' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No such key' },
    });
  });
});
