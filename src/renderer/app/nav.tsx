import { useEffect, useRef, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { Route } from '../../shared/app/routes';
import { useStore } from './store';

// New pages are appended, so Alt+2 stays the base image and Alt+3 the jobs for people who learned them.
export const PAGES: { route: Route; label: string; key: string }[] = [
  { route: 'home', label: 'Home', key: '1' },
  { route: 'reflash', label: 'Base image', key: '2' },
  { route: 'jobs', label: 'Jobs', key: '3' },
  { route: 'repo', label: 'Docs & scripts', key: '4' },
  { route: 'frameworks', label: 'Frameworks', key: '5' },
  { route: 'models', label: 'Models', key: '6' },
  { route: 'os', label: 'System', key: '7' },
  { route: 'kernel', label: 'Kernel', key: '8' },
];

/**
 * The page list. Keyboard: Tab reaches the current page's button, Left/Right (and Home/End) move between pages,
 * Enter or Space opens one; Alt+1..7 open a page from anywhere (not while a dialog is open).
 */
export function PageNav() {
  const route = useStore((s) => s.route);
  const navigate = useStore((s) => s.navigate);
  const running = useStore((s) => Object.values(s.jobs).filter((j) => j.state === 'running').length);
  const refs = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || document.querySelector('[role=dialog]'))
        return;
      const page = PAGES.find((p) => p.key === e.key || `Digit${p.key}` === e.code);
      if (!page) return;
      e.preventDefault();
      useStore.getState().navigate(page.route);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onKeyDown = (e: ReactKeyboardEvent, i: number) => {
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % PAGES.length
        : e.key === 'ArrowLeft'
          ? (i + PAGES.length - 1) % PAGES.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? PAGES.length - 1
              : undefined;
    if (to === undefined) return;
    e.preventDefault();
    refs.current[to]?.focus();
  };

  return (
    <nav aria-label="Pages">
      <ul className="page-nav">
        {PAGES.map((p, i) => (
          <li key={p.route}>
            <button
              type="button"
              ref={(el) => {
                refs.current[i] = el;
              }}
              className={p.route === route ? 'current' : undefined}
              aria-current={p.route === route ? 'page' : undefined}
              aria-keyshortcuts={`Alt+${p.key}`}
              title={`${p.label} (Alt+${p.key})`}
              tabIndex={p.route === route ? 0 : -1}
              onClick={() => navigate(p.route)}
              onKeyDown={(e) => onKeyDown(e, i)}
            >
              {p.label}
              {p.route === 'jobs' && running > 0 && <span className="count">{running} running</span>}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
