import type { Progress } from '../../shared/progress';
import { formatBytes, formatDuration, formatSpeed } from './format';

// Progress in words: one line for a bar's label, one for the numbers. Every domain's progress has the same shape
// ({kind, phase, bytes?, total?, ...}), so one function serves every page.

const PHASE_LABELS: Record<string, string> = {
  download: 'Downloading',
  checksum: 'Checking the checksum',
  signature: 'Checking the signature',
  'decompress-test': 'Test-decompressing',
  write: 'Writing',
  verify: 'Verifying',
  copy: 'Copying',
  pull: 'Downloading',
};

/** OS jobs (src/shared/progress.ts 'os'): apt's two install phases, the boot hooks, an ostree deployment. */
const OS_PHASE_LABELS: Record<string, string> = {
  refresh: 'Refreshing the package lists',
  check: 'Comparing with what is installed',
  download: 'Downloading',
  userspace: 'Installing userspace packages',
  kernel: 'Installing the kernel',
  hooks: 'Running the boot hooks',
  deploy: 'Deploying',
  rollback: 'Rolling back',
  pin: 'Pinning',
  wait: 'Waiting for the package manager',
};

export interface ProgressText {
  label: string;
  /** 0..1 when the total is known. */
  fraction?: number;
  line?: string;
}

export function describeProgress(p: Progress | undefined): ProgressText {
  if (!p) return { label: 'Starting…' };
  const label =
    p.message && p.kind === 'reflash'
      ? p.message
      : ((p.kind === 'os' ? OS_PHASE_LABELS[p.phase] : undefined) ?? PHASE_LABELS[p.phase] ?? p.phase);
  const parts: string[] = [];
  let fraction: number | undefined;
  if (p.bytes !== undefined) {
    parts.push(p.total ? `${formatBytes(p.bytes)} of ${formatBytes(p.total)}` : formatBytes(p.bytes));
    if (p.total) fraction = Math.min(1, p.bytes / p.total);
    if (p.speed !== undefined) parts.push(formatSpeed(p.speed));
  }
  if (p.eta !== undefined) parts.push(`${formatDuration(p.eta)} left`);
  if (p.items !== undefined) {
    const unit = p.kind === 'backup' ? 'files' : p.kind === 'os' ? 'packages' : 'items';
    parts.push(p.itemsTotal ? `${p.items} of ${p.itemsTotal} ${unit}` : `${p.items} ${unit}`);
    if (fraction === undefined && p.itemsTotal) fraction = Math.min(1, p.items / p.itemsTotal);
  }
  if (p.message && p.kind !== 'reflash') parts.push(p.message);
  return { label, fraction, line: parts.length ? parts.join(' · ') : undefined };
}

/** "Writing, 1.2 GiB of 4.0 GiB": where a job was when it last reported, for interrupted jobs. */
export function describeStop(p: Progress | undefined): string | undefined {
  if (!p) return undefined;
  const d = describeProgress(p);
  return d.line ? `${d.label}, ${d.line}` : d.label;
}

export const percent = (fraction: number | undefined): number | undefined =>
  fraction === undefined ? undefined : Math.round(fraction * 100);
