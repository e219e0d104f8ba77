import { useEffect, useState } from "react";

/** Seconds since `startedAt` (a performance.now() time), refreshed ten times a second. */
export function useElapsed(startedAt: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, [startedAt]);
  return Math.max(0, (now - startedAt) / 1000);
}
