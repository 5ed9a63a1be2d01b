import type { FormEvent } from 'react';
import { JobProgress } from '../components/job-progress';
import { PathField } from '../components/path-field';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../format';
import { useStepJob, useStore } from '../store';

/** Step 1: choose the new image (+ .sha256 / .minisig) and check it before any byte reaches a drive. */
export function ImageStep() {
  const wizard = useStore((s) => s.wizard);
  const settings = useStore((s) => s.settings);
  const update = useStore((s) => s.update);
  const startJob = useStore((s) => s.startJob);
  const job = useStepJob('image');
  const report = wizard.image;
  // Pasted paths often carry a stray space or newline; an emptied optional field means "none".
  const source = clean(wizard.imageSource);
  const checked = report !== undefined && report.source === source;
  const passed = checked && report.checksum?.ok !== false && report.signature?.ok !== false;
  const running = job?.state === 'running';

  const check = () => {
    if (!source) return;
    const minisigFile = clean(wizard.minisigFile);
    void startJob('image', {
      type: 'image-check',
      params: {
        source,
        sha256File: clean(wizard.sha256File),
        minisigFile,
        pubkey: minisigFile ? clean(settings.pubkey) : undefined,
      },
    });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (running) return;
    if (passed) void update({ step: 'drive' });
    else check();
  };
  // Changing any input invalidates an earlier report.
  const change = (patch: Parameters<typeof update>[0]) => void update({ ...patch, image: undefined });

  return (
    <form onSubmit={submit} aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1}>
        Choose the new image
      </h1>
      <p className="lead">
        Pick the <code>.img.zst</code> file (or an http(s) URL). Kintsugi checks its checksum and signature
        here, before any drive is touched. Checking reads the whole file once
        {report ? `: ${estimate(report.fileSize, wizard.speeds?.hash, DEFAULT_SPEEDS.hash)}` : ''}.
      </p>
      <PathField
        name="image"
        label="Image file"
        purpose="image"
        value={wizard.imageSource}
        placeholder="/path/to/kintsugi-v1.4.img.zst"
        onChange={(v) => change({ imageSource: v })}
      />
      <PathField
        name="sha256"
        label="Checksum file (.sha256)"
        purpose="checksum"
        optional
        value={wizard.sha256File}
        onChange={(v) => change({ sha256File: v })}
      />
      <PathField
        name="minisig"
        label="Signature file (.minisig)"
        purpose="signature"
        optional
        value={wizard.minisigFile}
        onChange={(v) => change({ minisigFile: v })}
      />
      {wizard.minisigFile && !settings.pubkey && (
        <p className="warn">No minisign public key is set: add it in Settings to check the signature.</p>
      )}
      {job && <JobProgress job={job} title="Image check" />}
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
            <dt>Compression</dt>
            <dd>{report.compression}</dd>
            <dt>File size</dt>
            <dd>{formatBytes(report.fileSize)}</dd>
            <dt>Image size</dt>
            <dd>{report.imageSize !== undefined ? formatBytes(report.imageSize) : 'known after flashing'}</dd>
            <dt>Checksum</dt>
            <dd>
              {report.checksum ? (
                <span className={report.checksum.ok ? 'ok' : 'bad'}>
                  {report.checksum.ok ? '✓ matches' : '✗ does not match'} (
                  {report.checksum.target === 'compressed' ? 'compressed file' : 'decompressed image'}, entry
                  “{report.checksum.fileName}”)
                </span>
              ) : (
                <span className="muted">no .sha256 given</span>
              )}
            </dd>
            <dt>Signature</dt>
            <dd>
              {report.signature ? (
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
      <div className="actions">
        <button type="button" className="secondary" onClick={check} disabled={!source || running}>
          Check image
        </button>
        <button type="submit" disabled={!passed || running}>
          Continue
        </button>
      </div>
    </form>
  );
}

function clean(value: string | undefined): string | undefined {
  return value?.trim() || undefined;
}
