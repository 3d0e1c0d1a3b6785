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

/** Validates the entry at `path`; returns the typed entry or pushes issues and returns undefined. */
export function validateCheckEntry(
  raw: unknown,
  path: readonly PropertyKey[],
  ctx: { kinds: readonly CheckKind<unknown>[]; timezone: string; source: YamlSource; issues: PlanIssue[] },
): CheckEntry | undefined {
  const { kinds, timezone, source, issues } = ctx;
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
  const kind = kinds.find((k) => k.name === present[0]) as CheckKind<unknown>;
  const schema = checkEntrySchema(kind);
  const parsed = schema.safeParse(entry);
  if (!parsed.success) {
    issues.push(...toPlanIssues(parsed.error.issues, { base: path, schema, data: entry, source }));
    return undefined;
  }
  const rest: Record<string, unknown> = {};
  for (const key of keys) if (!CHECK_COMMON_KEYS.includes(key)) rest[key] = entry[key];
  const spec = kind.schema.safeParse(rest);
  if (!spec.success) {
    issues.push(...toPlanIssues(spec.error.issues, { base: path, schema: kind.schema, data: rest, source }));
    return undefined;
  }
  const common = parsed.data as {
    every?: string;
    schedule?: string;
    timeout?: string;
    alert?: { failures: number; successes: number };
    description?: string;
  } & Parameters<typeof compileCheckNotify>[0];
  if (common.every !== undefined && common.schedule !== undefined) {
    issues.push(
      source.issueAt(
        [...path, 'schedule'],
        'give either "every" or "schedule", not both',
        {
          expected: 'every: 5m (a period) or schedule: daily 02:00 (clock times)',
        },
        'key',
      ),
    );
    return undefined;
  }
  let schedule: CheckEntry['schedule'];
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
    schedule = kind.schedule(spec.data, timezone);
  } else if (common.schedule !== undefined) {
    schedule = parseSchedule(common.schedule, timezone);
  } else {
    const everyMs = parseDuration(common.every ?? DEFAULT_EVERY) as number;
    if (everyMs < MIN_PERIOD_MS) {
      issues.push(
        source.issueAt([...path, 'every'], 'a check cannot run more often than every second', {
          expected: '1s or more',
        }),
      );
      return undefined;
    }
    schedule = everySchedule(everyMs);
  }
  const timeoutMs = parseDuration(common.timeout ?? DEFAULT_TIMEOUT) as number;
  const periodMs = schedulePeriodMs(schedule);
  if (timeoutMs <= 0 || timeoutMs >= periodMs) {
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
  return {
    kind: kind.name,
    spec: spec.data,
    schedule,
    timeoutMs,
    alert: common.alert ?? kind.defaultAlert ?? { failures: 2, successes: 1 },
    ...(common.description !== undefined ? { description: common.description } : {}),
    ...withNotify(compileCheckNotify(common)),
  };
}

function withNotify(notify: CheckEntry['notify']): Pick<CheckEntry, 'notify'> {
  return notify === undefined ? {} : { notify };
}
