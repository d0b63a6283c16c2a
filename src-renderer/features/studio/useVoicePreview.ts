import { useEffect, useRef, useState, type RefObject } from 'react';
import { call, errorMessage } from '../../api';
import { usePlayer } from '../../stores';

export interface VoicePreview {
  /** The element the samples play in (the picker renders it). */
  audio: RefObject<HTMLAudioElement | null>;
  /** The voice whose sample is loading or playing. */
  voice: string | null;
  loading: boolean;
  error: string | null;
  /** Plays a voice's sample, or stops it when it is the one playing. */
  toggle(voice: string): Promise<void>;
  /** The sample has played to its end. */
  ended(): void;
}

function wavBlob(mime: string, base64: string): Blob {
  return new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type: mime });
}

/** Short samples of the offline voices, made by the core (voices.preview) and played here from a blob: URL. */
export function useVoicePreview(): VoicePreview {
  const audio = useRef<HTMLAudioElement>(null);
  const url = useRef<string | null>(null);
  const lastRequest = useRef(0);
  const [voice, setVoice] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  /** Stops the sample playing, and forgets the one on its way. */
  function stop(): number {
    audio.current?.pause();
    setVoice(null);
    setLoading(false);
    return ++lastRequest.current;
  }

  useEffect(() => {
    // One voice at a time: a memo starting in the player stops the sample.
    const unsubscribe = usePlayer.subscribe((state, before) => {
      if (state.playing && !before.playing) stop();
    });
    return () => {
      unsubscribe();
      if (url.current) URL.revokeObjectURL(url.current);
    };
  }, []);

  async function toggle(next: string) {
    const element = audio.current;
    const request = stop();
    setError(null);
    if (!element || voice === next) return;
    setVoice(next);
    setLoading(true);
    try {
      const { mime, audioBase64 } = await call('voices.preview', { voice: next });
      if (request !== lastRequest.current) return;
      if (url.current) URL.revokeObjectURL(url.current);
      url.current = URL.createObjectURL(wavBlob(mime, audioBase64));
      element.src = url.current;
      usePlayer.getState().pause(); // one voice at a time
      await element.play();
    } catch (failure) {
      if (request !== lastRequest.current) return;
      setVoice(null);
      setError(errorMessage(failure));
    } finally {
      if (request === lastRequest.current) setLoading(false);
    }
  }

  return { audio, voice, loading, error, toggle, ended: () => setVoice(null) };
}
