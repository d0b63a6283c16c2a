import { useRef, useState, type RefObject, type SyntheticEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatDuration, memoTitle } from '../../format';
import { SPEEDS } from '../../stores/player';
import { usePlayer } from '../../stores';
import { NextIcon, PauseIcon, PlayIcon, PreviousIcon } from './icons';
import { usePlayerKeys } from './usePlayerKeys';
import './player.css';

/** The buttons: previous, play/pause, next through the queue. */
function Transport() {
  const { playing, toggle, next, previous, index, length } = usePlayer(
    useShallow((s) => ({
      playing: s.playing,
      toggle: s.toggle,
      next: s.next,
      previous: s.previous,
      index: s.queue.findIndex((m) => m.id === s.current?.id),
      length: s.queue.length,
    })),
  );
  return (
    <div className="player-transport">
      <button type="button" aria-label="Previous" title="Previous" disabled={index <= 0} onClick={previous}>
        <PreviousIcon />
      </button>
      <button type="button" className="player-toggle" aria-label={playing ? 'Pause' : 'Play'} title={`${playing ? 'Pause' : 'Play'} (Space)`} aria-keyshortcuts="Space" onClick={toggle}>
        {playing ? <PauseIcon /> : <PlayIcon />}
      </button>
      <button type="button" aria-label="Next" title="Next" disabled={index < 0 || index >= length - 1} onClick={next}>
        <NextIcon />
      </button>
    </div>
  );
}

interface TimelineProps {
  time: number;
  duration: number;
  seekBar: RefObject<HTMLInputElement | null>;
}

/** Elapsed, the seek bar, total. */
function Timeline({ time, duration, seekBar }: TimelineProps) {
  const seekTo = usePlayer((s) => s.seekTo);
  return (
    <div className="player-timeline">
      <span className="player-time">{formatDuration(time)}</span>
      <input
        ref={seekBar}
        type="range"
        aria-label="Seek"
        aria-keyshortcuts="ArrowLeft ArrowRight"
        min={0}
        max={duration}
        step="any"
        value={Math.min(time, duration)}
        aria-valuetext={`${formatDuration(time)} of ${formatDuration(duration)}`}
        disabled={duration === 0}
        onChange={(event) => seekTo(Number(event.target.value))}
      />
      <span className="player-time">{formatDuration(duration)}</span>
    </div>
  );
}

function Speed() {
  const { rate, setRate } = usePlayer(useShallow((s) => ({ rate: s.rate, setRate: s.setRate })));
  return (
    <label className="player-speed">
      Speed
      <select value={rate} onChange={(event) => setRate(Number(event.target.value))}>
        {SPEEDS.map((speed) => (
          <option key={speed} value={speed}>
            {speed}×
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The player docked at the bottom of the window: one audio element for the whole app (App renders the bar
 * outside the screens, so playback goes on while the user browses), and its controls while a memo is loaded.
 */
export function PlayerBar() {
  const { current, error, attach } = usePlayer(useShallow((s) => ({ current: s.current, error: s.error, attach: s.attach })));
  const [time, setTime] = useState(0);
  const [mediaDuration, setMediaDuration] = useState(Number.NaN);
  const seekBar = useRef<HTMLInputElement>(null);
  usePlayerKeys(seekBar, current !== null);
  // The memo's measured duration until the element knows the file's own.
  const duration = Number.isFinite(mediaDuration) ? mediaDuration : (current?.durationSec ?? 0);
  const onTime = (event: SyntheticEvent<HTMLAudioElement>) => setTime(event.currentTarget.currentTime);
  const onDuration = (event: SyntheticEvent<HTMLAudioElement>) => setMediaDuration(event.currentTarget.duration);
  const onEmptied = () => {
    setTime(0);
    setMediaDuration(Number.NaN);
  };

  return (
    <section className="player-bar" aria-label="Player">
      <audio ref={attach} preload="metadata" onTimeUpdate={onTime} onSeeking={onTime} onEmptied={onEmptied} onDurationChange={onDuration} />
      {current ? (
        <>
          <p className="player-title" title={memoTitle(current)}>
            <span className="visually-hidden">Now playing: </span>
            {memoTitle(current)}
          </p>
          <Transport />
          <Timeline time={time} duration={duration} seekBar={seekBar} />
          <Speed />
          {error && (
            <p className="error player-error" role="alert">
              {error}
            </p>
          )}
        </>
      ) : (
        <p className="player-idle">Nothing playing</p>
      )}
    </section>
  );
}
