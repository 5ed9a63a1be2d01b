import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useStore } from '../../app/store';
import { ErrorBox } from '../../shared/components/error-box';
import { useFocusHeading, usePrimaryEnter } from '../../shared/use-page';
import { HostDetail } from './host-detail';

/**
 * Kernel: the hosts of the kernel workspace (the kernelWorkspace setting), one host's manifest and its install
 * state on this machine, and promote / build / install / rollback as jobs with their progress, results and live
 * log. Keyboard: Up/Down (Home/End) move between hosts in the list; Enter on the heading presses the host's
 * primary action (rollback when its heartbeat is overdue, else the next step of promote → build → install).
 */
export function KernelPage() {
  const hosts = useStore((s) => s.kernelHosts);
  const error = useStore((s) => s.kernelError);
  const current = useStore((s) => s.kernelHost);
  const workspaceSet = useStore((s) => Boolean(s.settings.kernelWorkspace));
  const pageRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  usePrimaryEnter(pageRef);
  useFocusHeading(pageRef, 'kernel');
  useEffect(() => {
    if (workspaceSet) void useStore.getState().loadKernelHosts();
  }, [workspaceSet]);

  const onListKey = (e: KeyboardEvent, i: number) => {
    const n = hosts?.hosts.length ?? 0;
    const to =
      e.key === 'ArrowDown'
        ? (i + 1) % n
        : e.key === 'ArrowUp'
          ? (i + n - 1) % n
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : undefined;
    if (to === undefined || !n) return;
    e.preventDefault();
    listRef.current?.querySelectorAll<HTMLButtonElement>('button')[to]?.focus();
  };

  return (
    <div ref={pageRef} className="page kernel">
      <h1 tabIndex={-1}>Kernel</h1>
      {!workspaceSet ? (
        <div className="card">
          <p>
            No kernel workspace is set. It is the git repository holding <code>fleet/&lt;host&gt;.yaml</code>{' '}
            and <code>patches/</code>.
          </p>
          <div className="section-actions">
            <button type="button" data-primary onClick={() => useStore.getState().setSettingsOpen(true)}>
              Set it in Settings
            </button>
          </div>
        </div>
      ) : (
        <>
          {error && <ErrorBox error={error} />}
          {hosts && (
            <p className="lead">
              Hosts of <code>{hosts.workspace}</code>
            </p>
          )}
          {hosts && hosts.hosts.length === 0 && (
            <p className="muted">The workspace has no fleet/&lt;host&gt;.yaml yet.</p>
          )}
          <div className="kernel-layout">
            {hosts && hosts.hosts.length > 0 && (
              <ul className="kernel-hosts plain" ref={listRef} aria-label="Hosts">
                {hosts.hosts.map((h, i) => (
                  <li key={h}>
                    <button
                      type="button"
                      className={h === current ? 'current' : 'secondary'}
                      aria-current={h === current ? 'true' : undefined}
                      tabIndex={h === current || (!current && i === 0) ? 0 : -1}
                      onClick={() => void useStore.getState().selectKernelHost(h)}
                      onKeyDown={(e) => onListKey(e, i)}
                    >
                      {h}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {current && <HostDetail key={current} host={current} />}
          </div>
        </>
      )}
    </div>
  );
}
