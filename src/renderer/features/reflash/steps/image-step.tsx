import { useId, useState, type FormEvent } from 'react';
import { StepJob } from '../step-job';
import type { ReflashState } from '../../../../shared/reflash/state';
import { useStore } from '../../../app/store';
import { PathField } from '../../../shared/components/path-field';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../../../shared/format';
import { ExistingBackupPanel } from '../existing-backup';
import { FlashTimeFact } from '../flash-time-fact';
import { imageSizeOf } from '../flow';
import { useImagePreview } from '../use-image-preview';
import { useStepJob } from '../use-step-job';
import { TypedConfirmDialog } from '../../../shared/components/typed-confirm-dialog';
import { allowUnsignedGate, forceRawGate } from '../../../../shared/reflash/gates';

/** Step 1: choose the new image (+ .sha256 / .minisig); main checks it before any byte reaches a drive. */
export function ImageStep({ state }: { state: ReflashState }) {
  const pubkey = useStore((s) => s.settings.pubkey);
  const busy = useStore((s) => s.reflashBusy);
  const panelOpen = useStore((s) => s.existingBackupOpen);
  const job = useStepJob('image');
  const noBmapId = useId();
  // The fields are the page's until sent; main keeps what was last chosen.
  const [fields, setFields] = useState({
    source: state.imageSource,
    sha256File: state.sha256File,
    minisigFile: state.minisigFile,
    noBmap: state.noBmap ?? false,
  });
  const source = clean(fields.source);
  const report = state.image;
  // The report belongs to these fields only while they are unchanged.
  const unchanged =
    source === state.imageSource &&
    clean(fields.sha256File) === state.sha256File &&
    clean(fields.minisigFile) === state.minisigFile &&
    fields.noBmap === (state.noBmap ?? false);
  const checked = report !== undefined && unchanged;
  const passed = checked && report.checksum?.ok !== false && report.signature?.ok !== false;
  const running = job?.state === 'running';
  // Two refusals the user may override, each after typing a word (main checks the word again): a file that does
  // not look like a disk image (RAW), and no signature although a key is set (UNSIGNED). What was typed holds
  // for this image file only, so both can be confirmed one after the other.
  const refused = job?.state === 'failed' && !running ? job.error?.code : undefined;
  const [dialog, setDialog] = useState<'raw' | 'unsigned' | undefined>();
  const [typedFor, setTypedFor] = useState<{ source?: string; forceRaw?: string; allowUnsigned?: string }>(
    {},
  );
  const fileName = source?.split('/').pop() ?? '';
  // Before the check: what the file itself says (its size, the image size its header states).
  const preview = useImagePreview(source);
  const previewed = preview?.found ? preview : undefined;
  const checkBytes = checked ? report.fileSize : previewed?.fileSize;

  const send = (extra: { forceRaw?: string; allowUnsigned?: string }, opts?: { quiet: boolean }) => {
    const typed = { ...(typedFor.source === source ? typedFor : {}), ...extra };
    return useStore.getState().chooseImage(
      {
        source: source!,
        sha256File: clean(fields.sha256File),
        minisigFile: clean(fields.minisigFile),
        noBmap: fields.noBmap,
        ...(typed.forceRaw ? { forceRaw: { typed: typed.forceRaw } } : {}),
        ...(typed.allowUnsigned ? { allowUnsigned: { typed: typed.allowUnsigned } } : {}),
      },
      opts,
    );
  };
  const check = () => {
    if (!source || running || busy) return;
    void send({});
  };
  const checkConfirmed = async (extra: { forceRaw?: string; allowUnsigned?: string }) => {
    if (!source) return undefined;
    const r = await send(extra, { quiet: true });
    if (!r.ok) return r.error;
    setTypedFor({ ...(typedFor.source === source ? typedFor : {}), ...extra, source });
    setDialog(undefined);
    return undefined;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (running || busy) return;
    if (passed) void useStore.getState().goTo('drive');
    else check();
  };

  return (
    <>
      <form onSubmit={submit} aria-labelledby="step-title">
        <h1 id="step-title" tabIndex={-1}>
          Choose the new image
        </h1>
        <p className="lead">
          Pick the <code>.img.zst</code> file (or an http(s) URL). Kintsugi checks its checksum and signature
          here, before any drive is touched. Checking reads the whole file once
          {checkBytes ? `: ${estimate(checkBytes, state.speeds?.hash, DEFAULT_SPEEDS.hash)}` : ''}.
        </p>
        <PathField
          name="image"
          label="Image file"
          purpose="image"
          value={fields.source}
          placeholder="/path/to/kintsugi-v1.4.img.zst"
          onChange={(v) => setFields({ ...fields, source: v })}
        />
        <PathField
          name="sha256"
          label="Checksum file (.sha256)"
          purpose="checksum"
          optional
          value={fields.sha256File}
          onChange={(v) => setFields({ ...fields, sha256File: v })}
        />
        <PathField
          name="minisig"
          label="Signature file (.minisig)"
          purpose="signature"
          optional
          value={fields.minisigFile}
          onChange={(v) => setFields({ ...fields, minisigFile: v })}
        />
        {/* A damaged or untrusted .bmap beside the image would fail the check; this flashes the whole image. */}
        <div className="field checkbox">
          <input
            id={noBmapId}
            type="checkbox"
            checked={fields.noBmap}
            onChange={(e) => setFields({ ...fields, noBmap: e.target.checked })}
          />
          <label htmlFor={noBmapId}>Ignore the .bmap beside the image (write the whole image)</label>
        </div>
        {!checked && previewed && (
          <dl className="facts compact" aria-label="Image file">
            <dt>File size</dt>
            <dd data-fact="file-size">
              {formatBytes(previewed.fileSize)}
              {previewed.compression !== 'none' ? ` (${previewed.compression})` : ''}
            </dd>
            <dt>Image size</dt>
            <dd data-fact="image-size">
              {previewed.imageSize !== undefined
                ? `${formatBytes(previewed.imageSize)} (as its header states; the check confirms it)`
                : 'known after the check (the file does not state it)'}
            </dd>
            <FlashTimeFact
              state={state}
              writes={
                previewed.imageSize !== undefined
                  ? { bytes: previewed.imageSize, atLeast: false }
                  : { bytes: previewed.fileSize, atLeast: previewed.compression !== 'none' }
              }
            />
          </dl>
        )}
        {source?.startsWith('/') && preview?.found === false && (
          <p className="warn" role="status">
            {fileName}: {preview.reason}.
          </p>
        )}
        {clean(fields.minisigFile) && !pubkey && (
          <p className="warn">No minisign public key is set: add it in Settings to check the signature.</p>
        )}
        {job && <StepJob job={job} title="Image check" onRetry={check} retryDisabled={!source || busy} />}
        {refused === 'IMAGE_NOT_A_DISK_IMAGE' && source && (
          <div className="actions">
            <button type="button" className="danger" onClick={() => setDialog('raw')} disabled={busy}>
              Flash it anyway…
            </button>
          </div>
        )}
        {refused === 'IMAGE_SIGNATURE_MISSING' && source && (
          <div className="actions">
            <button type="button" className="danger" onClick={() => setDialog('unsigned')} disabled={busy}>
              Check it unsigned…
            </button>
          </div>
        )}
        {checked && report && (
          <section className="card" aria-label="Image check result">
            <h2>{passed ? 'Image checked' : 'Image check failed'}</h2>
            <dl className="facts">
              <dt>File</dt>
              <dd>{report.path}</dd>
              {report.version && (
                <>
                  <dt>Version</dt>
                  <dd>{report.version}</dd>
                </>
              )}
              <dt>Disk image</dt>
              <dd>
                {report.forcedRaw ? (
                  <span className="bad">
                    ✗ does not look like one: written as raw bytes, as you confirmed
                  </span>
                ) : (
                  <span className="ok">✓ {report.diskSignature ?? 'yes'}</span>
                )}
              </dd>
              <dt>Compression</dt>
              <dd>{report.compression}</dd>
              <dt>File size</dt>
              <dd>{formatBytes(report.fileSize)}</dd>
              <dt>Image size</dt>
              <dd>
                {imageSizeOf(report) !== undefined
                  ? formatBytes(imageSizeOf(report))
                  : 'known after flashing (the compressed file does not say)'}
              </dd>
              {passed && <FlashTimeFact state={state} />}
              <dt>Checksum</dt>
              <dd>
                {report.checksum ? (
                  <span className={report.checksum.ok ? 'ok' : 'bad'}>
                    {report.checksum.ok ? '✓ matches' : '✗ does not match'} (
                    {report.checksum.target === 'compressed' ? 'compressed file' : 'decompressed image'},
                    entry “{report.checksum.fileName}”)
                  </span>
                ) : (
                  <span className="muted">no .sha256 given</span>
                )}
              </dd>
              <dt>Integrity</dt>
              <dd>
                {report.integrity ? (
                  <span className={report.integrity.ok ? 'ok' : 'bad'}>
                    {report.integrity.ok ? '✓' : '✗'} decoded whole by {report.integrity.tool} (
                    {formatBytes(report.integrity.bytes)})
                  </span>
                ) : (
                  <span className="muted">
                    {report.compression === 'none' ? 'not compressed' : 'covered by the checksum'}
                  </span>
                )}
              </dd>
              <dt>Signature</dt>
              <dd>
                {report.unsigned ? (
                  <span className="bad">✗ none, although a key is set: you chose to go on unsigned</span>
                ) : report.signature ? (
                  <span className={report.signature.ok ? 'ok' : 'bad'}>
                    {report.signature.ok ? '✓ valid' : '✗ invalid'}
                    {report.signature.trustedComment ? ` — ${report.signature.trustedComment}` : ''}
                  </span>
                ) : (
                  <span className="muted">not checked</span>
                )}
              </dd>
              {report.bmap && (
                <>
                  <dt>Block map</dt>
                  <dd>
                    {formatBytes(report.bmap.mappedBytes)} of {formatBytes(report.bmap.imageSize)} to write
                  </dd>
                </>
              )}
            </dl>
          </section>
        )}
        <div className="actions step-actions">
          {!panelOpen && (
            <button
              type="button"
              className="secondary"
              onClick={() => useStore.getState().setExistingBackupOpen(true)}
              disabled={running}
            >
              Restore an existing backup…
            </button>
          )}
          {/* The primary (Enter) action is Check image until the image passed, then Continue. */}
          <button
            type={passed ? 'button' : 'submit'}
            data-primary={passed ? undefined : true}
            className="secondary"
            onClick={passed ? check : undefined}
            disabled={!source || running || busy}
          >
            Check image
          </button>
          <button
            type={passed ? 'submit' : 'button'}
            data-primary={passed ? true : undefined}
            disabled={!passed || running || busy}
          >
            Continue
          </button>
        </div>
      </form>
      {panelOpen && <ExistingBackupPanel />}
      {dialog === 'unsigned' && source && (
        <TypedConfirmDialog
          title="Use an image without a signature?"
          device="UNSIGNED"
          accepts={(typed) => allowUnsignedGate(typed).ok}
          confirmLabel="Check it unsigned"
          onConfirm={(typed) => checkConfirmed({ allowUnsigned: typed })}
          onCancel={() => setDialog(undefined)}
        >
          <p>
            A signing key is set, so images must come with their <code>.minisig</code>, and{' '}
            <code>{fileName}</code> has none. Without it, nothing proves this is the publisher&apos;s image.
            Pick its .minisig instead, or type UNSIGNED to go on without one.
          </p>
        </TypedConfirmDialog>
      )}
      {dialog === 'raw' && source && (
        <TypedConfirmDialog
          title="Flash a file that is not a disk image?"
          device="RAW"
          accepts={(typed) => forceRawGate(source, typed).ok}
          confirmLabel="Check it as a raw image"
          onConfirm={(typed) => checkConfirmed({ forceRaw: typed })}
          onCancel={() => setDialog(undefined)}
        >
          <p>
            <code>{fileName}</code> starts with no partition table, ISO or filesystem. Written to a drive, it
            will most likely not boot. Only go on if you know this file is a raw disk image. Type RAW (or the
            file name) to check it as one.
          </p>
        </TypedConfirmDialog>
      )}
    </>
  );
}

/** Pasted paths often carry a stray space or newline; an emptied optional field means "none". */
function clean(value: string | undefined): string | undefined {
  return value?.trim() || undefined;
}
