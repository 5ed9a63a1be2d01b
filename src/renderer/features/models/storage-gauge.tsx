import type { ModelsStorageSummary } from '../../../shared/models/contract';
import { formatBytes } from '../../shared/format';

/** The filesystem holding the models: used space, what a pull would add (when one is being considered or runs),
 * and the warn and refuse lines. The numbers are also written out, so nothing depends on seeing the bar. */
export function StorageGauge(props: {
  storage: ModelsStorageSummary;
  projection?: { slug: string; percent: number };
}) {
  const { storage, projection } = props;
  const used = Math.min(100, storage.usedPercent);
  const extra = projection ? Math.max(0, Math.min(100, projection.percent) - used) : 0;
  return (
    <div className="gauge-box" role="group" aria-label="Storage">
      <div className="gauge" aria-hidden="true">
        <div className="gauge-used" style={{ width: `${used}%` }} />
        {extra > 0 && <div className="gauge-projected" style={{ left: `${used}%`, width: `${extra}%` }} />}
        <div className="gauge-line" style={{ left: `${storage.warnPercent}%` }} />
        <div className="gauge-line refuse" style={{ left: `${storage.refusePercent}%` }} />
      </div>
      <p className="gauge-text">
        <code>{storage.mountPoint}</code>: {formatBytes(storage.usedBytes)} of{' '}
        {formatBytes(storage.totalBytes)} used ({Math.round(storage.usedPercent)}%); models hold{' '}
        {formatBytes(storage.ggufBytes)}
        {storage.ollamaBytes !== undefined ? ` + ${formatBytes(storage.ollamaBytes)} in Ollama` : ''}. A pull
        asks first past {storage.warnPercent}% and is refused at {storage.refusePercent}%.
      </p>
      {/* Always there, so focusing or pointing at a Pull button never moves the table under the pointer. */}
      <p className="gauge-text" data-testid="projection">
        {projection
          ? `After pulling ${projection.slug}: ${Math.floor(projection.percent)}% used.`
          : 'Focus or point at a Pull button to see what that pull would bring the usage to.'}
      </p>
    </div>
  );
}
