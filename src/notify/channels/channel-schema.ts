/**
 * The plan's `notify:` entry: `type` picks the channel kind, whose own schema then checks the rest. Errors name the
 * known types and the nearest one for a typo, and unknown keys suggest the kind's nearest key.
 */
import { z } from 'zod';
import { nearest } from '../../plan/suggest.js';
import type { ChannelKind } from '../channel.js';

/** The keys a kind's schema accepts (its object shape), for "expected one of" and "did you mean". */
export function channelKeys(kind: ChannelKind<unknown, unknown>): string[] {
  const schema = kind.schema as unknown;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The JSON Schema of each kind, merged in as `anyOf` so editors complete every channel's keys. */
function editorSchemas(kinds: readonly ChannelKind<unknown, unknown>[]): Record<string, unknown>[] {
  return kinds.map((kind) => {
    const { $schema: _, ...json } = z.toJSONSchema(kind.schema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    return { title: `${kind.type} channel`, description: kind.description, ...json };
  });
}

/** A `notify:` entry validated by the schema of the kind its `type` names. */
export function channelEntrySchema(kinds: readonly ChannelKind<unknown, unknown>[]) {
  const types = kinds.map((k) => k.type);
  const typeList = types.length > 0 ? types.join(', ') : '(no channel types are registered)';
  return z
    .looseObject({ type: z.string().min(1).describe(`Channel type: ${typeList}.`) })
    .superRefine((entry, ctx) => {
      if (typeof entry.type !== 'string') return; // already reported as the wrong type
      const kind = kinds.find((k) => k.type === entry.type);
      if (!kind) {
        const suggestion = nearest(entry.type, types);
        ctx.addIssue({
          code: 'custom',
          path: ['type'],
          message: `unknown channel type "${entry.type}"`,
          params: { expected: `one of: ${typeList}`, ...(suggestion ? { suggestion } : {}) },
        });
        return;
      }
      const parsed = kind.schema.safeParse(entry);
      if (parsed.success) return;
      const keys = channelKeys(kind);
      for (const issue of parsed.error.issues) {
        if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
          // Re-issued per key with the kind's keys: the outer schema cannot know them (they depend on `type`).
          for (const key of issue.keys) {
            const suggestion = nearest(key, keys);
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `unknown key "${key}" for a ${kind.type} channel`,
              params: { expected: `one of: ${keys.join(', ')}`, ...(suggestion ? { suggestion } : {}) },
            });
          }
        } else if (
          issue.code === 'invalid_union' &&
          issue.path.length === 1 &&
          entry[issue.path[0] as string] === undefined
        ) {
          // A missing key whose schema is a union (`to: address | [address]`) would read as "wrong type".
          ctx.addIssue({ code: 'custom', path: issue.path, message: `missing key "${String(issue.path[0])}"` });
        } else {
          ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
        }
      }
    })
    .meta({ anyOf: editorSchemas(kinds) })
    .describe("A notification channel: `type` and that type's keys.");
}
