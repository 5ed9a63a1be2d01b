import type { Page } from 'playwright-core';

// "Above the fold": a small laptop or a VM console window is 800×600, and a step whose primary button falls
// below it looks finished or stuck to someone who does not think of scrolling. Checked at every e2e shot.

export const SMALL_WINDOW = { width: 800, height: 600 };

export interface PrimaryPlacement {
  /** The button's text, to say which one. */
  label: string;
  box: { x: number; y: number; width: number; height: number };
  /** Wholly inside the window, the page scrolled to its top (as a step opens). */
  inView: boolean;
}

/** Where the page's primary action ([data-primary], what Enter presses) is, or undefined when it has none. */
export async function primaryPlacement(page: Page): Promise<PrimaryPlacement | undefined> {
  await page.evaluate(() =>
    (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
  );
  const primary = page.locator('[data-primary]').first();
  if ((await primary.count()) === 0) return undefined;
  const box = await primary.boundingBox();
  const view = page.viewportSize();
  if (!box || !view) return { label: (await primary.textContent()) ?? '', box: box ?? zero, inView: false };
  const inView =
    box.x >= 0 && box.y >= 0 && box.x + box.width <= view.width && box.y + box.height <= view.height;
  return { label: (await primary.textContent()) ?? '', box, inView };
}

const zero = { x: 0, y: 0, width: 0, height: 0 };

/** Whether what lies at the centre of the page's primary button is a dialog's backdrop (the button is covered). */
export function primaryCoveredByBackdrop(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    type El = {
      getBoundingClientRect(): { x: number; y: number; width: number; height: number };
      closest(s: string): unknown;
    };
    const doc = (
      globalThis as unknown as {
        document: { querySelector(s: string): El | null; elementFromPoint(x: number, y: number): El | null };
      }
    ).document;
    const button = doc.querySelector('[data-primary]');
    if (!button) return false;
    const r = button.getBoundingClientRect();
    return Boolean(doc.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)?.closest('.backdrop'));
  });
}
