import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './axe';
import { primaryPlacement, SMALL_WINDOW } from './fold';

/**
 * A picture and an axe check (no serious or critical violation); then again at 800×600, where the page's primary
 * action must be in view without scrolling (the wizard issue's rule). `requirePrimary` false: a page that may have
 * no primary action (the wizard's non-step pages) only needs one that exists to be in view.
 */
export async function checkedShot(
  page: Page,
  dir: string,
  name: string,
  opts: { requirePrimary?: boolean } = {},
): Promise<void> {
  await page.screenshot({ path: join(dir, name), fullPage: true });
  expect(await axeViolations(page), `accessibility of ${name}`).toEqual([]);
  const normal = page.viewportSize()!;
  await page.setViewportSize(SMALL_WINDOW);
  try {
    const small = name.replace(/\.png$/, '-800x600.png');
    const placement = await primaryPlacement(page);
    await page.screenshot({ path: join(dir, small) });
    if (opts.requirePrimary ?? true)
      expect(placement, `${small}: the page has a primary action`).toBeDefined();
    if (placement)
      expect(placement, `${small}: "${placement.label}" below the fold`).toMatchObject({ inView: true });
    expect(await axeViolations(page), `accessibility of ${small}`).toEqual([]);
  } finally {
    await page.setViewportSize(normal);
  }
}
