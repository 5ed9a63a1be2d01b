import { useEffect, type RefObject } from 'react';

// Keyboard habits every page follows, each page for itself (no app-wide key handler acts on a page's content).

/**
 * Enter presses the page's primary action (its enabled `[data-primary]` button) when focus rests on nothing in
 * particular: the page heading, the page itself, or the body after the focused button was disabled or removed.
 * Fields, buttons and links keep their own Enter; an open dialog owns the keyboard.
 */
export function usePrimaryEnter(pageRef: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const page = pageRef.current;
      if (!page || document.querySelector('[role=dialog]')) return;
      const active = document.activeElement;
      const resting =
        !active ||
        active === document.body ||
        active === page ||
        (page.contains(active) && /^H[1-6]$/.test(active.tagName));
      if (!resting) return;
      const primary = page.querySelector<HTMLButtonElement>('[data-primary]:not(:disabled)');
      if (primary) {
        e.preventDefault();
        primary.click();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pageRef]);
}

/** Moves focus to the page heading when the page (or `key`, e.g. the wizard step) changes, so keyboard and
 * screen-reader users start at the top of what is new. */
export function useFocusHeading(pageRef: RefObject<HTMLElement | null>, key: unknown): void {
  useEffect(() => {
    pageRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [pageRef, key]);
}
