import { describe, expect, it, vi } from 'vitest';
import { createEventHub } from '../../../src-main/preload/events';

describe('the preload event hub', () => {
  it('delivers only the payload, to the listeners of that event', () => {
    const hub = createEventHub();
    const memos = vi.fn();
    const jobs = vi.fn();
    hub.on('memos.changed', memos);
    hub.on('job.progress', jobs);
    hub.emit('memos.changed', { id: 'm1' });
    expect(memos).toHaveBeenCalledExactlyOnceWith({ id: 'm1' });
    expect(jobs).not.toHaveBeenCalled();
  });

  it('stops delivering once unsubscribed; unsubscribing twice is harmless', () => {
    const hub = createEventHub();
    const listener = vi.fn();
    const off = hub.on('sync.status', listener);
    off();
    off();
    hub.emit('sync.status', 'idle');
    expect(listener).not.toHaveBeenCalled();
  });

  it('counts the same listener subscribed twice as two subscriptions', () => {
    const hub = createEventHub();
    const listener = vi.fn();
    const offFirst = hub.on('x', listener);
    hub.on('x', listener);
    hub.emit('x', 1);
    offFirst();
    hub.emit('x', 2);
    expect(listener.mock.calls).toEqual([[1], [1], [2]]);
  });

  it('keeps a stale unsubscribe from removing a later subscription', () => {
    const hub = createEventHub();
    const first = vi.fn();
    const second = vi.fn();
    const off = hub.on('x', first);
    off();
    hub.on('x', second);
    off();
    hub.emit('x', 1);
    expect(second).toHaveBeenCalledOnce();
  });

  it('still delivers to the others when one listener throws', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const hub = createEventHub();
    const after = vi.fn();
    hub.on('x', () => {
      throw new Error('boom');
    });
    hub.on('x', after);
    hub.emit('x', 1);
    expect(after).toHaveBeenCalledWith(1);
    expect(log).toHaveBeenCalledOnce();
    log.mockRestore();
  });

  it('lets a listener unsubscribe itself during delivery without skipping another', () => {
    const hub = createEventHub();
    const second = vi.fn();
    const off = hub.on('x', () => off());
    hub.on('x', second);
    hub.emit('x', 1);
    expect(second).toHaveBeenCalledOnce();
  });

  it('ignores events main names with something other than a string', () => {
    const hub = createEventHub();
    const listener = vi.fn();
    hub.on('undefined', listener);
    for (const name of [undefined, null, 1, {}, ['undefined']]) hub.emit(name, 'payload');
    expect(listener).not.toHaveBeenCalled();
  });

  it('refuses what the page passes that is not an event name and a function', () => {
    const hub = createEventHub();
    expect(() => hub.on(1 as unknown as string, () => {})).toThrow(TypeError);
    expect(() => hub.on('x', 'alert(1)' as unknown as () => void)).toThrow(TypeError);
  });
});
