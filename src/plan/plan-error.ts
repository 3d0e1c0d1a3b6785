/** Plan problems with their place in the file, and the error that carries them. */

/** One problem in the plan, pinned to the node that caused it. */
export interface PlanIssue {
  file: string;
  /** 1-based line and column of the offending node. */
  line: number;
  column: number;
  /** Dotted path into the plan, e.g. `apps.kirana.checks.api-health.expect.status`; empty for the whole file. */
  path: string;
  message: string;
  /** What the file says there, as written (a `${VAR}` reference, never its value). */
  found?: string;
  expected?: string;
  /** A likely fix, e.g. the nearest valid key. */
  suggestion?: string;
}

/** Formats one issue as `file:line:col: message (found X, expected Y; did you mean "every"?)`. */
export function formatIssue(issue: PlanIssue): string {
  const details: string[] = [];
  if (issue.found !== undefined) details.push(`found ${issue.found}`);
  if (issue.expected !== undefined) details.push(`expected ${issue.expected}`);
  let tail = details.join(', ');
  if (issue.suggestion !== undefined) tail += `${tail ? '; ' : ''}did you mean "${issue.suggestion}"?`;
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}${tail ? ` (${tail})` : ''}`;
}

/** The plan cannot be used as written. `issues` lists every problem found, in file order. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
  readonly issues: PlanIssue[];

  constructor(issues: PlanIssue[]) {
    const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
    super(
      `${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the plan:\n${sorted.map(formatIssue).join('\n')}`,
    );
    this.issues = sorted;
  }

  /** One `file:line:col: message (...)` line per issue, for terminals and editors' problem matchers. */
  format(): string {
    return this.issues.map(formatIssue).join('\n');
  }
}
