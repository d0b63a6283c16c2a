/**
 * The memo studio: the draft (kept in the profile, so a reload or a restart loses nothing), the plan's character limit, and the
 * memo last generated here, followed through its job (progress, status) until it completes and starts playing.
 */
import { create, type StoreApi } from 'zustand';
import type { MemoView } from '../../src-shared/contract';
import { ApiError, errorMessage, type Client } from '../client';
import type { PlayerState } from './player';

export interface Draft {
  text: string;
  title: string;
  /** The voice and key the user picked; empty until they pick one (the screen shows its default). */
  voice: string;
  keyId: string;
}

export interface StudioState {
  draft: Draft;
  /** Characters one memo may have on the profile's plan; null: unlimited; undefined until known. */
  charLimit: number | null | undefined;
  /** The memo last generated here, as the core last reported it, and how far its job has come (0 to 1). */
  memo: MemoView | null;
  progress: number;
  /** A request (generate, cancel, retry) is on its way. */
  busy: boolean;
  /** Why the core refused the last request, in its words. */
  error: string | null;
  /** Counts the memos generated here: the status card takes the focus each time it grows. */
  started: number;
  edit(changes: Partial<Draft>): void;
  /** Writes at once a draft still waiting to be written (the page is going). */
  flushDraft(): void;
  /** Takes the draft kept in the profile, unless the user has already started a new one here. */
  restoreDraft(): Promise<void>;
  loadLimits(): Promise<void>;
  /** Generates a memo from the draft, with the voice and key the screen resolved from it. */
  generate(choice: { voice: string; keyId: string }): Promise<void>;
  cancel(): Promise<void>;
  retry(): Promise<void>;
}

/** The studio; a memo generated here that completes starts playing in `player`. */
export function createStudioStore({ call, on, onReconnect }: Client, player: StoreApi<PlayerState>) {
  const useStudio = create<StudioState>()((set, get) => {
    /** Runs one request, showing the core's refusal if there is one; its answer is the memo now followed. */
    async function request(run: () => Promise<MemoView>): Promise<void> {
      set({ busy: true, error: null });
      try {
        const memo = await run();
        if (get().memo?.id !== memo.id) set({ memo, progress: 0 });
        follow(memo);
        // Its job may have moved on before this answer came, with events that named a memo not yet followed.
        void refresh(memo.id);
      } catch (error) {
        set({ error: errorMessage(error) });
      } finally {
        set({ busy: false });
      }
    }

    return {
      draft: { text: '', title: '', voice: '', keyId: '' },
      charLimit: undefined,
      memo: null,
      progress: 0,
      busy: false,
      error: null,
      started: 0,
      // A refusal was of the draft as it was: once it changes, it no longer applies.
      edit(changes) {
        edited = true;
        set((s) => ({ draft: { ...s.draft, ...changes }, error: null }));
        saveSoon();
      },
      flushDraft() {
        if (saveTimer !== undefined) saveNow();
      },
      async restoreDraft() {
        try {
          const kept = await call('settings.draft');
          if (!edited) set({ draft: kept });
        } catch {
          // Nothing kept can be read (the profile is not there yet): the draft starts empty, as it is.
        }
      },
      async loadLimits() {
        try {
          set({ charLimit: (await call('limits.get')).limits.charsPerMemo });
        } catch (error) {
          set({ error: errorMessage(error) });
        }
      },
      async generate({ voice, keyId }) {
        const { text, title } = get().draft;
        const before = get().memo;
        await request(() => call('memos.generate', { text, voice, keyId, ...(title.trim() !== '' && { title: title.trim() }) }));
        if (get().memo && get().memo !== before) set((s) => ({ started: s.started + 1 }));
      },
      cancel: () => request(() => call('memos.cancel', { id: get().memo!.id })),
      retry() {
        set({ progress: 0 });
        return request(() => call('memos.retry', { id: get().memo!.id }));
      },
    };
  });

  /** Whether the user has changed the draft on this page: a draft read from the profile later must not replace it. */
  let edited = false;
  /** The draft is written to the profile this long after the last keystroke, and at once when the page goes. */
  const SAVE_DELAY_MS = 400;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;

  function saveNow(): void {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    // A draft that cannot be written now (the host gone) is still on screen, and written with the next keystroke.
    call('settings.saveDraft', useStudio.getState().draft).catch(() => undefined);
  }

  function saveSoon(): void {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, SAVE_DELAY_MS);
  }

  /** Takes the latest state of the memo followed here; one that has just completed starts playing. */
  function follow(memo: MemoView): void {
    const before = useStudio.getState().memo;
    if (before?.id !== memo.id) return;
    useStudio.setState({ memo, ...(memo.status === 'completed' && { progress: 1 }) });
    if (memo.status === 'completed' && before.status !== 'completed') player.getState().play(memo);
  }

  /** Numbers the reads, so that an older answer arriving late never replaces a newer one. */
  let lastRefresh = 0;

  /** Reads the followed memo again; one deleted meanwhile (in the Library) is no longer followed. */
  async function refresh(id: string): Promise<void> {
    const refreshing = ++lastRefresh;
    try {
      const memo = await call('memos.get', { id });
      if (refreshing === lastRefresh) follow(memo);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'NOT_FOUND' && useStudio.getState().memo?.id === id) useStudio.setState({ memo: null });
    }
  }

  on('job.progress', ({ memoId, progress }) => {
    if (useStudio.getState().memo?.id === memoId) useStudio.setState({ progress });
  });
  on('memos.changed', ({ ids }) => {
    const followed = useStudio.getState().memo?.id;
    if (followed && ids.includes(followed)) void refresh(followed);
  });
  // The plan (and so its limit) can change, by sync from the cloud account.
  on('profile.changed', () => {
    if (useStudio.getState().charLimit !== undefined) void useStudio.getState().loadLimits();
  });
  // Back from a lost connection: the followed memo may have moved on (or completed) with no event heard.
  onReconnect(() => {
    const followed = useStudio.getState().memo?.id;
    if (followed) void refresh(followed);
    if (useStudio.getState().charLimit !== undefined) void useStudio.getState().loadLimits();
  });
  return useStudio;
}
