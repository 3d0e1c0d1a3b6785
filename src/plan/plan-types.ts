/** The validated plan: what load-plan returns and the rest of upkeep reads. */

import type { z } from 'zod';
import type { Severity } from '../core/outcome.js';
import type { Retention } from '../core/run.js';
import type { appSchema } from './plan-schema.js';
import type { ScheduleSpec } from './units.js';

type AppInput = z.output<ReturnType<typeof appSchema>>;

/** One check as the plan defines it, with defaults applied and its schedule read in the plan zone. */
export interface CheckEntry {
  /** The check kind's name (`http`, `tcp`, `tls`, ...). */
  kind: string;
  /** The kind's options exactly as its zod schema produced them. */
  spec: unknown;
  schedule: ScheduleSpec;
  timeoutMs: number;
  alert: { failures: number; successes: number };
  description?: string;
  /** The check's own notification options (src/plan/notify-options.ts); unset keys take `alerts:` defaults. */
  notify?: CheckNotify;
}

/** How alerts of a check are notified once routed: reminders, recovery notices, flapping damping. */
export interface NotifyOptions {
  /** Remind every this long while firing; null: never. */
  renotifyMs: number | null;
  /** Send a message when the alert resolves. */
  recovery: boolean;
  /** More than `changes` state changes within `withinMs` → one flapping message, then hold; null: no damping. */
  flapping: { changes: number; withinMs: number } | null;
}

/** A check's own notification keys; each overrides the plan's `alerts:` default. */
export interface CheckNotify extends Partial<NotifyOptions> {
  /** Channel names replacing the severity routes for this check ([] sends nothing). */
  channels?: string[];
}

/** One app. Databases, repos, secrets and checklists are validated but not compiled to units yet. */
export interface AppPlan {
  description?: string;
  checks: Record<string, CheckEntry>;
  databases: NonNullable<AppInput['databases']>;
  repos: NonNullable<AppInput['repos']>;
  secrets: NonNullable<AppInput['secrets']>;
  checklists: NonNullable<AppInput['checklists']>;
  /** The public status page (`status:`), when the app has one. */
  status?: StatusPagePlan;
}

/** An app's public status page: its title and the units shown, by unit name, with their public names. */
export interface StatusPagePlan {
  title: string;
  /** Unit name (as in `app/<name>`) → public name; only these are ever shown publicly. */
  show: Record<string, string>;
}

/** A notification channel: `type` plus the channel's own keys (checked by the channel itself). */
export interface ChannelPlan {
  type: string;
  [key: string]: unknown;
}

/** A period in which alerts are recorded but not sent. `apps` undefined means every app. */
export type MaintenanceWindow =
  | { kind: 'recurring'; apps?: string[]; schedule: ScheduleSpec; durationMs: number; description?: string }
  | { kind: 'once'; apps?: string[]; from: number; to: number; description?: string };

/** The parsed and validated upkeep.yml. */
export interface Plan {
  version: 1;
  timezone: string;
  notify: Record<string, ChannelPlan>;
  /** Channel names per severity; a severity without a route sends nowhere. */
  routes: Record<Severity, string[]>;
  apps: Record<string, AppPlan>;
  maintenance: MaintenanceWindow[];
  retention: Retention;
  /** Notification defaults from `alerts:` (renotify off, recovery on, flapping 4 within 1h when not given). */
  alerts?: NotifyOptions;
  /** `metrics:`: whether /metrics is served without a token (default false). */
  metrics?: { public: boolean };
}

/** The default history retention: raw 7d, minute rollups 2d, hour 90d, day 730d. */
export const DEFAULT_RETENTION: Retention = {
  raw: 7 * 86_400_000,
  minute: 2 * 86_400_000,
  hour: 90 * 86_400_000,
  day: 730 * 86_400_000,
};
