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

/** One line: what, percent, bytes, items, speed, ETA (each when known). */
export function progressLine(p: Progress): string {
  const parts = [`${p.kind} ${p.phase}`.padEnd(22)];
  if (p.total && p.bytes !== undefined) parts.push(`${((100 * p.bytes) / p.total).toFixed(1).padStart(5)}%`);
  if (p.bytes !== undefined)
    parts.push(p.total ? `${formatBytes(p.bytes)} / ${formatBytes(p.total)}` : formatBytes(p.bytes));
  if (p.items !== undefined)
    parts.push(p.itemsTotal ? `${p.items} / ${p.itemsTotal} items` : `${p.items} items`);
  if (p.speed !== undefined) parts.push(`${formatBytes(p.speed)}/s`);
  if (p.eta !== undefined) parts.push(`ETA ${formatDuration(p.eta)}`);
  if (p.message) parts.push(p.message);
  return parts.join('  ');
}

/**
 * Text from the outside world (file names, tool messages, a server's words) made safe for a terminal: control
 * characters other than newline and tab are shown escaped (\x1b, \x07…), as `ls -b` does, so a crafted file
 * name cannot move the cursor, clear the screen or retitle the window. JSON output needs none: it is escaped.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// C0 controls but newline and tab, DEL, and the C1 range (\x9b is a one-byte CSI on some terminals).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `error CODE: message` then the detail and the hint, indented. */
export function errorBlock(e: ErrorPayload): string {
  let out = `error ${e.code}: ${e.message}\n`;
  if (e.detail) out += `  ${e.detail.replace(/\n/g, '\n  ')}\n`;
  if (e.hint) out += `  ${e.hint}\n`;
  return out;
}
