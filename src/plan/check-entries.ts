/** Validates one check entry: exactly one kind key, the kind's schema plus the common keys, and timing rules. */
import type { CheckKind } from '../checks/kind.js';
import { everySchedule, parseSchedule, schedulePeriodMs } from '../schedule/schedule-spec.js';
import { formatDuration, parseDuration } from './duration.js';
import { compileCheckNotify } from './notify-options.js';
import type { PlanIssue } from './plan-error.js';
import { CHECK_COMMON_KEYS, checkEntrySchema } from './plan-schema.js';
import type { CheckEntry } from './plan-types.js';
import { nearest } from './suggest.js';
import type { YamlSource } from './yaml-source.js';
import { describeValue, toPlanIssues } from './zod-issues.js';

const DEFAULT_EVERY = '1m';
const DEFAULT_TIMEOUT = '10s';
const MIN_PERIOD_MS = 1_000;

/** What the validation steps share: the kinds, the plan's zone, the source for positions, and the issues found. */
interface EntryContext {
  kinds: readonly CheckKind<unknown>[];
  timezone: string;
  source: YamlSource;
  issues: PlanIssue[];
}

/** The common keys of a check entry, as checkEntrySchema produced them. */
type CommonKeys = {
  every?: string;
  schedule?: string;
  timeout?: string;
  alert?: { failures: number; successes: number };
  description?: string;
} & Parameters<typeof compileCheckNotify>[0];

/** Validates the entry at `path`; returns the typed entry or pushes issues and returns undefined. */
export function validateCheckEntry(
  raw: unknown,
  path: readonly PropertyKey[],
  ctx: EntryContext,
): CheckEntry | undefined {
  const found = findKind(raw, path, ctx);
  if (!found) return undefined;
  const { kind, entry } = found;
  const parsed = parseEntry(kind, entry, path, ctx);
  if (!parsed) return undefined;
  const { common, spec } = parsed;
  const schedule = entrySchedule(kind, common, spec, path, ctx);
  if (!schedule) return undefined;
  const timeoutMs = entryTimeout(common, schedule, path, ctx);
  if (timeoutMs === undefined) return undefined;
  return {
    kind: kind.name,
    spec,
    schedule,
    timeoutMs,
    alert: common.alert ?? kind.defaultAlert ?? { failures: 2, successes: 1 },
    ...(common.description !== undefined ? { description: common.description } : {}),
    ...withNotify(compileCheckNotify(common)),
  };
}

/** The entry as a mapping and its one kind; pushes an issue when it is not a mapping or has no or two kinds. */
function findKind(
  raw: unknown,
  path: readonly PropertyKey[],
  { kinds, source, issues }: EntryContext,
): { kind: CheckKind<unknown>; entry: Record<string, unknown> } | undefined {
  const kindNames = kinds.map((k) => k.name);
  const kindList = kindNames.length > 0 ? kindNames.join(', ') : '(no check kinds are registered)';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    issues.push({
      ...source.issueAt(path, 'a check must be a mapping', { expected: `a mapping with one of: ${kindList}` }),
      found: describeValue(raw),
    });
    return undefined;
  }
  const entry = raw as Record<string, unknown>;
  const keys = Object.keys(entry);
  const present = keys.filter((k) => kindNames.includes(k));
  if (present.length === 0) {
    // A typo of a kind key (`htp:`) is the likely cause: point at it and suggest the kind.
    const typo = keys
      .filter((k) => !CHECK_COMMON_KEYS.includes(k))
      .map((k) => ({ key: k, suggestion: nearest(k, kindNames) }))
      .find((t) => t.suggestion !== undefined);
    issues.push(
      source.issueAt(
        typo ? [...path, typo.key] : path,
        'a check needs a kind key saying what to probe',
        { expected: `one of: ${kindList}`, ...(typo ? { suggestion: typo.suggestion } : {}) },
        'key',
      ),
    );
    return undefined;
  }
  if (present.length > 1) {
    issues.push(
      source.issueAt(
        [...path, present[1] as string],
        `a check has exactly one kind, but this one has ${present.map((k) => `"${k}"`).join(' and ')}`,
        { expected: `one of: ${kindList}; split it into two checks` },
        'key',
      ),
    );
    return undefined;
  }
  return { kind: kinds.find((k) => k.name === present[0]) as CheckKind<unknown>, entry };
}

