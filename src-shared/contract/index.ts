/**
 * The IPC contract: every method the renderer may call, with zod schemas for its arguments and its result, and
 * every event main pushes. The router validates against it; the renderer's api.ts is typed from it.
 */
import type { z } from 'zod';
import { keysMethods } from './keys';
import { memosMethods } from './memos';
import { profileMethods } from './profile';
import { usageMethods } from './usage';

export const methods = { ...profileMethods, ...keysMethods, ...usageMethods, ...memosMethods };

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type ArgsOf<M extends MethodName> = z.input<Methods[M]['args']>;
export type ResultOf<M extends MethodName> = z.output<Methods[M]['result']>;

/** Events: pushed after a commit changed what a screen shows; the payload names the changed rows. */
export const EVENTS = ['profile.changed', 'keys.changed', 'memos.changed', 'usage.changed'] as const;
export type EventName = (typeof EVENTS)[number];
export interface ChangedEvent {
  ids: string[];
}

export * from './result';
export type { ApiKeyView } from './keys';
export type { MemoView } from './memos';
export type { ProfileView } from './profile';
export type { UsageLogView } from './usage';
