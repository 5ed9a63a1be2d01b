import type { ReactNode } from 'react';

/** One layer on Home: its name, its state in one sentence, a note, and its next action (none for a layer that is
 * not managed yet: no button pretends). */
export function DomainCard(props: {
  id: string;
  title: string;
  state: string;
  tone: 'muted' | 'ok' | 'warn';
  note?: string;
  children?: ReactNode;
}) {
  return (
    <li className="card domain" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <p className={`domain-state ${props.tone}`}>{props.state}</p>
      {props.note && <p className="domain-note muted">{props.note}</p>}
      {props.children && <div className="actions">{props.children}</div>}
    </li>
  );
}
