/** The JSON Schema of upkeep.yml, built from the same zod schemas the loader uses, for editors' completion. */
import { z } from 'zod';
import type { CheckKind } from '../checks/kind.js';
import { checkKinds } from '../checks/registry.js';
import { checkEntrySchema, planSchema } from './plan-schema.js';

/** The `$id` editors see; stable so `# yaml-language-server: $schema=` comments keep working. */
export const PLAN_SCHEMA_ID = 'https://upkeep.dev/schema/upkeep.schema.json';

/** A JSON Schema (draft 2020-12) of the whole plan format, including every registered check kind. */
export function planJsonSchema(kinds: readonly CheckKind<unknown>[] = checkKinds): Record<string, unknown> {
  const entries = kinds.map((kind) => checkEntrySchema(kind).meta({ title: `${kind.name} check` }));
  const checkEntry =
    entries.length === 0
      ? z.looseObject({})
      : entries.length === 1
        ? (entries[0] as z.ZodType)
        : z.union(entries as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  const schema = planSchema(checkEntry.describe('A check: common keys plus exactly one kind key.'));
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    // The input side is what people write: defaults are optional, durations are text.
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return {
    ...json,
    $id: PLAN_SCHEMA_ID,
    title: 'upkeep plan (upkeep.yml)',
    description:
      'How an app is maintained: checks, databases, repos, secrets, checklists, alerts, maintenance windows.',
  };
}
