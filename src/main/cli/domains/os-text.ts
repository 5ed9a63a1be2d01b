import type { OsCheckOutcome } from '../../../shared/os/contract';
import type { OsApplyResult, OsRollbackResult, OsState, OsUpdate } from '../../../shared/os/model';

// What `kintsugi os ...` prints for a person. The JSON output is the model itself (src/shared/os/model.ts).

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function updateLine(u: OsUpdate): string {
  const tags = [u.security ? 'security' : '', u.kind !== 'userspace' ? u.kind : ''].filter(Boolean);
  return `  ${u.name} ${u.from ?? '(new)'} -> ${u.to ?? '(removed)'}${tags.length ? `  [${tags.join(', ')}]` : ''}\n`;
}

export function updatesSummary(updates: readonly OsUpdate[]): string {
  const security = updates.filter((u) => u.security).length;
  return `${plural(updates.length, 'update')} (${security} security)`;
}

export function stateText(s: OsState, lastCheck?: OsCheckOutcome): string {
  let out = `${s.release.prettyName} (${s.backend}), current ${s.currentVersion}\n`;
  if (s.release.vendor) out += `  ${s.release.vendor.file}: ${s.release.vendor.text}\n`;
  const checked = s.checkedAt ? `checked ${s.checkedAt}` : 'never checked';
  out += `${updatesSummary(s.updates)}, ${checked}${s.stale ? ' (may be out of date)' : ''}\n`;
  out += s.updates.map(updateLine).join('');
  if (s.notOsUpdates.length)
    out += `${plural(s.notOsUpdates.length, 'other upgradable package')} (not OS updates, left alone): ${s.notOsUpdates
      .map((p) => p.name)
      .join(', ')}\n`;
  if (s.deployments.length) {
    out += 'Deployments:\n';
    for (const d of s.deployments) {
      const flags = [
        d.booted ? 'booted' : '',
        d.staged ? 'staged' : '',
        d.pinned ? 'pinned' : '',
        d.rollbackTarget ? 'rollback target' : '',
      ].filter(Boolean);
      out += `  ${d.index}  ${d.osName} ${d.version ?? d.checksum.slice(0, 12)}${flags.length ? `  (${flags.join(', ')})` : ''}\n`;
    }
  }
  if (s.reboot.required)
    out += `Reboot required${s.reboot.why.length ? `: ${s.reboot.why.join(', ')}` : ''}\n`;
  if (s.interrupted) out += `INTERRUPTED: ${s.interrupted.detail}\n  fix: ${s.interrupted.fix}\n`;
  if (s.transaction)
    out += `A transaction is running: ${s.transaction.title}${s.transaction.initiator ? ` (${s.transaction.initiator})` : ''}\n`;
  if (lastCheck && !lastCheck.ok)
    out += `The last check (${lastCheck.at}) failed: ${lastCheck.error?.detail ?? lastCheck.error?.message ?? 'unknown error'}\n`;
  return out;
}

export function applyText(r: OsApplyResult): string {
  let out = `Applied ${plural(r.applied.length, 'update')} (${r.backend})\n${r.applied.map(updateLine).join('')}`;
  if (r.hooks.length) out += `Hooks: ${r.hooks.join('; ')}\n`;
  if (r.rollbackRecord) out += `Replaced versions recorded in ${r.rollbackRecord} (for rollback)\n`;
  if (r.reboot.required)
    out += `Reboot required${r.reboot.why.length ? `: ${r.reboot.why.join(', ')}` : ''}\n`;
  return out;
}

export function rollbackText(r: OsRollbackResult): string {
  let out = `Rolled back (${r.backend})\n${r.actions.map((a) => `  ${a}\n`).join('')}`;
  if (r.caveats.length) out += `Caveats:\n${r.caveats.map((c) => `  ${c}\n`).join('')}`;
  if (r.reboot.required)
    out += `Reboot required${r.reboot.why.length ? `: ${r.reboot.why.join(', ')}` : ''}\n`;
  return out;
}
