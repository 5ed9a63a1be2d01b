import type { OsDeployment } from '../../../shared/os/model';
import { shortChecksum } from './summary';

/**
 * ostree / rpm-ostree deployments in boot order (0 boots next): booted, staged, pinned, version, commit, origin,
 * and per row Pin / Unpin. A pinned deployment is never cleaned up by an upgrade.
 */
export function DeploymentsTable(props: {
  deployments: OsDeployment[];
  canPin: boolean;
  /** The deployment whose pin job runs now (its button says so). */
  pinning?: number;
  onPin(d: OsDeployment): void;
}) {
  return (
    <div className="table-wrap">
      <table className="os-deployments">
        <caption className="sr-only">Deployments</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Commit</th>
            <th scope="col">Origin</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.deployments.map((d) => {
            const label = d.version ?? shortChecksum(d.checksum);
            return (
              <tr key={`${d.index} ${d.checksum}`}>
                <td>{d.index}</td>
                <th scope="row">{label}</th>
                <td>{states(d, props.deployments[0] === d).join(', ') || '—'}</td>
                <td>
                  <code title={d.checksum}>{shortChecksum(d.checksum)}</code>
                </td>
                <td>{d.origin ?? '—'}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="secondary"
                    disabled={!props.canPin}
                    onClick={() => props.onPin(d)}
                    aria-label={`${d.pinned ? 'Unpin' : 'Pin'} ${label}`}
                  >
                    {props.pinning === d.index
                      ? d.pinned
                        ? 'Unpinning…'
                        : 'Pinning…'
                      : d.pinned
                        ? 'Unpin'
                        : 'Pin'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function states(d: OsDeployment, first: boolean): string[] {
  return [
    d.booted ? 'booted' : '',
    first ? 'default at next boot' : '',
    d.staged ? 'staged' : '',
    d.pinned ? 'pinned' : '',
    d.rollbackTarget ? 'rollback target' : '',
  ].filter(Boolean);
}
