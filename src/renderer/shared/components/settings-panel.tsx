import { useId, useRef, useState } from 'react';
import { useStore } from '../../app/store';
import { useDialog } from '../use-dialog';
import { DEFAULT_FULL_VERIFY_EVERY, parseFullVerifyEvery } from '../../../shared/backup/full-verify';
import { PathField } from './path-field';
import { ScheduleSettings } from './schedule-settings';
import { ToolkitSettings } from './toolkit-settings';

/** Settings: loop devices toggle, minisign public key, backup folder, how often a backup verifies fully, the
 * kernel workspace, the toolkit's settings and the schedule.
 * Esc closes. */
export function SettingsPanel() {
  const settings = useStore((s) => s.settings);
  const saveSettings = useStore((s) => s.saveSettings);
  const close = () => useStore.getState().setSettingsOpen(false);
  const [pubkey, setPubkey] = useState(settings.pubkey ?? '');
  // The folder as typed, saved when the field is left (main expands ~ and normalises): never rewritten under the
  // user's fingers by an answer to an earlier keystroke.
  const [backupDir, setBackupDir] = useState(settings.backupDir ?? '');
  const saveBackupDir = (v: string | undefined) => void saveSettings({ backupDir: v ?? '' });
  // Every Nth backup a full verify is suggested: saved when the field is left, if it is a whole number in range.
  const [every, setEvery] = useState(String(settings.fullVerifyEvery ?? DEFAULT_FULL_VERIFY_EVERY));
  const parsedEvery = parseFullVerifyEvery(every);
  const saveEvery = () => {
    if ('value' in parsedEvery && parsedEvery.value !== settings.fullVerifyEvery)
      void saveSettings({ fullVerifyEvery: parsedEvery.value });
  };
  const everyId = useId();
  // The kernel page's workspace: saved when left, only when set (main checks it is an absolute path). The hosts
  // are read again once main has it: the store's optimistic copy alone would have the page ask main too early.
  const [kernelWorkspace, setKernelWorkspace] = useState(settings.kernelWorkspace ?? '');
  const saveKernelWorkspace = (v: string | undefined) => {
    if (v) void saveSettings({ kernelWorkspace: v }).then(() => useStore.getState().loadKernelHosts());
  };
  const loopId = useId();
  const keyId = useId();
  const firstRef = useRef<HTMLInputElement>(null);
  const dialogRef = useRef<HTMLElement>(null);
  useDialog(dialogRef, firstRef, close);
  return (
    <div className="backdrop">
      <section
        className="dialog settings"
        role="dialog"
        aria-modal="true"
        aria-labelledby="settings-title"
        ref={dialogRef}
      >
        <h2 id="settings-title">Settings</h2>
        <div className="field checkbox">
          <input
            id={loopId}
            ref={firstRef}
            type="checkbox"
            checked={settings.includeLoop}
            onChange={(e) => void saveSettings({ includeLoop: e.target.checked })}
          />
          <label htmlFor={loopId}>Show loop devices (for testing images)</label>
        </div>
        <div className="field">
          <label htmlFor={keyId}>minisign public key</label>
          <textarea
            id={keyId}
            rows={2}
            spellCheck={false}
            value={pubkey}
            placeholder="RWQ… (the key published with the images)"
            onChange={(e) => setPubkey(e.target.value)}
            onBlur={() => void saveSettings({ pubkey: pubkey.trim() })}
          />
        </div>
        <PathField
          name="settings-backup-dir"
          label="Backup folder"
          purpose="backup-dir"
          value={backupDir}
          placeholder="~/kintsugi-backups"
          onChange={(v) => setBackupDir(v ?? '')}
          onCommit={saveBackupDir}
        />
        <div className="field">
          <label htmlFor={everyId}>Full verify every Nth backup (0: never)</label>
          <input
            id={everyId}
            inputMode="numeric"
            value={every}
            aria-invalid={'error' in parsedEvery}
            aria-describedby={`${everyId}-help`}
            onChange={(e) => setEvery(e.target.value)}
            onBlur={saveEvery}
          />
          <span id={`${everyId}-help`} className={`muted small${'error' in parsedEvery ? ' issue' : ''}`}>
            {'error' in parsedEvery
              ? parsedEvery.error
              : 'Backups in between read only the files that changed and keep the checksums of the rest.'}
          </span>
        </div>
        <PathField
          name="settings-kernel-workspace"
          label="Kernel workspace"
          purpose="kernel-workspace"
          value={kernelWorkspace}
          placeholder="~/kernel (the repository with fleet/ and patches/)"
          onChange={(v) => setKernelWorkspace(v ?? '')}
          onCommit={saveKernelWorkspace}
        />
        <ToolkitSettings />
        <ScheduleSettings />
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              void saveSettings({ pubkey: pubkey.trim(), backupDir });
              saveEvery();
              close();
            }}
          >
            Done
          </button>
        </div>
      </section>
    </div>
  );
}
