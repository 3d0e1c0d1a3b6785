/** Rules that span parts of the plan: zone, routes to channels, unique names, maintenance windows, references. */
import type { Severity } from '../core/outcome.js';
import type { Retention } from '../core/run.js';
import { assertTimeZone, parseSchedule, SCHEDULE_FORMS, ScheduleError } from '../schedule/schedule-spec.js';
import { parseDuration } from './duration.js';
import type { PlanIssue } from './plan-error.js';
import type { PlanInput } from './plan-schema.js';
import { DEFAULT_RETENTION, type MaintenanceWindow } from './plan-types.js';
import { nearest } from './suggest.js';
import type { YamlSource } from './yaml-source.js';
import { parseDateTime } from './zoned-time.js';

const RENAMED_ZONES = [
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Yangon',
  'Asia/Ho_Chi_Minh',
  'Europe/Kyiv',
  'America/Nuuk',
];

type Ctx = { source: YamlSource; issues: PlanIssue[] };

/** The plan zone, or undefined (with an issue suggesting the nearest zone) when it is not an IANA zone. */
export function checkTimeZone(timezone: string, { source, issues }: Ctx): string | undefined {
  try {
    assertTimeZone(timezone);
    return timezone;
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    // ICU may list old names (Asia/Calcutta) in place of the current ones people type, so add those.
    const zones = ['UTC', ...RENAMED_ZONES, ...Intl.supportedValuesOf('timeZone')];
    const suggestion = nearest(timezone, zones);
    issues.push(
      source.issueAt(['timezone'], error.message, { expected: error.expected, ...(suggestion ? { suggestion } : {}) }),
    );
    return undefined;
  }
}

/** Every channel a route names must be defined under `notify`. */
export function checkRoutes(plan: PlanInput, { source, issues }: Ctx): Record<Severity, string[]> {
  const channels = Object.keys(plan.notify ?? {});
  const routes: Record<Severity, string[]> = { critical: [], warning: [], info: [] };
  for (const severity of ['critical', 'warning', 'info'] as const) {
    const names = plan.routes?.[severity] ?? [];
    names.forEach((name, i) => {
      if (!channels.includes(name)) {
        const suggestion = nearest(name, channels);
        issues.push(
          source.issueAt(['routes', severity, i], `route names channel "${name}", which "notify" does not define`, {
            expected: channels.length > 0 ? `one of: ${channels.join(', ')}` : 'a channel defined under "notify"',
            ...(suggestion ? { suggestion } : {}),
          }),
        );
      } else if (names.indexOf(name) !== i) {
        issues.push(source.issueAt(['routes', severity, i], `channel "${name}" is listed twice`));
      }
    });
    routes[severity] = [...new Set(names)];
  }
  return routes;
}

/** Names that differ only in case would share a URL on a case-insensitive path: refuse them. */
export function checkUniqueNames(plan: PlanInput, { source, issues }: Ctx): void {
  const seenApps = new Map<string, string>();
  for (const app of Object.keys(plan.apps)) {
    const lower = app.toLowerCase();
    const first = seenApps.get(lower);
    if (first !== undefined) {
      issues.push(
        source.issueAt(['apps', app], `app "${app}" clashes with app "${first}" (names ignore case)`, {}, 'key'),
      );
    } else seenApps.set(lower, app);
  }
  for (const [app, spec] of Object.entries(plan.apps)) {
    // Checks, databases and repos share one address space: `app/name`.
    const seen = new Map<string, string>();
    for (const section of ['checks', 'databases', 'repos'] as const) {
      for (const name of Object.keys(spec[section] ?? {})) {
        const lower = name.toLowerCase();
        const first = seen.get(lower);
        if (first !== undefined) {
          issues.push(
            source.issueAt(
              ['apps', app, section, name],
              `duplicate unit name "${name}" in app "${app}": ${first} already uses it (units are addressed as ${app}/${name})`,
              { expected: 'a name unique among the app’s checks, databases and repos' },
              'key',
            ),
          );
        } else seen.set(lower, `${section.replace(/s$/, '')} "${name}"`);
      }
    }
  }
}

