import type { HostManifest } from '../../../shared/kernel/model';
import { orderedIncludes } from '../../../shared/kernel/order';

/** A host's fleet manifest at a glance: what it builds on, which series in which order, what it packages. */
export function ManifestSummary({ m }: { m: HostManifest }) {
  const p = m.package;
  return (
    <section className="card" aria-labelledby="kernel-manifest-title">
      <h3 id="kernel-manifest-title">Manifest</h3>
      <dl className="facts">
        <div className="fact-row">
          <dt>Arch</dt>
          <dd>{m.arch}</dd>
        </div>
        <div className="fact-row">
          <dt>Baseline</dt>
          <dd>
            <code>{m.baseline.ref}</code> of <code>{m.baseline.repo}</code>
          </dd>
        </div>
        <div className="fact-row">
          <dt>Includes</dt>
          <dd>
            <span className="muted">in order {m.apply_order.join(' → ')}:</span>{' '}
            {orderedIncludes(m).map(({ scope, series }, i) => (
              <span key={`${scope}/${series}`}>
                {i > 0 && ', '}
                <code>
                  {scope}/{series}
                </code>
              </span>
            ))}
          </dd>
        </div>
        <div className="fact-row">
          <dt>Package</dt>
          <dd>
            {p.pkgbase} {p.pkgver}-{p.pkgrel} ({p.kind}){p.sign_key ? ', signed' : ''}
          </dd>
        </div>
        <div className="fact-row">
          <dt>Install</dt>
          <dd>
            {m.install.bootloader}, {m.install.initramfs}
          </dd>
        </div>
      </dl>
    </section>
  );
}
