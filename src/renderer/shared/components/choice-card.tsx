import type { ReactNode } from 'react';

/**
 * One choice in a list of cards (drives, backups): a radio with a title, a meta line and notes. A blocked choice
 * stays visible with its reasons, but cannot be picked.
 */
export function ChoiceCard(props: {
  group: string;
  value: string;
  chosen: boolean;
  blocked: boolean;
  onChoose(): void;
  title: ReactNode;
  meta: ReactNode;
  /** Reasons and warnings, read out with the choice. */
  notes?: ReactNode;
  /** Buttons for this choice (e.g. a backup's Check), outside the label: pressing one does not choose it. */
  actions?: ReactNode;
}) {
  const id = `${props.group}-${props.value.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <div className={`drive${props.blocked ? ' blocked' : ''}${props.chosen ? ' chosen' : ''}`}>
      <input
        type="radio"
        id={id}
        name={props.group}
        value={props.value}
        disabled={props.blocked}
        checked={props.chosen}
        onChange={props.onChoose}
        aria-describedby={props.notes ? `${id}-info` : undefined}
      />
      <label htmlFor={id}>
        <span className="drive-name">{props.title}</span>
        <span className="drive-meta">{props.meta}</span>
        {props.notes && (
          <span id={`${id}-info`} className="drive-issues">
            {props.notes}
          </span>
        )}
      </label>
      {props.actions && <div className="choice-actions">{props.actions}</div>}
    </div>
  );
}
