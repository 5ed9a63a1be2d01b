import { z } from 'zod';

// The renderer's pages. The one the user was on is saved by main and restored at start.
// Appended only: a saved route must stay valid across versions (an unknown one falls back to home).
export const ROUTES = ['home', 'reflash', 'jobs', 'repo', 'frameworks', 'models', 'os', 'kernel'] as const;
export type Route = (typeof ROUTES)[number];

export const uiStateSchema = z.object({ route: z.enum(ROUTES).default('home') });
export type UiState = z.output<typeof uiStateSchema>;
