/** Plan → units: what the scheduler and runner work through. Pure. */
import type { CheckKind } from '../checks/kind.js';
import type { Plan } from './plan-types.js';
import type { CheckUnit } from './units.js';

/** Compiles every app's checks into CheckUnits with ids `app/name`, in plan order. */
export function compileUnits(plan: Plan, kinds: readonly CheckKind<unknown>[]): CheckUnit[] {
  const units: CheckUnit[] = [];
  for (const [app, appPlan] of Object.entries(plan.apps)) {
    for (const [name, entry] of Object.entries(appPlan.checks)) {
      const kind = kinds.find((k) => k.name === entry.kind);
      if (!kind) throw new Error(`internal: check kind "${entry.kind}" vanished between validation and compile`);
      units.push({
        id: `${app}/${name}`,
        app,
        name,
        type: 'check',
        kind: entry.kind,
        spec: entry.spec,
        schedule: entry.schedule,
        timeoutMs: entry.timeoutMs,
        policy: { failureThreshold: entry.alert.failures, successThreshold: entry.alert.successes },
        target: kind.describe(entry.spec),
      });
    }
  }
  return units;
}
