// A problem found in a content file, in the form editors and tools read: path:line:column: field: message

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Path relative to CONTENT_DIR, with forward slashes. */
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** The front matter field (dotted for nested ones), or "file", "yaml", "body". */
  readonly field: string;
  readonly severity: Severity;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const suffix = d.severity === 'warning' ? ' (warning)' : '';
  return `${d.path}:${d.line}:${d.column}: ${d.field}: ${d.message}${suffix}`;
}

/** Orders diagnostics by file, then position, so output is stable for editors and tests. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column));
}

/** Thrown where a single problem makes a file unusable; carries the diagnostic. */
export class ContentError extends Error {
  constructor(
    readonly diagnostic: Diagnostic,
    options?: { cause?: unknown },
  ) {
    super(formatDiagnostic(diagnostic), options);
    this.name = 'ContentError';
  }
}
