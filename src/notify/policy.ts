/** Who hears about a unit's alerts, and how: severity routes, per-check overrides and `alerts:` defaults. Pure. */
import type { Severity } from '../core/outcome.js';
import { DEFAULT_NOTIFY_OPTIONS } from '../plan/notify-options.js';
import type { NotifyOptions, Plan } from '../plan/plan-types.js';

/** The notification policy of one unit. */
export interface UnitNotifyPolicy extends NotifyOptions {
  /** Channel names per severity (a check's `notify:` puts the same list under every severity). */
  channels: Record<Severity, string[]>;
}

/** The policy of a unit the plan does not describe (any more): the plan's routes and defaults. */
export function defaultPolicy(plan: Pick<Plan, 'routes' | 'alerts'>): UnitNotifyPolicy {
  return { ...(plan.alerts ?? DEFAULT_NOTIFY_OPTIONS), channels: { ...plan.routes } };
}

/** Every check's policy by unit id (`app/name`): its own keys over `alerts:`, its `notify:` over `routes:`. */
export function notifyPolicies(plan: Plan): Map<string, UnitNotifyPolicy> {
  const base = defaultPolicy(plan);
  const policies = new Map<string, UnitNotifyPolicy>();
  for (const [app, appPlan] of Object.entries(plan.apps)) {
    for (const [name, entry] of Object.entries(appPlan.checks)) {
      const own = entry.notify ?? {};
      const { channels: list, ...options } = own;
      const channels =
        list === undefined ? base.channels : { critical: [...list], warning: [...list], info: [...list] };
      policies.set(`${app}/${name}`, { ...base, ...options, channels });
    }
  }
  return policies;
}

/** The channels an alert of `severity` goes to under `policy` (none for an unrouted severity). */
export function channelsFor(policy: UnitNotifyPolicy, severity: Severity | null | undefined): string[] {
  return severity ? [...(policy.channels[severity] ?? [])] : [];
}
