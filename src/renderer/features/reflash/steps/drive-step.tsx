import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ChoiceCard } from '../../../shared/components/choice-card';
import type { DriveView } from '../../../../shared/model';
import type { ReflashState } from '../../../../shared/reflash/state';
import { useStore } from '../../../app/store';
import { api } from '../../../shared/api';
import { ErrorBox } from '../../../shared/components/error-box';
import { toUiError, type UiError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { BackupNeedFact } from '../backup-need-fact';
import { FlashTimeFact } from '../flash-time-fact';
import { nextStep } from '../flow';
import { useBackupNeed } from '../use-backup-need';

/** Step 2: choose the drive. Blocked drives are shown, disabled, with the reason; main checks the choice again. */
export function DriveStep({ state }: { state: ReflashState }) {
  const includeLoop = useStore((s) => s.settings.includeLoop);
  const busy = useStore((s) => s.reflashBusy);
  const [drives, setDrives] = useState<DriveView[] | undefined>();
  const [error, setError] = useState<UiError | undefined>();
  const [selected, setSelected] = useState<string | undefined>(state.device);
  const restoreOnly = state.restoreOnly === true;
  const imageSize = restoreOnly ? undefined : state.image?.imageSize;
  const imagePath = restoreOnly ? undefined : state.image?.path;

  const refresh = useCallback(async () => {
    setError(undefined);
    try {
      setDrives(await api().drives.list({ includeLoop, imageSize, imagePath }));
    } catch (err) {
      setError(toUiError(err));
    }
  }, [includeLoop, imageSize, imagePath]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const chosen = drives?.find((d) => d.device === selected && d.selectable);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen || busy) return;
    const r = await useStore.getState().chooseDrive(chosen.device);
    // Main may move on by itself; if it left the flow here, continue to the next step.
    if (r.ok && r.state.step === 'drive') void useStore.getState().goTo(nextStep(r.state, 'drive'));
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        {restoreOnly ? 'Choose the drive to restore into' : 'Choose the drive to reflash'}
      </h1>
      {restoreOnly ? (
        <p className="lead">
          The backup goes into the persistence store of the chosen drive; the rest of the drive is not
          changed. System drives and the drive you booted from cannot be chosen.
        </p>
      ) : (
        <p className="lead">
          Everything on the chosen drive will be replaced by the image
          {state.image?.imageSize ? ` (${formatBytes(state.image.imageSize)})` : ''}. Its persistence data is
          backed up first, in the next step. System drives and the drive you booted from cannot be chosen.
        </p>
      )}
      <FlowSoFar state={state} />
      {error && <ErrorBox error={error} />}
      {drives === undefined && !error && <p className="muted">Looking for drives…</p>}
      {drives?.length === 0 && (
        <p className="muted">
          No drives found. Plug the Kintsugi drive in and refresh
          {includeLoop ? '' : ' (loop devices are hidden: see Settings)'}.
        </p>
      )}
      <fieldset className="drives">
        <legend className="sr-only">Drives</legend>
        {drives?.map((d) => (
          <ChoiceCard
            key={d.device}
            group="drive"
            value={d.device}
            chosen={selected === d.device}
            blocked={!d.selectable}
            onChoose={() => setSelected(d.device)}
            title={d.description || d.device}
            meta={
              <>
                <code>{d.device}</code> · {formatBytes(d.size)}
                {d.isRemovable ? ' · removable' : ''}
                {d.isLoop ? ' · loop device' : ''}
              </>
            }
            // A drive that cannot be chosen shows why; a warning about what writing would do does not apply to it.
            notes={d.issues
              .filter((i) => d.selectable || i.severity === 'block')
              .map((i) => (
                <span key={i.code} className={`issue ${i.severity}`}>
                  {i.severity === 'block' ? '✕' : '⚠'} {i.message}
                </span>
              ))}
          />
        ))}
      </fieldset>
      {chosen && !restoreOnly && <ChosenDriveFacts state={state} device={chosen.device} />}
      <div className="actions step-actions">
        <button
          type="button"
          className="secondary"
          onClick={() => void useStore.getState().goTo('image')}
          disabled={busy}
        >
          Back
        </button>
        <button type="button" className="secondary" onClick={() => void refresh()}>
          Refresh
        </button>
        <button type="submit" data-primary disabled={!chosen || busy}>
          Continue
        </button>
      </div>
    </form>
  );
}

/** What the flow already has, in one line: the checked image, or the backup chosen for a restore. */
function FlowSoFar({ state }: { state: ReflashState }) {
  if (state.restoreOnly && state.backup) {
    const m = state.backup.manifest;
    return (
      <p className="ok">
        ✓ Backup chosen: <code>{state.backup.path}</code> ({m.files} files, {formatBytes(m.bytes)})
      </p>
    );
  }
  const image = state.image;
  if (!image) return null;
  const checks = [
    image.checksum?.ok ? 'checksum matches' : undefined,
    image.signature?.ok ? 'signature valid' : undefined,
  ].filter(Boolean);
  return (
    <p className="ok">
      ✓ Image checked: {image.version ? `Kintsugi ${image.version}` : image.path}
      {checks.length ? ` (${checks.join(', ')})` : ''}
    </p>
  );
}

/** What the chosen drive's reflash takes, known as soon as it is chosen: the backup's room and the flash's time. */
function ChosenDriveFacts({ state, device }: { state: ReflashState; device: string }) {
  const settings = useStore((s) => s.settings);
  const need = useBackupNeed(device, state.backupDir ?? settings.backupDir);
  return (
    <dl className="facts compact" aria-label="What this drive needs">
      <BackupNeedFact need={need} label="Backup needs" />
      <FlashTimeFact state={state} />
    </dl>
  );
}
