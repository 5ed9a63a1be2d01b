import type { OsState } from '../../../shared/os/model';
import { formatBytes } from '../../shared/format';
import { countText, totalDownload, updateLines } from './summary';

const KIND = { userspace: 'userspace', kernel: 'kernel', image: 'system image' };

/**
 * The updates the last check found: name, old → new, a security marker and the download size. Below, folded, the
 * upgradable packages that are not OS updates (apt): listed so nobody wonders, and left alone by Apply.
 */
export function UpdateList({ state }: { state: OsState }) {
  const lines = updateLines(state.updates);
  const total = totalDownload(state.updates);
  const security = state.updates.filter((u) => u.security).length;
  return (
    <section className="card" aria-labelledby="os-updates">
      <h2 id="os-updates">
        {countText(lines.length, security)}
        {total !== undefined && <span className="muted small"> · {formatBytes(total)} to download</span>}
      </h2>
      {lines.length === 0 ? (
        <p className="ok">The system is up to date{state.checkedAt ? ' as of the last check' : ''}.</p>
      ) : (
        <div className="table-wrap">
          <table className="os-updates">
            <caption className="sr-only">OS updates</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Kind</th>
                <th scope="col">Download</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((u) => (
                <tr key={`${u.name} ${u.change}`}>
                  <th scope="row">
                    {u.name}
                    {u.security && <span className="badge warn-badge">security</span>}
                  </th>
                  <td>{u.change}</td>
                  <td>{KIND[u.kind]}</td>
                  <td>{u.size}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {state.notOsUpdates.length > 0 && (
        <details className="not-os">
          <summary>
            {state.notOsUpdates.length} other upgradable packages: not OS updates, left alone here
          </summary>
          <p className="muted">Apply does not touch these; your package manager updates them as usual.</p>
          <ul className="plain">
            {state.notOsUpdates.map((p) => (
              <li key={p.name}>
                {p.name} {p.from ? `${p.from} → ${p.to}` : p.to}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
