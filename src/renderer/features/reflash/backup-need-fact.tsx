import type { BackupNeed } from '../../../shared/backup/contract';
import { formatBytes } from '../../shared/format';

/** What happens when the need cannot be known beforehand: the backup's own room check still protects the user. */
export const MEASURED_AT_START =
  'It will be measured when the backup starts, and the backup stops before copying anything if there is not enough room.';

/** The "Needed" line of a facts list: the room a backup of the drive's persistence store takes, or why unknown. */
export function BackupNeedFact({ need, label = 'Needed' }: { need: BackupNeed | undefined; label?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-fact="backup-need">
        {need === undefined ? (
          <span className="muted">measuring the persistence store…</span>
        ) : need.known ? (
          <>
            about {formatBytes(need.neededBytes)}{' '}
            <span className="muted">
              ({formatBytes(need.dataBytes)} in {need.files} files and folders of {need.storeName},{' '}
              {formatBytes(need.storeSize)}; counted in{' '}
              {need.destBlockAssumed
                ? `${formatBytes(need.destBlock)} blocks, the usual size, until a folder is chosen`
                : `the destination's ${formatBytes(need.destBlock)} blocks`}
              , plus room for folders and metadata)
            </span>
          </>
        ) : (
          <>
            not known yet: {need.reason}. {MEASURED_AT_START}
            {need.hint && <span className="muted"> {need.hint}</span>}
          </>
        )}
      </dd>
    </>
  );
}

/** The bytes a backup will copy, when known: for its time estimate. */
export const backupBytes = (need: BackupNeed | undefined): number | undefined =>
  need?.known ? need.dataBytes : undefined;

/** Free space below the need: the destination cannot hold this backup. */
export const tooLittleRoom = (need: BackupNeed | undefined, free: number | undefined): boolean =>
  need?.known === true && free !== undefined && free < need.neededBytes;
