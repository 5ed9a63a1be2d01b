import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { ManifestProblem } from '../../../shared/manifest-problem';

// One manifest file's text -> its valid entries and its problems, each at file:line:column. Generic over the
// entry: frameworks (`frameworks: [...]`, keyed by name) and models (`models: [...]`, keyed by slug) use it alike.
// An entry that fails its schema is reported at the offending value and left out; the others still load. A
// second entry with the same key in one file is reported too (the first one stays): which one the person meant
// is theirs to say.

export interface ManifestSpec<T> {
  /** The top-level key holding the list. */
  listKey: string;
  entry: z.ZodType<T, unknown>;
  /** The name an entry is known by (shadowing and duplicates). */
  keyOf(entry: T): string;
}

export interface LocatedEntry<T> {
  value: T;
  file: string;
  line: number;
  column: number;
}

export interface ParsedManifest<T> {
  entries: LocatedEntry<T>[];
  problems: ManifestProblem[];
}

export function parseManifestText<T>(text: string, file: string, spec: ManifestSpec<T>): ParsedManifest<T> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined, message: string): ManifestProblem => {
    const { line, col } = lines.linePos(offset ?? 0);
    return { file, line, column: col, message };
  };
  if (doc.errors.length)
    return { entries: [], problems: doc.errors.map((e) => at(e.pos[0], `not valid YAML: ${e.message}`)) };

  const root = doc.contents;
  if (root === null) return { entries: [], problems: [] }; // an empty file: no entries, nothing wrong
  if (!isMap(root))
    return {
      entries: [],
      problems: [at(root.range?.[0], `expected a map with a \`${spec.listKey}:\` list`)],
    };
  const list = root.get(spec.listKey, true) as Node | undefined;
  if (list === undefined)
    return { entries: [], problems: [at(root.range?.[0], `no \`${spec.listKey}:\` list in this file`)] };
  if (!isSeq(list))
    return {
      entries: [],
      problems: [at(list.range?.[0], `\`${spec.listKey}:\` must be a list (- name: ...)`)],
    };

  const entries: LocatedEntry<T>[] = [];
  const problems: ManifestProblem[] = [];
  const seen = new Map<string, LocatedEntry<T>>();
  list.items.forEach((item, i) => {
    const start = lines.linePos((item as Node | null)?.range?.[0] ?? list.range?.[0] ?? 0);
    const raw = (item as Node | null)?.toJS?.(doc as Document) ?? null;
    const parsed = spec.entry.safeParse(raw);
    if (!parsed.success) {
      // One problem per value: a name that fails its pattern and its ".." rule is one thing to fix.
      const reported = new Set<string>();
      for (const issue of parsed.error.issues) {
        const where = JSON.stringify(issue.path);
        if (reported.has(where)) continue;
        reported.add(where);
        const node = nearestNode(doc, [spec.listKey, i, ...issue.path]);
        const field = issue.path.length ? `${issue.path.join('.')}: ` : '';
        problems.push(at(node?.range?.[0], `entry ${i + 1}${nameOf(raw)}: ${field}${issue.message}`));
      }
      return;
    }
    const located = { value: parsed.data, file, line: start.line, column: start.col };
    const key = spec.keyOf(parsed.data);
    const first = seen.get(key);
    if (first) {
      problems.push({
        file,
        line: start.line,
        column: start.col,
        message: `entry ${i + 1}: "${key}" is already declared at line ${first.line}; this one is ignored`,
      });
      return;
    }
    seen.set(key, located);
    entries.push(located);
  });
  return { entries, problems };
}

/** The node at PATH, or its nearest ancestor that exists (a missing field is reported at its entry). */
function nearestNode(doc: Document, path: PropertyKey[]): Node | undefined {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node) return node;
  }
  return undefined;
}

/** ` ("name")` when the entry has a printable name or slug, to help find it. */
function nameOf(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  const r = raw as Record<string, unknown>;
  const name =
    typeof r['name'] === 'string' ? r['name'] : typeof r['slug'] === 'string' ? r['slug'] : undefined;
  return name !== undefined ? ` (${JSON.stringify(name.slice(0, 80))})` : '';
}

/**
 * One YAML document that is a single object (a fleet manifest: fleet/<host>.yaml) -> the value, or its problems
 * at file:line:column (each failing value at its own position, a missing field at its parent).
 */
export function parseManifestObject<T>(
  text: string,
  file: string,
  schema: z.ZodType<T, unknown>,
): { value?: T; problems: ManifestProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined, message: string): ManifestProblem => {
    const { line, col } = lines.linePos(offset ?? 0);
    return { file, line, column: col, message };
  };
  if (doc.errors.length)
    return { problems: doc.errors.map((e) => at(e.pos[0], `not valid YAML: ${e.message}`)) };
  if (!isMap(doc.contents)) return { problems: [at(doc.contents?.range?.[0], 'expected a map of fields')] };
  const parsed = schema.safeParse(doc.toJS());
  if (parsed.success) return { value: parsed.data, problems: [] };
  const reported = new Set<string>();
  const problems: ManifestProblem[] = [];
  for (const issue of parsed.error.issues) {
    const where = JSON.stringify(issue.path);
    if (reported.has(where)) continue;
    reported.add(where);
    const node = nearestNode(doc, issue.path);
    const field = issue.path.length ? `${issue.path.join('.')}: ` : '';
    problems.push(at(node?.range?.[0], `${field}${issue.message}`));
  }
  return { problems };
}
