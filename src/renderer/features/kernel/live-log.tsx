import { useEffect, useRef } from 'react';
import { useStore } from '../../app/store';

/** A kernel job's log lines as its events arrive (the build's makepkg output), kept scrolled to the newest line
 * unless the person scrolled up to read. The jobs page keeps the whole log file. */
export function LiveLog({ jobId, title }: { jobId: string; title: string }) {
  const lines = useStore((s) => s.kernelLogs[jobId]);
  const ref = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  if (!lines?.length) return null;
  return (
    <pre
      ref={ref}
      className="log"
      tabIndex={0}
      aria-label={`Log of ${title}`}
      data-testid="kernel-live-log"
      onScroll={(e) => {
        const el = e.currentTarget;
        follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
      }}
    >
      {lines.join('\n')}
    </pre>
  );
}
