import { useEffect, useState } from 'react';

/** The clock "last checked 5 min ago" or "due in 7 min" is read against; ticks each minute so the words stay
 * true. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(t);
  }, []);
  return now;
}
