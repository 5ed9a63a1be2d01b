import { WIZARD_STEPS, type WizardStep } from '../../shared/model';

export const STEP_TITLES: Record<WizardStep, string> = {
  image: 'Image',
  drive: 'Drive',
  backup: 'Back up',
  flash: 'Flash',
  restore: 'Restore',
  done: 'Done',
};

/** The wizard's steps; the current one is marked for screen readers with aria-current. */
export function StepNav({ current }: { current: WizardStep }) {
  const at = WIZARD_STEPS.indexOf(current);
  return (
    <nav aria-label="Reflash steps">
      <ol className="steps">
        {WIZARD_STEPS.map((s, i) => (
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
