import type { ReflashStep } from '../../../shared/progress';
import { STEP_TITLES } from './flow';

/** The flow's steps; the current one is marked for screen readers with aria-current. */
export function StepNav({ steps, current }: { steps: ReflashStep[]; current: ReflashStep }) {
  const at = steps.indexOf(current);
  return (
    <nav aria-label="Reflash steps">
      <ol className="steps">
        {steps.map((s, i) => (
          <li
            key={s}
            className={i < at ? 'past' : i === at ? 'current' : 'future'}
            aria-current={i === at ? 'step' : undefined}
          >
            <span className="num">{i < at ? '✓' : i + 1}</span>
            {STEP_TITLES[s]}
          </li>
        ))}
      </ol>
    </nav>
  );
}
