/** The store's copy of a unit's definition, derived from the compiled plan. */
import { createHash } from 'node:crypto';
import type { UnitDefinition } from '../core/run.js';
import type { CheckUnit } from '../plan/units.js';

/** The store's copy of a unit, with a hash that changes when anything that affects a run changes. */
export function unitDefinition(unit: CheckUnit): UnitDefinition {
  const specHash = createHash('sha256')
    .update(JSON.stringify([unit.kind, unit.spec, unit.schedule, unit.timeoutMs, unit.policy]))
    .digest('hex')
    .slice(0, 16);
  return {
    id: unit.id,
    app: unit.app,
    name: unit.name,
    type: unit.type,
    kind: unit.kind,
    target: unit.target,
    schedule: unit.schedule.text,
    specHash,
  };
}
