import { useEffect, useState } from 'react';

/** The current time, renewed every `everyMs`: for texts such as "resets in 3 h 20 min" that age while shown. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