/** The common keys and the kind's own options, each checked by its schema; issues pushed when either fails. */
function parseEntry(
  kind: CheckKind<unknown>,
  entry: Record<string, unknown>,
  path: readonly PropertyKey[],
  { source, issues }: EntryContext,
): { common: CommonKeys; spec: unknown } | undefined {
  const schema = checkEntrySchema(kind);
  const parsed = schema.safeParse(entry);
  if (!parsed.success) {
    issues.push(...toPlanIssues(parsed.error.issues, { base: path, schema, data: entry, source }));
    return undefined;
  }
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(entry)) if (!CHECK_COMMON_KEYS.includes(key)) rest[key] = entry[key];
  const spec = kind.schema.safeParse(rest);
  if (!spec.success) {
    issues.push(...toPlanIssues(spec.error.issues, { base: path, schema: kind.schema, data: rest, source }));
    return undefined;
  }
  return { common: parsed.data as CommonKeys, spec: spec.data };
}

/** When the check runs: the kind's own timing, `schedule`, or `every` (default 1m); issues for contradictions. */
function entrySchedule(
  kind: CheckKind<unknown>,
  common: CommonKeys,
  spec: unknown,
  path: readonly PropertyKey[],
  { timezone, source, issues }: EntryContext,
): CheckEntry['schedule'] | undefined {
  if (common.every !== undefined && common.schedule !== undefined) {
    issues.push(
      source.issueAt(
        [...path, 'schedule'],
        'give either "every" or "schedule", not both',
        { expected: 'every: 5m (a period) or schedule: daily 02:00 (clock times)' },
        'key',
      ),
    );
    return undefined;
  }
  if (kind.schedule) {
    // The kind's timing is inside its own key (heartbeat: { every: 1d }): a second, common one would contradict it.
    const extra = common.every !== undefined ? 'every' : common.schedule !== undefined ? 'schedule' : undefined;
    if (extra !== undefined) {
      issues.push(
        source.issueAt([...path, extra], `a ${kind.name} check gives its timing inside "${kind.name}:"`, {
          expected: `${kind.name}: { ${extra}: ... } instead of a separate "${extra}" key`,
        }),
      );
      return undefined;
    }
    return kind.schedule(spec, timezone);
  }
  if (common.schedule !== undefined) return parseSchedule(common.schedule, timezone);
  const everyMs = parseDuration(common.every ?? DEFAULT_EVERY) as number;
  if (everyMs < MIN_PERIOD_MS) {
    issues.push(
      source.issueAt([...path, 'every'], 'a check cannot run more often than every second', {
        expected: '1s or more',
      }),
    );
    return undefined;
  }
  return everySchedule(everyMs);
}

/** The run's deadline in ms (default 10s), which must be shorter than the time between runs. */
function entryTimeout(
  common: CommonKeys,
  schedule: CheckEntry['schedule'],
  path: readonly PropertyKey[],
  { source, issues }: EntryContext,
): number | undefined {
  const timeoutMs = parseDuration(common.timeout ?? DEFAULT_TIMEOUT) as number;
  const periodMs = schedulePeriodMs(schedule);
  if (timeoutMs > 0 && timeoutMs < periodMs) return timeoutMs;
  const given = common.timeout !== undefined;
  issues.push(
    source.issueAt(
      given ? [...path, 'timeout'] : [...path, common.schedule !== undefined ? 'schedule' : 'every'],
      given
        ? `the timeout must be shorter than the time between runs (${formatDuration(periodMs)})`
        : `the default timeout ${DEFAULT_TIMEOUT} is not shorter than the time between runs (${formatDuration(periodMs)}); set "timeout"`,
      { expected: `a timeout above 0 and below ${formatDuration(periodMs)}` },
    ),
  );
  return undefined;
}

function withNotify(notify: CheckEntry['notify']): Pick<CheckEntry, 'notify'> {
  return notify === undefined ? {} : { notify };
}
