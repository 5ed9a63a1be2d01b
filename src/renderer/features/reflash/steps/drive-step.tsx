import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DriveView } from '../../shared/model';
import { api } from '../api';
import { ErrorBox } from '../components/error-box';
import { formatBytes } from '../format';
import { toUiError, useStore, type UiError } from '../store';

/** Step 2: choose the drive. Blocked drives are shown, disabled, with the reason; warnings say what will happen. */
export function DriveStep() {
  const wizard = useStore((s) => s.wizard);
  const includeLoop = useStore((s) => s.settings.includeLoop);
  const update = useStore((s) => s.update);
  const [drives, setDrives] = useState<DriveView[] | undefined>();
  const [error, setError] = useState<UiError | undefined>();

  const refresh = useCallback(async () => {
    setError(undefined);
    try {
      setDrives(
        await api().listDrives({
          includeLoop,
          imageSize: wizard.image?.imageSize,
          imagePath: wizard.image?.path,
        }),
      );
    } catch (err) {
      setError(toUiError(err));
    }
  }, [includeLoop, wizard.image?.imageSize, wizard.image?.path]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const chosen = drives?.find((d) => d.device === wizard.device && d.selectable);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (chosen) void update({ step: 'backup' });
  };

  return (
    <form onSubmit={submit} aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        Choose the drive to reflash
      </h1>
      <p className="lead">
        Everything on the chosen drive will be replaced by the image
        {wizard.image?.imageSize ? ` (${formatBytes(wizard.image.imageSize)})` : ''}. Its persistence data is
        backed up first, in the next step. System drives and the drive you booted from cannot be chosen.
      </p>
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
        {drives?.map((d) => {
          const blocks = d.issues.filter((i) => i.severity === 'block');
          const warns = d.issues.filter((i) => i.severity === 'warn');
          const id = `drive-${d.device.replace(/[^a-z0-9]/gi, '-')}`;
          return (
            <div
              key={d.device}
              className={`drive${d.selectable ? '' : ' blocked'}${wizard.device === d.device ? ' chosen' : ''}`}
            >
              <input
                type="radio"
                id={id}
                name="drive"
                value={d.device}
                disabled={!d.selectable}
                checked={wizard.device === d.device}
                onChange={() =>
                  void update({
                    device: d.device,
                    backup: undefined,
                    backupSkipped: undefined,
                    flash: undefined,
                    restore: undefined,
                  })
                }
                aria-describedby={`${id}-info`}
              />
              <label htmlFor={id}>
                <span className="drive-name">{d.description || d.device}</span>
                <span className="drive-meta">
                  <code>{d.device}</code> · {formatBytes(d.size)}
                  {d.isRemovable ? ' · removable' : ''}
                  {d.isLoop ? ' · loop device' : ''}
                </span>
                <span id={`${id}-info`} className="drive-issues">
                  {blocks.map((i) => (
                    <span key={i.code} className="issue block">
                      ✕ {i.message}
                    </span>
                  ))}
                  {warns.map((i) => (
                    <span key={i.code} className="issue warn">
                      ⚠ {i.message}
                    </span>
                  ))}
                </span>
              </label>
            </div>
          );
        })}
      </fieldset>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void update({ step: 'image' })}>
          Back
        </button>
        <button type="button" className="secondary" onClick={() => void refresh()}>
          Refresh
        </button>
        <button type="submit" disabled={!chosen}>
          Continue
        </button>
      </div>
    </form>
  );
}
