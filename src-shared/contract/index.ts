/**
 * The IPC contract: every method the renderer may call, with zod schemas for its arguments and its result, and
 * every event main pushes. The router validates against it; the renderer's api.ts is typed from it.
 */
import type { z } from 'zod';
import { agentApiMethods } from './agent-api';
import type { DeviceSyncStatus } from './devices';
import { devicesMethods } from './devices';
import { keysMethods } from './keys';
import { memosMethods } from './memos';
import { profileMethods, type StoreHealthView } from './profile';
import { settingsMethods } from './settings';
import { storeMethods } from './store';
import { syncMethods, type SyncStatus } from './sync';
import { usageMethods } from './usage';
import { voicesMethods } from './voices';

export const methods = {
  ...profileMethods,
  ...keysMethods,
  ...usageMethods,
  ...memosMethods,
  ...voicesMethods,
  ...settingsMethods,
  ...syncMethods,
  ...agentApiMethods,
  ...storeMethods,
  ...devicesMethods,
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type ArgsOf<M extends MethodName> = z.input<Methods[M]['args']>;
export type ResultOf<M extends MethodName> = z.output<Methods[M]['result']>;

/** `*.changed` events: pushed after a commit changed what a screen shows; the payload names the changed rows. */
export interface ChangedEvent {
  ids: string[];
}

/** How far a memo's job has come: 0 when it starts, 1 when its audio is made (a memo of one sentence jumps). */
export interface JobProgress {
  memoId: string;
  progress: number;
}

/** Every event main pushes, with its payload. */
export interface EventPayloads {
  'profile.changed': ChangedEvent;
  'settings.changed': ChangedEvent;
  'keys.changed': ChangedEvent;
  'memos.changed': ChangedEvent;
  'usage.changed': ChangedEvent;
  'job.progress': JobProgress;
  /** The store's health changed: saving failed (retrying), the disk is full, or saving works again. */
  'store.health': StoreHealthView;
  /** Sync between computers: its state after each round (the indicator and Settings show it). */
  'devices.status': DeviceSyncStatus;
  /** Cloud account sync: its state after each step (the header's indicator and Settings show it). */
  'sync.status': SyncStatus;
}
export type EventName = keyof EventPayloads;
export const EVENTS = ['profile.changed', 'settings.changed', 'keys.changed', 'memos.changed', 'usage.changed', 'job.progress', 'store.health', 'devices.status', 'sync.status'] as const satisfies readonly EventName[];

export * from './result';
export { AGENT_API_DEFAULT_PORT, type AgentApiSettings, type AgentApiView } from './agent-api';
export { DEVICE_SYNC_STATES, FOLDER_SOURCE_ID, type DeviceSyncStatus, type DeviceView } from './devices';
export type { ApiKeyView } from './keys';
export { MAX_MEMO_TEXT, type MemoFilter, type MemoView } from './memos';
export type { ProfileView, StoreHealthView } from './profile';
export { IMPORT_NOTE_KINDS, THEMES, type ImportNoteKind, type SettingsView, type Theme } from './settings';
export type { BackupView, IntegrityView, StoreStatus } from './store';
export type { UsageLogView } from './usage';
export type { VoiceView } from './voices';
export type { AccountView, CapabilityView, LinkResult, SourceStatus, SyncState, SyncStatus } from './sync';
