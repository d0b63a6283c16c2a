/**
 * A large library for the Library's spec and `npm run bench:ui`: memos written straight into the profile's store,
 * 10,000 per transaction (seconds for 100,000, where generating them would take hours). They have no audio: the
 * list never needs it.
 */
import type { ArgsOf, MethodName, ResultOf } from '../../src-shared/contract';
import type { Core } from '../../src-main/core';

/** Calls the core as the page would; a refusal throws. */
export async function coreCall<M extends MethodName>(core: Core, method: M, args?: ArgsOf<M>): Promise<ResultOf<M>> {
  const result = await core.handle(method, args);
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.value as ResultOf<M>;
}

/** The seeded memos are titled `Memo 1` (the oldest) to `Memo <count>` (the newest). */
export const seededTitle = (n: number) => `Memo ${n}`;
/** A word in the text of one memo in 10,000: Memo 4321, Memo 14321, and so on. */
export const RARE_WORD = 'zebra';
const isRare = (n: number) => n % 10_000 === 4_321;
/** How many of `count` seeded memos have the rare word. */
export const rareCount = (count: number) => (count < 4_321 ? 0 : Math.floor((count - 4_321) / 10_000) + 1);

const BATCH = 10_000;
const START = Date.parse('2024-01-01T00:00:00.000Z');

/** Seeds `count` completed memos, a minute apart, for the profile's user (created first if there is none). */
export async function seedLibrary(core: Core, count: number): Promise<void> {
  const user = (await coreCall(core, 'profile.get')) ?? (await coreCall(core, 'profile.create', { email: 'bench@example.com' }));
  const { key } = await coreCall(core, 'keys.create', { name: 'Seeded memos' });
  for (let from = 1; from <= count; from += BATCH) {
    await core.services.store.transaction((tx) => {
      for (let n = from; n < Math.min(from + BATCH, count + 1); n++) {
        const text = `Memo number ${n}, about topic ${n % 97}${isRare(n) ? ` and a ${RARE_WORD}` : ''}. Seeded for the library test.`;
        tx.insert('memos', {
          user_id: user.id,
          api_key_id: key.id,
          text,
          title: seededTitle(n),
          voice: 'flite:slt',
          audio_url: '',
          duration_sec: 3,
          character_count: text.length,
          status: 'completed',
          created_at: new Date(START + n * 60_000).toISOString(),
        });
      }
    });
  }
}
