/**
 * How many agent requests of one user may be in flight at once. Each accepted memo waits its turn in the job
 * queue, which speaks the plan's `concurrent` memos at a time; the line in front of it holds at most
 * `concurrent × perSlot` requests, and one more is refused at once with 429 RATE_LIMIT_EXCEEDED, before it is
 * counted, so an agent that floods the app learns to back off instead of piling up work.
 */
import { ServiceError } from '../services';

export function createLine(perSlot: number) {
  const inFlight = new Map<string, number>();
  return {
    /** Takes a place for `userId`, or refuses; the returned function gives the place back (call it once). */
    enter(userId: string, concurrent: number): () => void {
      const bound = concurrent * perSlot;
      const now = inFlight.get(userId) ?? 0;
      if (now >= bound) {
        throw new ServiceError('RATE_LIMIT_EXCEEDED', `Your plan speaks ${concurrent} memo${concurrent === 1 ? '' : 's'} at a time and ${bound} requests are already waiting; try again shortly.`, { concurrent, waiting: bound });
      }
      inFlight.set(userId, now + 1);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        const remaining = (inFlight.get(userId) ?? 1) - 1;
        if (remaining === 0) inFlight.delete(userId);
        else inFlight.set(userId, remaining);
      };
    },
  };
}

export type Line = ReturnType<typeof createLine>;
