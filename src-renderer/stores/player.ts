/**
 * The player: the memo playing, the list next and previous move through, and the one audio element that plays
 * them (the player bar's, attached here). It lives outside the screens, so it keeps playing while the user browses.
 */
import { create } from 'zustand';
import type { MemoView } from '../../src-shared/contract';
import { ApiError, errorMessage, type Client } from '../client';

export const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2] as const;

export interface PlayerState {
  /** The memo playing (or paused), and the list next/previous move through. */
  current: MemoView | null;
  queue: MemoView[];
  /** Whether the audio is playing now (the element's own state, from its play and pause events). */
  playing: boolean;
  rate: number;
  /** Why the current memo's audio can't be played, in a sentence. */
  error: string | null;
  /**
   * Starts playing `memo`; `queue` (default: just the memo) is what next and previous move through. Only completed
   * memos have audio: others are ignored, and left out of the queue. The core first brings the memo's audio to
   * this computer when it is not here (an imported memo's from the service, another computer's from the synced
   * folder); when it cannot, `error` says why (on the service: connect; on another computer: not arrived yet).
   */
  play(memo: MemoView, queue?: MemoView[]): void;
  toggle(): void;
  pause(): void;
  seekTo(seconds: number): void;
  seekBy(seconds: number): void;
  setRate(rate: number): void;
  next(): void;
  previous(): void;
  /** The player bar's audio element (null when the bar goes). */
  attach(element: HTMLAudioElement | null): void;
}

/** Only a completed memo whose audio is on this computer (the app's `/audio/`) plays: an imported memo's audio
 * may still be on the service (an https URL the page may not load). */
export const isPlayable = (memo: MemoView) => memo.status === 'completed' && memo.audioUrl.startsWith('/audio/');

/** A completed memo whose audio is still on the service (an imported one): `memos.fetchAudio` brings it here first. */
export const isOnService = (memo: MemoView) => memo.status === 'completed' && /^(https?|data):/i.test(memo.audioUrl);

/** A memo the player takes: its audio is here, or the core can bring it here (or say why not). */
export const hasAudio = (memo: MemoView) => isPlayable(memo) || isOnService(memo);

/** play() may be refused (no user gesture yet) or cut short (the next load): the element stays paused, the bar shows Play. */
const start = (element: HTMLAudioElement) => void element.play().catch(() => undefined);

export function createPlayerStore({ call, on, onReconnect }: Client) {
  let audio: HTMLAudioElement | null = null;
  let detach: (() => void) | null = null;
  /** Numbers the plays, so that a memo whose audio arrives after another was asked for does not start. */
  let lastPlay = 0;

  function load(memo: MemoView | null, autoplay: boolean): void {
    if (!audio) return;
    if (!memo) {
      audio.removeAttribute('src');
      audio.load();
      return;
    }
    if (audio.getAttribute('src') !== memo.audioUrl) audio.src = memo.audioUrl;
    if (autoplay) start(audio);
  }

  const usePlayer = create<PlayerState>()((set, get) => {
    /** Moves `step` places through the queue, if there is a memo there. */
    function move(step: number): void {
      const { current, queue } = get();
      const index = queue.findIndex((m) => m.id === current?.id);
      const target = index < 0 ? undefined : queue[index + step];
      if (target) get().play(target, queue);
    }

    return {
      current: null,
      queue: [],
      playing: false,
      rate: 1,
      error: null,
      play(memo, queue = [memo]) {
        if (!hasAudio(memo)) return;
        const list = queue.filter(hasAudio);
        const asked = ++lastPlay;
        set({ current: memo, queue: list.some((m) => m.id === memo.id) ? list : [memo, ...list], error: null });
        call('memos.fetchAudio', { id: memo.id }).then(
          (local) => {
            if (asked !== lastPlay) return;
            set((s) => ({ current: local, queue: s.queue.map((m) => (m.id === local.id ? local : m)) }));
            load(local, true);
          },
          (error: unknown) => {
            if (asked !== lastPlay) return;
            set({ playing: false, error: errorMessage(error) });
            load(null, false); // what played before stops: the bar shows this memo, and why it cannot play
          },
        );
      },
      toggle() {
        if (!audio || !get().current) return;
        if (audio.paused) start(audio);
        else audio.pause();
      },
      pause: () => audio?.pause(),
      seekTo(seconds) {
        if (audio && Number.isFinite(seconds)) audio.currentTime = Math.max(0, seconds);
      },
      seekBy(seconds) {
        if (audio) get().seekTo(audio.currentTime + seconds);
      },
      setRate(rate) {
        set({ rate });
        // A new source starts at the default rate, so both are set.
        if (audio) audio.defaultPlaybackRate = audio.playbackRate = rate;
      },
      next: () => move(1),
      previous: () => move(-1),
      attach(element) {
        detach?.();
        detach = null;
        audio = element;
        if (!element) return;
        const events = new AbortController();
        const listen = (type: string, listener: () => void) => element.addEventListener(type, listener, { signal: events.signal });
        listen('play', () => set({ playing: true }));
        listen('pause', () => set({ playing: false }));
        listen('ended', () => get().next());
        listen('error', () => set({ playing: false, error: 'This memo’s audio can’t be played: its file is missing or damaged.' }));
        detach = () => events.abort();
        element.defaultPlaybackRate = element.playbackRate = get().rate;
        load(get().current, false);
      },
    };
  });

  /** Reads a memo of the player's again: a rename shows at once; a deleted memo leaves the queue, and stops if playing. */
  function refresh(id: string): void {
    call('memos.get', { id }).then(
      (memo) => usePlayer.setState((s) => ({ current: s.current?.id === id ? memo : s.current, queue: s.queue.map((m) => (m.id === id ? memo : m)) })),
      (error: unknown) => {
        if (!(error instanceof ApiError && error.code === 'NOT_FOUND')) return;
        const wasPlaying = usePlayer.getState().current?.id === id;
        usePlayer.setState((s) => ({ queue: s.queue.filter((m) => m.id !== id), ...(wasPlaying && { current: null, playing: false }) }));
        if (wasPlaying) load(null, false);
      },
    );
  }

  on('memos.changed', ({ ids }) => {
    const { current, queue } = usePlayer.getState();
    const mine = new Set([...(current ? [current.id] : []), ...queue.map((m) => m.id)]);
    ids.filter((id) => mine.has(id)).forEach(refresh);
  });
  onReconnect(() => {
    const { current, queue } = usePlayer.getState();
    new Set([...(current ? [current.id] : []), ...queue.map((m) => m.id)]).forEach(refresh);
  });
  return usePlayer;
}
