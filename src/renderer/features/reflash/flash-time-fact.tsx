import type { ReflashState } from '../../../shared/reflash/state';
import { DEFAULT_SPEEDS, estimate, formatBytes } from '../../shared/format';
import { flashBytesOf, type FlashBytes } from './flow';

/**
 * The "Flash time" line of a facts list, as soon as what will be written is known (from the file's header, then
 * from the check): a typical USB write speed until a flash on this machine measured one (main keeps the measured
 * speeds across flows).
 */
export function FlashTimeFact({ state, writes }: { state: ReflashState; writes?: FlashBytes }) {
  const w = writes ?? flashBytesOf(state.image);
  if (!w) return null;
  return (
    <>
      <dt>Flash time</dt>
      <dd data-fact="flash-time">
        {estimate(w.bytes, state.speeds?.flash, DEFAULT_SPEEDS.flash)} to write {w.atLeast ? 'at least ' : ''}
        {formatBytes(w.bytes)}, and as long again to read it back
      </dd>
    </>
  );
}
