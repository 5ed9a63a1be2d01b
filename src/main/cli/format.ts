import type { ErrorPayload } from '../../shared/errors';
import type { Progress } from '../../shared/progress';
import { formatBytes } from '../../shared/format-bytes';

export { formatBytes };

// Human text: sizes, rates, durations, the one-line progress and the error block. Pure functions.

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

/** One line: what, percent, bytes, speed, ETA. Step events are headings, not progress lines (null). */
export function progressLine(p: Progress): string | null {
  if (p.kind === 'step') return null;
  const what = 'phase' in p ? `${p.kind} ${p.phase}` : p.kind;
  const parts = [what.padEnd(22)];
  if (p.total) parts.push(`${((100 * p.bytes) / p.total).toFixed(1).padStart(5)}%`);
  parts.push(p.total ? `${formatBytes(p.bytes)} / ${formatBytes(p.total)}` : formatBytes(p.bytes));
  if ('files' in p && p.files !== undefined) parts.push(`${p.files} files`);
  parts.push(`${formatBytes(p.speed)}/s`);
  if (p.eta !== undefined) parts.push(`ETA ${formatDuration(p.eta)}`);
  return parts.join('  ');
}

/** `error CODE: message` then the detail and the hint, indented. */
export function errorBlock(e: ErrorPayload): string {
  let out = `error ${e.code}: ${e.message}\n`;
  if (e.detail) out += `  ${e.detail.replace(/\n/g, '\n  ')}\n`;
  if (e.hint) out += `  ${e.hint}\n`;
  return out;
}
