// A manifest problem (frameworks, models), where it is: shown to the person as file:line:column, so they can open
// the file there. Lines and columns count from 1.
export interface ManifestProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export const formatProblem = (p: ManifestProblem): string => `${p.file}:${p.line}:${p.column}: ${p.message}`;
