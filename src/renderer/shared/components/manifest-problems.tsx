import { formatProblem, type ManifestProblem } from '../../../shared/manifest-problem';

/** The entries a manifest could not load, each as file:line:column, on every page that reads manifests. */
export function ManifestProblems({ problems }: { problems: readonly ManifestProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="card locked" role="group" aria-label="Manifest problems">
      <p>These entries did not load; the others did:</p>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>{formatProblem(p)}</li>
        ))}
      </ul>
    </div>
  );
}
