import { DISCARD_WORD } from './contract';

// The typed confirmation for losing uncommitted changes: exactly the word, surrounding spaces forgiven. Pure, so
// the page can enable its button with the same rule main enforces.
export const confirmsDiscard = (typed: string | undefined): boolean => typed?.trim() === DISCARD_WORD;
