/** The zod fields every part of the plan shares (names, durations, schedules): import-light, for kinds too. */
import { z } from 'zod';
import { parseSchedule, ScheduleError } from '../schedule/schedule-spec.js';
import { parseDuration } from './duration.js';

/** Names of apps, units and channels: they appear in URLs and `app/unit` addresses. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The duration forms, for error messages. */
export const DURATION_FORMS = 'a duration such as 500ms, 30s, 5m, 2h, 1d, 2w';

/** A name key (app, unit, channel): letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const nameKey = z.string().regex(NAME_RE, {
  message: 'names may use letters, digits, ".", "_" and "-", and start with a letter or digit (they appear in URLs)',
});

/**
 * A duration written with a unit. A bare number is refused (zod-issues says so and suggests a unit):
 * `timeout: 10` could mean 10ms or 10s.
 */
export const durationField = z
  .string()
  .superRefine((value, ctx) => {
    if (parseDuration(value) === undefined) {
      ctx.addIssue({ code: 'custom', message: 'not a duration', params: { expected: DURATION_FORMS } });
    }
  })
  .meta({ description: 'A duration: 500ms, 30s, 5m, 2h, 1d, 2w.', examples: ['30s', '5m', '1d'] });

/** Schedule text (`daily 02:00`, cron, ...). Checked zone-free here; the plan zone is applied when compiling. */
export const scheduleField = z
  .string()
  .superRefine((value, ctx) => {
    try {
      parseSchedule(value, 'UTC');
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message, params: { expected: error.expected } });
    }
  })
  .meta({
    description: 'When: every 5m, hourly, daily 02:00, weekly mon 03:00, monthly 1 04:00, quarterly, or cron.',
    examples: ['daily 02:00', 'weekly mon 03:00', '0 3 * * 0'],
  });
