/** Turns judged conditions into a Verdict: the worst failed severity wins, and the summary names what failed. */
import type { ConditionResult, Observation, Verdict } from '../core/observation.js';
import type { Severity } from '../core/outcome.js';

/** A condition plus the words to use in the summary when it fails (`HTTP 503 (expected 200)`). */
export interface Judged extends ConditionResult {
  failText?: string;
  /** Levels of one measure (warning + critical of responseTime) share a group; the summary names only the worst. */
  group?: string;
}

const RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

/** Builds the verdict; `okText` is the summary when nothing failed (e.g. `HTTP 200 in 123ms`). */
export function buildVerdict(judged: Judged[], values: Record<string, number>, okText: string): Verdict {
  const failed = judged.filter((c) => !c.passed).sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  const conditions = judged.map(({ failText: _, group: __, ...c }) => c);
  const first = failed[0];
  if (!first) return { outcome: 'ok', summary: okText, conditions, values };
  const groups = new Set<string>();
  // Sorted worst first, so the first failure of a group is its worst level.
  const shown = failed.filter((c) => c.group === undefined || (!groups.has(c.group) && groups.add(c.group)));
  const texts = shown.map(
    (c) => c.failText ?? `${c.condition} failed${c.actual === undefined ? '' : ` (${c.actual})`}`,
  );
  const more = texts.length > 3 ? `; +${texts.length - 3} more` : '';
  return { outcome: first.severity, summary: texts.slice(0, 3).join('; ') + more, conditions, values };
}

/** The verdict of a probe that got no usable answer: always critical, saying why. */
export function failureVerdict(observation: Observation, values: Record<string, number> = {}): Verdict {
  const failure = observation.failure ?? { reason: 'other', message: 'no answer' };
  return buildVerdict(
    [
      {
        condition: 'target answers',
        passed: false,
        severity: 'critical',
        actual: failure.reason,
        failText: `${failure.reason}: ${failure.message}`,
      },
    ],
    values,
    '',
  );
}

/** `{ warning, critical }` limits judged against a value: one condition per level given. */
export function judgeLevels(
  levels: { warning?: number; critical?: number },
  actual: number,
  subject: string,
  format: (n: number) => string,
): Judged[] {
  const out: Judged[] = [];
  for (const severity of ['critical', 'warning'] as const) {
    const limit = levels[severity];
    if (limit === undefined) continue;
    const passed = actual <= limit;
    out.push({
      condition: `${subject} <= ${format(limit)}`,
      passed,
      severity,
      actual: format(actual),
      failText: `${subject} ${format(actual)} (over ${format(limit)})`,
      group: subject,
    });
  }
  return out;
}