/** References inside an app: a secret's `verify` names one of its checks; checklist keys are schedules. */
export function checkAppReferences(plan: PlanInput, { source, issues }: Ctx): void {
  for (const [app, spec] of Object.entries(plan.apps)) {
    const checks = Object.keys(spec.checks ?? {});
    for (const [name, secret] of Object.entries(spec.secrets ?? {})) {
      if (secret.verify !== undefined && !checks.includes(secret.verify)) {
        const suggestion = nearest(secret.verify, checks);
        issues.push(
          source.issueAt(['apps', app, 'secrets', name, 'verify'], `no check "${secret.verify}" in app "${app}"`, {
            expected: checks.length > 0 ? `one of: ${checks.join(', ')}` : 'the name of a check in this app',
            ...(suggestion ? { suggestion } : {}),
          }),
        );
      }
    }
    for (const key of Object.keys(spec.checklists ?? {})) {
      try {
        parseSchedule(key, 'UTC');
      } catch (error) {
        if (!(error instanceof ScheduleError)) throw error;
        const suggestion = nearest(key, ['hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly']);
        issues.push(
          source.issueAt(
            ['apps', app, 'checklists', key],
            `checklist key "${key}" is not a schedule`,
            {
              expected: SCHEDULE_FORMS,
              ...(suggestion ? { suggestion } : {}),
            },
            'key',
          ),
        );
      }
    }
  }
}

/** Reads maintenance windows in the plan zone; their apps must exist and `to` must follow `from`. */
export function compileMaintenance(plan: PlanInput, timezone: string, { source, issues }: Ctx): MaintenanceWindow[] {
  const apps = Object.keys(plan.apps);
  const windows: MaintenanceWindow[] = [];
  (plan.maintenance ?? []).forEach((entry, i) => {
    let ok = true;
    (entry.apps ?? []).forEach((app, j) => {
      if (!apps.includes(app)) {
        ok = false;
        const suggestion = nearest(app, apps);
        issues.push(
          source.issueAt(
            ['maintenance', i, 'apps', j],
            `maintenance names app "${app}", which "apps" does not define`,
            {
              expected: `one of: ${apps.join(', ')}`,
              ...(suggestion ? { suggestion } : {}),
            },
          ),
        );
      }
    });
    const extra = {
      ...(entry.apps ? { apps: entry.apps } : {}),
      ...(entry.description !== undefined ? { description: entry.description } : {}),
    };
    if (entry.schedule !== undefined && entry.duration !== undefined) {
      const durationMs = parseDuration(entry.duration) as number;
      if (durationMs <= 0) {
        issues.push(
          source.issueAt(['maintenance', i, 'duration'], 'a maintenance window needs a length', {
            expected: 'a duration above 0',
          }),
        );
        return;
      }
      if (ok)
        windows.push({ kind: 'recurring', schedule: parseSchedule(entry.schedule, timezone), durationMs, ...extra });
      return;
    }
    const from = parseDateTime(entry.from ?? '', timezone);
    const to = parseDateTime(entry.to ?? '', timezone);
    const expected = `an ISO date-time such as 2026-01-10T02:00 (read in ${timezone}) or 2026-01-10T02:00:00Z`;
    if (from === undefined) issues.push(source.issueAt(['maintenance', i, 'from'], 'not a date-time', { expected }));
    if (to === undefined) issues.push(source.issueAt(['maintenance', i, 'to'], 'not a date-time', { expected }));
    if (from === undefined || to === undefined) return;
    if (to <= from) {
      issues.push(
        source.issueAt(['maintenance', i, 'to'], 'a maintenance window must end after it starts', {
          expected: `a time after ${entry.from}`,
        }),
      );
      return;
    }
    if (ok) windows.push({ kind: 'once', from, to, ...extra });
  });
  return windows;
}

/** History retention with defaults for the levels not given. */
export function compileRetention(plan: PlanInput): Retention {
  const history = plan.history ?? {};
  const pick = (level: keyof Retention) => {
    const text = history[level];
    return text === undefined ? DEFAULT_RETENTION[level] : (parseDuration(text) as number);
  };
  return { raw: pick('raw'), minute: pick('minute'), hour: pick('hour'), day: pick('day') };
}
