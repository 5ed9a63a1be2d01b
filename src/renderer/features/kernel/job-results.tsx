import type { BuildResult, KernelInstallResult, PromoteResult } from '../../../shared/kernel/contract';

// What a finished kernel job produced, as the page shows it. The results are main's answers, shown as given.

export function PromoteView({ r }: { r: PromoteResult }) {
  const d = r.diffstat;
  return (
    <section className="card" aria-labelledby="kernel-promote-result">
      <h2 id="kernel-promote-result">Promoted patch</h2>
      <dl className="facts">
        <div className="fact-row">
          <dt>Output</dt>
          <dd>
            <code>{r.patch}</code>
          </dd>
        </div>
        <div className="fact-row">
          <dt>Diffstat</dt>
          <dd data-testid="kernel-diffstat">
            {d.files} {d.files === 1 ? 'file' : 'files'} changed, {d.insertions} insertions(+), {d.deletions}{' '}
            deletions(-)
          </dd>
        </div>
        <div className="fact-row">
          <dt>b2sum</dt>
          <dd>
            <code data-testid="kernel-b2sum">{r.b2sum}</code>
          </dd>
        </div>
        <div className="fact-row">
          <dt>Baseline</dt>
          <dd>
            {r.baseline.ref} <code>{r.baseline.commit.slice(0, 12)}</code>
          </dd>
        </div>
        <div className="fact-row">
          <dt>Series ({r.patches.length})</dt>
          <dd>
            <ol className="kernel-series">
              {r.patches.map((p) => (
                <li key={p}>
                  <code>{p}</code>
                </li>
              ))}
            </ol>
          </dd>
        </div>
      </dl>
    </section>
  );
}

export function BuildView({ r }: { r: BuildResult }) {
  return (
    <section className="card" aria-labelledby="kernel-build-result">
      <h2 id="kernel-build-result">Built package</h2>
      <ul className="plain">
        {r.packages.map((p) => (
          <li key={p.file}>
            <code>{p.file}</code> <span className="muted">sha256 {p.sha256.slice(0, 16)}…</span>
          </li>
        ))}
      </ul>
      <p className="muted">
        Repository <code>{r.repoDir}</code>
      </p>
    </section>
  );
}

export function InstallView({ r }: { r: KernelInstallResult }) {
  return (
    <section className="card" aria-labelledby="kernel-install-result">
      <h2 id="kernel-install-result">Installed {r.version}</h2>
      <dl className="facts">
        <div className="fact-row">
          <dt>Replaced</dt>
          <dd>{r.replacedVersion ?? 'nothing (first install)'}</dd>
        </div>
        <div className="fact-row">
          <dt>Backup</dt>
          <dd>
            <code data-testid="kernel-backup-path">{r.backupPath ?? 'none (nothing was replaced)'}</code>
          </dd>
        </div>
      </dl>
      <p>Reboot the host into {r.kernelRelease}; the heartbeat confirms it came up.</p>
    </section>
  );
}
