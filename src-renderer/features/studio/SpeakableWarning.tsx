import type { VoiceView } from '../../../src-shared/contract';
import { englishCoverage, type Coverage } from '../../../src-shared/speakable';

/** How much of `text` the voice can say: all of it for a voice of many languages (the cloud ones). */
export function coverageOf(text: string, voice: VoiceView | undefined): Coverage {
  if (!voice?.language || text.trim() === '') return 'all';
  return englishCoverage(text);
}

/**
 * Said before Generate when the chosen voice speaks one language and the text is (partly) in others: with nothing
 * it can say the core would refuse the memo, so Generate waits for another text or voice.
 */
export function SpeakableWarning({ voice, coverage }: { voice: VoiceView | undefined; coverage: Coverage }) {
  if (!voice || coverage === 'all') return null;
  return (
    <p id="speakable-warning" className={coverage === 'none' ? 'notice speakable-none' : 'notice'} role="status">
      {coverage === 'none'
        ? `${voice.name} speaks ${voice.language} only and can say none of this text. Write it in ${voice.language}, or pick a cloud voice.`
        : `${voice.name} speaks ${voice.language} only: the words in other scripts and the emoji will be skipped.`}
    </p>
  );
}
